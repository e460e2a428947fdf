"""Editing a record by hand (``papernotes edit``): the checks an edited copy must pass.

The editor works on a copy outside papers/; the record is replaced only by a copy that
passes, so a half-finished edit never reaches the knowledge base unless the user insists.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from papernotes.errors import Problem, UsageError
from papernotes.model.record import Paper
from papernotes.store.fsio import atomic_write
from papernotes.store.kb import Collection, KnowledgeBase
from papernotes.store.records import dump_record, load_record

EDIT_FOLDER = "edit"


def draft_path(kb: KnowledgeBase, paper_id: str) -> Path:
    """Where the copy being edited lives: the cache, under the record's own file name
    (so the id/file-name check works on it)."""
    folder = kb.cache_dir() / EDIT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder / kb.path_for(paper_id).name


def start_draft(kb: KnowledgeBase, paper_id: str) -> tuple[Path, bytes]:
    """Copy the record to its draft; returns the draft and the record's bytes."""
    path = kb.path_for(paper_id)
    if not path.is_file():
        kb.get(paper_id)  # NotFoundError with close matches
    original = path.read_bytes()
    draft = draft_path(kb, paper_id)
    draft.write_bytes(original)
    return draft, original


def check_draft(
    kb: KnowledgeBase, paper_id: str, draft: Path
) -> tuple[Paper | None, list[Problem]]:
    """The edited paper and the problems ``validate`` would report for it (paths shown as
    the record's, so ``papers/X.yaml:7: ...`` points at the line to fix)."""
    from papernotes.checks.validate import validate

    shown = kb.shown(kb.path_for(paper_id))
    loaded = load_record(draft, shown)
    if loaded.paper is None:
        return None, loaded.problems
    coll = Collection(
        papers={loaded.paper.id: loaded.paper}, loaded=[loaded], problems=loaded.problems
    )
    problems = [p for p in validate(kb, collection=coll) if p.path == shown]
    return loaded.paper, problems


def save_draft(
    kb: KnowledgeBase,
    paper_id: str,
    draft: Path,
    original: bytes,
    paper: Paper | None,
    today: dt.date | None = None,
) -> bool:
    """Replace the record with the draft: canonical form when it is valid (``paper``),
    byte for byte when the user insists on saving an invalid one. Refuses when the record
    changed on disk since the edit started (the draft stays for the user to merge).
    Returns whether the record changed."""
    path = kb.path_for(paper_id)
    with kb.lock():
        current = path.read_bytes() if path.is_file() else b""
        if current != original:
            raise UsageError(
                f"{kb.shown(path)} changed while it was being edited; your text is kept in "
                f"{draft} (merge it by hand)"
            )
        changed = True
        if paper is None:
            atomic_write(path, draft.read_bytes(), kb.shown(path))
        elif dump_record(paper).encode("utf-8") == original:
            changed = False  # only comments or layout changed: the record stays canonical
        else:
            paper = paper.model_copy(update={"updated": today or dt.date.today()})
            atomic_write(path, dump_record(paper), kb.shown(path))
    draft.unlink(missing_ok=True)
    return changed


def keep_draft(draft: Path) -> Path:
    """Move the draft aside under a name that is not reused by the next edit."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = draft.with_name(f"{draft.stem}.{stamp}.rejected{draft.suffix}")
    shutil.move(draft, kept)
    return kept
