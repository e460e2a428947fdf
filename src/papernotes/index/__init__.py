"""Full-text search over the knowledge base: a cached SQLite FTS5 index, always fresh.

Public API::

    search(kb, "ntk -gan", limit=20) -> list[Hit]   # ranked, with snippets
    select(kb, "tag:NTK year:2020") -> list[str]     # ids, best first, no limit
    Index(kb).refresh(force=True)                    # what 'papernotes reindex' runs
    suggest(index, tree) -> {"lotery": [("lottery", 1)]}   # did you mean ...

Both raise :class:`papernotes.errors.UsageError` for an empty query or a bad filter value;
any other input is answered. The query language is described in :mod:`.query`, the index
and its freshness rules in :mod:`.store`.
"""

from papernotes.index.engine import (
    Hit,
    corrected,
    count,
    hits,
    parse_query,
    search,
    select,
    suggest,
)
from papernotes.index.store import Index, RefreshStats

__all__ = [
    "Hit",
    "Index",
    "RefreshStats",
    "corrected",
    "count",
    "hits",
    "parse_query",
    "search",
    "select",
    "suggest",
]
