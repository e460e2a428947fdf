"""Formats are registries: the CLI offers exactly the registered names, every entry's code
loads, and a file shipped next to the code is package data."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from papernotes.cli.commands import export as export_command
from papernotes.cli.commands import graph as graph_command
from papernotes.export import EXPORTERS
from papernotes.export.graph_formats import GRAPH_FORMATS
from papernotes.registry import load

ROOT = Path(__file__).resolve().parent.parent


def _choices(command, name: str) -> list[str]:
    (option,) = [p for p in command.command.params if p.name == name]
    return list(option.type.choices)


def test_the_cli_offers_the_registered_export_formats():
    assert (
        _choices(export_command, "fmt")
        == list(EXPORTERS)
        == [
            "bibtex",
            "csljson",
            "markdown",
            "json",
            "yaml",
        ]
    )


def test_the_cli_offers_the_registered_graph_formats():
    assert (
        _choices(graph_command, "fmt")
        == list(GRAPH_FORMATS)
        == [
            "dot",
            "mermaid",
            "json",
            "html",
        ]
    )


@pytest.mark.parametrize(
    "entry", [*EXPORTERS.values(), *GRAPH_FORMATS.values()], ids=lambda e: e.target
)
def test_every_entry_names_a_function(entry):
    assert callable(load(entry.target))


def test_load_names_a_function_in_a_module():
    assert load("papernotes.text:tokenize")("Hello") == ["hello"]
    with pytest.raises(AttributeError):
        load("papernotes.text:no_such_function")


def test_every_file_beside_the_code_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["papernotes"]
    package = ROOT / "src" / "papernotes"
    shipped = [
        p.relative_to(package).as_posix()
        for p in package.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    assert "export/static/graph.html" in shipped
    missing = [f for f in shipped if not any(fnmatch(f, pat) for pat in patterns)]
    assert missing == []


def test_every_importer_loads_with_the_importer_methods():
    from papernotes.importers import IMPORTERS

    assert list(IMPORTERS) == ["notes"]
    for entry in IMPORTERS.values():
        importer = entry.load()
        assert callable(importer.can_read) and callable(importer.parse)


def test_a_notes_file_goes_to_the_notes_importer_with_every_kind_of_id(tmp_path):
    from papernotes.importers import importer_for

    text = (
        "- https://openreview.net/forum?id=H1gEP6NFwr a note\n"
        "- https://arxiv.org/abs/1806.07572 another\n"
        "- https://doi.org/10.1000/xyz123 a third\n"
    )
    path = tmp_path / "reading.md"
    importer = importer_for(path, text)
    parsed = importer.parse(text, "reading.md", "reading.md")
    assert [(e.paper_id, e.kind) for e in parsed.entries] == [
        ("H1gEP6NFwr", "openreview"),
        ("arxiv:1806.07572", "arxiv"),
        ("doi:10.1000/xyz123", "doi"),
    ]


def test_every_query_filter_has_a_compiler_method_and_only_those():
    from papernotes.filters import FIELDS, QUERY_FILTERS
    from papernotes.index.query import _Compiler

    methods = {
        name.removeprefix("filter_") for name in dir(_Compiler) if name.startswith("filter_")
    }
    assert methods == set(QUERY_FILTERS)
    assert FIELDS["tags"] == "tag" and FIELDS["marked"] == "mark" and FIELDS["year"] == "year"
