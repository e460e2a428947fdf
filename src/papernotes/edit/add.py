"""Filing a note: create a record or append to one, merge tags, link a related paper.

Existing notes are never rewritten: a new note is appended (an identical one is not
added twice). Everything is validated before anything is written, and the whole
read-modify-write happens under the knowledge-base lock so concurrent ``add``s on the
same paper all land.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from papernotes.metadata.sources import FetchOutcome

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


NOTE_BYTES = 1_000_000


def read_note(note: str | None, note_file: str | None) -> str | None:
    """The note given as text, on standard input ('-') or in a UTF-8 file, cleaned."""
    if note is not None and note != "-":
        return clean_note(note)
    if note == "-" or note_file == "-":
        return _read_stdin_note()
    if note_file is None:
        return None
    from pathlib import Path

    from papernotes.store.fsio import TooLarge, read_bounded

    path = Path(note_file)
    try:
        with path.open("rb") as handle:
            raw = read_bounded(handle, NOTE_BYTES)
    except TooLarge:
        raise UsageError(f"note file {note_file!r} is too long (more than 1 MB)") from None
    except IsADirectoryError:
        raise UsageError(f"note file {note_file!r} is a directory") from None
    except OSError as exc:
        raise UsageError(f"cannot read note file {note_file!r}: {exc.strerror or exc}") from None
    try:
        return clean_note(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"note file {note_file!r} is not UTF-8 text") from None


def _read_stdin_note() -> str:
    import sys

    from papernotes.store.fsio import TooLarge, read_bounded

    stream = getattr(sys.stdin, "buffer", None)
    try:
        if stream is not None:
            raw = read_bounded(stream, NOTE_BYTES)
        else:
            raw = sys.stdin.read(NOTE_BYTES + 1).encode("utf-8")
            if len(raw) > NOTE_BYTES:
                raise TooLarge
    except TooLarge:
        raise UsageError("the note on standard input is too long (more than 1 MB)") from None
    try:
        return clean_note(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError("the note on standard input is not UTF-8 text") from None


def refuse_case_twin(kb: KnowledgeBase, paper_id: str) -> None:
    """Refuse a new id that differs only by case from an existing record's."""
    if kb.exists(paper_id):
        return
    # The same id in a misnamed file is no twin: saving refuses it, naming the file.
    twins = [i for i in kb.ids() if i.casefold() == paper_id.casefold() and i != paper_id]
    if twins:
        raise UsageError(
            f"{paper_id!r} differs only by case from the existing {twins[0]!r} (did you mean "
            f"{twins[0]!r}? to rename it: papernotes mv {twins[0]} {paper_id})"
        )


def check_new_tag_labels(new_tags: list[str], en: str | None, zh: str | None) -> None:
    """The --en/--zh labels: for one new tag at most, each one line."""
    if (en is not None or zh is not None) and len(new_tags) > 1:
        raise UsageError(
            f"--en/--zh label one new tag, but {len(new_tags)} are new "
            f"({', '.join(new_tags)}): add them one at a time"
        )
    for label, option in ((en, "--en"), (zh, "--zh")):
        if label is not None and (not label.strip() or "\n" in label):
            raise UsageError(f"{option} needs a one-line label")


def related_id(kb: KnowledgeBase, paper_id: str, related: str) -> str:
    """The related paper's id, checked to name another record."""
    from papernotes.model.ids import parse_paper_ref

    other = parse_paper_ref(related)
    if other == paper_id:
        raise UsageError("a paper cannot be related to itself")
    kb.get(other)  # NotFoundError, with close matches, if there is no such record
    return other


def offline_outcome(paper_id: str, why: str) -> FetchOutcome:
    """What is known without the network, with ``why`` as the fetch error."""
    from papernotes.metadata.sources import MetadataFetcher

    with MetadataFetcher(None, network=False) as fetcher:
        outcome = fetcher.fetch(paper_id)
    outcome.error = NetworkError(why)
    return outcome


def unchecked(no_fetch: bool, error: PapernotesError | None) -> bool:
    """Nothing could say whether the id names a paper: offline, and not in the catalog."""
    return no_fetch or isinstance(error, NetworkError)


def refuse_unknown(error: PapernotesError | None) -> None:
    """No title anywhere: a 404 is the user's to fix (a typo?), not ours to file."""
    if isinstance(error, NotFoundError):
        raise NotFoundError(f"{error} (check the id, or pass --title to file it anyway)")


def suggested_tags(
    kb: KnowledgeBase, texts: list[str | None], chosen: list[str], existing: Paper | None
) -> list[str]:
    """Taxonomy tags the title and note mention, not already chosen or on the record."""
    from papernotes.importers.tagging import Tagger

    text = "\n".join(t for t in texts if t)
    if not text.strip():
        return []
    taxonomy = kb.taxonomy()
    have = set(chosen) | set(existing.tags if existing is not None else [])
    implied = {a for name in have if name in taxonomy.tags for a in taxonomy.parent_chain(name)}
    return [t for t in Tagger(taxonomy).suggest(text) if t not in have and t not in implied]


def keep_draft(kb: KnowledgeBase, paper_id: str, text: str, error: PapernotesError) -> None:
    """The note typed in the editor, kept in the cache when the save fails."""
    import contextlib
    import time

    from papernotes.model.ids import filename_for

    with contextlib.suppress(Exception):
        folder = kb.cache_dir() / "drafts"
        folder.mkdir(exist_ok=True)
        name = filename_for(paper_id).removesuffix(".yaml")
        path = folder / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.md"
        path.write_text(text + "\n", encoding="utf-8")
        error.args = (f"{error}; your note is kept in {path}",)


def add_hints(
    report: AddReport, no_fetch: bool, outcome: FetchOutcome | None, suggested: list[str]
) -> None:
    """Hints on what is still missing: metadata to fetch later, tags not taken."""
    missing = [f for f in ("authors", "abstract") if f not in report.metadata_fields]
    if no_fetch and report.created and outcome is not None and outcome.online and missing:
        report.hints.append(
            f"fetch the {' and '.join(missing)} later: papernotes refresh {report.id}"
        )
    if suggested:
        report.hints.append(
            f"tags suggested by the title and note: {', '.join(suggested)} "
            "(add them with --tag-suggestions, or --tag NAME)"
        )


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
