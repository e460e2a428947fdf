"""The glossary as the index keeps it: ``(term, other-language term)`` rows for queries
(highlighting a note's own word for the other language's word typed), and which records to
re-index when ``tags.yaml`` or ``glossary.yaml`` change the pairs."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from papernotes.glossary import Glossary
from papernotes.text import query_terms

SCHEMA = """
CREATE TABLE glossary(term TEXT NOT NULL, other TEXT NOT NULL, PRIMARY KEY (term, other))
    WITHOUT ROWID;
"""
CHUNK = 200  # terms per MATCH expression


def insert(conn: sqlite3.Connection, glossary: Glossary) -> None:
    conn.executemany("INSERT OR IGNORE INTO glossary(term, other) VALUES (?, ?)", glossary.rows())


def replace(conn: sqlite3.Connection, glossary: Glossary) -> set[str]:
    """Store the new pairs; the terms of every pair that appeared or went away."""
    old = set(conn.execute("SELECT term, other FROM glossary"))
    new = set(glossary.rows())
    if old == new:
        return set()
    conn.execute("DELETE FROM glossary")
    insert(conn, glossary)
    return {term for pair in old ^ new for term in pair}


def affected(conn: sqlite3.Connection, terms: set[str]) -> list[str]:
    """Names of the record files whose text (or glossary column) holds one of ``terms``."""
    from papernotes.index.documents import glossary_token
    from papernotes.index.query import _phrase

    found: set[str] = set()
    for groups in map(query_terms, terms):
        if groups:  # in the papers' own words, or in their glossary column
            found |= {_phrase(groups), _phrase(groups, wrap=glossary_token)}
    phrases = sorted(found)
    docs: set[int] = set()
    for i in range(0, len(phrases), CHUNK):
        match = " OR ".join(phrases[i : i + CHUNK])
        docs.update(d for (d,) in conn.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (match,)))
    if not docs:
        return []
    names = []
    ordered = sorted(docs)
    for i in range(0, len(ordered), 500):
        part = ordered[i : i + 500]
        marks = ",".join("?" * len(part))
        names += [
            n for (n,) in conn.execute(f"SELECT name FROM files WHERE doc IN ({marks})", part)
        ]
    return sorted(names)


def lookup(
    conn: sqlite3.Connection, terms: list[str], inside: Sequence[str] = ()
) -> dict[str, list[str]]:
    """Other-language forms of each of ``terms`` (normalized glossary terms), and of every
    Chinese term that contains one of ``inside`` (a query's 训练 matches 稀疏训练)."""
    out: dict[str, list[str]] = {}
    unique = list(dict.fromkeys(terms))
    rows: list[tuple[str, str]] = []
    for i in range(0, len(unique), 500):
        part = unique[i : i + 500]
        marks = ",".join("?" * len(part))
        rows += conn.execute(f"SELECT term, other FROM glossary WHERE term IN ({marks})", part)
    for text in dict.fromkeys(inside):
        # runs of CJK characters: nothing LIKE would read as a wildcard
        rows += conn.execute("SELECT term, other FROM glossary WHERE term LIKE ?", (f"%{text}%",))
    for term, other in sorted(set(rows)):
        out.setdefault(term, []).append(other)
    return out
