"""Running a query against the index: ranked hits with snippets, or just the ids."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from papernotes.errors import NotFoundError, UsageError
from papernotes.index import snippet
from papernotes.index.documents import COLUMNS, WEIGHTS
from papernotes.index.query import (
    And,
    Compiled,
    Filter,
    Node,
    Or,
    UnknownTagError,
    Vocabulary,
    compile_query,
    parse,
)
from papernotes.index.store import Index, IndexDamaged, decoded

if TYPE_CHECKING:
    from papernotes.store.kb import KnowledgeBase

_BM25 = "bm25(fts, " + ", ".join(str(WEIGHTS[c]) for c in COLUMNS) + ")"


@dataclass
class Hit:
    """One search result. ``snippet`` marks matches with « and »; ``snippet_text`` and
    ``spans`` give the same without markers, for renderers that style them."""

    id: str
    title: str
    tags: list[str]
    score: float
    snippet: str
    snippet_text: str = field(default="", repr=False)
    spans: list[tuple[int, int]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "tags": list(self.tags),
            "score": self.score,
            "snippet": self.snippet,
        }


def parse_query(query: str) -> Node | None:
    """The query's syntax tree (None: nothing searchable); UsageError when it is empty."""
    if not isinstance(query, str) or not query.strip():
        raise UsageError("empty query: give words to search for (see 'papernotes search --help')")
    return parse(query)


def filtered_query(
    text: str, tags: tuple[str, ...] = (), statuses: tuple[str, ...] = ()
) -> tuple[Node | None, str]:
    """The tree of ``text`` with a filter for each tag and one for any of ``statuses``,
    and the query as typed with them (``text tag:T status:S``) for messages."""
    filters: list[Node] = [Filter("tag", t) for t in tags]
    if statuses:
        either: list[Node] = [Filter("status", s) for s in statuses]
        filters.append(either[0] if len(either) == 1 else Or(either))
    tree = parse_query(text) if text.strip() or not filters else None
    if filters:
        tree = And([tree, *filters]) if tree is not None else And(filters)
        text = " ".join([text, *(f"tag:{t}" for t in tags), *(f"status:{s}" for s in statuses)])
    return tree, text


def search(kb: KnowledgeBase, query: str, limit: int | None = 20) -> list[Hit]:
    """The papers matching ``query``, best first (at most ``limit``; None for all)."""
    tree = parse_query(query)
    with Index(kb) as index:
        index.refresh()
        return hits(index, tree, limit)


def select(kb: KnowledgeBase, query: str) -> list[str]:
    """Ids of every paper matching ``query``, best first (for export and site)."""
    tree = parse_query(query)
    with Index(kb) as index:
        index.refresh()
        return index.read(lambda conn: _select(index, conn, tree))


def hits(index: Index, tree: Node | None, limit: int | None = 20) -> list[Hit]:
    """Run a parsed query on a refreshed index."""
    if limit is not None and limit <= 0:
        return []
    return index.read(lambda conn: _hits(index, conn, tree, limit))


def suggest(index: Index, tree: Node | None) -> dict[str, list[tuple[str, int]]]:
    """Corrections (word, distance), best first, for the query's words no paper has."""
    from papernotes.index import spelling

    return index.read(lambda conn: spelling.suggestions(conn, tree))


def corrected(tree: Node, fixes: dict[str, list[tuple[str, int]]]) -> Node:
    """``tree`` searching for the closest corrections of its unknown words instead."""
    from papernotes.index import spelling

    return spelling.corrected(tree, spelling.closest(fixes))


def count(index: Index, tree: Node | None) -> int:
    """How many papers match (for 'showing 20 of N')."""
    return index.read(lambda conn: _count(index, conn, tree))


def _select(index: Index, conn: sqlite3.Connection, tree: Node | None) -> list[str]:
    compiled = _compile(index, conn, tree)
    if compiled is None:
        return []
    rows = conn.execute(
        f"SELECT d.id FROM fts JOIN docs d ON d.doc = fts.rowid "
        f"WHERE fts MATCH ? ORDER BY {_BM25}, d.id",
        (compiled.match,),
    )
    return [paper_id for (paper_id,) in rows]


def _hits(
    index: Index, conn: sqlite3.Connection, tree: Node | None, limit: int | None
) -> list[Hit]:
    compiled = _compile(index, conn, tree)
    if compiled is None:
        return []
    ranked = conn.execute(
        f"SELECT rowid, {_BM25} AS r FROM fts WHERE fts MATCH ? ORDER BY r, rowid LIMIT ?",
        (compiled.match, -1 if limit is None else limit),
    ).fetchall()
    rows = {}
    for chunk in range(0, len(ranked), 500):
        part = [doc for doc, _ in ranked[chunk : chunk + 500]]
        marks = ",".join("?" * len(part))
        for row in conn.execute(
            f"SELECT doc, id, title, tags, texts FROM docs WHERE doc IN ({marks})", part
        ):
            rows[row[0]] = row
    out = []
    for doc, rank in ranked:
        try:
            _, paper_id, title, tags_json, texts_json = rows[doc]
            texts = [(str(k), str(lang), str(t)) for k, lang, t in decoded(texts_json)]
            tags = [str(tag) for tag in decoded(tags_json)]
        except (KeyError, TypeError, ValueError):
            raise IndexDamaged(f"document {doc} is missing or malformed") from None
        text, spans = snippet.best(texts, compiled.needles, typed=compiled.typed)
        out.append(
            Hit(
                id=paper_id,
                title=title,
                tags=tags,
                score=round(-rank, 4) + 0.0,
                snippet=snippet.marked(text, spans),
                snippet_text=text,
                spans=spans,
            )
        )
    return out


def _count(index: Index, conn: sqlite3.Connection, tree: Node | None) -> int:
    compiled = _compile(index, conn, tree)
    if compiled is None:
        return 0
    row = conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (compiled.match,))
    return int(row.fetchone()[0])


def _compile(index: Index, conn: sqlite3.Connection, tree: Node | None) -> Compiled | None:
    if tree is None:
        return None
    vocab = Vocabulary.load(conn, lambda text: _taxonomy_tag(index.kb, text))
    return compile_query(tree, vocab)


def _taxonomy_tag(kb: KnowledgeBase, text: str) -> str | None:
    """A tag the index's token lookup missed: ask the taxonomy itself (with suggestions)."""
    from papernotes.store.tags import resolve_tag

    try:
        return resolve_tag(kb, text)
    except NotFoundError as exc:
        raise UnknownTagError(str(exc)) from None
