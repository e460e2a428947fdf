"""Paper drafts + existing records -> the records to write. Never takes anything away.

A note is identified by (paper id, source file): a source already present on a record
is left exactly as it is, even when the user edited it, so importing again is a no-op.
Facts from the catalog (authors, venue, year, decision, ratings, abstract, TL;DR,
keywords, forum/pdf links) fill fields that are missing. Tags, related links and refs that come from a note are added only
when that note is added, so a tag or link the user removed does not come back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from papernotes.errors import Problem
from papernotes.importers.resolve import PaperDraft, Resolution
from papernotes.importers.tagging import Tagger
from papernotes.metadata.catalog import details_fields
from papernotes.model.record import Note, Paper, Ref, Related


@dataclass
class PaperChange:
    id: str
    action: str  # "created", "updated", "unchanged" or "skipped"
    title: str
    paper: Paper | None = None  # what to write (None when nothing changes)
    notes_added: list[str] = field(default_factory=list)
    notes_kept: list[str] = field(default_factory=list)
    fields_filled: list[str] = field(default_factory=list)
    tags_added: list[str] = field(default_factory=list)
    related_added: list[str] = field(default_factory=list)
    refs_added: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "action": self.action,
            "title": self.title,
            "notes_added": self.notes_added,
            "notes_kept": self.notes_kept,
            "fields_filled": self.fields_filled,
            "tags_added": self.tags_added,
            "related_added": self.related_added,
            "refs_added": self.refs_added,
            "sections": self.sections,
        }


@dataclass
class MergeResult:
    changes: list[PaperChange] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    related_found: int = 0
    related_linked: int = 0
    refs_found: int = 0

    def changed(self) -> list[PaperChange]:
        return [c for c in self.changes if c.action in ("created", "updated")]


def merge(
    resolution: Resolution,
    existing: dict[str, Paper],
    broken: dict[str, str],
    tagger: Tagger,
    today: dt.date,
) -> MergeResult:
    """``existing``: records that loaded; ``broken``: id -> why its record cannot be used."""
    result = MergeResult(warnings=list(resolution.warnings))
    work: dict[str, Paper] = {}
    changes: dict[str, PaperChange] = {}
    new_notes: set[tuple[str, str]] = set()

    for pid, draft in resolution.papers.items():
        change = PaperChange(pid, "unchanged", draft.title, sections=list(draft.sections))
        changes[pid] = change
        result.refs_found += sum(len(refs) for refs in draft.refs.values())
        if pid in broken:
            change.action = "skipped"
            shown, line = draft.first_seen
            result.warnings.append(
                Problem(shown, f"{pid}: its record cannot be loaded ({broken[pid]}); skipped", line)
            )
            continue
        if pid in existing:
            work[pid] = _update(existing[pid].model_copy(), draft, change, tagger, today)
        else:
            work[pid] = _create(draft, change, tagger, today)
        new_notes.update((pid, source) for source in change.notes_added)

    for link in resolution.links:
        result.related_found += 1
        if (link.a, link.source) not in new_notes or link.a not in work:
            continue
        a = work[link.a]
        if link.b in broken:
            result.warnings.append(
                Problem(
                    link.shown,
                    f"{link.a} links to {link.b}, whose record cannot be loaded; no link made",
                    link.line,
                )
            )
            continue
        if link.b not in work and link.b in existing:
            work[link.b] = existing[link.b].model_copy()
            changes[link.b] = PaperChange(link.b, "unchanged", work[link.b].title)
        if link.b in work:
            one = _relate(a, link.b, link.why, changes[link.a])
            other = _relate(work[link.b], link.a, link.why, changes[link.b])
            result.related_linked += one or other
            continue
        if not link.known:
            result.warnings.append(
                Problem(
                    link.shown,
                    f"{link.a} mentions '{link.b}', which is not a known paper id; no link made",
                    link.line,
                )
            )
            continue
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
    return result


def _create(draft: PaperDraft, change: PaperChange, tagger: Tagger, today: dt.date) -> Paper:
    change.action = "created"
    cat = draft.catalog
    notes = [
        Note(lang=n.lang, source=n.source, date=today, **{n.lang: n.text}) for n in draft.notes
    ]
    change.notes_added = [n.source for n in draft.notes]
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
        links={"forum": draft.forum, "pdf": draft.pdf},
        tags=tags,
        notes=notes,
        refs=refs,
        added=today,
        updated=today,
    )


def _update(
    paper: Paper, draft: PaperDraft, change: PaperChange, tagger: Tagger, today: dt.date
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
    for name, url in (("forum", draft.forum), ("pdf", draft.pdf)):
        if name not in paper.links:
            paper.links = {**paper.links, name: url}
            filled.append(f"links.{name}")
    by_source = {note.source: note for note in paper.notes}
    for nd in draft.notes:
        current = by_source.get(nd.source)
        if current is not None:
            if nd.text not in (current.zh, current.en):
                change.notes_kept.append(nd.source)
            continue
        paper.notes = [
            *paper.notes,
            Note(lang=nd.lang, source=nd.source, date=today, **{nd.lang: nd.text}),
        ]
        change.notes_added.append(nd.source)
        for ref in draft.refs.get(nd.source, []):
            _add_ref(paper, ref.url, ref.label, change)
        for tag in tagger.suggest(nd.text):
            if tag not in paper.tags:
                paper.tags = [*paper.tags, tag]
                change.tags_added.append(tag)
    return paper


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
