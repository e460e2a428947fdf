"""Every paper's neighbours at once, ranked as ``papernotes related ID`` ranks one.

``related ID`` (:mod:`papernotes.index.neighbours`) gathers one paper's evidence with a few
queries on the index; doing that for every page of a site would cost a second per 20
pages. Here the same facts are read once, in one pass over each table of the index, and
each page's neighbours are then ranked in memory, with the same rules and the same
arithmetic (down to the order of the additions), so a page shows what ``related ID``
prints:

- links: the record's own, then those of indexed papers pointing to it;
- tags: rarity from the document counts of the tag tokens, the papers sharing a near tag
  from an inverted index of the documents' tags (a share is computed once per pair of tag
  lists, not per pair of papers);
- similarity: each document's term vector from its index columns and its own record,
  with the document frequencies of ``sim_df``; above ``ALL_SIMILAR`` papers the papers
  compared are those of the same query on ``sim`` and the papers with other evidence;
- mentions: one scan of every note (:meth:`MentionIndex.all`).

Reasons, and the shared terms they show, are built only for the neighbours a page shows.
"""

from __future__ import annotations

import heapq
import math
import os
import sqlite3
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import cast

from papernotes.index.documents import tag_facet
from papernotes.index.neighbours import (
    ALL_SIMILAR,
    CANDIDATES,
    COMMON_SHARE,
    MIN_QUERY_TERMS,
    QUERY_TERMS,
    TAGGED_COMPARED,
)
from papernotes.index.related_rows import BODY_COLUMNS
from papernotes.relate.mentions import MentionIndex
from papernotes.relate.related import (
    KIND_ORDER,
    LINK,
    MENTION,
    MIN_SIMILAR,
    SIMILAR,
    TAG,
    Neighbour,
    Reason,
    link_reasons,
    near_tags,
    tag_overlap,
)
from papernotes.relate.similarity import (
    TITLE_WEIGHT,
    SimilarityIndex,
    paper_text,
    shown_terms,
    term,
)
from papernotes.text import tokenize

CHUNK = 500  # as the index's queries: SQL variables per IN (...), which sets their order


class Ranking:
    """The neighbours of every indexed paper, from one read of the index.

    ``records``: the indexed papers (id -> record, as ``kb.get`` gives it), one per
    document of the index.
    """

    def __init__(self, conn: sqlite3.Connection, records: dict, taxonomy):
        self.taxonomy = taxonomy
        rows = conn.execute("SELECT doc, id, title FROM docs ORDER BY doc").fetchall()
        self.doc_of = {pid: doc for doc, pid, _ in rows}
        self.id_of = {doc: pid for doc, pid, _ in rows}
        self.titles = {pid: title for _, pid, title in rows}
        self.size = len(rows)
        self.records = {pid: records[pid] for pid in self.doc_of if pid in records}
        self.incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for source, target, why in conn.execute(
            "SELECT d.id, l.target, l.why FROM links l JOIN docs d ON d.doc = l.doc "
            "ORDER BY d.id, l.rowid"
        ):
            self.incoming[target].append((source, why))
        self._load_tags(conn)
        self._load_terms(conn)  # nothing is read from the index after this
        self._mentions = MentionIndex(self.records, taxonomy)
        self.mentions_in: dict[str, list] = defaultdict(list)
        self.mentions_of: dict[str, list] = defaultdict(list)
        for m in self._mentions.all():
            self.mentions_in[m.source].append(m)
            self.mentions_of[m.target].append(m)

    # -- facts read once ---------------------------------------------------------------
    def _load_tags(self, conn: sqlite3.Connection) -> None:
        self.tags_of = {pid: list(paper.tags) for pid, paper in self.records.items()}
        names = set(self.taxonomy.tags)
        for tags in self.tags_of.values():
            names.update(tags)
        facets = sorted({tag_facet(t) for t in names})
        self.vocab: dict[str, int] = {}
        for part in _chunks(facets):
            marks = ",".join("?" * len(part))
            self.vocab.update(
                conn.execute(f"SELECT term, doc FROM fts_vocab WHERE term IN ({marks})", part)
            )
        # papers by their list of tags, and the lists holding each tag
        self.by_tags: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for pid in sorted(self.tags_of):
            self.by_tags[tuple(self.tags_of[pid])].append(pid)
        self.lists_with: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for tag_list in self.by_tags:
            for tag in set(tag_list):
                self.lists_with[tag].append(tag_list)
        self._shares: dict[tuple[str, ...], _Tagged] = {}

    def _load_terms(self, conn: sqlite3.Connection) -> None:
        self.df: dict[str, int] = dict(conn.execute("SELECT term, docs FROM sim_df"))
        # terms that more than one token folds into (networks, network): the way such a
        # term is shown depends on the papers compared; every other term has one form
        self.single: dict[str, str] = {}
        self.multiform: set[str] = set()
        for (token,) in conn.execute("SELECT term FROM fts_vocab"):
            found = term(token)
            if found and self.single.setdefault(found, token) != token:
                self.multiform.add(found)
        body = " || ' ' || ".join(f"f.{c}" for c in BODY_COLUMNS)
        counts: dict[str, dict[str, int]] = {}
        self.forms: dict[str, dict[str, Counter]] = {}  # id -> multiform term -> tokens
        for doc, title, text in conn.execute(f"SELECT f.rowid, f.title, {body} FROM fts f"):
            pid = self.id_of.get(doc)
            if pid is not None:
                counts[pid], self.forms[pid] = self._bag(title.split(), text.split())
        own_counts: dict[str, dict[str, int]] = {}
        self.own_forms: dict[str, dict[str, Counter]] = {}
        for pid, record in self.records.items():
            title, text = paper_text(record)
            own_counts[pid], self.own_forms[pid] = self._bag(tokenize(title), tokenize(text))
        self.own_counts = own_counts
        df = Counter(self.df)
        for bags in (counts, own_counts):
            for bag in bags.values():
                for t in bag:
                    if t not in df:
                        df[t] = 1
        # a vector depends only on its counts and the collection's frequencies: the same
        # in a set of all papers as in the few ``related ID`` compares
        self.vectors = _vectors(counts, df, self.size)
        self.own_vectors = _vectors(own_counts, df, self.size)
        self.in_doc_order = sorted(counts, key=self.doc_of.__getitem__)
        self.postings: dict[str, list[str]] = defaultdict(list)  # term -> ids, doc order
        for pid in self.in_doc_order:
            for t in counts[pid]:
                self.postings[t].append(pid)
        # each document's BM25 factor for a term it holds once (its sim row holds each of
        # its terms once): (f * (k1 + 1)) / (f + k1 * (1 - b + b * D / avgdl)), f = 1
        tokens = sum(len(bag) for bag in counts.values())
        avgdl = tokens / self.size if self.size else 1.0
        k1, b = 1.2, 0.75
        self.bm25_weight = {
            pid: (1.0 * (k1 + 1.0)) / (1.0 + k1 * (1 - b + b * len(bag) / avgdl))
            for pid, bag in counts.items()
        }

    def _bag(self, title: list[str], body: list[str]) -> tuple[dict[str, int], dict]:
        """:func:`term_bag`'s counts, in its order, from token counts; and the tokens of
        each multiform term with their counts (title first), as its ``surface`` has them."""
        bag: dict[str, int] = {}
        forms: dict[str, Counter] = {}
        multiform = self.multiform
        for weight, tokens in ((TITLE_WEIGHT, Counter(title)), (1, Counter(body))):
            for token, n in tokens.items():
                found = term(token)
                if found:
                    bag[found] = bag.get(found, 0) + weight * n
                    if found in multiform:
                        forms.setdefault(found, Counter())[token] += n
        return bag, forms

    # -- one paper ---------------------------------------------------------------------
    def similar(self, pid: str, limit: int = 5) -> list[Neighbour]:
        """The ``limit`` best neighbours of ``pid`` that it is not linked with, as
        ``related ID`` ranks them, with their reasons."""
        record = self.records[pid]
        links = link_reasons(record.related, self.incoming.get(pid, ()))
        tagged = self._tagged(tuple(self.tags_of[pid]))
        mentions = self.mentions_in.get(pid, []) + self.mentions_of.get(pid, [])
        others = [m.target if m.source == pid else m.source for m in mentions]
        best_tagged = list(_first(_skip(tagged.by_share(), pid), TAGGED_COMPARED))
        members = self._compared(pid, [*links, *best_tagged, *others])
        own = self.own_vectors[pid]
        vectors = self.vectors
        cosines = {}
        for other in members:
            if other not in links:  # a linked paper is never shown here: its score can wait
                cosine = _dot(own, vectors[other])
                if cosine > 0.0:
                    cosines[other] = cosine
        mentioned = set(others)
        # every paper with evidence beyond tags, scored in full, adding as rank() adds
        scored = []
        for other in {*links, *cosines, *mentioned}:
            if other == pid:
                continue
            share = tagged.share(self.tags_of.get(other))
            if other not in links and other not in mentioned and share is None:
                if cosines[other] < MIN_SIMILAR:
                    continue  # a weak cosine and nothing else: not a neighbour
            score = 0.0
            if other in links:
                score += LINK
            if share is not None:
                score += TAG * share
            if other in cosines:
                score += SIMILAR * cosines[other]
            if other in mentioned:
                score += MENTION
            scored.append((-score, other))
        # the papers with shared tags only: the best of them by their tag score alone
        taken = {other for _, other in scored}
        taken.add(pid)
        tag_only = []
        for level, pids in tagged.by_score():
            for other in pids:
                if other not in taken:
                    tag_only.append((-level, other))
                    if len(tag_only) == limit:
                        break
            if len(tag_only) == limit:
                break
        best = []
        for key, other in sorted([*scored, *tag_only]):
            if other not in links:
                best.append((other, -key))
                if len(best) == limit:
                    break
        return [
            self._neighbour(pid, other, score, tagged, cosines, mentions, members)
            for other, score in best
        ]

    def _tagged(self, mine: tuple[str, ...]) -> _Tagged:
        found = self._shares.get(mine)
        if found is None:
            found = self._shares[mine] = _Tagged(self, mine)
        return found

    def _compared(self, pid: str, extra: list[str]) -> list[str]:
        """The papers ``related ID`` compares ``pid`` with, in the order it reads them."""
        if self.size <= ALL_SIMILAR:
            return [p for p in self.in_doc_order if p != pid]
        wanted = sorted(self._query(pid))
        out = [self.id_of[doc] for doc in wanted]
        seen = {pid, *out}
        ids = [i for i in dict.fromkeys(extra) if i != pid]
        docs = []
        for part in _chunks(ids):  # looked up by id: each chunk in id order
            docs += [self.doc_of[i] for i in sorted(set(part)) if i in self.doc_of]
        for part in _chunks(docs):  # then read by document: each chunk in document order
            for doc in sorted(part):
                other = self.id_of[doc]
                if other not in seen:
                    seen.add(other)
                    out.append(other)
        return out

    def _query(self, pid: str) -> list[int]:
        """The documents that best match the heaviest shared-able terms of ``pid`` (BM25)."""
        own = self.own_counts[pid]
        df = self.df
        size = self.size
        weight = {
            t: (1.0 + math.log(n)) * (math.log((1 + size) / (1 + df.get(t, 0))) + 1.0)
            for t, n in own.items()
            if df.get(t, 0) > 1
        }
        ranked = sorted(weight, key=lambda t: (-weight[t], t))
        common = max(CANDIDATES, COMMON_SHARE * size)
        terms = [t for t in ranked if df.get(t, 0) <= common][:QUERY_TERMS]
        if len(terms) < MIN_QUERY_TERMS:
            terms += [t for t in ranked if t not in terms][: MIN_QUERY_TERMS - len(terms)]
        if not terms:
            return []
        return self._best_matches(terms, self.doc_of[pid])

    def _best_matches(self, terms: list[str], own_doc: int) -> list[int]:
        """The ``CANDIDATES`` documents the index's ``sim MATCH 't1' OR 't2' ... ORDER BY
        rank`` query returns: FTS5's BM25 (k1 = 1.2, b = 0.75), computed as FTS5 computes
        it, over the terms' posting lists; ties in document order."""
        rows = self.size
        scores: dict[str, float] = {}
        get = scores.get
        weight = self.bm25_weight
        for t in terms:
            posting = self.postings.get(t, ())
            hits = len(posting)
            idf = math.log((rows - hits + 0.5) / (hits + 0.5))
            if idf <= 0.0:
                idf = 1e-6
            for pid in posting:
                scores[pid] = get(pid, 0.0) + idf * weight[pid]
        doc_of = self.doc_of
        ranked = [(-score, doc_of[pid]) for pid, score in scores.items()]
        return [doc for _, doc in heapq.nsmallest(CANDIDATES + 1, ranked) if doc != own_doc][
            :CANDIDATES
        ]

    # -- the reasons of the neighbours shown -------------------------------------------
    def _neighbour(self, pid, other, score, tagged, cosines, mentions, members) -> Neighbour:
        reasons = tagged.reasons(self.tags_of[other])
        cosine = cosines.get(other, 0.0)
        if cosine >= MIN_SIMILAR:
            terms = self._shared_terms(pid, other, members)
            reasons.append(
                Reason(
                    "similar",
                    f"shared terms: {', '.join(terms)}",
                    {"cosine": round(cosine, 4), "terms": terms},
                )
            )
        for m in mentions:
            if (m.target if m.source == pid else m.source) != other:
                continue
            whose = "this paper's note" if m.source == pid else "its note"
            about = "it" if m.source == pid else "this paper"
            reasons.append(
                Reason(
                    "mention",
                    f"{whose} names {about} by {m.how}: {m.text}",
                    {"direction": "out" if m.source == pid else "in"},
                )
            )
        reasons.sort(key=lambda r: KIND_ORDER.index(r.kind))
        return Neighbour(other, self.titles.get(other, "(no record)"), score, reasons)

    def _shared_terms(self, pid: str, other: str, members: list[str], n: int = 5) -> list[str]:
        """As :meth:`SimilarityIndex.shared_terms` over the papers ``related ID`` compares:
        a term is written as most often among them (the form seen first on a tie)."""
        va, vb = self.own_vectors[pid], self.vectors[other]
        common = sorted((-w * vb[t], t) for t, w in va.items() if t in vb)
        position: dict[str, int] = {}  # filled the first time a term has several forms

        def written(term: str) -> str:
            if term not in self.multiform:
                return self.single.get(term, term)
            if not position:
                position.update((p, i) for i, p in enumerate(members))
            return self._surface(pid, term, members, position)

        return shown_terms((written(t) for _, t in common), n)

    def _surface(self, pid: str, term: str, members: list[str], position: dict) -> str:
        posting = self.postings.get(term, ())
        if len(posting) < len(members):
            having = [members[i] for i in sorted(position[p] for p in posting if p in position)]
        else:
            having = [p for p in members if term in self.forms[p]]
        merged = Counter(self.own_forms[pid].get(term, {}))
        for p in having:
            for token, count in self.forms[p][term].items():
                merged[token] += count
        return merged.most_common(1)[0][0]


class _Tagged:
    """What shared tags give the papers near one list of tags (as the index's ``_tagged``
    computes it for one paper): a share per list of tags, and the papers best first."""

    def __init__(self, ranking: Ranking, mine: tuple[str, ...]):
        self.ranking = ranking
        self.mine = list(mine)
        taxonomy = ranking.taxonomy
        near = near_tags(self.mine, taxonomy)
        facets = {tag_facet(t): t for t in near}
        counts: Counter = Counter()
        for token in sorted(facets):
            if token in ranking.vocab:
                counts[facets[token]] += ranking.vocab[token]
        total = max(ranking.size, 1)
        self.weights = {t: math.log(1 + total / n) for t, n in counts.items() if n}
        self.counts = counts
        lists = {theirs for tag in near for theirs in ranking.lists_with.get(tag, ())}
        self.shares: dict[tuple[str, ...], float] = {}
        for theirs in lists:
            share, reasons = tag_overlap(self.mine, list(theirs), self.weights, counts, taxonomy)
            if reasons:
                self.shares[theirs] = share
        exact: dict[float, list] = defaultdict(list)
        scores: dict[float, list] = defaultdict(list)
        for theirs, share in self.shares.items():
            exact[share].append(ranking.by_tags[theirs])
            scores[TAG * share].append(ranking.by_tags[theirs])
        self._exact = sorted(exact.items(), reverse=True)
        self._scores = sorted(scores.items(), reverse=True)

    def share(self, theirs: list[str] | None) -> float | None:
        return None if theirs is None else self.shares.get(tuple(theirs))

    def by_share(self):
        """Papers sharing tags, best share first, ties by id (``pid`` itself included)."""
        for _, lists in self._exact:
            yield from heapq.merge(*lists)

    def by_score(self):
        """(tag score, papers with it in id order), best first."""
        for level, lists in self._scores:
            yield level, heapq.merge(*lists)

    def reasons(self, theirs: list[str]) -> list[Reason]:
        if tuple(theirs) not in self.shares:
            return []
        taxonomy = self.ranking.taxonomy
        return tag_overlap(self.mine, theirs, self.weights, self.counts, taxonomy)[1]


PARALLEL_FROM = 1000  # papers: below this the ranking runs in this process alone
_SHARED: list = []  # the ranking a forked worker inherits


def rank_many(ranking: Ranking, pids: list[str], limit: int, progress=None) -> dict[str, list]:
    """``ranking.similar`` of every paper of ``pids``. With many papers and a spare core,
    forked workers share the work (they inherit the ranking, read nothing, write nothing);
    ``progress(done, total)`` follows it."""
    workers = min(os.cpu_count() or 1, 4)
    out: dict[str, list] = {}
    if len(pids) < PARALLEL_FROM or workers < 2 or not _can_fork():
        for done, pid in enumerate(pids, 1):
            out[pid] = ranking.similar(pid, limit)
            if progress and (done % 100 == 0 or done == len(pids)):
                progress(done, len(pids))
        return out
    chunks = [pids[i : i + 100] for i in range(0, len(pids), 100)]
    _SHARED[:] = [ranking]
    try:
        with multiprocessing_pool(workers) as pool:
            for part in pool.imap(chunk_task, [(chunk, limit) for chunk in chunks]):
                out.update(part)
                if progress:
                    progress(len(out), len(pids))
    finally:
        _SHARED.clear()
    return out


def multiprocessing_pool(workers: int):
    import multiprocessing

    return multiprocessing.get_context("fork").Pool(workers)


def _can_fork() -> bool:
    import multiprocessing

    # fork only where it is the platform's way (Linux); elsewhere it is unsafe or absent
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _rank_chunk(task: tuple[list[str], int]) -> list[tuple[str, list]]:
    pids, limit = task
    ranking = _SHARED[0]
    return [(pid, ranking.similar(pid, limit)) for pid in pids]


chunk_task = _rank_chunk  # what a worker runs (a name the pool can send)


def _vectors(
    counts: Mapping[str, Mapping[str, int]], df: dict, size: int
) -> dict[str, dict[str, float]]:
    """TF-IDF vectors, a thousand papers at a time (the index each makes is dropped)."""
    out: dict[str, dict[str, float]] = {}
    items = list(counts.items())
    for start in range(0, len(items), 1000):
        part = dict(items[start : start + 1000])
        # counts read from the index are plain dicts; from_counts only reads them
        out.update(
            SimilarityIndex.from_counts(cast("dict[str, Counter]", part), {}, df, size).vectors
        )
    return out


def _skip(items, unwanted):
    return (item for item in items if item != unwanted)


def _dot(own: dict[str, float], other: dict[str, float]) -> float:
    """The cosine as ``SimilarityIndex.similar`` sums it: in the order of ``own``'s terms."""
    score = 0.0
    get = other.get
    for t, weight in own.items():
        w = get(t)
        if w is not None:
            score += weight * w
    return score


def _first(items, count: int):
    for i, item in enumerate(items):
        if i == count:
            return
        yield item


def _chunks(items: list) -> list[list]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
