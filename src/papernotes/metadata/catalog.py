"""The offline catalog of ICLR 2020 submissions shipped in the package.

Gives title, decision and ratings for 2,594 papers with no network (a TSV file), and
authors, keywords, abstract and TL;DR (``iclr2020-metadata.bin``). Titles from the
accepted-paper list keep their original capitalisation; the others were re-cased
word by word by a crawler and are repaired where that is safe.

The metadata file stays small and quick to search: records sorted by id, in blocks of
``BLOCK`` records, each block compressed alone (xz). A one-line JSON header gives the
first id and the size of every block, so finding one paper reads and decompresses one
block; see ``data/README.md``.
"""

from __future__ import annotations

import bisect
import csv
import functools
import json
import lzma
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

METADATA_FILE = "iclr2020-metadata.bin"
METADATA_FORMAT = "papernotes-catalog/1"
BLOCK = 256
# A small dictionary (a block is a few hundred kB) keeps decompression quick and lean.
_XZ_FILTERS = [{"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME, "dict_size": 1 << 20}]

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


@dataclass(frozen=True)
class CatalogDetails:
    """What the catalog knows beyond the title: authors in order, keywords, abstract, TL;DR."""

    id: str
    authors: tuple[str, ...]
    keywords: tuple[str, ...]
    abstract: str | None
    tldr: str | None


def pack_metadata(rows: Iterable[dict]) -> bytes:
    """The metadata file for ``rows`` (dicts with id, authors, keywords, abstract, tldr)."""
    lines = sorted(
        (
            row["id"],
            json.dumps(
                [row["id"], row.get("authors") or [], row.get("keywords") or []]
                + [row.get("abstract"), row.get("tldr")],
                ensure_ascii=False,
                separators=(",", ":"),
            ),
        )
        for row in rows
    )
    blocks, first = [], []
    for start in range(0, len(lines), BLOCK):
        chunk = lines[start : start + BLOCK]
        first.append(chunk[0][0])
        text = "".join(line + "\n" for _, line in chunk).encode("utf-8")
        blocks.append(lzma.compress(text, filters=_XZ_FILTERS))
    header = {"format": METADATA_FORMAT, "first": first, "sizes": [len(b) for b in blocks]}
    return json.dumps(header, separators=(",", ":")).encode("utf-8") + b"\n" + b"".join(blocks)


@functools.cache
def _metadata_header() -> tuple[list[str], list[int]]:
    """(first id of each block, byte offset of each block) of the shipped file."""
    with _metadata_path().open("rb") as handle:
        line = handle.readline()
    header = json.loads(line)
    if header.get("format") != METADATA_FORMAT:
        raise ValueError(f"{METADATA_FILE}: unknown format {header.get('format')!r}")
    offsets, at = [], len(line)
    for size in header["sizes"]:
        offsets.append(at)
        at += size
    return header["first"], offsets + [at]


def _metadata_path():
    return resources.files("papernotes.data").joinpath(METADATA_FILE)


@functools.lru_cache(maxsize=4)
def _block(index: int) -> str:
    """One block's JSON lines, each starting with '["<id>",'."""
    first, offsets = _metadata_header()
    with _metadata_path().open("rb") as handle:
        handle.seek(offsets[index])
        blob = handle.read(offsets[index + 1] - offsets[index])
    return "\n" + lzma.decompress(blob).decode("utf-8")


def lookup_details(paper_id: str) -> CatalogDetails | None:
    """Authors, keywords, abstract and TL;DR of one ICLR 2020 paper (one block read)."""
    first, _ = _metadata_header()
    index = bisect.bisect_right(first, paper_id) - 1
    if index < 0:
        return None
    text = _block(index)
    start = text.find("\n" + json.dumps([paper_id], ensure_ascii=False)[:-1] + ",")
    if start < 0:
        return None
    end = text.find("\n", start + 1)
    _, authors, keywords, abstract, tldr = json.loads(text[start + 1 : end if end > 0 else None])
    return CatalogDetails(paper_id, tuple(authors), tuple(keywords), abstract, tldr)


def details_fields(paper_id: str) -> dict:
    """The catalog's authors, keywords, abstract and TL;DR as record fields (cleaned the
    way every metadata source is); {} for a paper it does not know."""
    from papernotes.metadata.base import string_list, text_block

    details = lookup_details(paper_id)
    if details is None:
        return {}
    return {
        "authors": string_list(list(details.authors)),
        "abstract": text_block(details.abstract),
        "tldr": text_block(details.tldr),
        "keywords": string_list(list(details.keywords)),
    }


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
