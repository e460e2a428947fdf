"""The full build of the index: worker processes give the same index as one process, a
record that fails in a worker keeps its one-line problem, and a build that stops (a worker
dies, Ctrl-C) leaves no half index behind."""

from __future__ import annotations

import marshal
import multiprocessing
import os
import random
import sqlite3
import time

import pytest
from click.testing import CliRunner

from papernotes.cli import cli
from papernotes.errors import WriteError
from papernotes.index import Index, select
from papernotes.index import store as index_store
from papernotes.store import yamlio
from papernotes.store.kb import KnowledgeBase
from tests.test_search_support import PAPERS, age, make_kb, record

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="worker processes are forked")

BROKEN = "id: BrokenRec1\ntitle: A broken record\nnotes: [unclosed\n"
UNKNOWN_FIELD = "id: TypoRecrd1\ntitle: A record with a typo\nyeer: 2020\n"


@pytest.fixture
def root(tmp_path):
    root = make_kb(tmp_path / "kb")
    (root / "papers" / "BrokenRec1.yaml").write_text(BROKEN, encoding="utf-8")
    (root / "papers" / "TypoRecrd1.yaml").write_text(UNKNOWN_FIELD, encoding="utf-8")
    # the same id in a second file, named for no id
    (root / "papers" / "A copy.yaml").write_text(
        record("NtkPaper01", PAPERS["NtkPaper01"]), encoding="utf-8"
    )
    age(root)
    return root


@pytest.fixture
def kb(root):
    return KnowledgeBase(root)


@pytest.fixture
def parallel(monkeypatch):
    """Builds in worker processes, two records per chunk; counts the parallel builds."""
    calls = []
    real = index_store._parallel_rows

    def counted(*args, **kwargs):
        calls.append(1)
        yield from real(*args, **kwargs)

    monkeypatch.setattr(index_store, "PARALLEL_FROM", 2)
    monkeypatch.setattr(index_store, "CHUNK", 2)
    monkeypatch.setattr(index_store, "_parallel_rows", counted)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    return calls


def dump(kb) -> dict:
    """Every row of every table of the index (the full-text tables by their content)."""
    with sqlite3.connect(kb.cache_dir() / "index.sqlite") as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'fts_%' AND name NOT LIKE 'sim_%' AND name NOT IN ('fts', 'sim')"
            )
        ]
        out = {}
        for table in [*tables, "fts", "fts_vocab", "sim_vocab", "sim_df"]:
            rows = conn.execute(f"SELECT * FROM {table}").fetchall()
            if table == "meta":
                rows = [row for row in rows if row[0] != "built"]
            if table == "snapshot":
                rows = [marshal.loads(row[1]) for row in rows]
            out[table] = rows
    return out


def build(kb):
    with Index(kb) as index:
        return index.refresh(force=True)


def test_worker_processes_build_the_same_index_as_one_process(kb, monkeypatch, parallel):
    with monkeypatch.context() as serial:
        serial.setattr(index_store, "PARALLEL_FROM", 10**9)
        one = build(kb)
        expected = dump(kb)
    assert not parallel
    many = build(kb)
    assert parallel == [1]
    assert dump(kb) == expected
    assert (many.added, many.skipped, many.problems) == (one.added, one.skipped, one.problems)
    assert many.added == len(PAPERS)
    assert len(expected["files"]) == len(PAPERS) + 3
    assert select(kb, "ntk") == ["NtkPaper01", "CntkPaper2"]


def test_a_record_failing_in_a_worker_keeps_its_one_line_problem(kb, parallel):
    stats = build(kb)
    assert parallel
    assert stats.skipped == 3
    assert any(
        p.startswith("papers/A copy.yaml:1: id: id 'NtkPaper01' does not") for p in stats.problems
    )
    broken = [p for p in stats.problems if p.startswith("papers/BrokenRec1.yaml:")]
    assert len(broken) == 1 and "\n" not in broken[0]
    assert broken[0].startswith("papers/BrokenRec1.yaml:4: YAML syntax error")


def _validate(root, *args):
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", *args])
    return result.exit_code, result.stdout


def test_validate_full_in_workers_equals_validate_in_one_process(root, monkeypatch, parallel):
    with monkeypatch.context() as serial:
        serial.setattr(index_store, "PARALLEL_FROM", 10**9)
        expected = _validate(root, "--full", "--strict")
    assert not parallel
    assert _validate(root, "--full", "--strict") == expected
    assert parallel == [1]
    code, out = expected
    assert code == 1
    assert "papers/BrokenRec1.yaml:4: YAML syntax error" in out
    assert "papers/TypoRecrd1.yaml:3: yeer: unknown field 'yeer'" in out
    assert "papers/A copy.yaml:1: id: id 'NtkPaper01' does not match the file name" in out
    assert _validate(root, "--strict") == expected  # the index's answer is the same


def _leftovers(kb) -> list[str]:
    return sorted(p.name for p in kb.cache_dir().iterdir() if ".tmp" in p.name)


def _workers_gone() -> bool:
    deadline = time.monotonic() + 20
    while multiprocessing.active_children():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@needs_fork
def test_a_worker_that_dies_leaves_no_half_index(kb, monkeypatch, parallel):
    monkeypatch.setattr(index_store, "_can_fork", lambda: True)
    real = index_store.file_row

    def dies(kb, name, *args):
        if name == "LthPaper03.yaml":
            os._exit(3)  # as a worker killed by the system would
        return real(kb, name, *args)

    monkeypatch.setattr(index_store, "ROWS", {**index_store.ROWS, "index": dies})
    with pytest.raises(WriteError, match="worker process"):
        build(kb)
    assert parallel == [1]
    assert _leftovers(kb) == []
    assert not (kb.cache_dir() / "index.sqlite").exists()
    assert _workers_gone()
    monkeypatch.setattr(index_store, "ROWS", {**index_store.ROWS, "index": real})
    with Index(kb) as index:
        stats = index.refresh()  # the next command builds the index
    assert stats.rebuilt and stats.added == len(PAPERS)


@needs_fork
def test_a_worker_that_dies_in_a_rebuild_keeps_the_old_index(kb, monkeypatch, parallel):
    monkeypatch.setattr(index_store, "_can_fork", lambda: True)
    build(kb)
    before = dump(kb)
    real = index_store.file_row

    def dies(kb, name, *args):
        if name == "LthPaper03.yaml":
            os._exit(3)
        return real(kb, name, *args)

    monkeypatch.setattr(index_store, "ROWS", {**index_store.ROWS, "index": dies})
    with pytest.raises(WriteError, match="worker process"):
        build(kb)
    assert parallel == [1, 1]
    assert _leftovers(kb) == []
    assert dump(kb) == before
    assert select(kb, "ntk") == ["NtkPaper01", "CntkPaper2"]


def test_ctrl_c_during_a_build_leaves_no_half_index(kb, monkeypatch, parallel):
    real = index_store._insert_rows
    calls = []

    def interrupted(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(index_store, "_insert_rows", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(kb)
    assert parallel == [1]
    assert _leftovers(kb) == []
    assert not (kb.cache_dir() / "index.sqlite").exists()
    assert _workers_gone()
    monkeypatch.setattr(index_store, "_insert_rows", real)
    with Index(kb) as index:
        stats = index.refresh()
    assert stats.rebuilt and stats.added == len(PAPERS)


# -- the quicker YAML construction of a build --------------------------------------------
ATOMS = [
    *("a", "text", "1", "01", "0x1f", "1_000", "1.5", ".inf", "yes", "no", "~", "null"),
    *("2026-11-22", "2026-13-45", "12:30:00", "-1", "'q'", '"x\\ty"', "[1, 2]", "{a: 1}"),
    *("!!str 5", "!!binary aGk=", "!custom x", "!!set {a}", "!!omap [a: 1]", "? k", "<<"),
]
KEYS = ["a", "b", "id", "1", "yes", "<<", "=", "date", "a"]


def _document(rng: random.Random, depth: int = 0) -> str:
    indent = "  " * depth
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(ATOMS)
    if rng.random() < 0.6:
        lines = []
        for _ in range(rng.randint(1, 4)):
            value = _document(rng, depth + 1)
            key = rng.choice(KEYS)
            lines.append(
                f"{indent}{key}:\n{value}"
                if "\n" in value or ":" in value[-1:]
                else f"{indent}{key}: {value.strip()}"
            )
        return "\n".join(lines)
    items = [_document(rng, depth + 1).strip() for _ in range(rng.randint(1, 3))]
    return "\n".join(
        f"{indent}- {item}" if "\n" not in item else f"{indent}-\n{item}" for item in items
    )


def _with_the_full_constructor(text: str):
    loader = yamlio.StrictLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def test_quick_construction_builds_what_the_full_constructor_builds():
    rng = random.Random(19)
    agreed = failed = 0
    for _ in range(3000):
        text = _document(rng)
        try:
            expected = ("ok", _with_the_full_constructor(text))
        except Exception:  # noqa: BLE001 - any failure of the reference is a failure
            expected = ("error", None)
        try:
            got = ("ok", yamlio.parse(text)[0])
        except yamlio.YamlProblem:
            got = ("error", None)
        assert got == expected, text
        agreed += expected[0] == "ok"
        failed += expected[0] == "error"
    assert agreed > 500 and failed > 500  # both kinds of document were tried
