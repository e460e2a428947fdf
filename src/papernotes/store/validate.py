"""Whole-knowledge-base checks: each record, the taxonomy, and how they refer to each other."""

from __future__ import annotations

from collections import defaultdict

from papernotes.errors import Problem
from papernotes.store.kb import Collection, KnowledgeBase
from papernotes.store.yamlio import line_of


def validate(
    kb: KnowledgeBase, strict: bool = False, collection: Collection | None = None
) -> list[Problem]:
    """Every problem in the knowledge base, in file order. ``strict`` adds completeness checks."""
    taxonomy, problems = kb.taxonomy_checked()
    # A tags.yaml that does not load at all is reported once above; checking every
    # record's tags against the empty taxonomy would only add a false line per tag.
    check_tags = not (problems and not taxonomy.tags)
    problems = list(problems)
    coll = collection or kb.load_all()
    problems.extend(coll.problems)

    by_fold: dict[str, list[str]] = defaultdict(list)
    for pid in coll.papers:
        by_fold[pid.casefold()].append(pid)
    for loaded in coll.loaded:
        paper = loaded.paper
        if paper is None:
            continue
        where = loaded.shown
        node = loaded.node
        twins = [p for p in by_fold[paper.id.casefold()] if p != paper.id]
        if twins:
            problems.append(
                Problem(
                    where,
                    f"id differs only by case from {twins[0]!r}",
                    line_of(node, "id"),
                    "id",
                    "such files collide on case-insensitive file systems",
                )
            )
        for i, tag in enumerate(paper.tags if check_tags else ()):
            if tag in taxonomy:
                continue
            canonical = taxonomy.resolve(tag)
            if canonical:
                problems.append(
                    Problem(
                        where,
                        f"tag {tag!r} is an alias of {canonical!r}",
                        line_of(node, "tags", i),
                        f"tags[{i}]",
                        "run 'papernotes fmt' to fix",
                    )
                )
            else:
                close = taxonomy.suggest(tag)
                hint = (
                    f"did you mean {close[0]!r}?" if close else "add it to tags.yaml or remove it"
                )
                problems.append(
                    Problem(
                        where, f"unknown tag {tag!r}", line_of(node, "tags", i), f"tags[{i}]", hint
                    )
                )
        seen_related = set()
        for i, link in enumerate(paper.related):
            if link.id in seen_related:
                problems.append(
                    Problem(
                        where,
                        f"{link.id!r} is linked twice",
                        line_of(node, "related", i, "id"),
                        f"related[{i}].id",
                    )
                )
            seen_related.add(link.id)
            if link.id not in coll.papers and not kb.exists(link.id):
                problems.append(
                    Problem(
                        where,
                        f"related paper {link.id!r} has no record",
                        line_of(node, "related", i, "id"),
                        f"related[{i}].id",
                    )
                )
        for i, conflict in enumerate(paper.conflicts):
            problems.append(
                Problem(
                    where,
                    f"{conflict.field} was changed differently on both sides of a merge "
                    f"(the other value is {_short(conflict.theirs)})",
                    line_of(node, "conflicts", i),
                    f"conflicts[{i}]",
                    f"run 'papernotes resolve {paper.id}'",
                )
            )
        if strict:
            for i, note in enumerate(paper.notes):
                for lang in note.missing_languages():
                    problems.append(
                        Problem(
                            where,
                            f"note has no {'Chinese' if lang == 'zh' else 'English'} text",
                            line_of(node, "notes", i),
                            f"notes[{i}].{lang}",
                            "add the translation",
                        )
                    )
    from papernotes.links.notes_md import check_notes  # links/ imports the store, not back

    problems.extend(check_notes(kb, coll, strict))
    return problems


def _short(value) -> str:
    text = "nothing" if value is None else repr(value if isinstance(value, str) else str(value))
    return text if len(text) <= 60 else text[:57] + "..."
