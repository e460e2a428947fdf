"""The data model: paper records, notes, links and the tag taxonomy.

The names are loaded on first use, so ``papernotes.model.ids`` (ids and file names) can be
imported without the pydantic models.
"""

from papernotes.registry import lazy_names

_HOMES = {
    "PaperId": "ids",
    "filename_for": "ids",
    "id_from_filename": "ids",
    "parse_paper_ref": "ids",
    "Link": "record",
    "Note": "record",
    "Paper": "record",
    "Ref": "record",
    "Related": "record",
    "Tag": "taxonomy",
    "Taxonomy": "taxonomy",
}

__all__ = sorted(_HOMES)
__getattr__ = lazy_names(__name__, _HOMES)
