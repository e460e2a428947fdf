"""Settling the conflicts a merge recorded in a record (``conflicts:``)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from papernotes.errors import DataError, NotFoundError, UsageError
from papernotes.model.record import Paper
from papernotes.share.merge import get_path, set_path
from papernotes.store.kb import KnowledgeBase
from papernotes.store.records import record_data, validation_problems


def _shown(value: Any) -> str:
    return "(nothing)" if value in (None, [], {}, "") else repr(value)


def resolve(kb: KnowledgeBase, pid: str, choice: str | None, fields: list[str]) -> list[dict]:
    """The conflicts (filtered by ``fields``); with ``choice`` 'keep' or 'other', settled."""
    with kb.lock():
        paper = kb.get(pid)
        known = [c.field for c in paper.conflicts]
        for name in fields:
            if name not in known:
                where = f" (conflicts: {', '.join(known)})" if known else ""
                raise NotFoundError(f"{pid} has no conflict on {name!r}{where}")
        data = record_data(paper)
        chosen = [c for c in paper.conflicts if not fields or c.field in fields]
        rows = []
        for c in chosen:
            if choice == "other":
                set_path(data, c.field, c.theirs)
            rows.append(
                {
                    "field": c.field,
                    "value": _shown(get_path(data, c.field)),
                    "theirs": _shown(c.theirs),
                }
            )
        if choice is None:
            return rows
        if choice not in ("keep", "other"):
            raise UsageError("choose --keep or --other")
        settled = {c.field for c in chosen}
        data["conflicts"] = [
            c.model_dump(mode="python") for c in paper.conflicts if c.field not in settled
        ]
        try:
            kb.save(Paper.model_validate(data))
        except ValidationError as exc:
            raise DataError(
                validation_problems(exc, kb.shown(kb.path_for(pid)), None, Paper)
            ) from None
        return rows
