"""The search index is a cache: deleted, truncated, garbage, old or locked, search still
answers (rebuilding it) or says in one line why it cannot. Queries in FTS syntax, lone
operators and any other text give a list or a usage error."""

from __future__ import annotations

import json
import shlex
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from papernotes.cli import cli
from tests.test_search_support import age

from .conftest import child_env, have_unshare, in_namespace, no_traceback, nonblank, one_error

EXTRA = {
    "ntkpaper01": "id: ntkpaper01\ntitle: Neural tangent kernel at finite width\ntags:\n- NTK\n",
    "ltpaper001": "id: ltpaper001\ntitle: Winning tickets\ntags:\n- LTH\nnotes:\n- lang: zh\n"
    "  zh: 收敛性的证明很巧妙\n  source: cli\n  date: 2026-01-01\n",
}


@pytest.fixture
def indexed(kb, run, tmp_path):
    for name, text in EXTRA.items():
        (kb / "papers" / f"{name}.yaml").write_text(text, encoding="utf-8")
    age(kb)  # not edited just now: a fresh index is then used as it is
    result = run("search", "ntk", "--json")
    assert result.exit_code == 0, result.stderr
    assert [hit["id"] for hit in json.loads(result.stdout)] == ["ntkpaper01"]
    index = tmp_path / "_cache" / "index.sqlite"
    assert index.is_file()
    return kb, index


def ids(result) -> list[str]:
    return [hit["id"] for hit in json.loads(result.stdout)]


def _drop_side_files(index: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(str(index) + suffix).unlink(missing_ok=True)


DAMAGE = {
    "deleted": lambda p: p.unlink(),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 3]),
    "empty": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes(bytes(range(256)) * 400),
    "garbage-header": lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8000),
    "old-schema": lambda p: _sql(p, "UPDATE meta SET value = '1' WHERE key = 'version'"),
    "no-version": lambda p: _sql(p, "DELETE FROM meta WHERE key = 'version'"),
    "foreign-db": lambda p: (p.unlink(), _sql(p, "CREATE TABLE other(x)")),
    "garbage-wal": lambda p: Path(str(p) + "-wal").write_bytes(b"\x00garbage" * 100),
    "garbage-shm": lambda p: Path(str(p) + "-shm").write_bytes(b"\xffgarbage" * 100),
    "dropped-fts": lambda p: _sql(p, "DROP TABLE fts"),
    "dropped-docs": lambda p: _sql(p, "DROP TABLE docs"),
    "dropped-tag-keys": lambda p: _sql(p, "DROP TABLE tag_keys"),
    "dropped-tag-info": lambda p: _sql(p, "DROP TABLE tag_info"),
}
# A well-formed index with rows deleted or values mangled is not rebuilt yet (exit 70 or
# a wrong answer): see pending_index.py.


def _sql(path: Path, statement: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute(statement)
    conn.commit()
    conn.close()


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_index_is_rebuilt(indexed, run, damage):
    kb, index = indexed
    if damage not in ("garbage-wal", "garbage-shm"):
        _drop_side_files(index)
    DAMAGE[damage](index)
    before = {p.name: p.read_bytes() for p in (kb / "papers").iterdir()}
    result = run("search", "ntk", "--json")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 0, result.stderr
    assert ids(result) == ["ntkpaper01"]
    assert result.stderr == ""
    assert ids(run("search", "收敛", "--json")) == ["ltpaper001"]
    assert {p.name: p.read_bytes() for p in (kb / "papers").iterdir()} == before


def test_index_replaced_by_a_directory(indexed, run):
    kb, index = indexed
    _drop_side_files(index)
    index.unlink()
    index.mkdir()
    result = run("search", "ntk")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 5
    one_error(result.stderr, "search index", "Is a directory")


def test_index_follows_changed_records(indexed, run):
    """Stale index: a record edited, one deleted, one broken; the next search sees it all."""
    kb, _ = indexed
    (kb / "papers" / "ntkpaper01.yaml").unlink()
    (kb / "papers" / "ltpaper001.yaml").write_text("id: ltpaper001\ntitle: [broken\n")
    (kb / "papers" / "HygrAR4tPS.yaml").write_text(
        "id: HygrAR4tPS\ntitle: Now about the neural tangent kernel\n", encoding="utf-8"
    )
    result = run("search", "ntk", "--json")
    assert result.exit_code == 0
    assert ids(result) == ["HygrAR4tPS"]
    warning = nonblank(result.stderr)
    assert len(warning) == 1 and warning[0].startswith("Warning: 1 record(s) could not be loaded")
    assert "papers/ltpaper001.yaml:3: YAML syntax error" in warning[0]


HOLD_SQLITE = textwrap.dedent(
    """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    print("HELD", flush=True)
    time.sleep(60)
    """
)
HOLD_FLOCK = textwrap.dedent(
    """
    import fcntl, sys, time
    handle = open(sys.argv[1], "a+")
    fcntl.flock(handle, fcntl.LOCK_EX)
    print("HELD", flush=True)
    time.sleep(60)
    """
)


@pytest.mark.parametrize(
    "holder, stale, code, message",
    [
        (HOLD_SQLITE, False, 0, None),
        (HOLD_SQLITE, True, 5, "the search index is locked by another process (waited 1 s)"),
        (HOLD_FLOCK, False, 5, "the search index is being replaced by another process"),
    ],
    ids=["sqlite-lock-fresh-index", "sqlite-lock-stale-index", "rebuild-in-progress"],
)
def test_index_locked_by_another_process(indexed, run, monkeypatch, holder, stale, code, message):
    kb, index = indexed
    target = index if holder is HOLD_SQLITE else index.parent / "index.lock"
    proc = subprocess.Popen(
        [sys.executable, "-c", holder, str(target)], stdout=subprocess.PIPE, env=child_env()
    )
    try:
        assert proc.stdout.readline() == b"HELD\n"
        if stale:
            (kb / "papers" / "ntkpaper01.yaml").write_text(
                EXTRA["ntkpaper01"].replace("finite", "infinite"), encoding="utf-8"
            )
        monkeypatch.setenv("PAPERNOTES_INDEX_TIMEOUT", "1")
        result = run("search", "ntk", "--json")
    finally:
        proc.kill()
        proc.wait()
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == code, result.stderr
    if message:
        one_error(result.stderr, message, "try again")
    else:
        assert ids(result) == ["ntkpaper01"]
    monkeypatch.undo()
    assert ids(run("search", "ntk", "--json")) == ["ntkpaper01"]  # fine once released


def test_search_on_a_read_only_knowledge_base(kb, tmp_path):
    """No PAPERNOTES_CACHE_DIR: the index cannot live in .papernotes/ of a read-only
    knowledge base, so it goes to the user cache and search still works."""
    for name, text in EXTRA.items():
        (kb / "papers" / f"{name}.yaml").write_text(text, encoding="utf-8")
    xdg = tmp_path / "xdg"
    if have_unshare():
        python = shlex.quote(sys.executable)
        root = shlex.quote(str(kb))
        done = in_namespace(
            f"mount --bind -o ro {root} {root}\n"
            f"unset PAPERNOTES_CACHE_DIR\nexport XDG_CACHE_HOME={shlex.quote(str(xdg))}\n"
            f"{python} -m papernotes --root {root} search ntk --json"
        )
        out, err, code = done.stdout, done.stderr, done.returncode
    else:  # fall back to a knowledge base the cache folder cannot be created in
        (kb / ".papernotes").write_text("not a folder", encoding="utf-8")
        env = child_env(XDG_CACHE_HOME=str(xdg))
        env.pop("PAPERNOTES_CACHE_DIR", None)
        done = subprocess.run(
            [sys.executable, "-m", "papernotes", "--root", str(kb), "search", "ntk", "--json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        out, err, code = done.stdout, done.stderr, done.returncode
    no_traceback(out, err)
    assert code == 0, err
    assert [hit["id"] for hit in json.loads(out)] == ["ntkpaper01"]
    assert list(xdg.rglob("index.sqlite"))
    assert not (kb / ".papernotes" / "index.sqlite").exists()


# -- queries --------------------------------------------------------------------------------

FTS_SYNTAX = [
    '"',
    '"unclosed phrase',
    "*",
    "**",
    "ntk*",
    "*ntk",
    "NEAR(",
    "NEAR(a b, 2)",
    "AND OR",
    "AND",
    "OR",
    "NOT",
    "a AND",
    "OR b",
    "^",
    "^ntk",
    ":",
    "a:b",
    "title:x",
    "tag:",
    "venue:",
    "year:..",
    "(",
    ")",
    "{a b}",
    "-",
    "--",
    "- -",
    "\\",
    "'",
    "a + b",
    "a|b",
    "[bold]x",
    "a\x1b[2J",
    "\x00",
    "收敛 AND",
]


@pytest.mark.parametrize("query", FTS_SYNTAX)
@pytest.mark.usefixtures("indexed")
def test_fts_syntax_and_lone_operators(run, query):
    result = run("search", "--json", "--", query)
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code in (0, 2), result.stderr
    if result.exit_code == 0:
        assert isinstance(json.loads(result.stdout), list)
    else:
        one_error(result.stderr)
    piped = run("search", "--", query)
    assert piped.exit_code == result.exit_code
    assert "\x1b" not in piped.stdout + piped.stderr


@pytest.mark.parametrize(
    "query, message",
    [
        ("year:abc", "year: expects a year"),
        ("year:99999999999999999999", "year: expects a year"),
        ("lang:fr", "lang: expects zh or en"),
    ],
)
@pytest.mark.usefixtures("indexed")
def test_bad_filters_are_usage_errors(run, query, message):
    result = run("search", query)
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 2
    one_error(result.stderr, message)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.lists(
        st.sampled_from(['"', "*", "(", ")", "NEAR(", "AND", "OR", "NOT", "-", ":", "^", "tag:"])
        | st.text(max_size=8),
        min_size=1,
        max_size=8,
    ).map(" ".join)
)
@example(query="ntk")
@example(query="NEAR(ntk kernel, 5)")
@example(query='"lottery ticket" -pruning')
def test_any_query_gives_a_list_or_a_usage_error(indexed, query):
    kb, _ = indexed
    result = CliRunner().invoke(
        cli, ["--root", str(kb), "search", "--json", "--", query], catch_exceptions=False
    )
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code in (0, 2), (query, result.stderr)
    if result.exit_code == 0:
        assert isinstance(json.loads(result.stdout), list)
    else:
        assert len(nonblank(result.stderr)) == 1
