"""Citation keys: computed once when a record is created, then stored in its ``key:`` field.

A key looks like ``sivaprasad2020tunability`` (first author's last name, year, first
significant title word). A paper without authors takes its first two significant title
words instead (``tunability2020optimizers``). Once stored, a key never changes: authors
arriving later, a new title or new tags leave it alone, so every ``\\cite`` keeps working.

Records written before keys were stored get theirs from ``legacy_keys``, which is exactly
how exports computed keys then (over the whole knowledge base, the paper added first
keeping the plain key); ``papernotes fmt`` stores that key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papernotes.model.record import Paper


SMALL_WORDS = frozenset(
    "a an and are as at be by can do does for from how in into is it its of on or over "
    "the to towards toward via vs what when where which why with without".split()
)


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return [w.lower() for w in re.findall(r"[A-Za-z0-9]+", folded)]


def _last_name(author: str) -> str:
    name = author.split(",")[0] if "," in author else (author.split() or [""])[-1]
    return "".join(_ascii_words(name))


def base_key(paper: Paper) -> str:
    """The key before collision suffixes: ``lastnameYEARword`` (see the module docstring)."""
    words = [w for w in _ascii_words(paper.title) if w not in SMALL_WORDS] or _ascii_words(
        paper.title
    )
    year = str(paper.year) if paper.year else ""
    author = _last_name(paper.authors[0]) if paper.authors else ""
    if author:
        key = f"{author}{year}{words[0] if words else ''}"
    elif words:
        key = f"{words[0]}{year}{words[1] if len(words) > 1 else ''}"
    else:
        key = ""
    if not key or not key[0].isalpha():
        key = "paper" + re.sub(r"[^a-z0-9]", "", paper.id.lower()) + (year if not key else "")
    return key


def _suffix(n: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa' ..."""
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def _added_order(paper: Paper) -> tuple[str, str]:
    return (paper.added.isoformat() if paper.added else "~", paper.id)


def legacy_keys(papers: Iterable[Paper], taken: Iterable[str] = ()) -> dict[str, str]:
    """Paper id -> key as exports computed it before keys were stored.

    Keys in ``taken`` (stored by other records) are avoided as suffixed keys are; with
    nothing taken this is exactly the old computation.
    """
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        groups.setdefault(base_key(paper), []).append(paper)
    stored = {k.casefold() for k in taken}
    used = set(groups) | set(stored)
    keys: dict[str, str] = {}
    for base in sorted(groups):
        members = sorted(groups[base], key=_added_order)
        n = 0
        for i, paper in enumerate(members):
            if i == 0 and base.casefold() not in stored:
                keys[paper.id] = base
                continue
            while base + _suffix(n) in used:
                n += 1
            keys[paper.id] = base + _suffix(n)
            used.add(keys[paper.id])
    return keys


def citation_keys(papers: Iterable[Paper]) -> dict[str, str]:
    """Paper id -> unique key: the stored key, else the legacy one (see ``legacy_keys``)."""
    papers = list(papers)
    keys = {p.id: p.key for p in papers if p.key}
    keys.update(legacy_keys([p for p in papers if not p.key], keys.values()))
    return keys


def new_key(paper: Paper, taken: Iterable[str]) -> str:
    """The key for a new record: its base key, suffixed until no other record has it."""
    used = {k.casefold() for k in taken}
    base = base_key(paper)
    if base.casefold() not in used:
        return base
    n = 0
    while (base + _suffix(n)).casefold() in used:
        n += 1
    return base + _suffix(n)
