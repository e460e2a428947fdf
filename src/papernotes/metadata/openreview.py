"""OpenReview: one note by forum id, from API v2 first and then API v1.

The two hosts hold disjoint venues (ICLR 2024+ on v2, ICLR 2018-2023 on v1), so a
404 or an empty list on v2 means "ask v1", as OpenReview's own web front-end does.
Both note shapes (v1 plain content, v2 ``{"value": ...}`` content, and v2's newer
author objects) come out as one :class:`PaperMetadata`. Shapes follow
``reference/openreview-api.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from papernotes.errors import NotFoundError
from papernotes.metadata.base import (
    PaperMetadata,
    add_link,
    clean_line,
    string_list,
    text_block,
    year_of,
)
from papernotes.metadata.http import HttpClient, HttpNotFoundError, UnexpectedAnswerError

V2_DEFAULT = "https://api2.openreview.net"
V1_DEFAULT = "https://api.openreview.net"
WEB = "https://openreview.net"
NOTE_ID = re.compile(r"^[A-Za-z0-9_-]{4,64}$")
VENUE_ID = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)\.cc/(\d{4})/")
ACCEPT_KIND = re.compile(r"\b(oral|spotlight|poster|talk|notable[- ]top[- ]\d+%?)\b", re.I)


class PaperNotFoundError(NotFoundError):
    """Neither OpenReview API knows the id."""


def fetch(
    client: HttpClient,
    paper_id: str,
    v2_base: str = V2_DEFAULT,
    v1_base: str = V1_DEFAULT,
    token: str | None = None,
) -> PaperMetadata:
    """Metadata of the OpenReview paper ``paper_id`` (v2 first, then v1)."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    for label, base in (("OpenReview API v2", v2_base), ("OpenReview API v1", v1_base)):
        try:
            answer = client.get(
                f"{base.rstrip('/')}/notes",
                {"id": paper_id, "details": "directReplies"},
                headers=headers,
            )
        except HttpNotFoundError:
            continue
        note = _first_note(answer.data, answer.url)
        if note is not None:
            return parse_note(note, paper_id, label)
    raise PaperNotFoundError(f"no such paper on OpenReview: {paper_id!r}")


def _first_note(data: Any, url: str) -> dict | None:
    notes = data.get("notes") if isinstance(data, dict) else None
    if not isinstance(notes, list) or not all(isinstance(n, dict) for n in notes):
        raise UnexpectedAnswerError(
            f"the server answered something unexpected: no list of notes from {url.split('?')[0]}"
        )
    return notes[0] if notes else None


def value(content: dict, key: str) -> Any:
    """A content field in either shape: v1 ``"x"`` or v2 ``{"value": "x"}``."""
    raw = content.get(key)
    if isinstance(raw, dict) and "value" in raw:
        return raw["value"]
    return raw


def parse_note(note: dict, paper_id: str, source: str) -> PaperMetadata:
    """One note (v1 or v2 shape) as metadata; fields of the wrong type are skipped."""
    content = note.get("content")
    content = content if isinstance(content, dict) else {}
    meta = PaperMetadata(source=source)
    meta.title = clean_line(value(content, "title"))
    meta.authors = _authors(value(content, "authors"))
    meta.abstract = text_block(value(content, "abstract"))
    meta.tldr = text_block(value(content, "TLDR")) or text_block(value(content, "TL;DR"))
    keywords = value(content, "keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    meta.keywords = string_list(keywords)
    meta.bibtex = text_block(value(content, "_bibtex"))
    venue_id = _venue_id(note, content)
    meta.venue, meta.year = _venue(venue_id, clean_line(value(content, "venue")))
    if meta.year is None:
        meta.year = _year_from_dates(note)
    meta.decision = _decision(note, venue_id, clean_line(value(content, "venue")))
    forum = note.get("forum")
    forum = forum if isinstance(forum, str) else paper_id
    forum = forum if NOTE_ID.match(forum) else paper_id
    meta.links = {}
    add_link(meta.links, "forum", f"{WEB}/forum?id={forum}")
    pdf = value(content, "pdf")
    if isinstance(pdf, str) and pdf.startswith("/pdf"):
        add_link(meta.links, "pdf", f"{WEB}/pdf?id={paper_id}")
    else:
        add_link(meta.links, "pdf", pdf)
    add_link(meta.links, "code", value(content, "code"))
    return meta


def _authors(raw: Any) -> list[str]:
    """Names from a list of strings or of ``{"fullname": ...}`` objects; "Anonymous" is none."""
    if not isinstance(raw, list):
        return []
    names = [item.get("fullname") if isinstance(item, dict) else item for item in raw]
    authors = string_list(names)
    return [] if authors in (["Anonymous"], ["Anonymous Authors"]) else authors


def _venue_id(note: dict, content: dict) -> str:
    """The venue's id: content.venueid, else the domain (v2), else the invitation (v1)."""
    for candidate in (value(content, "venueid"), note.get("domain"), note.get("invitation")):
        if isinstance(candidate, str) and candidate:
            return candidate
    invitations = note.get("invitations")
    if isinstance(invitations, list) and invitations and isinstance(invitations[0], str):
        return invitations[0]
    return ""


def _venue(venue_id: str, venue_text: str | None) -> tuple[str | None, int | None]:
    match = VENUE_ID.match(venue_id)
    if match:
        year = int(match.group(2))
        return f"{match.group(1)} {year}", year_of(year)
    if venue_id.split("/")[0] == "TMLR":
        return "TMLR", None
    if venue_text:
        found = re.search(r"\b(19|20)\d{2}\b", venue_text)
        return venue_text, year_of(int(found.group())) if found else None
    return None, None


def _year_from_dates(note: dict) -> int | None:
    for key in ("pdate", "odate", "cdate", "tcdate"):
        stamp = note.get(key)
        if isinstance(stamp, int) and not isinstance(stamp, bool) and stamp > 0:
            try:
                return year_of(dt.datetime.fromtimestamp(stamp / 1000, dt.UTC).year)
            except (OverflowError, OSError, ValueError):
                continue
    return None


def _decision(note: dict, venue_id: str, venue_text: str | None) -> str | None:
    """The decision reply when there is one, else what the venue id and venue say."""
    details = note.get("details")
    details = details if isinstance(details, dict) else {}
    replies = details.get("directReplies") or details.get("replies") or []
    for reply in replies if isinstance(replies, list) else []:
        if not isinstance(reply, dict):
            continue
        invitations = reply.get("invitations") or [reply.get("invitation")]
        if not isinstance(invitations, list):
            continue
        if any(isinstance(i, str) and i.endswith("/-/Decision") for i in invitations):
            content = reply.get("content")
            content = content if isinstance(content, dict) else {}
            decision = clean_line(value(content, "decision"))
            if decision:
                return decision
    tail = venue_id.rsplit("/", 1)[-1]
    if tail == "Rejected_Submission":
        return "Reject"
    if tail == "Withdrawn_Submission":
        return "Withdrawn"
    if tail == "Desk_Rejected_Submission":
        return "Desk Rejected"
    if venue_text and tail not in ("Submission", "Blind_Submission", "Under_Review"):
        kind = ACCEPT_KIND.search(venue_text)
        if kind:
            return f"Accept ({kind.group(1).title()})"
    return None
