"""Paper drafts + existing records -> the records to write. Never takes anything away.

Re-import is a sync. Each imported note keeps ``import_hash``, the hash of its text as
imported from ``source``. For each note of a file, in order:

1. the same text is already on the record (from any source): nothing is added; when
   it came from a file that no longer exists, the note now names the new file (moved);
2. the file's text is what was imported (the hash matches): the record's copy, edited
   or not, is left alone;
3. the record's copy is unchanged since import (not edited, not translated): it is
   updated to the file's new text;
4. the record's copy was edited and the file changed too: the edit is kept and the new
   text is added as another note, with a warning that says both;
5. otherwise the note is added.

Notes imported before hashes were kept are never rewritten (old behaviour: kept). Tags,
refs and related links come with a note when it is added or updated. Facts from the
catalog (authors, venue, year, decision, ratings, abstract, TL;DR, keywords, forum/pdf
links) fill fields that are missing. A tag or link the user removed does not come back
unless its note changes in the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from papernotes.errors import Problem
from papernotes.importers.parse import paper_id_of
from papernotes.importers.resolve import LinkDraft, PaperDraft, Resolution
from papernotes.importers.tagging import Tagger
from papernotes.metadata.catalog import details_fields
from papernotes.model.record import Note, Paper, Ref, Related
from papernotes.rows import row


@dataclass
class PaperChange:
    id: str
    action: str  # "created", "updated", "unchanged" or "skipped"
    title: str
    paper: Paper | None = None  # what to write (None when nothing changes)
    notes_added: list[str] = field(default_factory=list)
    notes_kept: list[str] = field(default_factory=list)
    notes_updated: list[str] = field(default_factory=list)
    notes_moved: list[str] = field(default_factory=list)  # "old -> new"
    decisions: list[str] = field(default_factory=list)  # one line per note of the files
    fields_filled: list[str] = field(default_factory=list)
    tags_added: list[str] = field(default_factory=list)
    related_added: list[str] = field(default_factory=list)
    refs_added: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    from_catalog: bool = False

    def to_dict(self) -> dict:
        return row(
            self,
            "id",
            "action",
            "title",
            "notes_added",
            "notes_kept",
            "notes_updated",
            "notes_moved",
            "decisions",
            "fields_filled",
            "tags_added",
            "related_added",
            "refs_added",
            "sections",
        )


@dataclass
class MergeResult:
    changes: list[PaperChange] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    related_found: int = 0
    related_linked: int = 0
    refs_found: int = 0

    def changed(self) -> list[PaperChange]:
        return [c for c in self.changes if c.action in ("created", "updated")]


def note_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def merge(
    resolution: Resolution,
    existing: dict[str, Paper],
    broken: dict[str, str],
    tagger: Tagger,
    today: dt.date,
    source_exists: Callable[[str], bool] = lambda _source: True,
) -> MergeResult:
    """``existing``: records that loaded; ``broken``: id -> why its record cannot be used;
    ``source_exists``: whether a note's source file is still there (a moved file)."""
    result = MergeResult(warnings=list(resolution.warnings))
    work: dict[str, Paper] = {}
    changes: dict[str, PaperChange] = {}
    new_notes: set[tuple[str, str]] = set()

    for pid, draft in resolution.papers.items():
        change = PaperChange(
            pid,
            "unchanged",
            draft.title,
            sections=list(draft.sections),
            from_catalog=draft.catalog is not None,
        )
        changes[pid] = change
        result.refs_found += sum(len(refs) for refs in draft.refs.values())
        paper = _merge_draft(
            pid, draft, change, existing, broken, tagger, today, source_exists, result
        )
        if paper is None:
            continue
        work[pid] = paper
        new_notes.update((pid, source) for source in change.notes_added + change.notes_updated)

    for link in resolution.links:
        _merge_link(link, work, changes, existing, broken, new_notes, result)

    _collect_changes(resolution, existing, today, work, changes, result)
    return result


def _merge_draft(
    pid: str,
    draft: PaperDraft,
    change: PaperChange,
    existing: dict[str, Paper],
    broken: dict[str, str],
    tagger: Tagger,
    today: dt.date,
    source_exists: Callable[[str], bool],
    result: MergeResult,
) -> Paper | None:
    """The record ``draft`` makes of paper ``pid`` (None: its record is broken, skipped)."""
    if pid in broken:
        change.action = "skipped"
        shown, line = draft.first_seen
        result.warnings.append(
            Problem(shown, f"{pid}: its record cannot be loaded ({broken[pid]}); skipped", line)
        )
        return None
    if pid in existing:
        paper = _update(existing[pid].model_copy(), draft, change, tagger, today, source_exists)
        result.warnings.extend(change_warnings(change, draft))
        return paper
    paper = _create(draft, change, tagger, today)
    if draft.kind == "openreview" and draft.catalog is None:
        shown, line = draft.first_seen
        result.warnings.append(
            Problem(
                shown,
                f"{pid} is not in the offline ICLR 2020 catalog (another year?); "
                f"its record has only what the notes say until "
                f"`papernotes refresh {pid}` fetches the metadata",
                line,
            )
        )
    return paper


def _merge_link(
    link: LinkDraft,
    work: dict[str, Paper],
    changes: dict[str, PaperChange],
    existing: dict[str, Paper],
    broken: dict[str, str],
    new_notes: set[tuple[str, str]],
    result: MergeResult,
) -> None:
    """Make the related link of one note (both ways), or a reference, or warn why not."""
    if link.only_if_known and link.b not in work and link.b not in existing:
        return  # an arXiv/DOI paper without a record: its link stays a reference
    result.related_found += 1
    if (link.a, link.source) not in new_notes or link.a not in work:
        return
    a = work[link.a]
    if link.b in broken:
        result.warnings.append(
            Problem(
                link.shown,
                f"{link.a} links to {link.b}, whose record cannot be loaded; no link made",
                link.line,
            )
        )
        return
    if link.b not in work and link.b in existing:
        work[link.b] = existing[link.b].model_copy()
        changes[link.b] = PaperChange(link.b, "unchanged", work[link.b].title)
    if link.b in work:
        one = _relate(a, link.b, link.why, changes[link.a])
        other = _relate(work[link.b], link.a, link.why, changes[link.b])
        result.related_linked += one or other
        if link.only_if_known:  # a related paper, no longer a mere reference
            gone = {r.url for r in a.refs if paper_id_of(r.url)[0] == link.b}
            a.refs = [r for r in a.refs if r.url not in gone]
            change = changes[link.a]
            change.refs_added = [u for u in change.refs_added if u not in gone]
        return
    if not link.known:
        result.warnings.append(
            Problem(
                link.shown,
                f"{link.a} mentions '{link.b}', which is not a known paper id; no link made",
                link.line,
            )
        )
        return
    url = f"https://openreview.net/forum?id={link.b}"
    if _add_ref(a, url, link.label, changes[link.a]):
        result.warnings.append(
            Problem(
                link.shown,
                f"{link.a} links to {link.b}, which has no record; kept as a reference "
                f"(import its notes to make a link)",
                link.line,
            )
        )


def _collect_changes(
    resolution: Resolution,
    existing: dict[str, Paper],
    today: dt.date,
    work: dict[str, Paper],
    changes: dict[str, PaperChange],
    result: MergeResult,
) -> None:
    """Each paper's change, with what to write, in order; skipped papers last."""
    for pid, paper in work.items():
        change = changes[pid]
        if change.action == "created":
            change.paper = paper
        elif pid in existing and paper != existing[pid]:
            change.action = "updated"
            change.paper = paper.model_copy(update={"updated": today})
        elif pid not in resolution.papers:
            continue  # only looked at as a link target, and left alone
        result.changes.append(change)
    result.changes.extend(c for c in changes.values() if c.action == "skipped")


def _create(draft: PaperDraft, change: PaperChange, tagger: Tagger, today: dt.date) -> Paper:
    change.action = "created"
    cat = draft.catalog
    notes = [_note(n, today) for n in draft.notes]
    change.notes_added = [n.source for n in draft.notes]
    change.decisions = [f"note from {n.source}: added" for n in draft.notes]
    refs: list[Ref] = []
    for source_refs in draft.refs.values():
        for ref in source_refs:
            if ref.url not in {r.url for r in refs}:
                refs.append(Ref(url=ref.url, label=ref.label))
                change.refs_added.append(ref.url)
    text = "\n".join([draft.title, *(n.text for n in draft.notes)])
    tags = tagger.suggest(text)
    change.tags_added = list(tags)
    return Paper(
        id=draft.id,
        title=draft.title,
        **_catalog_details(draft.id if cat else None),
        venue=cat.venue if cat else None,
        year=cat.year if cat else None,
        decision=cat.decision if cat else None,
        ratings=list(cat.ratings) if cat else [],
        links=draft.links(),
        tags=tags,
        notes=notes,
        refs=refs,
        added=today,
        updated=today,
    )


def _update(
    paper: Paper,
    draft: PaperDraft,
    change: PaperChange,
    tagger: Tagger,
    today: dt.date,
    source_exists: Callable[[str], bool],
) -> Paper:
    change.title = paper.title
    cat = draft.catalog
    filled = change.fields_filled
    if cat is not None:
        for name, value in (
            ("venue", cat.venue),
            ("year", cat.year),
            ("decision", cat.decision),
            ("ratings", list(cat.ratings)),
        ):
            if value and not getattr(paper, name):
                setattr(paper, name, value)
                filled.append(name)
        for name, value in _catalog_details(paper.id).items():
            if value and not getattr(paper, name):
                setattr(paper, name, value)
                filled.append(name)
    for name, url in draft.links().items():
        if name not in paper.links:
            paper.links = {**paper.links, name: url}
            filled.append(f"links.{name}")
    for nd in draft.notes:
        decision = _sync_note(paper, nd, today, source_exists)
        change.decisions.append(f"note from {nd.source}: {decision}")
        if decision.startswith(("kept", "unchanged", "already", "moved")):
            if decision.startswith("kept"):
                change.notes_kept.append(nd.source)
            if decision.startswith("moved"):
                change.notes_moved.append(decision.split("moved from ", 1)[1])
            continue
        if decision.startswith("updated"):
            change.notes_updated.append(nd.source)
        else:
            change.notes_added.append(nd.source)
        for ref in draft.refs.get(nd.source, []):
            _add_ref(paper, ref.url, ref.label, change)
        for tag in tagger.suggest(nd.text):
            if tag not in paper.tags:
                paper.tags = [*paper.tags, tag]
                change.tags_added.append(tag)
    return paper


def _note(nd, today: dt.date) -> Note:
    return Note(
        lang=nd.lang,
        source=nd.source,
        date=today,
        import_hash=note_hash(nd.text),
        **{nd.lang: nd.text},
    )


def _sync_note(paper: Paper, nd, today: dt.date, source_exists: Callable[[str], bool]) -> str:
    """Apply one note of a file to ``paper``; returns the decision in words."""
    digest = note_hash(nd.text)
    notes = list(paper.notes)
    same = [n for n in notes if nd.text in (n.zh, n.en)]
    if same:
        if any(n.source == nd.source for n in same):
            return "unchanged"
        gone = [n for n in same if n.import_hash and not source_exists(n.source)]
        if gone:
            old = gone[0]
            notes[notes.index(old)] = old.model_copy(update={"source": nd.source})
            paper.notes = notes
            return f"moved from {old.source} -> {nd.source}"
        return f"already in the record (from {same[0].source}); not added again"
    ours = [n for n in notes if n.source == nd.source]
    if any(n.import_hash == digest for n in ours):
        return "unchanged in the file; the record's edited copy is kept"
    pristine = [n for n in ours if _untouched(n)]
    if not ours:
        moved = [n for n in notes if _untouched(n) and not source_exists(n.source)]
        if len(moved) == 1:
            pristine = moved
    if pristine:
        old = pristine[0]
        notes[notes.index(old)] = _note(nd, today)
        paper.notes = notes
        if old.source != nd.source:
            return f"updated to the file's new text (moved from {old.source})"
        return "updated to the file's new text (the record's copy was not edited)"
    if ours and all(n.import_hash for n in ours):
        paper.notes = [*notes, _note(nd, today)]
        return "added beside your edited note (kept your edit; the file changed too)"
    if ours:
        return "kept (imported before import hashes; differs from the file)"
    paper.notes = [*notes, _note(nd, today)]
    return "added"


def _untouched(note: Note) -> bool:
    """The record's copy is exactly what was imported: not edited, not translated."""
    translation = note.en if note.lang == "zh" else note.zh
    return (
        note.import_hash is not None
        and note.import_hash == note_hash(note.text())
        and translation is None
    )


def change_warnings(change: PaperChange, draft: PaperDraft) -> list[Problem]:
    shown, line = draft.first_seen
    return [
        Problem(
            shown,
            f"{change.id}: you edited (or translated) the note from "
            f"{decision.split(': ', 1)[0][10:]} in the record, and the file changed too; kept "
            "your edit and added the file's new text as another note",
            line,
        )
        for decision in change.decisions
        if "beside your edited note" in decision
    ]


def _catalog_details(paper_id: str | None) -> dict:
    """Authors, abstract, TL;DR and keywords the offline catalog has for ``paper_id``."""
    return details_fields(paper_id) if paper_id else {}


def _relate(paper: Paper, other: str, why: str, change: PaperChange) -> bool:
    if other == paper.id or any(link.id == other for link in paper.related):
        return False
    paper.related = [*paper.related, Related(id=other, why=why)]
    change.related_added.append(other)
    return True


def _add_ref(paper: Paper, url: str, label: str | None, change: PaperChange) -> bool:
    if any(ref.url == url for ref in paper.refs):
        return False
    paper.refs = [*paper.refs, Ref(url=url, label=label)]
    change.refs_added.append(url)
    return True
