"""The index serves list, tags, stats, topic, export, validate and fmt --check: a deleted,
corrupt, old-schema or mangled index still gives the answers a fresh read of the files gives."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from papernotes.cli import cli
from tests.test_search_support import age

from .conftest import no_traceback
from .test_index import DAMAGE, EXTRA, _drop_side_files, _sql

READS = [
    ["list", "--json"],
    ["tags", "--json"],
    ["stats", "--json"],
    ["topic", "NTK", "--json"],
    ["export", "-f", "json"],
    ["validate", "--json"],
    ["fmt", "--check"],
]

MANGLED = {
    # a digest is JSON (SQLite makes the listing's columns from it), so it can only be the
    # wrong JSON
    "record-json": "UPDATE files SET record = '{not json', digest = '\"no digest\"', facts = '{'",
    "digest-array": "UPDATE files SET digest = '[1, 2]'",
    "problems-json": "UPDATE files SET problems = 'nope'",
    "dropped-files": "DROP TABLE files",
}


def _answers(kb, cache) -> list[tuple[int, str]]:
    out = []
    for argv in READS:
        result = CliRunner().invoke(
            cli, ["--root", str(kb), *argv], env={"PAPERNOTES_CACHE_DIR": str(cache)}
        )
        no_traceback(result.stdout, result.stderr)
        out.append((result.exit_code, result.stdout))
    return out


@pytest.fixture
def served(kb, tmp_path):
    for name, text in EXTRA.items():
        (kb / "papers" / f"{name}.yaml").write_text(text, encoding="utf-8")
    (kb / "papers" / "brokenxx.yaml").write_text("id: brokenxx\ntitle: [x\n", encoding="utf-8")
    # a second file of one id: the reads then drop it, as a load of every file does
    (kb / "papers" / "ntkpaper01-copy.yaml").write_text(
        "id: ntkpaper01\ntitle: A second file of one paper\n", encoding="utf-8"
    )
    age(kb)  # not edited just now: the index then keeps the rows of the files as they are
    fresh = _answers(kb, tmp_path / "fresh")
    cache = tmp_path / "cache"
    assert _answers(kb, cache) == fresh
    shutil.rmtree(tmp_path / "fresh")
    return kb, cache / "index.sqlite", fresh


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_index_gives_the_fresh_answers(served, damage):
    kb, index, fresh = served
    _drop_side_files(index)
    DAMAGE[damage](index)
    assert _answers(kb, index.parent) == fresh


@pytest.mark.parametrize("statement", MANGLED.values(), ids=list(MANGLED))
def test_mangled_read_model_rows_give_the_fresh_answers(served, statement):
    kb, index, fresh = served
    _sql(index, statement)
    assert _answers(kb, index.parent) == fresh


def test_an_index_of_the_previous_schema_is_rebuilt(served):
    kb, index, fresh = served
    conn = sqlite3.connect(index)
    conn.execute("ALTER TABLE files DROP COLUMN facts")
    conn.execute("UPDATE meta SET value = '9' WHERE key = 'version'")
    conn.commit()
    conn.close()
    assert _answers(kb, index.parent) == fresh
