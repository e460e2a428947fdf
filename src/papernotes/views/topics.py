"""A topic page: everything the knowledge base knows about one tag."""

from __future__ import annotations

from collections import Counter
from datetime import date
from statistics import mean
from typing import TYPE_CHECKING

from papernotes.store.notes import load_notes
from papernotes.views.decisions import decision_rank

if TYPE_CHECKING:
    from papernotes.store.notes import NoteFile

SORTS = ("decision", "rating", "added", "id")
TOPIC_KEYS = ("id", "title", "decision", "ratings", "added", "tags")  # of each digest


def mean_rating(paper: dict) -> float | None:
    """The mean of a paper digest's ratings (see papernotes.index.records.digest)."""
    return round(mean(paper["ratings"]), 2) if paper["ratings"] else None


def sort_papers(papers: list[dict], sort: str) -> list[dict]:
    def rating(p) -> float:
        value = mean_rating(p)
        return -value if value is not None else 99.0

    def added(p) -> int:
        return date.fromisoformat(p["added"]).toordinal() if p["added"] else 0

    keys = {
        "decision": lambda p: (decision_rank(p["decision"]), rating(p), p["id"]),
        "rating": lambda p: (rating(p), decision_rank(p["decision"]), p["id"]),
        "added": lambda p: (-added(p), p["id"]),
        "id": lambda p: p["id"],
    }
    return sorted(papers, key=keys[sort])


def _label(taxonomy, name: str) -> dict:
    tag = taxonomy.tags.get(name)
    return {"name": name, "en": tag.en if tag else None, "zh": tag.zh if tag else None}


def topic_page(kb, name: str, sort: str = "decision", collection=None, notes=None) -> dict:
    """The page of the tag ``name``: a tag name, alias or label as the user typed it (one-line
    errors from :func:`resolve_tag` when it names no tag)."""
    from papernotes.index.records import digest
    from papernotes.store.tags import resolve_tag
    from papernotes.views.listing import digests_and_taxonomy

    if not name.strip():
        resolve_tag(kb, name)  # the error for an empty name, before any reading
    if collection is not None:
        name = resolve_tag(kb, name)
        taxonomy = kb.taxonomy()
        subtree = taxonomy.descendants(name)
        rows = [digest(p) for p in collection.papers.values()]
        members = [p for p in rows if set(subtree).intersection(p["tags"])]
    else:
        found, _, indexed, below = digests_and_taxonomy(kb, TOPIC_KEYS, name)
        assert below is not None
        subtree, name, taxonomy = below, below[0], kb.taxonomy(indexed)  # the tag's own first
        members = list(found.values())
    tag = taxonomy.tags[name]
    # a paper with a child tag is a member: the children's counts are the members'
    counts = Counter(t for p in members for t in p["tags"])
    papers = _paper_rows(members, subtree, sort)
    member_ids = {p["id"] for p in members}
    cooccurring = Counter(t for p in members for t in p["tags"] if t not in subtree)
    notes = notes if notes is not None else load_notes(kb, taxonomy)
    discussed = _discussed(notes, subtree, member_ids)
    return {
        "name": name,
        "en": tag.en,
        "zh": tag.zh,
        "aliases": list(tag.aliases),
        "description": tag.description,
        "parent": _label(taxonomy, tag.parent) if tag.parent else None,
        "ancestors": taxonomy.parent_chain(name),
        "children": [
            {**_label(taxonomy, child), "papers": counts.get(child, 0)}
            for child in taxonomy.children(name)
        ],
        "sort": sort,
        "papers": papers,
        "notes": discussed,
        "cooccurring": [
            {**_label(taxonomy, t), "papers": n}
            for t, n in sorted(cooccurring.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        ],
    }


def _paper_rows(members: list[dict], subtree: list[str], sort: str) -> list[dict]:
    """The page's papers in ``sort`` order, each with the tags of the subtree it is here by."""
    return [
        {
            "id": p["id"],
            "title": p["title"],
            "decision": p["decision"],
            "ratings": list(p["ratings"]),
            "mean_rating": mean_rating(p),
            "added": p["added"],
            "tags": list(p["tags"]),
            "via": [t for t in p["tags"] if t in subtree],
        }
        for p in sort_papers(members, sort)
    ]


def _discussed(notes: list[NoteFile], subtree: list[str], member_ids: set[str]) -> list[dict]:
    """The notes/ files that link to the tag's subtree or its papers, most links first."""
    discussed: list[dict] = []
    for note in notes:
        tag_lines = [
            link for link in note.links if link.kind == "tag" and link.target in set(subtree)
        ]
        linked = [pid for pid in note.papers if pid in member_ids]
        if not tag_lines and not linked:
            continue
        first = (
            tag_lines[0]
            if tag_lines
            else next(
                link for link in note.links if link.kind == "paper" and link.target in member_ids
            )
        )
        discussed.append(
            {
                "path": note.shown,
                "title": note.title,
                "tag_links": len(tag_lines),
                "papers": linked,
                "line": first.line,
                "text": first.text,
            }
        )
    discussed.sort(key=lambda n: (-n["tag_links"], -len(n["papers"]), n["path"]))
    return discussed
