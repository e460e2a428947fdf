"""Every read command prints exactly what it printed before the index served it.

The expected outputs were captured from the commands as they stood when they still loaded
every record from YAML (``PAPERNOTES_UPDATE_GOLDEN=1`` rewrites them): once on a copy of the
repository's knowledge base, once on a generated one with broken records (bad YAML, an unknown
field, a duplicate id, an unknown tag, a link to a missing paper).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from papernotes.cli import cli

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
UPDATE = bool(os.environ.get("PAPERNOTES_UPDATE_GOLDEN"))

SHIPPED_ID = "H1gEP6NFwr"
COMMANDS = [
    ("show", [SHIPPED_ID]),
    ("list", []),
    ("list-tag", ["list", "--tag", "ntk"]),
    ("list-added", ["list", "--sort", "added"]),
    ("tags", []),
    ("stats", []),
    ("topic", ["topic", "NTK"]),
    ("notes", []),
    ("related", [SHIPPED_ID]),
    ("graph-json", ["graph", "-f", "json"]),
    ("export-bibtex", ["export", "-f", "bibtex"]),
    ("export-csljson", ["export", "-f", "csljson"]),
    ("export-json", ["export", "-f", "json"]),
    ("export-markdown", ["export", "-f", "markdown"]),
    ("validate", []),
    ("validate-strict", ["validate", "--strict"]),
    ("fmt-check", ["fmt", "--check"]),
]

BROKEN = {
    "bad-yaml.yaml": "id: bad-yaml\ntitle: [unclosed\n",
    "unknown-field.yaml": "id: unknown-field\ntitle: Unknown field\nvenue_typo: ICLR\n",
    "dup-a.yaml": "id: H1gEP6NFwr\ntitle: A duplicate of a shipped record\n",
    "odd-tag.yaml": "id: odd-tag\ntitle: Carries an unknown tag\ntags:\n- no-such-tag\n",
    "unordered.yaml": "title: Keys out of order\nid: unordered\n",
    "alias-tag.yaml": "id: alias-tag\ntitle: Carries an alias\ntags:\n- CNTK\n",
    "dangling.yaml": (
        "id: dangling\ntitle: Links a missing paper\ntags:\n- NTK\n"
        "related:\n- id: missing1\n  why: not there\n"
    ),
}


def _shipped(root: Path) -> Path:
    shutil.copytree(REPO / "papers", root / "papers")
    shutil.copytree(REPO / "notes", root / "notes")
    shutil.copyfile(REPO / "tags.yaml", root / "tags.yaml")
    return root


def _broken(root: Path) -> Path:
    _shipped(root)
    for name in sorted((root / "papers").iterdir())[40:]:
        name.unlink()
    for name, text in BROKEN.items():
        (root / "papers" / name).write_text(text, encoding="utf-8")
    return root


KBS = {"shipped": _shipped, "broken": _broken}


def _argv(name: str, args: list[str]) -> list[str]:
    if args and args[0] in {"list", "topic", "graph", "export", "validate", "fmt"}:
        return args
    return [name, *args]


def _run(root: Path, argv: list[str]) -> str:
    result = CliRunner().invoke(cli, ["--root", str(root), *argv], catch_exceptions=False)
    return f"exit {result.exit_code}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"


CASES = [
    (kb, name, args, as_json)
    for kb in KBS
    for name, args in COMMANDS
    for as_json in (False, True)
    if not (as_json and name.startswith(("graph", "export")))
]


@pytest.mark.parametrize(
    ("kb", "name", "args", "as_json"),
    CASES,
    ids=[f"{kb}-{name}{'-json' if j else ''}" for kb, name, _, j in CASES],
)
def test_read_output_unchanged(tmp_path, kb, name, args, as_json):
    root = KBS[kb](tmp_path / "kb")
    argv = _argv(name, args) + (["--json"] if as_json else [])
    first = _run(root, argv)
    second = _run(root, argv)  # a warm index answers the same
    assert second == first
    path = GOLDEN / f"{kb}-{name}{'-json' if as_json else ''}.txt"
    if UPDATE:
        path.write_text(first, encoding="utf-8")
    assert first == path.read_text(encoding="utf-8")
    if as_json:
        json.loads(first.split("--- stdout\n", 1)[1].split("--- stderr\n", 1)[0])
    if name.startswith("validate"):  # re-reading every file finds the same
        assert _run(root, [*argv, "--full"]) == first


def _bad_taxonomy(root: Path) -> Path:
    _shipped(root)
    text = (root / "tags.yaml").read_text(encoding="utf-8")
    (root / "tags.yaml").write_text(text + "  Broken tag: [\n", encoding="utf-8")
    return root


FALLBACK_READS = [
    ["list", "--json"],
    ["list", "--tag", "ntk"],
    ["list", "--tag", "no-such-tag"],
    ["topic", "彩票假设", "--json"],
    ["topic", "no-such-tag"],
    ["stats", "--json"],
    ["tags", "--json"],
]


@pytest.mark.parametrize("make", [_shipped, _broken, _bad_taxonomy])
def test_the_index_and_the_files_answer_alike(tmp_path, monkeypatch, make):
    """The taxonomy and the digests read from one fresh index, or from the files when no
    index can be kept (or tags.yaml has problems): the same output, the same exit code."""
    root = make(tmp_path / "kb")
    for argv in FALLBACK_READS:
        monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
        indexed = _run(root, argv)
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("", encoding="utf-8")
        monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(blocker / "cache"))
        assert _run(root, argv) == indexed, argv
    if make is _bad_taxonomy:  # the file's problem is told, as when every file was read
        assert "tags.yaml:" in _run(root, ["list", "--tag", "ntk"])
        assert "1 problem(s) in the taxonomy" in _run(root, ["tags"])
