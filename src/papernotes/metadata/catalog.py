"""The offline catalog of ICLR 2020 submissions shipped in the package.

Gives title, decision and ratings for 2,594 papers with no network. Titles from
the accepted-paper list keep their original capitalisation; the others were
re-cased word by word by a crawler and are repaired where that is safe.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources

VENUE = "ICLR 2020"
YEAR = 2020


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    title: str
    decision: str | None
    ratings: tuple[int, ...]
    title_source: str

    @property
    def venue(self) -> str:
        return VENUE

    @property
    def year(self) -> int:
        return YEAR


@functools.cache
def load_catalog() -> dict[str, CatalogEntry]:
    text = (
        resources.files("papernotes.data")
        .joinpath("iclr2020-submissions.tsv")
        .read_text(encoding="utf-8")
    )
    entries = {}
    for row in csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE):
        ratings = tuple(int(r) for r in (row.get("ratings") or "").split() if r.isdigit())
        entries[row["id"]] = CatalogEntry(
            id=row["id"],
            title=_unquote(row["title"].strip()),
            decision=(row.get("decision") or "").strip() or None,
            ratings=ratings,
            title_source=row.get("title_source") or "",
        )
    return entries


def _unquote(title: str) -> str:
    """Titles holding quotes were written CSV-style ("On the ""x"" of y"); undo that."""
    if len(title) > 1 and title[0] == title[-1] == '"':
        return title[1:-1].replace('""', '"')
    return title


def lookup(paper_id: str) -> CatalogEntry | None:
    return load_catalog().get(paper_id)


SMALL_WORDS = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "by",
    "for",
    "from",
    "in",
    "into",
    "of",
    "on",
    "or",
    "over",
    "the",
    "to",
    "via",
    "vs",
    "with",
    "without",
}


def readable_title(title: str, acronyms: set[str] | None = None) -> str:
    """Title case for an ALL-CAPS or crawler-cased title; small words lower-case inside."""
    words = re.split(r"(\s+)", title.strip())
    out = []
    first = True
    for word in words:
        if not word or word.isspace():
            out.append(word)
            continue
        out.append(_case_word(word, first, acronyms or set()))
        first = word.endswith(":")
    return "".join(out)


def _case_word(word: str, first: bool, acronyms: set[str]) -> str:
    parts = re.split(r"([-/])", word)
    cased = []
    for part in parts:
        core = re.sub(r"[^A-Za-z0-9]", "", part)
        if not core:
            cased.append(part)
        elif core.upper() in acronyms:
            cased.append(part.upper())
        elif not first and len(parts) == 1 and part.lower() in SMALL_WORDS:
            cased.append(part.lower())
        else:
            cased.append(part[:1].upper() + part[1:].lower())
    return "".join(cased)


def display_title(entry: CatalogEntry) -> str:
    """The catalog title as best shown: accepted-list titles as printed; crawler-cased
    listing titles with small words lower-cased ("On The X Of Y" -> "On the X of Y")."""
    if entry.title_source != "listing":
        return entry.title
    words = entry.title.split(" ")
    return " ".join(
        w.lower() if 0 < i and w.lower() in SMALL_WORDS and not words[i - 1].endswith(":") else w
        for i, w in enumerate(words)
    )
