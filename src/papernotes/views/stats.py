"""Counts over the whole knowledge base: papers per tag and decision, notes per language."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from papernotes.reading import MARKS, STATUSES
from papernotes.store.notes import load_notes
from papernotes.views.decisions import decision_rank

if TYPE_CHECKING:
    from papernotes.model.taxonomy import Taxonomy
    from papernotes.store.notes import NoteFile

STATS_KEYS = ("tags", "decision", "note_langs", "status", "marks", "related")


def kb_stats(kb, collection=None, notes=None) -> dict:
    """Plain numbers for ``papernotes stats`` (JSON-ready, sorted largest first), from the
    papers' digests in the index (or of ``collection``, when given)."""
    from papernotes.index.records import digest
    from papernotes.views.listing import digests_and_taxonomy

    if collection is not None:
        rows = {pid: digest(p) for pid, p in collection.papers.items()}
        problems, taxonomy = collection.problems, kb.taxonomy()
    else:
        rows, problems, indexed, _ = digests_and_taxonomy(kb, STATS_KEYS)
        taxonomy = kb.taxonomy(indexed)
    papers = list(rows.values())
    notes = notes if notes is not None else load_notes(kb, taxonomy)
    statuses = Counter(p["status"] or "(none)" for p in papers)
    marks = Counter(m for p in papers for m in p["marks"])
    return {
        "papers": len(papers),
        "unloadable": len({pr.path for pr in problems}),
        "untagged": sum(1 for p in papers if not p["tags"]),
        "tags": _tag_rows(papers, taxonomy),
        "decisions": _decision_rows(papers),
        "statuses": [
            {"status": s, "papers": statuses[s]} for s in (*STATUSES, "(none)") if statuses.get(s)
        ],
        "marks": [{"mark": m, "notes": marks[m]} for m in MARKS if marks.get(m)],
        "notes": _note_counts(papers),
        "links": sum(p["related"] for p in papers),
        "notes_md": _notes_md_counts(notes),
    }


def _tag_rows(papers: list[dict], taxonomy: Taxonomy) -> list[dict]:
    """Papers per tag, alone and with the tags below it; unknown tags after the taxonomy's."""
    # A paper counts for its tags and every tag above them: one walk up per tag of each
    # different list of tags (papers share them), where a subtree per tag costs the square
    # of a deep chain's length.
    exact: Counter = Counter()
    with_children: Counter = Counter()
    for names, count in Counter(tuple(p["tags"]) for p in papers).items():
        covered = set()
        for tag in names:
            exact[tag] += count
            if tag in taxonomy:
                covered.add(tag)
                covered.update(taxonomy.parent_chain(tag))
        for tag in covered:
            with_children[tag] += count
    tags: list[dict] = []
    for name in taxonomy.tags:
        tags.append(
            {
                "tag": name,
                "papers": exact.get(name, 0),
                "with_children": with_children.get(name, 0),
                "parent": taxonomy.tags[name].parent,
            }
        )
    unknown = sorted(t for t in exact if t not in taxonomy)
    tags.extend(
        {"tag": t, "papers": exact[t], "with_children": exact[t], "parent": None} for t in unknown
    )
    tags.sort(key=lambda row: (-row["papers"], -row["with_children"], row["tag"].casefold()))
    return tags


def _decision_rows(papers: list[dict]) -> list[dict]:
    """Papers per decision, in the order of decisions (accepted first)."""
    decisions = Counter(p["decision"] or "(none)" for p in papers)
    return [
        {"decision": d, "papers": n}
        for d, n in sorted(
            decisions.items(),
            key=lambda kv: (decision_rank(None if kv[0] == "(none)" else kv[0]), -kv[1], kv[0]),
        )
    ]


def _note_counts(papers: list[dict]) -> dict:
    """Notes in all, bilingual, and per language: written in it first, and with its text."""
    all_notes = [n for p in papers for n in p["note_langs"]]  # [lang, has zh, has en]
    original = Counter(lang for lang, _, _ in all_notes)
    written = Counter(lang for n in all_notes for lang, has in (("zh", n[1]), ("en", n[2])) if has)
    return {
        "total": len(all_notes),
        "bilingual": sum(1 for _, zh, en in all_notes if zh and en),
        "languages": [
            {"lang": lang, "original": original.get(lang, 0), "with_text": written.get(lang, 0)}
            for lang in ("zh", "en")
        ],
    }


def _notes_md_counts(notes: list[NoteFile]) -> dict:
    """The notes/ files, their links to papers and tags, and their languages."""
    return {
        "files": len(notes),
        "paper_links": sum(1 for n in notes for link in n.links if link.kind == "paper"),
        "tag_links": sum(1 for n in notes for link in n.links if link.kind == "tag"),
        "languages": dict(Counter(n.lang for n in notes)),
    }
