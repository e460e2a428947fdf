"""User text on its way out: BibTeX brace counting, control characters and bidi overrides
in every text field, tabs in piped tables, and a taxonomy whose operations stay linear."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from papernotes.model.taxonomy import Tag, Taxonomy

from ..conftest import RECORD
from ..external import require
from .conftest import no_traceback, problem_lines

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"


def _edit(kb, **fields) -> None:
    path = kb / "papers" / "H1gEP6NFwr.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(fields)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def _balanced(text: str) -> bool:
    """BibTeX's own rule: braces are counted lexically, a backslash does not escape them."""
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


# -- D16: braces in BibTeX fields ---------------------------------------------------------------
INJECTION = 'Evil} , author = "Mallory Injected" , title = "Owned'


@pytest.mark.parametrize("title", [INJECTION, "Sets } and {{ braces", "a \\} b {"])
def test_braces_cannot_close_a_bibtex_field(kb, run, title):
    _edit(kb, title=title)
    result = run("export", "--ids", "H1gEP6NFwr")
    assert result.exit_code == 0, result.stderr
    for line in result.stdout.splitlines()[1:-1]:
        value = line.split(" = ", 1)[1].rstrip(",")
        assert value.startswith("{") and value.endswith("}")
        assert _balanced(value[1:-1]), line


def test_real_bibtex_reads_the_fields_back(kb, run, tmp_path):
    require("bibtex", "texlive-binaries")
    _edit(kb, title=INJECTION)
    result = run("export", "--ids", "H1gEP6NFwr", "-o", str(tmp_path / "inj.bib"))
    assert result.exit_code == 0, result.stderr
    (tmp_path / "t.aux").write_text(
        "\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{inj}\n", encoding="utf-8"
    )
    done = subprocess.run(["bibtex", "t"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "error" not in done.stdout.lower(), done.stdout
    bbl = (tmp_path / "t.bbl").read_text(encoding="utf-8")
    # The whole text stays in the title: the fields after it and the year survive.
    assert "Submitted to ICLR 2020" in bbl
    assert "2020" in bbl


# -- D18: control characters in authors, why, notes on their way out ---------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ("export", "--ids", "H1gEP6NFwr"),
        ("export", "-f", "markdown", "--ids", "H1gEP6NFwr"),
        ("export", "-f", "csljson", "--ids", "H1gEP6NFwr"),
        ("export", "-f", "json", "--ids", "H1gEP6NFwr"),
        ("graph", "--format", "mermaid", "--paper", "H1gEP6NFwr"),
        ("graph", "--format", "dot", "--paper", "H1gEP6NFwr"),
        ("graph", "--format", "json", "--paper", "H1gEP6NFwr"),
        ("show", "H1gEP6NFwr", "--json"),
    ],
    ids=" ".join,
)
def test_escape_sequences_never_reach_the_terminal(kb, run, args):
    """OSC 52 (write the clipboard) in an author, a related paper's reason and a note: the
    record is valid, and every output shows the sequence instead of sending it."""
    path = kb / "papers" / "H1gEP6NFwr.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["notes"][0]["en"] += " " + OSC52 + " \x9b31m"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    _edit(
        kb,
        authors=["A " + OSC52],
        related=[{"id": "HygrAR4tPS", "why": "w " + OSC52 + " \u202eevil"}],
    )
    assert run("validate").exit_code == 0
    result = run(*args)
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 0, result.stderr
    raw = [c for c in result.stdout if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
    assert raw == [], repr(raw)
    assert "\u202e" not in result.stdout


def test_piped_list_rows_keep_their_columns(kb, run):
    """Tags are not checked for tabs by the model (an unknown tag is validate's to report):
    the piped table replaces them, so every row keeps its five fields."""
    _edit(kb, tags=["optimization", "A\tB\rC"])
    result = run("list")
    assert result.exit_code == 0, result.stderr
    assert {len(line.split("\t")) for line in result.stdout.splitlines()} == {5}


@pytest.mark.usefixtures("kb", "run")
def test_control_characters_never_reach_bibtex_or_mermaid():
    """Even for a paper built past the model (a caller's bug), the exporters escape them."""
    from papernotes.export.bibtex import entry
    from papernotes.export.graph_mermaid import mermaid_text
    from papernotes.model.record import Paper

    paper = Paper.model_construct(id="H1gEP6NFwr", title="T", authors=["A " + OSC52])
    for text in (entry(paper, "k"), mermaid_text("w " + OSC52)):
        assert "\x1b" not in text and "\x07" not in text, repr(text)


# -- D17: tabs in titles and the piped table of list ----------------------------------------------------
def test_tab_in_a_title_is_refused(kb, run):
    _edit(kb, title="A\tB\tC")
    result = run("validate")
    assert result.exit_code == 1
    lines = problem_lines(result.stdout, "papers/H1gEP6NFwr.yaml")
    assert any("title" in line for line in lines), result.stdout


# -- risk: bidi overrides ----------------------------------------------------------------------------
def test_bidi_overrides_are_shown_not_obeyed(kb, run):
    _edit(kb, title="Safe \u202eevil\u202c title")
    result = run("show", "H1gEP6NFwr")
    no_traceback(result.stdout, result.stderr)
    assert "\u202e" not in result.stdout
    assert "\\u202e" in result.stdout


# -- D9: taxonomy operations stay linear ----------------------------------------------------------------
class CountingDict(dict):
    """Counts the reads of the tag table."""

    reads = 0

    def __getitem__(self, key):
        CountingDict.reads += 1
        return super().__getitem__(key)

    def __contains__(self, key):
        CountingDict.reads += 1
        return super().__contains__(key)

    def __iter__(self):
        CountingDict.reads += len(self)
        return super().__iter__()

    def items(self):
        CountingDict.reads += len(self)
        return super().items()

    def values(self):
        CountingDict.reads += len(self)
        return super().values()


def _chain(n: int) -> Taxonomy:
    tags = {
        f"t{i}": Tag(en=f"T {i}", zh=f"标{i}", description="d", parent=f"t{i - 1}" if i else None)
        for i in range(n)
    }
    taxonomy = Taxonomy(tags)
    taxonomy.tags = CountingDict(taxonomy.tags)
    return taxonomy


@pytest.mark.parametrize("n", [1000, 2000])
def test_taxonomy_reads_grow_linearly(n):
    taxonomy = _chain(n)
    CountingDict.reads = 0
    assert len(taxonomy.descendants("t0")) == n
    assert taxonomy.check("tags.yaml") == []
    for i in range(0, n, max(1, n // 10)):
        taxonomy.children(f"t{i}")
    assert CountingDict.reads < 40 * n, CountingDict.reads


def test_cycle_in_a_deep_chain_is_found_once_per_tag():
    taxonomy = _chain(3000)
    taxonomy.tags["t0"] = taxonomy.tags["t0"].model_copy(update={"parent": "t2999"})
    taxonomy = Taxonomy(dict(taxonomy.tags))
    problems = taxonomy.check("tags.yaml")
    assert len(problems) == 3000
    assert all("parent cycle" in p.message for p in problems)


def _chain_kb(root: Path, n: int) -> None:
    root.mkdir()
    (root / "papers").mkdir()
    tags = {"tags": {}}
    for i in range(n):
        tags["tags"][f"t{i}"] = {"en": f"T {i}", "zh": f"标{i}", "description": "d"}
        if i:
            tags["tags"][f"t{i}"]["parent"] = f"t{i - 1}"
    (root / "tags.yaml").write_text(yaml.safe_dump(tags, allow_unicode=True), encoding="utf-8")
    deepest = RECORD.replace("- optimization\n", f"- t{n - 1}\n", 1)
    assert f"- t{n - 1}\n" in deepest
    (root / "papers" / "H1gEP6NFwr.yaml").write_text(deepest, encoding="utf-8")


def test_a_deep_parent_chain_is_indexed_in_linear_space(tmp_path, monkeypatch):
    """The index holds each tag's parent, not its whole subtree: the index of a 2,000-deep
    chain is about twice that of a 1,000-deep one (it was four times, quadratic), and a
    filter on the chain's root still finds the paper tagged with its deepest tag."""
    from click.testing import CliRunner

    from papernotes.cli import cli

    def ids(*args: str) -> list[str]:
        found = CliRunner().invoke(cli, ["--root", str(root), "search", *args, "--json"])
        assert found.exit_code == 0, found.output
        return [hit["id"] for hit in json.loads(found.output)]

    sizes = {}
    for n in (1000, 2000):
        root = tmp_path / f"chain{n}"
        _chain_kb(root, n)
        monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / f"cache{n}"))
        assert ids("tag:t0") == ids(f"tag:t{n // 2}") == ids(f"tag:t{n - 1}") == ["H1gEP6NFwr"]
        sizes[n] = sum(p.stat().st_size for p in (tmp_path / f"cache{n}").rglob("*") if p.is_file())
    assert sizes[2000] < 2.6 * sizes[1000], sizes
