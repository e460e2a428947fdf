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

from papernotes.registry import lazy_names

_HOMES = {
    "Hit": "engine",
    "corrected": "engine",
    "count": "engine",
    "filtered_query": "engine",
    "hits": "engine",
    "parse_query": "engine",
    "search": "engine",
    "select": "engine",
    "suggest": "engine",
    "Index": "store",
    "RefreshStats": "store",
}

__all__ = sorted(_HOMES)


# loaded on first use: a reader of the store (``show``) does not import the query parser
__getattr__ = lazy_names(__name__, _HOMES)
