"""Laying fetched metadata over a record, without touching what the user wrote."""

from __future__ import annotations

from papernotes.metadata.base import FIELDS, PaperMetadata
from papernotes.model.record import Paper


def is_placeholder_title(paper: Paper) -> bool:
    """A record saved before its title was known carries its id as the title."""
    return paper.title == paper.id


def apply_metadata(
    paper: Paper, meta: PaperMetadata, *, overwrite: bool
) -> tuple[Paper, list[str]]:
    """``paper`` with ``meta`` applied, and the names of the fields that changed.

    ``overwrite=False`` (add) only fills empty fields and a placeholder title;
    ``overwrite=True`` (refresh) replaces every field the source knows. Either way
    notes, tags, related links and refs are never touched, unknown values never
    erase known ones, and existing ``links`` entries are kept (new ones are added).
    """
    data = paper.model_dump()
    changed: list[str] = []
    for name in FIELDS:
        new = getattr(meta, name)
        if new in (None, [], {}, ""):
            continue
        old = data.get(name)
        if name == "links":
            links = dict(old or {})
            for key, url in new.items():
                links.setdefault(key, url)
            if links != old:
                data["links"] = links
                changed.append(name)
            continue
        empty = old in (None, [], "") or (name == "title" and is_placeholder_title(paper))
        if (overwrite or empty) and new != old:
            data[name] = list(new) if isinstance(new, list) else new
            changed.append(name)
    return (Paper.model_validate(data) if changed else paper), changed
