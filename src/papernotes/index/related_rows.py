"""What the index keeps so that a paper's neighbours can be ranked without reading records.

- ``links``: each ``related`` entry (the source document, the target id, the reason), so
  incoming links are one indexed lookup;
- ``phrases``: each title of three words or more, and each short name its title gives
  (before the checks that need the whole knowledge base), keyed by first word, for mentions;
- ``sim``: the similarity terms of each document (distinct, as ``links.similarity`` counts
  them), a contentless FTS5 table: a query on it finds the papers sharing a paper's most
  distinctive terms. ``sim_df`` holds their document frequencies (``sim_vocab`` counts them
  too, but by walking every posting list: counted once after a full build, then kept).
"""

from __future__ import annotations

import sqlite3

from papernotes.relate.mentions import (
    MIN_TITLE_TOKENS,
    looks_distinctive,
    title_aliases,
    words_of,
)
from papernotes.relate.similarity import term

# the full-text columns holding what links.similarity.paper_text reads (title apart)
BODY_COLUMNS = ("keywords", "notes", "abstract")


def sim_text(columns: dict[str, str]) -> str:
    """The distinct similarity terms of a document, from its full-text columns."""
    # the keys of relate.similarity.term_bag, without counting them
    found: set[str | None] = set(map(term, columns["title"].split()))
    for c in BODY_COLUMNS:
        found.update(map(term, columns[c].split()))
    found.discard(None)
    found.discard("")
    return " ".join(sorted(t for t in found if t))


def phrase_rows(doc: int, title: str) -> list[tuple[int, str, str, str, str]]:
    """Title and alias candidates of one paper, as ``phrases`` rows."""
    rows = []
    words = words_of(title)
    if len(words) >= MIN_TITLE_TOKENS:
        rows.append((doc, words[0], " ".join(words), "title", title))
    for alias in title_aliases(title):
        found = words_of(alias)
        if not found or found == words or not looks_distinctive(alias):
            continue
        rows.append((doc, found[0], " ".join(found), "alias", alias))
    return rows


def insert(conn: sqlite3.Connection, doc: int, item, count: bool = True) -> None:
    """Rows for a document just inserted as ``doc`` (``item`` is an index Doc); ``count``
    False leaves ``sim_df`` to :func:`count_all`."""
    if item.links:
        conn.executemany(
            "INSERT INTO links(doc, target, why) VALUES (?, ?, ?)",
            [(doc, target, why) for target, why in item.links],
        )
    rows = phrase_rows(doc, item.title)
    if rows:
        conn.executemany(
            "INSERT INTO phrases(doc, first, words, how, shown) VALUES (?, ?, ?, ?, ?)", rows
        )
    terms = sim_text(item.columns)
    conn.execute("INSERT INTO sim(rowid, terms) VALUES (?, ?)", (doc, terms))
    if count and terms:
        conn.executemany(
            "INSERT INTO sim_df(term, docs) VALUES (?, 1) "
            "ON CONFLICT(term) DO UPDATE SET docs = docs + 1",
            [(t,) for t in terms.split()],
        )


def delete(conn: sqlite3.Connection, doc: int) -> None:
    """Drop a document's rows; its similarity terms are read back from its full-text row
    (a contentless table deletes by the values it was given)."""
    conn.execute("DELETE FROM links WHERE doc = ?", (doc,))
    conn.execute("DELETE FROM phrases WHERE doc = ?", (doc,))
    row = conn.execute(
        f"SELECT title, {', '.join(BODY_COLUMNS)} FROM fts WHERE rowid = ?", (doc,)
    ).fetchone()
    if row is not None:
        columns = dict(zip(("title", *BODY_COLUMNS), row, strict=True))
        terms = sim_text(columns)
        conn.execute("INSERT INTO sim(sim, rowid, terms) VALUES ('delete', ?, ?)", (doc, terms))
        conn.executemany(
            "UPDATE sim_df SET docs = docs - 1 WHERE term = ?", [(t,) for t in terms.split()]
        )
        conn.execute("DELETE FROM sim_df WHERE docs <= 0")


def count_all(conn: sqlite3.Connection) -> None:
    """Document frequencies of every similarity term, counted afresh (after a full build)."""
    conn.execute("DELETE FROM sim_df")
    conn.execute("INSERT INTO sim_df(term, docs) SELECT term, doc FROM sim_vocab")
