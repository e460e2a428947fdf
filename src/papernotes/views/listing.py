"""Listing papers and tags."""

from __future__ import annotations

from collections import Counter

from papernotes.errors import Problem, UsageError, WriteError
from papernotes.store.kb import KnowledgeBase
from papernotes.store.tags import resolve_tag
from papernotes.text import tokenize

SUMMARY_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "venue",
    "year",
    "decision",
    "tags",
    "notes",
    "added",
)
SUMMARY_KEYS += ("status", "priority")


def summary(row: dict) -> dict:
    """One paper as ``list`` prints it, from its digest (see papernotes.index.records)."""
    return {k: row[k] for k in SUMMARY_KEYS}


def digests(kb: KnowledgeBase) -> tuple[dict[str, dict], list[Problem]]:
    """Every loadable paper's digest, keyed by id, and every problem, from the index (kept
    fresh as for a search); from the files themselves when the index cannot be used."""
    from papernotes.index.records import digest, read

    try:
        found = read(kb)
    except WriteError:  # no writable cache anywhere, or locked for too long
        coll = kb.load_all()
        return {pid: digest(p) for pid, p in coll.papers.items()}, coll.problems
    return found.papers, found.problems


def written_by(authors: list[str], name: str) -> bool:
    """Whether one of a paper's note ``authors`` (its digest's ``by``) is ``name``: its words,
    in order, within the note's by:."""
    wanted = tokenize(name, bigrams=False)
    for author in authors:
        words = tokenize(author, bigrams=False)
        if any(words[i : i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1)):
            return True
    return False


def list_papers(
    kb: KnowledgeBase,
    tag: str | None = None,
    sort: str = "id",
    statuses: tuple[str, ...] = (),
    by: str | None = None,
) -> tuple[list[dict], list[Problem]]:
    wanted = set(kb.taxonomy().descendants(resolve_tag(kb, tag))) if tag is not None else None
    if by is not None and not tokenize(by):
        raise UsageError("--by needs a name")
    rows, problems = digests(kb)
    papers = [p for p in rows.values() if wanted is None or wanted.intersection(p["tags"])]
    if statuses:
        papers = [p for p in papers if (p["status"] or "none") in statuses]
    if by is not None:
        papers = [p for p in papers if written_by(p["by"], by)]
    keys = {
        "id": lambda p: p["id"],
        "title": lambda p: p["title"].casefold(),
        "added": lambda p: (p["added"] or "", p["id"]),
    }
    papers.sort(key=keys[sort])
    return [summary(p) for p in papers], problems


def tag_rows(kb: KnowledgeBase) -> tuple[list[dict], list[Problem]]:
    taxonomy, problems = kb.taxonomy_checked()
    papers, record_problems = digests(kb)
    counts = Counter(tag for p in papers.values() for tag in p["tags"])
    rows = [
        {
            "name": name,
            "en": tag.en,
            "zh": tag.zh,
            "parent": tag.parent,
            "aliases": list(tag.aliases),
            "description": tag.description,
            "papers": counts.get(name, 0),
        }
        for name, tag in taxonomy.tags.items()
    ]
    return rows, problems + record_problems
