"""Related papers for the commands: ranked over the index, or a Linker over every indexed
record (for the graph, which ranks every pair)."""

from __future__ import annotations

from papernotes.relate.related import Linker, Neighbour


def linker_for(kb, collection=None) -> Linker:
    """A Linker over every record of ``kb`` that loads (broken records are left out)."""
    from papernotes.index.records import papers as indexed_papers

    coll = collection or indexed_papers(kb)
    return Linker(coll.papers, kb.taxonomy())


def related_papers(kb, paper_id: str, limit: int | None = 10) -> list[Neighbour]:
    """Ranked neighbours of a paper, from the search index (no other record is read);
    NotFoundError (with close ids) if it has no record."""
    from papernotes.index.neighbours import related_from_index

    return related_from_index(kb, paper_id, limit)
