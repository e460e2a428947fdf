"""Related papers for the commands, ranked over the index."""

from __future__ import annotations

from papernotes.relate.related import Neighbour


def related_papers(kb, paper_id: str, limit: int | None = 10) -> list[Neighbour]:
    """Ranked neighbours of a paper, from the search index (no other record is read);
    NotFoundError (with close ids) if it has no record."""
    from papernotes.index.neighbours import related_from_index

    return related_from_index(kb, paper_id, limit)
