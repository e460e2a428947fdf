"""The reading workflow: a paper's status (to-read ... read), its priority, and when it changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from papernotes.errors import UsageError
from papernotes.model.record import Paper
from papernotes.reading import CLEAR, STATUS_WORDS, STATUSES
from papernotes.store.kb import KnowledgeBase

QUEUE_STATUSES = ("reading", "to-read", "to-reread")


@dataclass
class StatusChange:
    id: str
    path: str
    title: str
    old_status: str | None
    status: str | None
    old_priority: int | None
    priority: int | None

    @property
    def changed(self) -> bool:
        return (self.old_status, self.old_priority) != (self.status, self.priority)

    def to_dict(self) -> dict:
        return {**asdict(self), "changed": self.changed}


def is_status_word(text: str) -> bool:
    return text.strip().casefold() in STATUS_WORDS or text.strip().casefold() == CLEAR


def status_word(text: str) -> str:
    """The canonical status for what was typed (``todo`` -> ``to-read``); ``none`` clears."""
    found = CLEAR if text.strip().casefold() == CLEAR else STATUS_WORDS.get(text.strip().casefold())
    if found is None:
        raise UsageError(f"unknown status {text!r} (use one of {', '.join(STATUSES)}, or none)")
    return found


def with_status(paper: Paper, status: str | None, priority: int | None, today: dt.date) -> Paper:
    """The paper with ``status`` (``none`` clears it; None keeps it) and ``priority``
    (0 clears it; None keeps it). The date of a status is set when the status changes."""
    update: dict = {}
    if status is not None:
        new = None if status == CLEAR else status
        if new != paper.status:
            update["status"] = new
            if new is not None:
                update["status_dates"] = {**paper.status_dates, new: today}
    if priority is not None:
        new_priority = None if priority == 0 else priority
        if new_priority != paper.priority:
            update["priority"] = new_priority
    if not update:
        return paper
    return Paper.model_validate({**paper.model_dump(), **update, "updated": today})


def set_status(
    kb: KnowledgeBase,
    ids: list[str],
    status: str | None,
    priority: int | None = None,
    today: dt.date | None = None,
) -> list[StatusChange]:
    """Set the status and/or priority of each paper, under the write lock; every id is
    checked before anything is written."""
    today = today or dt.date.today()
    if priority is not None and not 0 <= priority <= 3:
        raise UsageError("priority is 1 (read first), 2, 3 (some day), or 0 to clear it")
    with kb.lock():
        fresh = KnowledgeBase(kb.root)
        papers = [fresh.get(pid) for pid in dict.fromkeys(ids)]
        changes = []
        for paper in papers:
            new = with_status(paper, status, priority, today)
            path = fresh.path_for(paper.id)
            change = StatusChange(
                paper.id,
                fresh.shown(path),
                paper.title,
                paper.status,
                new.status,
                paper.priority,
                new.priority,
            )
            if change.changed:
                fresh.save(new)
            changes.append(change)
    return changes


def queue(papers: list[Paper], statuses: tuple[str, ...] = QUEUE_STATUSES) -> list[Paper]:
    """What to read next: papers being read first, then by priority (1 first, none as 2),
    then the longest waiting."""
    wanted = [p for p in papers if p.status in statuses]

    def key(paper: Paper):
        since = paper.status_since()
        return (
            paper.status != "reading",
            paper.priority or 2,
            since.isoformat() if since else "9999",
            paper.id,
        )

    return sorted(wanted, key=key)
