"""Counts over the whole knowledge base: papers per tag and decision, notes per language."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from papernotes.reading import MARKS, STATUSES
from papernotes.store.notes import load_notes
from papernotes.views.decisions import decision_rank

if TYPE_CHECKING:
    from papernotes.index.records import Group
    from papernotes.model.taxonomy import Taxonomy
    from papernotes.store.notes import NoteFile


def kb_stats(kb, notes=None) -> dict:
    """Plain numbers for ``papernotes stats`` (JSON-ready, sorted largest first), from the
    papers grouped by what is counted in the index (or from the files themselves when the
    index cannot be used)."""
    from papernotes.index.records import read_groups

    groups, problems, indexed = read_groups(kb)
    taxonomy = kb.taxonomy(indexed)
    notes = notes if notes is not None else load_notes(kb, taxonomy)
    statuses: Counter = Counter()
    marks: Counter = Counter()
    for group in groups:
        statuses[group.status or "(none)"] += group.papers
        for mark in group.marks:
            marks[mark] += group.papers
    return {
        "papers": sum(g.papers for g in groups),
        "unloadable": len({pr.path for pr in problems}),
        "untagged": sum(g.papers for g in groups if not g.tags),
        "tags": _tag_rows(groups, taxonomy),
        "decisions": _decision_rows(groups),
        "statuses": [
            {"status": s, "papers": statuses[s]} for s in (*STATUSES, "(none)") if statuses.get(s)
        ],
        "marks": [{"mark": m, "notes": marks[m]} for m in MARKS if marks.get(m)],
        "notes": _note_counts(groups),
        "links": sum(g.related for g in groups),
        "notes_md": _notes_md_counts(notes),
    }


def _tag_rows(groups: list[Group], taxonomy: Taxonomy) -> list[dict]:
    """Papers per tag, alone and with the tags below it; unknown tags after the taxonomy's."""
    # A paper counts for its tags and every tag above them: one walk up per tag of each
    # different list of tags (papers share them), where a subtree per tag costs the square
    # of a deep chain's length.
    exact: Counter = Counter()
    with_children: Counter = Counter()
    alike: Counter = Counter()
    for group in groups:
        alike[tuple(group.tags)] += group.papers
    for names, count in alike.items():
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


def _decision_rows(groups: list[Group]) -> list[dict]:
    """Papers per decision, in the order of decisions (accepted first)."""
    decisions: Counter = Counter()
    for group in groups:
        decisions[group.decision or "(none)"] += group.papers
    return [
        {"decision": d, "papers": n}
        for d, n in sorted(
            decisions.items(),
            key=lambda kv: (decision_rank(None if kv[0] == "(none)" else kv[0]), -kv[1], kv[0]),
        )
    ]


def _note_counts(groups: list[Group]) -> dict:
    """Notes in all, bilingual, and per language: written in it first, and with its text."""
    original: Counter = Counter()
    written: Counter = Counter()
    total = bilingual = 0
    for group in groups:
        count = group.papers
        for lang, zh, en in group.note_langs:  # [lang, has zh, has en]
            total += count
            original[lang] += count
            if zh:
                written["zh"] += count
            if en:
                written["en"] += count
            if zh and en:
                bilingual += count
    return {
        "total": total,
        "bilingual": bilingual,
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
