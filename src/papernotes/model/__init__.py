"""The data model: paper records, notes, links and the tag taxonomy.

The names are loaded on first use, so ``papernotes.model.ids`` (ids and file names) can be
imported without the pydantic models.
"""

import importlib

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


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
