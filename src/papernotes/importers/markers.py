"""The reader's own workflow markers in a note, turned into a reading status and marks.

值得一读 / worth reading / TODO -> status to-read; 值得再读 / re-read -> to-reread;
有人做了 / 我本来想做的 (someone did it, I wanted to do this) -> mark scooped;
我们应该cite / we should cite -> mark to-cite. The marker stays in the note's text.

Only what the import adds is marked: a status is set on a paper that never had one,
marks on notes the import adds (or, with ``rederive``, on notes from the same source that
have no marks yet), so a status or mark the user changed by hand is not brought back.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

STATUS_MARKERS = (  # checked in this order: the first that matches wins
    (
        "to-reread",
        re.compile(r"值得再读|值得重读|\bre-?read\b|worth re-?reading|worth reading again", re.I),
    ),
    ("to-read", re.compile(r"值得一读|值得读|worth (?:a )?read(?:ing)?|\bTODO\b")),
)
MARK_MARKERS = (
    (
        "scooped",
        re.compile(r"有人做了|我本来想做|someone (?:already )?did (?:it|this)|\bscooped\b", re.I),
    ),
    ("to-cite", re.compile(r"我们?应该\s*cite|应该引用|we should cite", re.I)),
)


@dataclass
class Markers:
    status: str | None = None
    marks: list[str] = field(default_factory=list)


def find_markers(text: str) -> Markers:
    """The status and marks a note's text asks for."""
    status = next((s for s, pattern in STATUS_MARKERS if pattern.search(text)), None)
    return Markers(status, [m for m, pattern in MARK_MARKERS if pattern.search(text)])


def apply_markers(result, resolution, existing: dict, today: dt.date, rederive: bool = False):
    """Set status and marks from the markers in the imported notes, on ``result`` (a
    MergeResult) in place. Returns how many papers got a status."""
    statuses = 0
    for change in result.changes:
        draft = resolution.papers.get(change.id)
        paper = change.paper or existing.get(change.id)
        if change.action == "skipped" or draft is None or paper is None:
            continue
        sources = {n.source for n in draft.notes} if rederive else set(change.notes_added)
        texts = {n.source: n.text for n in draft.notes if n.source in sources}
        marked = _marked(paper, texts, today)
        if marked is None:
            continue
        statuses += marked.status != paper.status
        change.paper = marked
        if change.action == "unchanged":
            change.action = "updated"
        change.fields_filled.extend(
            name for name in ("status", "marks") if _differs(paper, marked, name)
        )
    return statuses


def _marked(paper, texts: dict[str, str], today: dt.date):
    if not texts:
        return None
    found = {source: find_markers(text) for source, text in texts.items()}
    update: dict = {}
    if paper.status is None and not paper.status_dates:
        status = next(
            (s for s, _ in STATUS_MARKERS if any(m.status == s for m in found.values())), None
        )
        if status:
            # The marker was written with the note: the status dates from the note.
            sources = {source for source, m in found.items() if m.status == status}
            dates = [n.date for n in paper.notes if n.source in sources]
            update["status"] = status
            update["status_dates"] = {status: min(dates, default=today)}
    notes = []
    for note in paper.notes:
        marks = found[note.source].marks if note.source in found else []
        if marks and not note.marks:
            note = note.model_copy(update={"marks": marks})
        notes.append(note)
    if notes != paper.notes:
        update["notes"] = notes
    return paper.model_copy(update=update) if update else None


def _differs(a, b, name: str) -> bool:
    if name == "marks":
        return [n.marks for n in a.notes] != [n.marks for n in b.notes]
    return getattr(a, name) != getattr(b, name)
