"""Re-fetching metadata for existing records, never touching notes, tags or links.

The network is used outside the lock; each record is then re-read, updated and
written under the lock, so a refresh never loses a note added meanwhile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from papernotes.edit.apply import apply_metadata
from papernotes.errors import DataError, ExitCode, PapernotesError, Problem
from papernotes.metadata.sources import MetadataFetcher
from papernotes.model.ids import is_valid_id
from papernotes.store.kb import KnowledgeBase


@dataclass
class RefreshResult:
    """One record's outcome: updated, unchanged, skipped (no online source) or failed."""

    id: str
    status: str
    changed: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    message: str | None = None
    error: PapernotesError | None = None
    path: str | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "changed": list(self.changed),
            "sources": list(self.sources),
            "message": self.message,
            "path": self.path,
        }

    @property
    def exit_code(self) -> int:
        return self.error.exit_code if self.error else ExitCode.OK


def refresh_one(kb: KnowledgeBase, fetcher: MetadataFetcher, paper_id: str) -> RefreshResult:
    """Fetch and apply the metadata of one record; errors become a failed result."""
    if not is_valid_id(paper_id):
        error = DataError([Problem(f"papers/{paper_id}.yaml", "file name is not a valid id")])
        return RefreshResult(paper_id, "failed", message=str(error), error=error)
    shown = kb.shown(kb.path_for(paper_id))
    try:
        kb.get(paper_id)  # a broken record fails here, before any request
    except PapernotesError as exc:
        return RefreshResult(paper_id, "failed", message=str(exc), error=exc, path=shown)
    outcome = fetcher.fetch(paper_id)
    if outcome.error is not None:
        return RefreshResult(
            paper_id,
            "failed",
            sources=outcome.sources,
            message=str(outcome.error),
            error=outcome.error,
            path=shown,
        )
    if not outcome.online or outcome.metadata is None:
        return RefreshResult(
            paper_id,
            "skipped",
            message=f"no online metadata source for {paper_id.partition(':')[0]}: ids",
            path=shown,
        )
    try:
        with kb.lock():
            fresh = KnowledgeBase(kb.root)
            paper = fresh.get(paper_id)
            updated, changed = apply_metadata(paper, outcome.metadata, overwrite=True)
            if changed:
                updated.updated = dt.date.today()
                fresh.save(updated)
    except PapernotesError as exc:
        return RefreshResult(paper_id, "failed", message=str(exc), error=exc, path=shown)
    return RefreshResult(
        paper_id,
        "updated" if changed else "unchanged",
        changed=changed,
        sources=outcome.sources,
        path=shown,
    )
