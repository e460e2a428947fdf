"""Paper metadata as every source gives it: one shape for the catalog, OpenReview and arXiv.

Servers send what they like; everything here is cleaned so a record built from it
always validates (single-line titles, http(s) links, no control characters).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from papernotes.text import TEXT_CONTROL, one_line

LINK_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
URL = re.compile(r"^https?://\S+$")

# Record fields a metadata source may fill, in record order.
FIELDS = (
    "title",
    "authors",
    "venue",
    "year",
    "decision",
    "ratings",
    "abstract",
    "tldr",
    "keywords",
    "links",
    "bibtex",
)


@dataclass
class PaperMetadata:
    """What a source knows about a paper; empty values mean "unknown", never "erase"."""

    source: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    venue: str | None = None
    year: int | None = None
    decision: str | None = None
    ratings: list[int] = field(default_factory=list)
    abstract: str | None = None
    tldr: str | None = None
    keywords: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    bibtex: str | None = None

    def known(self) -> list[str]:
        """Names of the fields this source filled."""
        return [name for name in FIELDS if getattr(self, name) not in (None, [], {}, "")]

    def merged(self, other: PaperMetadata) -> PaperMetadata:
        """``other`` laid over ``self``: its known fields win, links are combined."""
        out = PaperMetadata(source=f"{self.source} + {other.source}")
        for name in FIELDS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if name == "links":
                setattr(out, name, {**mine, **theirs})
            else:
                setattr(out, name, theirs if theirs not in (None, [], "") else mine)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], {}, "")}


def clean_line(value: Any) -> str | None:
    """A single-line string (whitespace collapsed), or None for anything else or empty."""
    if not isinstance(value, str):
        return None
    text = one_line(TEXT_CONTROL.sub(" ", value))
    return text or None


def text_block(value: Any) -> str | None:
    """Multi-line text kept, with control characters removed and surrounding space trimmed."""
    if not isinstance(value, str):
        return None
    text = TEXT_CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    return text or None


def string_list(value: Any) -> list[str]:
    """Non-empty single-line strings from a list; anything else is dropped."""
    if not isinstance(value, list):
        return []
    out: list[str] = []
    for item in value:
        text = clean_line(item)
        if text and text not in out:
            out.append(text)
    return out


def year_of(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100:
        return value
    return None


def add_link(links: dict[str, str], key: str, url: Any) -> None:
    """Add ``key: url`` if both are acceptable to the record schema."""
    if isinstance(url, str) and LINK_KEY.match(key) and URL.match(url.strip()):
        links.setdefault(key, url.strip())
