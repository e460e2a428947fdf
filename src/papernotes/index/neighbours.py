"""A paper's neighbours from the search index, without reading every record: the one
implementation of related-paper ranking (``related``, ``show``; :func:`related_many` for
many papers over one connection).

The rules (link reasons, near tags, tag overlap, the combined score) are those of
:mod:`papernotes.relate.related`; the facts come from the index:

- outgoing links from the paper's own record, incoming ones from the ``links`` table;
- tag rarity from the document counts of the tag tokens (``fts_vocab``), and the papers
  sharing a tag from a query on those tokens;
- similarity: the same TF-IDF cosine and shared terms, with document frequencies from
  ``sim_df``. Up to ``ALL_SIMILAR`` papers every paper is compared; above,
  the paper's most distinctive terms make a query on ``sim`` whose best ``CANDIDATES``
  answers (by BM25) are compared, with the papers that already have other evidence;
- mentions: the paper's notes are matched against the ``phrases`` rows of the words they
  hold; the notes that may name the paper are found by full-text phrase queries, then
  matched exactly (:class:`papernotes.relate.mentions.MentionIndex`).
"""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from papernotes.index.documents import tag_facet
from papernotes.index.related_rows import BODY_COLUMNS
from papernotes.index.store import Index, IndexDamaged, decoded, generation
from papernotes.relate.mentions import COMMON_SHARE as COMMON_NAME_SHARE
from papernotes.relate.mentions import ID_TOKEN, Mention, MentionIndex, words_of
from papernotes.relate.related import (
    Neighbour,
    Reason,
    link_reasons,
    near_tags,
    rank,
    tag_overlap,
)
from papernotes.relate.similarity import SimilarityIndex, paper_text, term_bag
from papernotes.text import is_cjk, tokenize

if TYPE_CHECKING:
    from papernotes.store.kb import KnowledgeBase

ALL_SIMILAR = 500  # up to this many papers, every one is compared
CANDIDATES = 50  # papers found by the query on distinctive terms
QUERY_TERMS = 30  # the paper's heaviest terms (tf x idf) that make the query
MIN_QUERY_TERMS = 8
COMMON_SHARE = 0.1  # ... leaving out terms in more papers than this: slow, and say little
TAGGED_COMPARED = 200  # papers sharing tags whose similarity is computed, best share first
CHUNK = 500  # SQL variables per IN (...)


def related_from_index(kb: KnowledgeBase, paper_id: str, limit: int | None = 10) -> list:
    """Ranked neighbours of ``paper_id``; NotFoundError (with close ids) if it has no record."""
    record = kb.get(paper_id)  # raises NotFoundError / DataError with the right message
    taxonomy = kb.taxonomy()
    with Index(kb) as index:
        index.refresh()
        return stored_related(index, record, taxonomy, limit)


def stored_related(index: Index, record, taxonomy, limit: int | None) -> list[Neighbour]:
    """:func:`related_of` over a fresh ``index``, kept in the index until its next write:
    the same paper asked again (``show`` then ``related``, a second ``show``) reads one row.
    A ranking computed while another process wrote to the index is not kept."""
    top = -1 if limit is None else limit

    def kept(conn: sqlite3.Connection) -> tuple[str, list[Neighbour] | None]:
        now = generation(conn)
        row = conn.execute(
            "SELECT data FROM ranked WHERE id = ? AND top = ? AND generation = ?",
            (record.id, top, now),
        ).fetchone()
        return now, None if row is None else _neighbours(decoded(row[0]))

    now, found = index.read(kept)
    if found is not None:
        return found
    found = index.read(lambda conn: related_of(conn, record, taxonomy, limit))
    data = json.dumps([_stored(n) for n in found], ensure_ascii=False, separators=(",", ":"))
    conn = index.connection()
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT OR REPLACE INTO ranked(id, top, generation, data) "
            "SELECT ?, ?, ?, ? WHERE (SELECT value FROM meta WHERE key = 'generation') = ?",
            (record.id, top, now, data, now),
        )
        conn.execute("COMMIT")
    except sqlite3.Error:  # a busy or read-only index: the ranking is only not kept
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
    return found


def _stored(n: Neighbour) -> list:
    return [n.id, n.title, n.score, [[r.kind, r.text, r.detail] for r in n.reasons]]


def _neighbours(rows) -> list[Neighbour]:
    try:
        return [
            Neighbour(
                str(pid), str(title), float(score), [Reason(k, t, dict(d)) for k, t, d in why]
            )
            for pid, title, score, why in rows
        ]
    except (TypeError, ValueError):
        raise IndexDamaged("a stored ranking is malformed") from None


def related_of(
    conn: sqlite3.Connection, record, taxonomy, limit: int | None, shared: Shared | None = None
) -> list[Neighbour]:
    """Ranked neighbours of ``record`` (a paper, or an index ``RecordView``) over an open,
    fresh index ``conn``; ``shared``: what rankings of other papers already read."""
    pid = record.id
    shared = shared or Shared(conn)
    size = shared.size
    row = conn.execute("SELECT doc FROM docs WHERE id = ?", (pid,)).fetchone()
    own_doc = row[0] if row else None

    links = _links(conn, record)
    tagged = _tagged(record, taxonomy, size, own_doc, shared)
    mentions = _mentions(conn, record, taxonomy, size)
    # every paper with other evidence is compared, so its similarity adds to its score
    others = [m.target if m.source == pid else m.source for m in mentions]
    best_tagged = sorted(tagged, key=lambda o: (-tagged[o][0], o))[:TAGGED_COMPARED]
    similarity = _similarity(conn, record, size, own_doc, [*links, *best_tagged, *others], shared)
    titles = _titles(conn, {*links, *tagged, *others, *similarity.vectors})
    return rank(pid, links, tagged, similarity, mentions, titles, limit)


def related_many(
    conn: sqlite3.Connection, records, taxonomy, limit: int | None = 10
) -> dict[str, list[Neighbour]]:
    """Ranked neighbours of each of ``records`` (papers or index ``RecordView``s) over one
    open, fresh index: what every ranking reads (tag counts, the papers sharing a tag, the
    vectors of a small knowledge base) is read once, so the cost grows with the number of
    records times the candidates of each, not with a query per record over every paper.
    Each answer equals :func:`related_of` of that record. Up to ``ALL_SIMILAR`` papers every
    pair is still compared."""
    shared = Shared(conn)
    return {record.id: related_of(conn, record, taxonomy, limit, shared) for record in records}


class Shared:
    """What the rankings of several papers over one connection have in common."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.size = conn.execute("SELECT count(*) FROM docs").fetchone()[0]
        self.tag_docs: dict[str, int] = {}  # tag facet -> papers carrying it
        self.tag_rows: dict[str, list] = {}  # facet query -> (id, tags JSON) rows
        self._all_rows: list[tuple[str, str, str]] | None = None

    def facet_counts(self, facets: list[str]) -> dict[str, int]:
        todo = [f for f in facets if f not in self.tag_docs]
        for part in _chunks(todo):
            marks = ",".join("?" * len(part))
            self.tag_docs.update(
                self.conn.execute(f"SELECT term, doc FROM fts_vocab WHERE term IN ({marks})", part)
            )
        return {f: self.tag_docs.get(f, 0) for f in facets}

    def tagged_rows(self, match: str) -> list:
        if match not in self.tag_rows:
            self.tag_rows[match] = self.conn.execute(
                "SELECT d.id, d.tags FROM fts JOIN docs d ON d.doc = fts.rowid WHERE fts MATCH ?",
                (match,),
            ).fetchall()
        return self.tag_rows[match]

    def all_rows(self) -> list[tuple[str, str, str]]:
        """Id, title and body tokens of every paper (for ``ALL_SIMILAR`` papers or fewer)."""
        if self._all_rows is None:
            self._all_rows = self.conn.execute(
                f"SELECT d.id, f.title, {_body_sql()} FROM fts f JOIN docs d ON d.doc = f.rowid"
            ).fetchall()
        return self._all_rows


# -- links ---------------------------------------------------------------------------
def _links(conn: sqlite3.Connection, record) -> dict[str, list[Reason]]:
    """The record's own links, then those of others to it (:func:`link_reasons`)."""
    incoming = conn.execute(
        "SELECT d.id, l.why FROM links l JOIN docs d ON d.doc = l.doc "
        "WHERE l.target = ? ORDER BY d.id, l.rowid",
        (record.id,),
    )
    return link_reasons(record.related, incoming)


# -- tags ----------------------------------------------------------------------------
def _tagged(
    record, taxonomy, size: int, own_doc: int | None, shared: Shared
) -> dict[str, tuple[float, list[Reason]]]:
    """Tag share and reasons of every paper with one of the near tags of ``record``."""
    mine = list(record.tags)
    near = near_tags(mine, taxonomy)
    if not near:
        return {}
    facets = {tag_facet(t): t for t in near}
    counts: Counter = Counter()
    for token, docs in shared.facet_counts(sorted(facets)).items():
        if docs:
            counts[facets[token]] += docs
    if own_doc is None:  # the record is not indexed (a problem): it still counts its tags
        counts.update(set(mine))
    total = max(size if own_doc is not None else size + 1, 1)
    weights = {t: math.log(1 + total / n) for t, n in counts.items() if n}
    match = "tags : (" + " OR ".join(f'"{f}"' for f in sorted(facets)) + ")"
    rows = shared.tagged_rows(match)
    out = {}
    for other, tags_json in rows:
        if other == record.id:
            continue
        theirs = [str(t) for t in decoded(tags_json)]
        if not near.intersection(theirs):
            continue  # a tag whose key token another tag shares (case only)
        share, reasons = tag_overlap(mine, theirs, weights, counts, taxonomy)
        if reasons:
            out[other] = (share, reasons)
    return out


# -- similarity ----------------------------------------------------------------------
def _similarity(
    conn: sqlite3.Connection,
    record,
    size: int,
    own_doc: int | None,
    extra: list[str],
    shared: Shared,
) -> SimilarityIndex:
    """Vectors of the paper and the papers to compare it with, weighted as over all."""
    pid = record.id
    surface: dict[str, Counter] = defaultdict(Counter)
    title, body = paper_text(record)
    own = term_bag(tokenize(title), tokenize(body), surface)
    if size <= ALL_SIMILAR:  # every paper is compared (the shown words depend on the order)
        rows = shared.all_rows()
    else:
        wanted = _query_candidates(conn, own, size, own_doc)
        ids = [i for i in dict.fromkeys(extra) if i != pid]
        rows = _columns_by_doc(conn, wanted) + _columns_by_id(conn, ids)
    counts = {pid: own}
    for other, title_tokens, body_tokens in rows:
        if other == pid or other in counts:
            continue
        counts[other] = term_bag(title_tokens.split(), body_tokens.split(), surface)
    df = _doc_freq(conn, {t for bag in counts.values() for t in bag})
    if own_doc is None:
        df.update(own.keys())
        size += 1
    for bag in counts.values():  # a term the index lacks (changed meanwhile) is rare
        for t in bag:
            df[t] = max(df[t], 1)
    return SimilarityIndex.from_counts(counts, surface, df, size)


def _query_candidates(
    conn: sqlite3.Connection, own: Counter, size: int, own_doc: int | None
) -> list[int]:
    """Documents that best match the heaviest shared-able terms of the paper (BM25)."""
    df = _doc_freq(conn, set(own))
    weight = {
        t: (1.0 + math.log(n)) * (math.log((1 + size) / (1 + df[t])) + 1.0)
        for t, n in own.items()
        if df[t] > (1 if own_doc is not None else 0)
    }
    ranked = sorted(weight, key=lambda t: (-weight[t], t))
    common = max(CANDIDATES, COMMON_SHARE * size)
    terms = [t for t in ranked if df[t] <= common][:QUERY_TERMS]
    if len(terms) < MIN_QUERY_TERMS:  # a paper of common words only: its heaviest ones
        terms += [t for t in ranked if t not in terms][: MIN_QUERY_TERMS - len(terms)]
    if not terms:
        return []
    match = " OR ".join(f'"{t}"' for t in terms)
    rows = conn.execute(
        "SELECT rowid FROM sim WHERE sim MATCH ? AND rowid != ? ORDER BY rank LIMIT ?",
        (match, own_doc if own_doc is not None else -1, CANDIDATES),
    )
    return [doc for (doc,) in rows]


def _body_sql(prefix: str = "f") -> str:
    return " || ' ' || ".join(f"{prefix}.{c}" for c in BODY_COLUMNS)


def _columns_by_doc(conn: sqlite3.Connection, docs: list[int]) -> list[tuple[str, str, str]]:
    out = []
    for part in _chunks(docs):
        marks = ",".join("?" * len(part))
        out += conn.execute(
            f"SELECT d.id, f.title, {_body_sql()} FROM fts f JOIN docs d ON d.doc = f.rowid "
            f"WHERE f.rowid IN ({marks})",
            part,
        ).fetchall()
    return out


def _columns_by_id(conn: sqlite3.Connection, ids: list[str]) -> list[tuple[str, str, str]]:
    docs = []
    for part in _chunks(ids):
        marks = ",".join("?" * len(part))
        docs += [d for (d,) in conn.execute(f"SELECT doc FROM docs WHERE id IN ({marks})", part)]
    return _columns_by_doc(conn, docs)


def _doc_freq(conn: sqlite3.Connection, terms: set[str]) -> Counter:
    df: Counter = Counter()
    for part in _chunks(sorted(terms)):
        marks = ",".join("?" * len(part))
        df.update(
            dict(conn.execute(f"SELECT term, docs FROM sim_df WHERE term IN ({marks})", part))
        )
    return df


# -- mentions ------------------------------------------------------------------------
class IndexedMentions(MentionIndex):
    """``MentionIndex`` over the notes of a few papers, with names and ids from the index."""

    def __init__(self, conn: sqlite3.Connection, taxonomy, size: int, own: str):
        super().__init__({})  # no papers: names and notes come from the index, as asked
        self.conn = conn
        self.taxonomy = taxonomy
        self.size = size
        self.own = own
        self.papers: dict[str, list[str]] = {}  # id -> its note texts
        self.ids: set[str] = {own}
        self._seen: set[tuple[int, str]] = set()

    def note_texts(self, pid: str) -> list[str]:
        return self.papers[pid]

    def learn(self, words: set[str], ids: set[str]) -> None:
        """Load the names starting with ``words`` and which of ``ids`` are papers."""
        for part in _chunks(sorted(ids - self.ids)):
            marks = ",".join("?" * len(part))
            self.ids.update(
                i for (i,) in self.conn.execute(f"SELECT id FROM docs WHERE id IN ({marks})", part)
            )
        rows = []
        for part in _chunks(sorted(words)):
            marks = ",".join("?" * len(part))
            rows += self.conn.execute(
                f"SELECT p.doc, d.id, p.words, p.how, p.shown FROM phrases p "
                f"JOIN docs d ON d.doc = p.doc WHERE p.first IN ({marks}) ORDER BY p.rowid",
                part,
            ).fetchall()
        self._add_rows(rows)

    def learn_paper(self, pid: str) -> None:
        rows = self.conn.execute(
            "SELECT p.doc, d.id, p.words, p.how, p.shown FROM phrases p "
            "JOIN docs d ON d.doc = p.doc WHERE d.id = ? ORDER BY p.rowid",
            (pid,),
        ).fetchall()
        self._add_rows(rows)

    def _add_rows(self, rows: list) -> None:
        aliases = {w for _, _, w, how, _ in rows if how == "alias"}
        owners = self._owners(aliases)
        for doc, pid, words, how, shown in rows:
            if (doc, words + how) in self._seen:
                continue
            self._seen.add((doc, words + how))
            if how == "alias" and (self.taxonomy.resolve(shown) or len(owners[words]) != 1):
                continue
            if how == "alias":
                self.aliases.setdefault(pid, []).append(shown)
            self.add_phrase(tuple(words.split()), pid, how, shown)

    def _owners(self, aliases: set[str]) -> dict[str, set[int]]:
        """Papers giving each short name (a name that is a tag counts for nobody)."""
        owners: dict[str, set[int]] = defaultdict(set)
        for part in _chunks(sorted(aliases)):
            marks = ",".join("?" * len(part))
            for doc, words, shown in self.conn.execute(
                f"SELECT doc, words, shown FROM phrases WHERE how = 'alias' AND words IN ({marks})",
                part,
            ):
                if not self.taxonomy.resolve(shown):
                    owners[words].add(doc)
        return owners

    def _sources(self, match: str, exclude: str) -> list[str]:
        """Ids of the papers whose notes match the full-text query ``match``."""
        return [
            i
            for (i,) in self.conn.execute(
                "SELECT d.id FROM fts JOIN docs d ON d.doc = fts.rowid WHERE fts MATCH ?",
                (match,),
            )
            if i != exclude
        ]

    def load_notes(self, ids: list[str]) -> None:
        todo = [i for i in dict.fromkeys(ids) if i not in self.papers]
        for part in _chunks(todo):
            marks = ",".join("?" * len(part))
            for pid, texts_json in self.conn.execute(
                f"SELECT id, texts FROM docs WHERE id IN ({marks})", part
            ):
                texts = decoded(texts_json)
                try:
                    self.papers[pid] = [str(t) for kind, _, t in texts if kind == "note"]
                except (TypeError, ValueError):
                    raise IndexDamaged(f"document {pid} is malformed") from None

    def candidates(self, target: str, words: tuple[str, ...] | None = None) -> list[str]:
        """Papers whose notes may name ``target`` (by ``words``, or by id / any name)."""
        phrases = [words] if words else [*self.phrases_of(target), words_of(target)]
        clauses = [_notes_clause(p) for p in phrases if p]
        if not clauses:
            return []
        return self._sources(" OR ".join(clauses), target)

    def is_common(self, target: str, alias: str) -> bool:
        """As ``MentionIndex.is_common``: a short name the notes of many papers contain is a
        phrase."""
        key = (target, alias)
        if key not in self.common_names:
            self.common_names[key] = False
            limit = max(3, int(COMMON_NAME_SHARE * self.size))
            if self.size >= 20:
                sources = self.candidates(target, words_of(alias))
                if len(sources) > limit:
                    hits = 0
                    for start in range(0, len(sources), CHUNK):
                        part = sources[start : start + CHUNK]
                        self.load_notes(part)
                        hits += sum(
                            1
                            for pid in part
                            if any(m.how == "alias" for m in self.find(pid, only=target))
                        )
                        if hits > limit:
                            break
                    self.common_names[key] = hits > limit
        return self.common_names[key]


def _notes_clause(words: tuple[str, ...]) -> str:
    """A query on the notes column that every note holding ``words`` in a row matches."""
    if any(is_cjk(c) for w in words for c in w):  # the column holds CJK as bigrams too
        return "(" + " AND ".join(f'notes : "{w}"' for w in words) + ")"
    return 'notes : "' + " ".join(words) + '"'


def _mentions(conn: sqlite3.Connection, record, taxonomy, size: int) -> list[Mention]:
    """Mentions in the paper's notes, then of the paper in other notes."""
    pid = record.id
    index = IndexedMentions(conn, taxonomy, size, pid)
    texts = [t for note in record.notes for t in (note.zh, note.en) if t]
    index.papers[pid] = texts
    words = {w for text in texts for w in words_of(text)}
    ids = {m.group() for text in texts for m in ID_TOKEN.finditer(text)}
    index.learn(words, ids)
    index.learn_paper(pid)
    mentions_in = index.mentions_in(pid)
    sources = index.candidates(pid)
    index.load_notes(sources)
    mentions_of = index.keep(
        [m for other in sources if other in index.papers for m in index.find(other, only=pid)]
    )
    return mentions_in + mentions_of


# -- small helpers -------------------------------------------------------------------
def _titles(conn: sqlite3.Connection, ids: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in _chunks(sorted(ids)):
        marks = ",".join("?" * len(part))
        out.update(conn.execute(f"SELECT id, title FROM docs WHERE id IN ({marks})", part))
    return out


def _chunks(items: list) -> list[list]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
