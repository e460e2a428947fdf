"""One paper as ``show`` and ``related`` print it, answered from the index.

The record comes back from the JSON the index stored when it last read the file (see
:mod:`.records`), as plain objects with the attributes of the pydantic models; the taxonomy,
the titles of linked papers and the backlinks from ``notes/`` come from their tables. No YAML
is parsed and no model is imported, so a warm ``show`` costs the freshness check and a few
queries.

:func:`paper_page` answers None when only the files can give today's answer exactly (the
record has problems or does not match its file name, ``tags.yaml`` has problems): the caller
then reads the files as before, with the same messages and exit codes.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from papernotes.index.store import Index, IndexDamaged, decoded

if TYPE_CHECKING:
    from collections.abc import Callable

    from papernotes.store.kb import KnowledgeBase

_LISTS = ("authors", "ratings", "keywords", "tags", "notes", "related", "refs", "conflicts")
_MAPS = ("links", "status_dates")


class _Fields:
    """Attribute access to the stored (cleaned) data: a field left out was empty."""

    _defaults: dict[str, Any] = {}

    def __init__(self, data: dict):
        self._data = data
        # the stored fields as attributes: a look-up of one is then no call (an export reads
        # 20,000 records' fields many times); __getattr__ answers for the fields left out
        self.__dict__.update(data)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        default = self._defaults.get(name)
        return default() if callable(default) else default


class NoteView(_Fields):
    _defaults = {"marks": list}

    def __init__(self, data: dict):
        super().__init__(data)
        self.date = dt.date.fromisoformat(data["date"])


class LinkView(_Fields):
    pass


def _made(name: str, view: Callable[[dict], Any]) -> Any:
    """A list field of a record view, made of ``view`` of each stored item when first read."""
    return cached_property(lambda self: [view(item) for item in self._data.get(name, ())])


class RecordView(_Fields):
    """A paper record rebuilt from the index's JSON, for reading (``show``, ``related``,
    the BibTeX and CSL-JSON exports)."""

    _defaults = {**{name: list for name in _LISTS}, **{name: dict for name in _MAPS}}
    # made when first read (an export of 20,000 papers reads none of them)
    _MADE = ("notes", "related", "refs", "conflicts", "status_dates")

    def __init__(self, data: dict):
        super().__init__(data)
        for name in self._MADE:
            self.__dict__.pop(name, None)
        added = data.get("added")
        self.added = dt.date.fromisoformat(added) if added is not None else None

    notes = _made("notes", NoteView)
    related = _made("related", LinkView)
    refs = _made("refs", LinkView)
    conflicts = _made("conflicts", LinkView)

    @cached_property
    def status_dates(self) -> dict[str, dt.date]:
        return {k: dt.date.fromisoformat(v) for k, v in self._data.get("status_dates", {}).items()}

    def canonical_links(self) -> dict[str, str]:
        return dict(self._data.get("links", {}))  # stored in canonical order


@dataclass
class PaperPage:
    """What ``show`` prints about one paper."""

    record: RecordView
    data: dict  # the stored record data (``record_data``), for --json
    shown: str  # the record's path as users see it
    taxonomy: Any
    related_titles: dict[str, str | None] = field(default_factory=dict)
    backlinks: list[dict] = field(default_factory=list)
    neighbours: list = field(default_factory=list)


def paper_page(
    kb: KnowledgeBase, paper_id: str, top: int | None, backlinks: bool = True
) -> PaperPage | None:
    """The paper ``paper_id`` with what ``show`` prints beside it (``top`` related papers,
    none when 0), from a fresh index; None when the files must answer (see the module).
    Raises WriteError when the index cannot be used."""
    from papernotes.model.ids import filename_for

    name = filename_for(paper_id)
    with Index(kb) as index:
        index.refresh()
        found = index.read(lambda conn: _record(conn, name))
        if found is None or found[0].id != paper_id:
            return None
        taxonomy = index.taxonomy()
        if taxonomy is None:
            return None
        record, data = found
        links = [link.id for link in record.related]
        page = PaperPage(record, data, kb.shown(kb.papers_dir / name), taxonomy)
        page.related_titles = index.read(lambda conn: _titles_by_file(conn, links))
        if backlinks:
            from papernotes.index import note_rows

            index.refresh_notes()
            page.backlinks = index.read(lambda conn: note_rows.backlinks(conn, kb, paper_id))
        if top != 0:
            from papernotes.index.neighbours import stored_related

            page.neighbours = stored_related(index, record, taxonomy, top)
        return page


def _record(conn: sqlite3.Connection, name: str) -> tuple[RecordView, dict] | None:
    """The record in ``papers/<name>`` if it loaded without problems."""
    row = conn.execute("SELECT rid, record, problems FROM files WHERE name = ?", (name,)).fetchone()
    if row is None or row[1] is None or row[2] != "[]":
        return None
    data = decoded(row[1])
    try:
        record = RecordView(data)
        if record.id != row[0] or not isinstance(record.title, str):
            raise ValueError(record.id)
        for link in record.related:
            str(link.id)
    except (TypeError, KeyError, ValueError, AttributeError):
        raise IndexDamaged(f"the record in papers/{name} is malformed") from None
    return record, data


def _titles_by_file(conn: sqlite3.Connection, ids: list[str]) -> dict[str, str | None]:
    """The title of the record in the file named for each id (as ``KnowledgeBase.get`` reads
    it), None when that file is missing or does not load."""
    from papernotes.model.ids import filename_for

    out: dict[str, str | None] = {}
    for pid in ids:
        row = conn.execute(
            "SELECT record FROM files WHERE name = ?", (filename_for(pid),)
        ).fetchone()
        out[pid] = decoded(row[0]).get("title") if row and row[0] else None
    return out
