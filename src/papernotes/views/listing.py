"""Listing papers and tags."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from papernotes.errors import Problem, UsageError, WriteError
from papernotes.index.records import SUMMARY_KEYS
from papernotes.store.kb import KnowledgeBase
from papernotes.store.tags import resolve_tag
from papernotes.text import tokenize

if TYPE_CHECKING:
    from papernotes.model.taxonomy import Taxonomy


def summary(row: dict) -> dict:
    """One paper as ``list`` prints it, from its digest (see papernotes.index.records)."""
    return {k: row[k] for k in SUMMARY_KEYS}


def digests_and_taxonomy(
    kb: KnowledgeBase, keys: tuple[str, ...], tag: str | None = None
) -> tuple[dict[str, dict], list[Problem], Taxonomy | None, list[str] | None]:
    """Every loadable paper's digest with these ``keys`` (and no others), keyed by id, every
    problem, and the taxonomy, all from one fresh index (kept fresh as for a search), or
    from the files themselves when the index cannot be used. The taxonomy is None when
    tags.yaml has problems or the index cannot be used: then read the file
    (``kb.taxonomy_checked()`` tells the problems).

    ``tag``: only the papers carrying it or a tag below it (``keys`` must hold "tags").
    The names of the tag and of those below it, its own first, come fourth (the one-line
    errors of :func:`resolve_tag` when it names none). The index then reads little more
    than those papers' digests."""
    from papernotes.index.records import digest, read_fields

    subtree: list[str] | None = None

    def below(indexed: Taxonomy | None) -> list[str]:
        nonlocal subtree
        assert tag is not None
        subtree = kb.taxonomy(indexed).descendants(resolve_tag(kb, tag, indexed))
        return subtree

    try:
        found = read_fields(kb, keys, below if tag is not None else None)
        papers, problems, taxonomy = found.papers, found.problems, found.taxonomy
    except WriteError:  # no writable cache anywhere, or locked for too long
        coll = kb.load_all()
        loaded = {pid: digest(p) for pid, p in coll.papers.items()}
        papers = {pid: {k: d[k] for k in keys} for pid, d in loaded.items()}
        problems, taxonomy = coll.problems, None
        if tag is not None:
            below(None)
    if subtree is not None:
        chosen = set(subtree)
        papers = {pid: p for pid, p in papers.items() if chosen.intersection(p["tags"])}
    return papers, problems, taxonomy, subtree


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
    if tag is not None and not tag.strip():
        resolve_tag(kb, tag)  # the error for an empty name, before any reading
    if by is not None and not tokenize(by):
        raise UsageError("--by needs a name")
    keys = SUMMARY_KEYS + (("by",) if by is not None else ())
    rows, problems, _, _ = digests_and_taxonomy(kb, keys, tag)
    papers = list(rows.values())
    if statuses:
        papers = [p for p in papers if (p["status"] or "none") in statuses]
    if by is not None:
        papers = [p for p in papers if written_by(p["by"], by)]
    orders = {
        "id": lambda p: p["id"],
        "title": lambda p: p["title"].casefold(),
        "added": lambda p: (p["added"] or "", p["id"]),
    }
    papers.sort(key=orders[sort])
    if by is None:  # the digests hold SUMMARY_KEYS and no more (20,000 copies saved)
        return papers, problems
    return [summary(p) for p in papers], problems


def tag_rows(kb: KnowledgeBase) -> tuple[list[dict], list[Problem]]:
    from papernotes.index.records import read_groups

    groups, record_problems, taxonomy = read_groups(kb)
    counts: Counter = Counter()
    for group in groups:
        for tag in group.tags:
            counts[tag] += group.papers
    # None: tags.yaml has problems (or there is no index), which the file tells
    taxonomy, problems = kb.taxonomy_checked(taxonomy)
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
