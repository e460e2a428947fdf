"""Filing a note: create a record or append to one, merge tags, link a related paper.

Existing notes are never rewritten: a new note is appended (an identical one is not
added twice). Everything is validated before anything is written, and the whole
read-modify-write happens under the knowledge-base lock so concurrent ``add``s on the
same paper all land.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from pydantic import ValidationError

from papernotes.edit.apply import apply_metadata
from papernotes.errors import (
    DataError,
    NetworkError,
    NotFoundError,
    PapernotesError,
    UsageError,
)
from papernotes.metadata.base import PaperMetadata
from papernotes.model.record import Lang, Note, Paper, Related, new_note_id
from papernotes.model.taxonomy import TAG_NAME, Tag, Taxonomy
from papernotes.store.kb import KnowledgeBase
from papernotes.store.keys import keys_in_use, with_new_keys
from papernotes.store.records import validation_problems
from papernotes.store.tags import resolve_tag
from papernotes.text import TEXT_CONTROL, detect_lang

NEW_TAG_DESCRIPTION = "added by papernotes add"
MAX_NOTE = 200_000


@dataclass
class AddRequest:
    """What to file; tags are canonical names (``new_tags`` are created in tags.yaml)."""

    paper_id: str
    title: str | None = None
    tags: list[str] = field(default_factory=list)
    new_tags: list[str] = field(default_factory=list)
    new_tag_labels: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    note: str | None = None
    lang: Lang | None = None
    related: str | None = None
    why: str | None = None
    metadata: PaperMetadata | None = None
    sources: list[str] = field(default_factory=list)
    fetch_error: PapernotesError | None = None
    today: dt.date | None = None
    author: str | None = None


@dataclass
class AddReport:
    """What ``add`` did, for people (``changes``) and for ``--json``."""

    id: str
    path: str
    title: str
    created: bool = False
    changes: list[str] = field(default_factory=list)
    note_added: bool = False
    note_lang: str | None = None
    tags_added: list[str] = field(default_factory=list)
    tags_created: list[str] = field(default_factory=list)
    related: str | None = None
    related_path: str | None = None
    metadata_fields: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    fetch_error: str | None = None
    warnings: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["changed"] = self.changed
        return data


# -- input checks (before the lock) -----------------------------------------------------
def resolve_tags(
    kb: KnowledgeBase, names: list[str], allow_new: bool
) -> tuple[list[str], list[str]]:
    """Canonical names for ``names``, and the unknown ones to create (only if ``allow_new``)."""
    resolved: list[str] = []
    new: list[str] = []
    for raw in names:
        name = raw.strip()
        if not name:
            raise UsageError("empty tag name")
        try:
            canonical = resolve_tag(kb, name)
        except NotFoundError as exc:
            if not allow_new:
                raise NotFoundError(f"{exc}; pass --new-tag to create it") from None
            if not name.isascii():
                raise UsageError(
                    f"cannot create tag {name!r}: a tag name is ASCII; use an ASCII name with "
                    f"a Chinese label, e.g. --tag my-tag --new-tag --zh {name}"
                ) from None
            if not TAG_NAME.match(name):
                raise UsageError(
                    f"cannot create tag {name!r}: a tag name is letters, digits, '_', '.', '+' "
                    "or '-' (at most 64, starting with a letter or digit)"
                ) from None
            canonical = name
            if name not in new:
                new.append(name)
        if canonical not in resolved:
            resolved.append(canonical)
    return resolved, new


def clean_note(text: str) -> str:
    """The note as it will be stored: LF line ends, no trailing blanks; errors if unusable."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    if not text.strip():
        raise UsageError("the note is empty")
    if TEXT_CONTROL.search(text):
        raise UsageError("the note contains control characters (binary data?)")
    if len(text) > MAX_NOTE:
        raise UsageError(f"the note is too long ({len(text)} characters; at most {MAX_NOTE})")
    return text


def clean_title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise UsageError("the title is empty")
    if TEXT_CONTROL.search(title):
        raise UsageError("the title contains control characters")
    return title


def needs_metadata(paper: Paper) -> bool:
    """Whether fetching could still add something to an existing record."""
    return paper.title == paper.id or not paper.authors or not paper.abstract


# -- the write ---------------------------------------------------------------------------
def add(kb: KnowledgeBase, request: AddRequest) -> AddReport:
    """Create or update the record (and tags.yaml, and the related record) under the lock."""
    today = request.today or dt.date.today()
    with kb.lock():
        fresh = KnowledgeBase(kb.root)  # re-read everything another process may have written
        new_taxonomy, created_tags = _taxonomy_with(fresh, request.new_tags, request.new_tag_labels)
        taxonomy = new_taxonomy or fresh.taxonomy()
        for tag in request.tags:
            if tag not in taxonomy:
                raise NotFoundError(f"unknown tag {tag!r} (see 'papernotes tags')")
        path = fresh.path_for(request.paper_id)
        existing = fresh.get(request.paper_id) if path.is_file() else None
        other = fresh.get(request.related) if request.related else None
        report = AddReport(
            id=request.paper_id,
            path=fresh.shown(path),
            title="",
            created=existing is None,
            sources=list(request.sources),
            fetch_error=str(request.fetch_error) if request.fetch_error else None,
        )
        paper = _start(request, existing, today, report)
        paper = _merge(paper, request, report, today)
        if report.created and not paper.key:
            # Set once, from what is known now (authors if any, else title words).
            taken, unkeyed = keys_in_use(fresh)
            paper = with_new_keys([paper], taken)[0]
            if unkeyed:
                report.hints.append(
                    f"{unkeyed} record(s) have no citation key yet; 'papernotes fmt' stores "
                    "the keys exports give them (and makes adding papers faster)"
                )
        other_new = _link_back(other, request, paper.id, today, report)
        if existing is not None and report.changes:
            paper.updated = today
        paper = _validated(paper, report.path)
        if other_new is not None:
            other_new = _validated(other_new, fresh.shown(fresh.path_for(other_new.id)))
        report.title = paper.title
        if new_taxonomy is not None:
            fresh.save_taxonomy(new_taxonomy)
            report.tags_created = created_tags
            for name in created_tags:
                made = new_taxonomy.tags[name]
                same = "" if (made.en, made.zh) != (name, name) else "; edit them in tags.yaml"
                report.changes.append(
                    f"created tag {name!r} in tags.yaml (en: {made.en!r}, zh: {made.zh!r}{same})"
                )
        if report.changes:
            fresh.save(paper)
        if other_new is not None:
            report.related_path = fresh.shown(fresh.save(other_new))
    _explain_fetch(request, report)
    return report


def _taxonomy_with(
    kb: KnowledgeBase,
    names: list[str],
    labels: dict[str, tuple[str | None, str | None]] | None = None,
) -> tuple[Taxonomy | None, list[str]]:
    """The taxonomy plus the new tags (None when nothing needs creating); ``labels`` gives
    each new tag's English and Chinese labels (the name when not given)."""
    if not names:
        return None, []
    taxonomy, problems = kb.taxonomy_checked()
    missing = [n for n in names if taxonomy.resolve(n) is None]
    if not missing:
        return None, []
    if problems:
        # Writing tags.yaml back would drop the tags that failed to load: refuse.
        raise DataError(problems)
    tags = dict(taxonomy.tags)
    for name in missing:
        en, zh = (labels or {}).get(name, (None, None))
        tags[name] = Tag(en=en or name, zh=zh or name, description=NEW_TAG_DESCRIPTION)
    updated = Taxonomy(tags)
    clash = updated.check(kb.shown(kb.tags_path))
    if clash:
        raise UsageError(f"cannot create tag: {clash[0].message}")
    return updated, missing


def _start(request: AddRequest, existing: Paper | None, today: dt.date, report: AddReport) -> Paper:
    if existing is not None:
        paper = existing.model_copy(deep=True)
        if request.title and request.title != paper.title:
            paper.title = request.title
            report.changes.append(f"title set to {request.title!r}")
        return paper
    meta = request.metadata
    title = request.title or (meta.title if meta else None)
    if not title:
        if not isinstance(request.fetch_error, NetworkError):
            raise UsageError(
                f"no title known for {request.paper_id!r}: pass --title "
                "(or leave out --no-fetch to look it up online)"
            )
        title = request.paper_id
        report.warnings.append(
            "the title is unknown until the metadata can be fetched; the id stands in for it"
        )
    report.changes.append("created the record")
    return Paper(id=request.paper_id, title=title, added=today)


def _merge(paper: Paper, request: AddRequest, report: AddReport, today: dt.date) -> Paper:
    if request.metadata is not None:
        paper, fields = apply_metadata(paper, request.metadata, overwrite=False)
        if fields:
            report.metadata_fields = fields
            report.changes.append(
                f"metadata from {', '.join(request.sources) or request.metadata.source}: "
                + ", ".join(fields)
            )
    if request.note:
        lang = request.lang or detect_lang(request.note)
        if any(getattr(n, lang) == request.note for n in paper.notes):
            report.warnings.append("the same note is already in the record; not added again")
        else:
            note = Note(
                lang=lang,
                source="cli",
                date=today,
                by=request.author,
                id=new_note_id(),
                zh=request.note if lang == "zh" else None,
                en=request.note if lang == "en" else None,
            )
            paper.notes = [*paper.notes, note]
            report.note_added, report.note_lang = True, lang
            report.changes.append(f"note {len(paper.notes)} added ({lang})")
    added = [t for t in request.tags if t not in paper.tags]
    if added:
        paper.tags = [*paper.tags, *added]
        report.tags_added = added
        report.changes.append("tags: " + ", ".join(f"+{t}" for t in added))
    if request.related and request.why:
        if any(r.id == request.related for r in paper.related):
            report.warnings.append(f"already related to {request.related!r}; reason kept as it was")
        else:
            paper.related = [*paper.related, Related(id=request.related, why=request.why)]
            report.related = request.related
            report.changes.append(f"related: +{request.related}")
    return paper


def _link_back(
    other: Paper | None, request: AddRequest, paper_id: str, today: dt.date, report: AddReport
) -> Paper | None:
    """The related record with a link back to this paper (None if it has one already)."""
    if other is None or not request.why or any(r.id == paper_id for r in other.related):
        return None
    other = other.model_copy(deep=True)
    other.related = [*other.related, Related(id=paper_id, why=request.why)]
    other.updated = today
    report.changes.append(f"related: +{paper_id} in {other.id}'s record")
    return other


def _validated(paper: Paper, shown: str) -> Paper:
    try:
        return Paper.model_validate(paper.model_dump())
    except ValidationError as exc:
        raise DataError(validation_problems(exc, shown, None, Paper)) from None


def _explain_fetch(request: AddRequest, report: AddReport) -> None:
    error = request.fetch_error
    if error is None:
        return
    report.warnings.append(f"could not fetch metadata: {error}")
    if isinstance(error, NetworkError):
        report.hints.append(
            f"the record was saved with what is known; run 'papernotes refresh "
            f"{request.paper_id}' later to fill in the rest"
        )
