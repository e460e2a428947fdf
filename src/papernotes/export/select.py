"""Which papers an export is about: a search query, a tag, explicit ids, or everything.

Arguments are told apart like this: with ``ids=True`` every argument must be a
paper; otherwise the arguments are ids when each one names an existing paper or
one of them is unmistakably a reference (a URL, or an ``arxiv:``/``doi:``/``url:``
id), and a search query in every other case: the words joined, read by
:func:`papernotes.index.select` exactly as ``papernotes search`` reads them.
``tag`` narrows any of these to papers with that tag or one of its child tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from papernotes.errors import Problem, UsageError
from papernotes.model.ids import parse_paper_ref
from papernotes.store.kb import KnowledgeBase
from papernotes.store.tags import resolve_tag

if TYPE_CHECKING:
    from papernotes.model.record import Paper

EXPLICIT_PREFIXES = ("arxiv:", "doi:", "url:", "http://", "https://", "openreview.net", "arxiv.org")


@dataclass
class Selection:
    """The papers chosen (in order), every loaded paper (for keys and titles), problems."""

    papers: list[Paper]
    everything: dict[str, Paper]
    mode: str  # "all", "query", "ids" or "tag"
    tags: list[str] | None = None  # the tag filter and its descendants
    problems: list[Problem] = field(default_factory=list)


def _as_existing_id(arg: str, papers: dict[str, Paper]) -> str | None:
    try:
        found = parse_paper_ref(arg)
    except UsageError:
        return None
    return found if found in papers else None


def _explicit(arg: str) -> bool:
    return arg.strip().lower().startswith(EXPLICIT_PREFIXES)


def select(
    kb: KnowledgeBase,
    args: Sequence[str] = (),
    tag: str | None = None,
    ids: bool = False,
    views: bool = False,
) -> Selection:
    """The papers ``args`` and ``tag`` choose (see the module). ``views``: the papers are
    the index's views of the stored records (``papernotes.index.reads.RecordView``, the
    models' attributes without the models), for a format that only reads them."""
    from papernotes.index import records

    coll = records.views(kb) if views else records.papers(kb)
    everything = coll.papers
    args = [a for a in args if a.strip()]
    wanted_tags = kb.taxonomy().descendants(resolve_tag(kb, tag)) if tag is not None else None
    if ids and not args:
        raise UsageError("--ids needs at least one paper id")
    if not args:
        mode = "tag" if tag is not None else "all"
        chosen = sorted(everything.values(), key=lambda p: p.id)
    elif (
        ids or any(_explicit(a) for a in args) or all(_as_existing_id(a, everything) for a in args)
    ):
        mode = "ids"
        chosen = []
        for arg in args:
            paper_id = parse_paper_ref(arg)
            paper = everything.get(paper_id) or kb.get(paper_id)  # raises not found / bad data
            if all(p.id != paper.id for p in chosen):
                chosen.append(paper)
    else:
        mode = "query"
        from papernotes.index import select as search_select  # sqlite only when searching

        found = search_select(kb, " ".join(args))
        chosen = [everything[i] for i in found if i in everything]
    if wanted_tags is not None:
        allowed = set(wanted_tags)
        chosen = [p for p in chosen if allowed & set(p.tags)]
    return Selection(chosen, everything, mode, wanted_tags, coll.problems)
