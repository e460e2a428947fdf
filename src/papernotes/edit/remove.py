"""Removing records (``papernotes rm``) and the ``related`` links that point at them."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from papernotes.errors import NotFoundError, Problem, WriteError
from papernotes.store.kb import KnowledgeBase


@dataclass
class Removal:
    removed: list[str] = field(default_factory=list)  # shown paths of deleted records
    unlinked: dict[str, list[str]] = field(default_factory=dict)  # shown path -> ids unlinked
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"removed": self.removed, "unlinked": self.unlinked, "warnings": self.warnings}


def existing_ids(kb: KnowledgeBase, ids: list[str]) -> list[str]:
    """``ids`` without repeats; NotFoundError (with close matches) for one without a record.
    A record that does not load can still be removed."""
    out = list(dict.fromkeys(ids))
    for pid in out:
        if not kb.path_for(pid).is_file():
            kb.get(pid)  # raises NotFoundError with suggestions
            raise NotFoundError(f"no paper {pid!r}")
    return out


def note_lines(kb: KnowledgeBase, ids: list[str]) -> list[str]:
    """``notes/x.md:LINE: text`` for each line of a long-form note that links one of ``ids``."""
    from papernotes.store.notes import backlinks, load_notes

    notes = load_notes(kb)
    lines = []
    for pid in ids:
        for link in backlinks(notes, pid):
            lines.append(f"{link['path']}:{link['line']}: {link['text']}")
    return lines


def remove(kb: KnowledgeBase, ids: list[str], today: dt.date | None = None) -> Removal:
    """Delete the records of ``ids`` and drop every ``related`` entry pointing at them.

    Other records are rewritten first, so an interrupted run leaves at worst a record
    with no links to it, never a link to a missing record.
    """
    today = today or dt.date.today()
    result = Removal()
    with kb.lock():
        fresh = KnowledgeBase(kb.root)
        gone = set(existing_ids(fresh, ids))
        coll = fresh.load_all()
        for pid, paper in coll.papers.items():
            if pid in gone:
                continue
            dropped = [link.id for link in paper.related if link.id in gone]
            if dropped:
                related = [link for link in paper.related if link.id not in gone]
                path = fresh.save(paper.model_copy(update={"related": related, "updated": today}))
                result.unlinked[fresh.shown(path)] = dropped
        result.warnings = [
            f"{p.path}: not checked for links to the removed papers ({p.message})"
            for p in _unloadable(coll.problems, fresh, gone)
        ]
        for pid in ids:
            if pid not in gone:
                continue
            gone.discard(pid)
            path = fresh.path_for(pid)
            try:
                os.unlink(path)
            except OSError as exc:
                raise WriteError(f"cannot remove {fresh.shown(path)}: {exc.strerror}") from None
            result.removed.append(fresh.shown(path))
    return result


def _unloadable(problems: list[Problem], kb: KnowledgeBase, gone: set[str]) -> list[Problem]:
    removed = {kb.shown(kb.path_for(pid)) for pid in gone}
    first: dict[str, Problem] = {}
    for problem in problems:
        if problem.path not in removed:
            first.setdefault(problem.path, problem)
    return list(first.values())
