"""Adding and removing tags on records (``papernotes tag ID... +T -T``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from papernotes.errors import NotFoundError, UsageError
from papernotes.store.kb import KnowledgeBase
from papernotes.store.tags import resolve_tag


@dataclass
class TagChange:
    id: str
    path: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    def to_dict(self) -> dict:
        return {**asdict(self), "changed": self.changed}


def retag(
    kb: KnowledgeBase,
    ids: list[str],
    add: list[str],
    remove: list[str],
    today: dt.date | None = None,
) -> list[TagChange]:
    """Add and remove tags (any name, alias or label) on each paper, under the write lock.

    A tag to remove that tags.yaml does not know is matched by its exact name on the
    record, so a stray tag can always be taken off.
    """
    today = today or dt.date.today()
    if not add and not remove:
        raise UsageError("nothing to do: give +TAG to add or -TAG to remove")
    wanted = list(dict.fromkeys(resolve_tag(kb, t) for t in add))
    with kb.lock():
        fresh = KnowledgeBase(kb.root)
        papers = [fresh.get(pid) for pid in dict.fromkeys(ids)]
        unwanted = [_removable(fresh, t, papers) for t in remove]
        both = set(wanted) & set(unwanted)
        if both:
            raise UsageError(f"tag {sorted(both)[0]!r} is both added and removed")
        changes = []
        for paper in papers:
            change = TagChange(paper.id, fresh.shown(fresh.path_for(paper.id)))
            tags = [t for t in paper.tags if t not in unwanted]
            change.removed = [t for t in paper.tags if t in unwanted]
            change.added = [t for t in wanted if t not in tags]
            tags += change.added
            change.tags = tags
            if change.changed:
                fresh.save(paper.model_copy(update={"tags": tags, "updated": today}))
            changes.append(change)
    return changes


def _removable(kb: KnowledgeBase, text: str, papers) -> str:
    try:
        return resolve_tag(kb, text)
    except NotFoundError:
        if any(text.strip() in p.tags for p in papers):
            return text.strip()
        raise
