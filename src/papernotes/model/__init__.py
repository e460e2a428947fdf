"""The data model: paper records, notes, links and the tag taxonomy."""

from papernotes.model.ids import (
    PaperId,
    filename_for,
    id_from_filename,
    parse_paper_ref,
)
from papernotes.model.record import Link, Note, Paper, Ref, Related
from papernotes.model.taxonomy import Tag, Taxonomy

__all__ = [
    "Link",
    "Note",
    "Paper",
    "PaperId",
    "Ref",
    "Related",
    "Tag",
    "Taxonomy",
    "filename_for",
    "id_from_filename",
    "parse_paper_ref",
]
