"""What a site is made of, read from the search index after the freshness check every
read command makes: the records (as the index stores them), and every paper's neighbours
ranked in one pass (:mod:`.ranking`). When the index cannot be used, the records are read
from their files, and the pages show no similar papers (as ``show`` then shows no top
related ones): ranking is done over the index only.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from papernotes.errors import Problem


@dataclass
class Source:
    papers: dict  # id -> Paper, as KnowledgeBase.load_all gives them
    problems: list[Problem] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # id -> record JSON (a digest)
    ranked: Callable | None = None  # (id, limit) -> neighbours; None: no index to rank from
    signature: str = ""  # what the ranking reads beyond the records (which file is indexed)
    folder: Path | None = None  # the index's folder, where a site's digests are kept
    unranked: str | None = None  # why no page shows similar papers (the index cannot be used)


@contextlib.contextmanager
def opened(kb) -> Iterator[Source]:
    """The records and the ranking of ``kb``, from the index (rebuilt if needed), or from
    the files when no index can be written anywhere. The index stays open (and its view
    of the knowledge base with it) until the block ends: the ranking is read from it the
    first time a page asks for one."""
    from papernotes.errors import WriteError
    from papernotes.index.store import Index

    index = None
    unusable = None
    try:
        index = Index(kb)
        index.refresh()
    except WriteError as exc:  # no writable cache anywhere, or locked for too long
        if index is not None:
            index.close()
        index, unusable = None, str(exc)
    if index is None:
        coll = kb.load_all()
        from papernotes.store.records import record_data

        texts = {pid: _json(record_data(paper)) for pid, paper in coll.papers.items()}
        yield Source(coll.papers, coll.problems, texts, None, "files", unranked=unusable)
        return
    with index:
        source = index.read(lambda conn: _from_index(kb, index, conn))
        source.folder = index.folder
        yield source


def _from_index(kb, index, conn: sqlite3.Connection) -> Source:
    from papernotes.index.records import entries
    from papernotes.index.store import IndexDamaged
    from papernotes.model.ids import filename_for
    from papernotes.model.record import Paper
    from papernotes.store.kb import gc_paused

    with gc_paused():
        found = entries(conn, "record", raw=True)
        validate = Paper.model_validate_json
        papers = {pid: validate(text) for pid, text in found.papers.items()}
    rows = conn.execute(
        "SELECT f.name, d.id, f.record FROM files f JOIN docs d ON d.doc = f.doc"
    ).fetchall()
    batch: set[str] = set()  # papers whose indexed record is the one 'related ID' reads
    digest = hashlib.sha256()
    for name, pid, text in sorted(rows):
        if text is None:
            raise IndexDamaged(f"document {pid} has no record")
        if found.papers.get(pid) == text and name == filename_for(pid):
            batch.add(pid)
        digest.update(f"{name}\0{pid}\0{pid in batch}\n".encode())
    ranked = Ranked(kb, index, batch, lambda conn: _ranking(kb, conn, rows, found.papers, papers))
    return Source(papers, found.problems, found.papers, ranked, digest.hexdigest())


class Ranked:
    """Neighbours as ``related ID`` ranks them: the papers of ``batch`` from one read of
    the index (made the first time one is asked for), any other one by itself."""

    def __init__(self, kb, index, batch: set[str], make: Callable):
        self.kb = kb
        self.index = index
        self.batch = batch
        self.make = make
        self.ranking = None

    def _ready(self):
        if self.ranking is None:
            self.ranking = self.index.read(self.make)
        return self.ranking

    def __call__(self, pid: str, limit: int) -> list:
        if pid not in self.batch:
            return _one(self.kb, pid, limit)
        return self._ready().similar(pid, limit)

    def many(self, pids: list[str], limit: int, progress=None) -> dict[str, list]:
        """The neighbours of many papers at once (in worker processes when it pays)."""
        from papernotes.site.ranking import rank_many

        batch = [pid for pid in pids if pid in self.batch]
        out = rank_many(self._ready(), batch, limit, progress) if batch else {}
        for pid in pids:
            if pid not in self.batch:
                out[pid] = _one(self.kb, pid, limit)
        return out


def _ranking(kb, conn: sqlite3.Connection, rows: list, texts: dict, papers: dict):
    """Every indexed paper's neighbours (the record of each document as the index has it)."""
    from papernotes.model.record import Paper
    from papernotes.site.ranking import Ranking
    from papernotes.store.kb import gc_paused

    with gc_paused():
        records = {
            pid: papers[pid] if texts.get(pid) == text else Paper.model_validate_json(text)
            for _, pid, text in rows
        }
        return Ranking(conn, records, kb.taxonomy())


def _one(kb, pid: str, limit: int) -> list:
    """A paper the batch does not rank (its record is not the indexed one): as
    ``related ID`` ranks it, or no neighbours when that command fails for it."""
    from papernotes.errors import PapernotesError
    from papernotes.index.related import related_papers

    try:
        ranked = related_papers(kb, pid, limit=None)
    except PapernotesError:
        return []
    return [n for n in ranked if "link" not in n.kinds][:limit]


def _json(data) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
