"""Whole-knowledge-base checks: each record, the taxonomy, and how they refer to each other."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Container, Iterable
from typing import TYPE_CHECKING

from papernotes.errors import Problem, WriteError
from papernotes.store.kb import Collection, KnowledgeBase, gc_paused

if TYPE_CHECKING:
    from papernotes.index.records import Entries
    from papernotes.model.taxonomy import Taxonomy


def validate(
    kb: KnowledgeBase,
    strict: bool = False,
    collection: Collection | None = None,
    full: bool = False,
) -> list[Problem]:
    """Every problem in the knowledge base, in file order. ``strict`` adds completeness checks.

    Each record's own problems come from the index, which validated the file when it last
    changed; only the rules between files are checked again. ``full`` re-reads and
    re-validates every file instead (in worker processes on a large knowledge base), and so
    does a ``collection``, from the records it holds.
    """
    with gc_paused():  # the facts of 20,000 files and their problems: no cycles
        return _validate(kb, strict, collection, full)


def _validate(
    kb: KnowledgeBase, strict: bool, collection: Collection | None, full: bool
) -> list[Problem]:
    papers, files = _records(kb, collection, full)
    # the index's copy of tags.yaml when it has no problems; else the file tells them
    taxonomy, found = kb.taxonomy_checked(getattr(papers, "taxonomy", None))
    problems = list(found)
    # A tags.yaml that does not load at all is reported once above; checking every
    # record's tags against the empty taxonomy would only add a false line per tag.
    check_tags = not (problems and not taxonomy.tags)
    from papernotes.store.glossary import load_pairs

    problems.extend(load_pairs(kb)[1])
    problems.extend(papers.problems)
    problems.extend(kb.unread_paths())
    known = papers.papers
    by_fold, by_key = _by_fold(known), _by_key(files)
    # the ids and keys that may clash, and the tags that are known: each rule below is
    # then looked at closely only for the few files it may find a problem in
    twins = {pid for ids in by_fold.values() if len(ids) > 1 for pid in ids}
    shared = {key for key, where in by_key.items() if len(where) > 1}
    tag_names = taxonomy.tags.keys()
    for where, paper in files:
        if paper["id"] in twins:
            problems.extend(_twin_ids(where, paper, by_fold))
        if shared and paper.get("key") and paper["key"].casefold() in shared:
            problems.extend(_shared_keys(where, paper, by_key))
        if check_tags and not tag_names >= set(paper["tags"]):
            problems.extend(_tag_problems(where, paper, taxonomy))
        if paper["related"]:
            problems.extend(_related_problems(kb, where, paper, known))
        # scalar fields a merge found changed on both sides (see papernotes.share.merge)
        if paper.get("conflicts"):
            problems.extend(Problem(**found) for found in paper["conflicts"])
        if strict:
            problems.extend(_strict_problems(where, paper))
    from papernotes.store.notes import check_notes

    problems.extend(check_notes(kb, papers, taxonomy, check_tags, strict))
    return problems


def _records(
    kb: KnowledgeBase, collection: Collection | None, full: bool
) -> tuple[Collection | Entries, list[tuple[str, dict]]]:
    """The records to check and the facts of every file that loaded, from the index when
    it is usable, else from the files (or ``collection``) themselves."""
    papers: Collection | Entries | None = None
    if collection is None:
        from papernotes.index.records import checked

        try:
            papers, files = checked(kb, full=full)
        except WriteError:  # no usable index: read every file
            papers = None
    if papers is None:
        from papernotes.index.records import facts

        everything = collection or kb.load_all()
        files = [(loaded.shown, facts(loaded)) for loaded in everything.loaded if loaded.paper]
        papers = everything
    return papers, files


def _by_fold(known: Iterable[str]) -> dict[str, list[str]]:
    """The ids of ``known`` under each :func:`_fold` key."""
    by_fold: dict[str, list[str]] = defaultdict(list)
    for pid in known:
        by_fold[_fold(pid)].append(pid)
    return by_fold


def _by_key(files: list[tuple[str, dict]]) -> dict[str, list[str]]:
    """The files that give each citation key, under its casefolded form."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for where, paper in files:
        if paper.get("key"):
            by_key[paper["key"].casefold()].append(where)
    return by_key


def _twin_ids(where: str, paper: dict, by_fold: dict[str, list[str]]) -> list[Problem]:
    """An id that differs from another only by case or Unicode normalisation."""
    lines = paper["lines"]
    problems = []
    twins = [p for p in by_fold[_fold(paper["id"])] if p != paper["id"]]
    if twins:
        kind = (
            "case"
            if twins[0].casefold() == paper["id"].casefold()
            else "Unicode normalisation or case"
        )
        problems.append(
            Problem(
                where,
                f"id differs only by {kind} from {twins[0]!r}",
                lines["id"],
                "id",
                "such files collide on case-insensitive file systems",
            )
        )
    return problems


def _shared_keys(where: str, paper: dict, by_key: dict[str, list[str]]) -> list[Problem]:
    """A citation key that another file gives too."""
    lines = paper["lines"]
    problems = []
    if paper.get("key"):
        others = [s for s in by_key[paper["key"].casefold()] if s != where]
        if others:
            problems.append(
                Problem(
                    where,
                    f"citation key {paper['key']!r} is also the key of {others[0]}",
                    lines.get("key"),
                    "key",
                    "give one of them another key (a key is never reused)",
                )
            )
    return problems


def _tag_problems(where: str, paper: dict, taxonomy: Taxonomy) -> list[Problem]:
    """Tags that are aliases, or not in the taxonomy at all."""
    lines = paper["lines"]
    problems = []
    for i, tag in enumerate(paper["tags"]):
        if tag in taxonomy:
            continue
        canonical = taxonomy.resolve(tag)
        if canonical:
            problems.append(
                Problem(
                    where,
                    f"tag {tag!r} is an alias of {canonical!r}",
                    lines["tags"][i],
                    f"tags[{i}]",
                    "run 'papernotes fmt' to fix",
                )
            )
        else:
            close = taxonomy.suggest(tag)
            hint = f"did you mean {close[0]!r}?" if close else "add it to tags.yaml or remove it"
            problems.append(
                Problem(where, f"unknown tag {tag!r}", lines["tags"][i], f"tags[{i}]", hint)
            )
    return problems


def _related_problems(
    kb: KnowledgeBase, where: str, paper: dict, known: Container[str]
) -> list[Problem]:
    """Related links given twice, or to a paper with no record."""
    lines = paper["lines"]
    problems = []
    seen_related = set()
    for i, link in enumerate(paper["related"]):
        if link in seen_related:
            problems.append(
                Problem(where, f"{link!r} is linked twice", lines["related"][i], f"related[{i}].id")
            )
        seen_related.add(link)
        if link not in known and not kb.exists(link):
            problems.append(
                Problem(
                    where,
                    f"related paper {link!r} has no record",
                    lines["related"][i],
                    f"related[{i}].id",
                )
            )
    return problems


def _strict_problems(where: str, paper: dict) -> list[Problem]:
    """The completeness checks of ``--strict``: untranslated notes and the record's own."""
    lines = paper["lines"]
    problems = []
    for i, missing in enumerate(paper["missing"]):
        for lang in missing:
            problems.append(
                Problem(
                    where,
                    f"note has no {'Chinese' if lang == 'zh' else 'English'} text",
                    lines["notes"][i],
                    f"notes[{i}].{lang}",
                    "add the translation",
                )
            )
    problems.extend(Problem(**found) for found in paper.get("strict", ()))
    return problems


def _fold(paper_id: str) -> str:
    """Ids equal under this key name the same paper (é typed as one or two code points)."""
    if paper_id.isascii():  # NFKC leaves ASCII as it is, and casefold is lower there
        return paper_id.lower()
    return unicodedata.normalize("NFKC", paper_id).casefold()
