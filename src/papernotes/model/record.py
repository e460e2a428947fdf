"""The paper record: one YAML file per paper under ``papers/``.

Strict models (``extra="forbid"``, no type coercion) so a typo in a field name
or a wrong type is reported, never silently dropped or converted.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from papernotes.model.ids import PaperId
from papernotes.reading import STATUSES
from papernotes.text import TEXT_CONTROL

Lang = Literal["zh", "en"]
Status = Literal["to-read", "reading", "read", "to-reread", "skimmed"]
Mark = Literal["scooped", "to-cite"]
Text = Annotated[str, StringConstraints(min_length=1)]
LINK_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
LINK_ORDER = ("forum", "pdf", "code", "arxiv", "project", "slides", "video", "poster")
# A citation key BibTeX, biber and Pandoc all accept: a letter first, punctuation only inside.
CITE_KEY = r"^[A-Za-z][A-Za-z0-9_]*(?:[-:.+/][A-Za-z0-9_]+)*$"
NoteId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}(-[0-9a-f]{4})*$")]


def new_note_id() -> str:
    """A random id for a new note: unique enough for one paper's notes, and short."""
    return secrets.token_hex(4)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


def _no_control(value: str) -> str:
    if TEXT_CONTROL.search(value):
        raise ValueError("contains a control character")
    return value


def _single_line(value: str) -> str:
    """Titles are one line: a tab or a line break would split the row of a piped table
    (escape sequences are shown, not sent, by every output)."""
    if "\n" in value:
        raise ValueError("must be a single line")
    if "\t" in value or "\r" in value:
        raise ValueError("contains a tab or carriage return")
    return value


def _title_line(value: str) -> str:
    return _single_line(_no_control(value))


TitleLine = Annotated[str, StringConstraints(min_length=1), AfterValidator(_title_line)]


class Note(Strict):
    """A reading note, kept in both languages; ``lang`` says which one was written first."""

    lang: Lang = Field(description="Language the note was originally written in.")
    zh: Text | None = Field(default=None, description="The note in Chinese.")
    en: Text | None = Field(default=None, description="The note in English.")
    source: Text = Field(description="Where the note came from: a file under seeds/, or 'cli'.")
    date: dt.date = Field(description="When the note was added.")
    by: Text | None = Field(default=None, description="Who wrote the note.")
    id: NoteId | None = Field(
        default=None, description="Stable note id, so merges recognise an edited note."
    )
    marks: list[Mark] = Field(
        default_factory=list,
        description="What the idea calls for: scooped (someone did it), to-cite (we should cite it).",
    )
    import_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8,64}$")] | None = Field(
        default=None,
        description="Hash of the text as imported from `source`: re-import updates the note "
        "while it still matches, and never overwrites an edit.",
    )

    @field_validator("by")
    @classmethod
    def _one_line_author(cls, value: str | None) -> str | None:
        if value is not None:
            _no_control(value)
            if "\n" in value or value != value.strip():
                raise ValueError("must be a single line without surrounding blanks")
        return value

    @model_validator(mode="after")
    def _original_present(self) -> Note:
        if getattr(self, self.lang) is None:
            raise ValueError(f"note is marked lang={self.lang} but has no '{self.lang}' text")
        return self

    def text(self, lang: str | None = None) -> str:
        """The note in ``lang`` if present, else the original."""
        if lang in ("zh", "en") and getattr(self, lang):
            return getattr(self, lang)
        return getattr(self, self.lang)

    def missing_languages(self) -> list[str]:
        return [lang for lang in ("zh", "en") if not getattr(self, lang)]


class Related(Strict):
    """An explicit link to another paper, with the reason in the linker's words."""

    id: PaperId
    why: Text


class Ref(Strict):
    """A work cited in a note that has no record of its own."""

    url: Text = Field(description="http(s) URL, or arxiv:/doi: id.")
    label: Text | None = None

    @field_validator("url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if not re.match(r"^(https?://\S+|arxiv:\S+|doi:\S+)$", value):
            raise ValueError("must be an http(s) URL or an arxiv:/doi: id")
        return value


Link = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class Conflict(Strict):
    """A field both sides of a merge changed differently: the record keeps one value (ours),
    this keeps the other until ``papernotes resolve`` settles it."""

    field: Text = Field(description="The field, e.g. 'title', 'links.code', 'related.ID.why'.")
    theirs: Any = Field(default=None, description="The other side's value (absent: removed).")


class Paper(Strict):
    """One paper and everything the knowledge base knows about it."""

    id: PaperId = Field(description="OpenReview forum id, or arxiv:/doi:/url: prefixed id.")
    key: Annotated[str, StringConstraints(pattern=CITE_KEY, max_length=100)] | None = Field(
        default=None,
        description="Citation key of every export; set once when the record is created.",
    )
    title: TitleLine
    authors: list[Text] = Field(default_factory=list)
    venue: TitleLine | None = Field(default=None, description="e.g. 'ICLR 2020'.")
    year: int | None = Field(default=None, ge=1900, le=2100)
    decision: TitleLine | None = Field(
        default=None, description="e.g. 'Accept (Poster)', 'Reject'."
    )
    ratings: list[int] = Field(default_factory=list, description="Reviewer scores.")
    abstract: Text | None = None
    tldr: Text | None = None
    keywords: list[Text] = Field(default_factory=list)
    links: dict[str, Link] = Field(default_factory=dict, description="forum, pdf, code, ...")
    tags: list[Text] = Field(default_factory=list, description="Canonical names from tags.yaml.")
    notes: list[Note] = Field(default_factory=list)
    related: list[Related] = Field(default_factory=list)
    refs: list[Ref] = Field(default_factory=list)
    bibtex: Text | None = Field(default=None, description="BibTeX from the metadata source.")
    status: Status | None = Field(
        default=None, description="Reading status: to-read, reading, read, to-reread, skimmed."
    )
    priority: int | None = Field(
        default=None, ge=1, le=3, description="Reading priority: 1 (first) to 3 (some day)."
    )
    status_dates: dict[Status, dt.date] = Field(
        default_factory=dict, description="When the paper last got each reading status."
    )
    added: dt.date | None = None
    updated: dt.date | None = None
    conflicts: list[Conflict] = Field(
        default_factory=list, description="Unsettled merge conflicts (see 'papernotes resolve')."
    )

    @field_validator("links")
    @classmethod
    def _link_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not LINK_KEY.match(key):
                raise ValueError(
                    f"link name {key!r} must be lower-case letters, digits, '_' or '-'"
                )
        return value

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, value: list[str]) -> list[str]:
        seen = set()
        for tag in value:
            if tag in seen:
                raise ValueError(f"tag {tag!r} is listed twice")
            seen.add(tag)
        return value

    @field_validator("status_dates")
    @classmethod
    def _dates_in_order(cls, value: dict[str, dt.date]) -> dict[str, dt.date]:
        return dict(sorted(value.items(), key=lambda kv: (kv[1], STATUSES.index(kv[0]))))

    def status_since(self) -> dt.date | None:
        """When the paper got its current status (else when it was added)."""
        return (self.status_dates.get(self.status) if self.status else None) or self.added

    @model_validator(mode="after")
    def _no_self_link(self) -> Paper:
        for link in self.related:
            if link.id == self.id:
                raise ValueError("a paper cannot be related to itself")
        return self

    def canonical_links(self) -> dict[str, str]:
        ordered = {k: self.links[k] for k in LINK_ORDER if k in self.links}
        ordered.update({k: self.links[k] for k in sorted(self.links) if k not in ordered})
        return ordered

    def all_text(self) -> str:
        """Every searchable word of the record in one string (for similarity, mentions)."""
        parts = [self.title, self.abstract or "", self.tldr or "", " ".join(self.keywords)]
        for note in self.notes:
            parts.extend(t for t in (note.zh, note.en) if t)
        return "\n".join(parts)
