"""Naming a tag: what a user typed (a name, label or alias) to the canonical tag."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes.errors import DataError, NotFoundError, UsageError

if TYPE_CHECKING:
    from papernotes.model.taxonomy import Taxonomy
    from papernotes.store.kb import KnowledgeBase


def resolve_tag(kb: KnowledgeBase, text: str, taxonomy: Taxonomy | None = None) -> str:
    """The canonical tag for a name, label or alias; one-line errors otherwise.
    ``taxonomy``: one already read (without problems), instead of tags.yaml."""
    if not text.strip():
        raise UsageError("empty tag name (see 'papernotes tags')")
    taxonomy, problems = kb.taxonomy_checked(taxonomy)
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
