"""Fifty entry styles, each a small file in tests/data/import_corpus/ with the records and
notes importing it must give (``NAME.expected.yaml``): every entry imported, with its own
note, and no note under another paper."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from .conftest import Runner

CORPUS = Path(__file__).parent / "data" / "import_corpus"
FILES = sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".expected.yaml"))


def expected_for(path: Path) -> dict:
    stem = path.name.rsplit(".", 1)[0]
    return yaml.safe_load((CORPUS / f"{stem}.expected.yaml").read_text(encoding="utf-8"))


def imported(kb: Path) -> dict[str, dict]:
    out = {}
    for path in (kb / "papers").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[data["id"]] = data
    return out


def note_texts(data: dict) -> list[str]:
    return [n[n["lang"]] for n in data.get("notes", [])]


def test_the_corpus_has_at_least_forty_styles():
    assert len(FILES) >= 40
    assert all((CORPUS / f"{p.name.rsplit('.', 1)[0]}.expected.yaml").exists() for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_each_style_imports_exactly_its_entries(path, empty_kb, monkeypatch):
    shutil.copy(path, empty_kb / path.name)
    monkeypatch.chdir(empty_kb)
    result = Runner(empty_kb)("import", path.name, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    expected = expected_for(path)
    records = imported(empty_kb)
    assert sorted(records) == sorted(r["id"] for r in expected["records"]), result.stderr
    for want in expected["records"]:
        got = records[want["id"]]
        assert note_texts(got) == want["notes"], want["id"]
        if "title" in want:
            assert got["title"] == want["title"]
    if "related" in expected:
        pairs = sorted(
            [pid, link["id"]] for pid, data in records.items() for link in data.get("related", [])
        )
        want_pairs = sorted([*expected["related"], *([b, a] for a, b in expected["related"])])
        assert pairs == want_pairs
    if "warnings" in expected:
        assert sorted({w["line"] for w in report["warnings"]}) == expected["warnings"], (
            result.stderr
        )
    assert all(w["path"] == path.name for w in report["warnings"])
