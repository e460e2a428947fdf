"""Listing papers and tags."""

from __future__ import annotations

from collections import Counter

from papernotes.errors import DataError, NotFoundError, Problem, UsageError
from papernotes.store.kb import KnowledgeBase
from papernotes.text import tokenize


def resolve_tag(kb: KnowledgeBase, text: str) -> str:
    """The canonical tag for a name, label or alias; one-line errors otherwise."""
    if not text.strip():
        raise UsageError("empty tag name (see 'papernotes tags')")
    taxonomy, problems = kb.taxonomy_checked()
    if problems and not taxonomy.tags:
        raise DataError(problems)
    name = taxonomy.resolve(text)
    if name is None:
        close = taxonomy.suggest(text)
        hint = (
            f" (did you mean {', '.join(repr(c) for c in close)}?)"
            if close
            else " (see 'papernotes tags')"
        )
        raise NotFoundError(f"unknown tag {text!r}{hint}")
    return name


def summary(paper) -> dict:
    return {
        "id": paper.id,
        "title": paper.title,
        "venue": paper.venue,
        "year": paper.year,
        "decision": paper.decision,
        "tags": list(paper.tags),
        "notes": len(paper.notes),
        "added": paper.added.isoformat() if paper.added else None,
    }


def written_by(paper, name: str) -> bool:
    """Whether a note of ``paper`` is by ``name``: its words, in order, within the note's by:."""
    wanted = tokenize(name, bigrams=False)
    for author in {note.by for note in paper.notes if note.by}:
        words = tokenize(author, bigrams=False)
        if any(words[i : i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1)):
            return True
    return False


def list_papers(
    kb: KnowledgeBase, tag: str | None = None, sort: str = "id", by: str | None = None
) -> tuple[list[dict], list[Problem]]:
    wanted = set(kb.taxonomy().descendants(resolve_tag(kb, tag))) if tag is not None else None
    if by is not None and not tokenize(by):
        raise UsageError("--by needs a name")
    coll = kb.load_all()
    papers = [p for p in coll.papers.values() if wanted is None or wanted & set(p.tags)]
    if by is not None:
        papers = [p for p in papers if written_by(p, by)]
    keys = {
        "id": lambda p: p.id,
        "title": lambda p: p.title.casefold(),
        "added": lambda p: (p.added.isoformat() if p.added else "", p.id),
    }
    papers.sort(key=keys[sort])
    return [summary(p) for p in papers], coll.problems


def tag_rows(kb: KnowledgeBase) -> tuple[list[dict], list[Problem]]:
    taxonomy, problems = kb.taxonomy_checked()
    coll = kb.load_all()
    counts = Counter(tag for p in coll.papers.values() for tag in p.tags)
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
    return rows, problems + coll.problems
