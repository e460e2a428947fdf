"""``show`` and ``related`` answered from the index: what they print is what the files give,
the warm path imports no models, YAML, requests or rich, and a damaged index changes nothing.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.cli import cli
from papernotes.cli.common import PlainConsole, console, safe_text
from papernotes.errors import ExitCode
from papernotes.index.neighbours import related_from_index
from papernotes.store.kb import KnowledgeBase

REPO = Path(__file__).resolve().parent.parent
SHIPPED_ID = "H1gEP6NFwr"
HEAVY = ("pydantic", "yaml", "requests", "rich", "papernotes.model.record")


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    root.mkdir()
    shutil.copytree(REPO / "papers", root / "papers")
    shutil.copytree(REPO / "notes", root / "notes")
    shutil.copy2(REPO / "tags.yaml", root / "tags.yaml")  # old mtimes: not racy
    return root


def _run(root: Path, cache: Path, *argv: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, ["--root", str(root), *argv], env={"PAPERNOTES_CACHE_DIR": str(cache)}
    )
    return result.exit_code, result.stdout, result.stderr


def _index_file(cache: Path) -> Path:
    found = list(cache.rglob("index.sqlite"))
    assert len(found) == 1, found
    return found[0]


def test_warm_show_and_related_import_no_models_yaml_requests_or_rich(kb, tmp_path):
    env = {**os.environ, "PAPERNOTES_CACHE_DIR": str(tmp_path / "cache")}
    env["PYTHONPATH"] = str(REPO / "src")
    base = [sys.executable, "-X", "importtime", "-m", "papernotes", "--root", str(kb)]
    cold = subprocess.run([*base, "show", SHIPPED_ID], env=env, capture_output=True, text=True)
    assert cold.returncode == 0, cold.stderr
    for argv in (["show", SHIPPED_ID], ["show", SHIPPED_ID, "--json"], ["related", SHIPPED_ID]):
        warm = subprocess.run([*base, *argv], env=env, capture_output=True, text=True)
        assert warm.returncode == 0, warm.stderr
        imported = {line.split("|")[-1].strip() for line in warm.stderr.splitlines()}
        assert not imported.intersection(HEAVY), (argv, imported.intersection(HEAVY))
        assert "papernotes.index.reads" in imported  # the index answered
    assert warm.stdout.startswith("HygrAR4tPS\t")


@pytest.mark.parametrize(
    "argv",
    [
        ["notes"],
        ["notes", "--tag", "ntk"],
        ["list"],
        ["list", "--tag", "ntk"],
        ["topic", "ntk"],
        ["tags"],
        ["stats"],
        ["export"],
        ["export", "-f", "csljson", "ntk"],
    ],
)
def test_warm_listings_import_no_models_or_yaml(kb, tmp_path, argv):
    """The listings answer from the index, its taxonomy included (no tags.yaml read), and
    the citation exports from its views of the records."""
    env = {**os.environ, "PAPERNOTES_CACHE_DIR": str(tmp_path / "cache")}
    env["PYTHONPATH"] = str(REPO / "src")
    base = [sys.executable, "-X", "importtime", "-m", "papernotes", "--root", str(kb)]
    cold = subprocess.run([*base, *argv], env=env, capture_output=True, text=True)
    warm = subprocess.run([*base, *argv], env=env, capture_output=True, text=True)
    assert (cold.returncode, cold.stdout) == (0, warm.stdout), cold.stderr
    assert warm.returncode == 0, warm.stderr
    imported = {line.split("|")[-1].strip() for line in warm.stderr.splitlines()}
    assert not imported.intersection(("pydantic", "yaml", "papernotes.model.record")), argv


def test_show_from_the_index_equals_show_from_the_files(kb, tmp_path, monkeypatch):
    """The files path (an unusable cache) prints no related papers: all else must match, and
    the related papers are those ranked for the record loaded from its file."""
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    unusable = tmp_path / "not-a-folder"
    unusable.write_text("a file where the cache folder would be\n", encoding="utf-8")
    ids = sorted(p.stem for p in (kb / "papers").glob("*.yaml"))[::6] + [SHIPPED_ID]
    for pid in ids:
        code, out, _ = _run(kb, tmp_path / "cache", "show", pid, "--json")
        ref_code, ref, warning = _run(kb, unusable, "show", pid, "--json")
        assert (code, ref_code) == (0, 0)
        assert "top related papers not shown" in warning
        served, files = json.loads(out), json.loads(ref)
        assert files.pop("top_related") == []
        ranked = [n.to_dict() for n in related_from_index(KnowledgeBase(kb), pid, 5)]
        assert json.loads(json.dumps(ranked)) == served.pop("top_related"), pid
        assert served == files, pid
    assert json.loads(out)["backlinks"], "the shipped paper is linked from notes/"


@pytest.mark.parametrize(
    "damage",
    ["delete", "garbage", "old-version", "no-note-table", "bad-taxonomy", "bad-record"],
)
def test_a_damaged_index_gives_the_same_answers(kb, tmp_path, damage):
    cache = tmp_path / "cache"
    reads = [
        ["show", SHIPPED_ID],
        ["show", SHIPPED_ID, "--json"],
        ["related", SHIPPED_ID, "--json"],
        ["related", SHIPPED_ID],
    ]
    expected = [_run(kb, tmp_path / "fresh", *argv) for argv in reads]
    assert all(code == 0 for code, _, _ in expected)
    _run(kb, cache, "show", SHIPPED_ID)
    path = _index_file(cache)
    if damage == "delete":
        path.unlink()
    elif damage == "garbage":
        path.write_bytes(b"not an index" * 100)
    else:
        conn = sqlite3.connect(path)
        with conn:
            if damage == "old-version":
                conn.execute("UPDATE meta SET value = '12+x' WHERE key = 'version'")
            elif damage == "no-note-table":
                conn.execute("DROP TABLE note_links")
            elif damage == "bad-taxonomy":
                conn.execute("UPDATE meta SET value = '{\"NTK\": 3}' WHERE key = 'taxonomy'")
            else:
                conn.execute("UPDATE files SET record = '{\"id\": 1' WHERE rid = ?", (SHIPPED_ID,))
        conn.close()
    assert [_run(kb, cache, *argv) for argv in reads] == expected


@pytest.mark.parametrize("command", ["show", "related"])
def test_a_missing_paper_is_one_line_with_close_ids(kb, tmp_path, command):
    code, out, err = _run(kb, tmp_path / "cache", command, "H1gEP6NFwx")
    assert code == ExitCode.NOT_FOUND
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("Error: no paper 'H1gEP6NFwx'")
    assert "H1gEP6NFwr" in err and "Traceback" not in err


def test_a_record_with_problems_or_a_broken_taxonomy_is_read_from_the_files(kb, tmp_path):
    cache = tmp_path / "cache"
    record = kb / "papers" / f"{SHIPPED_ID}.yaml"
    record.write_text(record.read_text(encoding="utf-8") + "venue_typo: x\n", encoding="utf-8")
    code, _, err = _run(kb, cache, "show", SHIPPED_ID)
    assert code == ExitCode.BAD_DATA and "venue_typo" in err and err.count("\n") == 1
    shutil.copyfile(REPO / "papers" / f"{SHIPPED_ID}.yaml", record)
    tags = kb / "tags.yaml"
    tags.write_text(tags.read_text(encoding="utf-8") + "  bad: [\n", encoding="utf-8")
    served = _run(kb, cache, "show", SHIPPED_ID, "--json")
    assert served == _run(kb, tmp_path / "fresh", "show", SHIPPED_ID, "--json")
    assert served[0] == 0


def test_a_note_edit_is_seen_by_the_next_show(kb, tmp_path):
    cache = tmp_path / "cache"
    before = json.loads(_run(kb, cache, "show", SHIPPED_ID, "--json")[1])["backlinks"]
    note = kb / "notes" / "zz-new.md"
    note.write_text(f"# New\n\nsee [[{SHIPPED_ID}]]\n", encoding="utf-8")
    after = json.loads(_run(kb, cache, "show", SHIPPED_ID, "--json")[1])["backlinks"]
    new = {"path": "notes/zz-new.md", "line": 3, "title": "New", "text": f"see [[{SHIPPED_ID}]]"}
    assert after == [*before, new]
    note.unlink()
    assert json.loads(_run(kb, cache, "show", SHIPPED_ID, "--json")[1])["backlinks"] == before


def test_a_note_rewritten_while_it_is_racy_is_read_again(kb, tmp_path):
    """A note changed within a timestamp tick of the last command (here: dated in the
    future, so every command sees it as just changed) is parsed again by each command."""
    cache = tmp_path / "cache"
    note = kb / "notes" / "zz-racy.md"
    soon = (time.time_ns() + 3600 * 10**9,) * 2

    def shown_after(text: str) -> list[str]:
        note.write_text(text, encoding="utf-8")
        os.utime(note, ns=soon)
        page = json.loads(_run(kb, cache, "show", SHIPPED_ID, "--json")[1])
        return [b["text"] for b in page["backlinks"] if b["path"] == "notes/zz-racy.md"]

    assert shown_after(f"# One\n\nfirst [[{SHIPPED_ID}]]\n") == [f"first [[{SHIPPED_ID}]]"]
    assert shown_after(f"# Two\n\nlater [[{SHIPPED_ID}]] again\n") == [
        f"later [[{SHIPPED_ID}]] again"
    ]
    assert shown_after("# Three\n\nno link any more\n") == []


TEXT = st.lists(
    st.sampled_from(list("ab Z[]\\/#@=\t\x07\r中é") + ["[bold]", "[/]", "\\[", "[x]"]),
    max_size=20,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(user=TEXT, other=TEXT)
def test_the_plain_console_prints_what_rich_prints_to_a_pipe(user, other):
    lines = [
        safe_text(user),
        f"[bold cyan]{safe_text(user)}[/]  [bold]{safe_text(other)}[/]",
        f"  [dim]{safe_text(user)}:[/] {safe_text(other)} [red](unknown tag)[/]",
        "    " + safe_text(other),
        "",
    ]
    for line in lines:
        with contextlib.redirect_stdout(io.StringIO()) as rich_out:
            console().print(line, soft_wrap=True)
        with contextlib.redirect_stdout(io.StringIO()) as plain_out:
            PlainConsole().print(line, soft_wrap=True)
        assert plain_out.getvalue() == rich_out.getvalue(), repr(line)
