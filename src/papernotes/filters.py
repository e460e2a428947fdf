"""The filters of the search language (``tag:NTK year:2020``), one entry each.

The query compiler (:mod:`papernotes.index.query`), shell completion and the site's search
read them from here. A new filter is one entry, its facet in
:mod:`papernotes.index.documents` and a ``filter_<name>`` method on the query compiler (a
test checks that every entry has one). Free of the index, so completion stays light.
"""

from __future__ import annotations

from dataclasses import dataclass

from papernotes.reading import MARKS, STATUSES

DECISIONS = ("accept", "reject", "poster", "spotlight", "talk", "withdrawn")


@dataclass(frozen=True)
class QueryFilter:
    name: str
    aliases: tuple[str, ...] = ()
    # what completion offers: "tags" (the taxonomy's), fixed words, or None (open-ended)
    values: str | tuple[str, ...] | None = None


QUERY_FILTERS = {
    f.name: f
    for f in (
        QueryFilter("tag", ("tags",), "tags"),
        QueryFilter("venue"),
        QueryFilter("year"),
        QueryFilter("decision", (), DECISIONS),
        QueryFilter("lang", ("language",), ("zh", "en")),
        QueryFilter("status", (), STATUSES),
        QueryFilter("mark", ("marks", "marked"), MARKS),
        QueryFilter("by"),
    )
}
# every name a user may type before the colon -> the filter
FIELDS = {alias: f.name for f in QUERY_FILTERS.values() for alias in (f.name, *f.aliases)}
