"""The index's version is derived from what it stores: no change can leave an old index in use."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from papernotes.index import Index
from papernotes.index import store as index_store
from papernotes.store.kb import KnowledgeBase
from tests.test_search_support import make_kb

SRC = Path(index_store.__file__).resolve().parent.parent


def test_changing_a_table_definition_changes_the_version():
    before = index_store.schema_digest()
    assert "title TEXT NOT NULL" in index_store.SCHEMA
    changed = index_store.SCHEMA.replace("title TEXT NOT NULL", "title TEXT", 1)
    assert index_store.schema_digest(changed) != before
    assert index_store.schema_digest(index_store.SCHEMA + "\nCREATE TABLE x(y);") != before
    assert index_store.schema_digest() == before  # and it is stable


def test_changing_the_code_that_builds_documents_changes_the_version():
    sources = index_store.builder_sources()
    assert len(sources) == len(index_store.BUILDERS)
    same = index_store.schema_digest(sources=sources)
    assert same == index_store.schema_digest()
    edited = [sources[0] + b"\n# one more line\n", *sources[1:]]
    assert index_store.schema_digest(sources=edited) != same
    # the files are hashed one by one: moving text from one to the next is a change too
    moved = [sources[0] + sources[1][:1], sources[1][1:], *sources[2:]]
    assert index_store.schema_digest(sources=moved) != same


def test_every_builder_is_a_file_of_the_package():
    for name in index_store.BUILDERS:
        assert (SRC / name).is_file(), name
    assert "index/documents.py" in index_store.BUILDERS


def test_version_is_the_digest_and_the_glossary():
    from papernotes.glossary import shipped_digest

    assert index_store.version() == f"{index_store.schema_digest()}+{shipped_digest()}"


def test_an_index_of_another_version_is_rebuilt(tmp_path, monkeypatch):
    kb = KnowledgeBase(make_kb(tmp_path / "kb"))
    with Index(kb) as index:
        assert index.refresh().rebuilt
    with Index(kb) as index:
        assert not index.refresh().rebuilt
    path = kb.cache_dir() / index_store.INDEX_NAME
    with sqlite3.connect(path) as conn:
        stored = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0]
    conn.close()
    assert stored == index_store.version()
    # what the code of a later release would say: the same index is no longer current
    monkeypatch.setattr(index_store, "_VERSION", "another-digest+" + stored.split("+")[1])
    with Index(kb) as index:
        stats = index.refresh()
    assert stats.rebuilt
    assert stats.papers > 0
