"""Renaming a paper's id (``papernotes mv``): the record, links to it, ``[[OLD]]`` in notes/.

An arXiv preprint that later appears on OpenReview moves from ``arxiv:...`` to its forum
id; a case typo is fixed. Everything else in the record (notes, tags, dates, the citation
key) stays as it is.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from papernotes.errors import UsageError, WriteError
from papernotes.model.ids import parse_paper_ref
from papernotes.rows import row
from papernotes.store.fsio import atomic_write
from papernotes.store.kb import KnowledgeBase


@dataclass
class Renamed:
    old: str
    new: str
    path: str = ""
    records: list[str] = field(default_factory=list)  # other records whose links changed
    notes: dict[str, int] = field(default_factory=dict)  # note path -> links rewritten
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return row(self, "old", "new", "path", "records", "notes", "warnings")


def rename(kb: KnowledgeBase, old: str, new: str, today: dt.date | None = None) -> Renamed:
    today = today or dt.date.today()
    if old == new:
        raise UsageError(f"{old!r} is already the id")
    result = Renamed(old, new)
    with kb.lock():
        fresh = KnowledgeBase(kb.root)
        paper = fresh.get(old)
        old_path, new_path = fresh.path_for(old), fresh.path_for(new)
        same_file = new_path.exists() and _same(old_path, new_path)
        if new_path.exists() and not same_file:
            raise UsageError(f"{new!r} already has a record ({fresh.shown(new_path)})")
        twins = [i for i in fresh.ids() if i.casefold() == new.casefold() and i not in (old, new)]
        if twins:
            raise UsageError(f"{new!r} differs only by case from the existing {twins[0]!r}")
        renamed = paper.model_copy(update={"id": new, "updated": today})
        coll = fresh.load_all()
        others = []
        for pid, other in coll.papers.items():
            if pid == old or not any(link.id == old for link in other.related):
                continue
            related = [
                link.model_copy(update={"id": new}) if link.id == old else link
                for link in other.related
            ]
            others.append(other.model_copy(update={"related": related, "updated": today}))
        notes = _rewritten_notes(fresh, old, new)
        # Write the new record, then repoint the links, then drop the old file: an
        # interruption leaves two copies at worst, never a link to nothing.
        if same_file:  # a case fix on a case-insensitive file system
            temporary = old_path.with_name(f".{old_path.name}.renaming")
            os.replace(old_path, temporary)
            old_path = temporary
        result.path = fresh.shown(fresh.save(renamed))
        for other in others:
            result.records.append(fresh.shown(fresh.save(other)))
        for path, (text, count) in notes.items():
            atomic_write(path, text, fresh.shown(path))
            result.notes[fresh.shown(path)] = count
        try:
            os.unlink(old_path)
        except OSError as exc:
            raise WriteError(f"cannot remove {fresh.shown(old_path)}: {exc.strerror}") from None
        result.warnings = [
            f"{p.path}: not checked for links to {old} ({p.message})" for p in coll.problems
        ]
    return result


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _rewritten_notes(kb: KnowledgeBase, old: str, new: str) -> dict[Path, tuple[str, int]]:
    """Each note under notes/ whose ``[[...]]`` links name ``old``: its new text and how
    many links changed. A label (``[[OLD|label]]``) is kept; code blocks are left alone."""
    from papernotes.store.notes import INLINE_CODE, PAPER_LINK, prose_lines

    out: dict[Path, tuple[str, int]] = {}
    for path in kb.note_paths():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # validate reports it; nothing here can be rewritten safely
        count = 0
        lines = text.split("\n")
        for n, line in prose_lines(lines):
            code = [m.span() for m in INLINE_CODE.finditer(line)]

            def swap(m, code=code):
                nonlocal count
                if any(a <= m.start() < b for a, b in code):
                    return m.group()
                try:
                    target = parse_paper_ref(m.group(1).strip())
                except UsageError:
                    return m.group()
                if target != old:
                    return m.group()
                count += 1
                label = f"|{m.group(2)}" if m.group(2) is not None else ""
                return f"[[{new}{label}]]"

            lines[n] = PAPER_LINK.sub(swap, line)
        if count:
            out[path] = ("\n".join(lines), count)
    return out
