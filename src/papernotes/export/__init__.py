"""Exports of the knowledge base for other tools: BibTeX, CSL-JSON, Markdown, JSON, YAML.

``render(kb, fmt, selection, lang)`` gives the text of one export; the formats themselves
live in one module each and never touch the disk. ``EXPORTERS`` names them: a new format
is a module with a function ``(job: ExportJob) -> str`` and one entry there. Listing the
names imports no format, so the CLI takes its choices from it at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from papernotes.registry import load

if TYPE_CHECKING:
    from papernotes.export.select import Selection
    from papernotes.model.record import Paper
    from papernotes.store.kb import KnowledgeBase


@dataclass(frozen=True)
class Exporter:
    name: str
    help: str  # what --help says of it
    target: str  # "module:function" taking an ExportJob
    json: bool = False  # the text is JSON: control characters become \u escapes
    views: bool = False  # reads the papers only: the index's views of them will do (select)


EXPORTERS = {
    e.name: e
    for e in (
        Exporter("bibtex", "bibtex (.bib)", "papernotes.export.bibtex:export", views=True),
        Exporter(
            "csljson",
            "csljson (Pandoc/Zotero)",
            "papernotes.export.csljson:export",
            json=True,
            views=True,
        ),
        Exporter("markdown", "markdown (a reading list)", "papernotes.export.markdown:export"),
        Exporter("json", "json", "papernotes.export.data:export_json", json=True),
        Exporter("yaml", "yaml", "papernotes.export.data:export_yaml"),
    )
}


@dataclass
class ExportJob:
    """What a format is given: the selected papers, the knowledge base and the language."""

    kb: KnowledgeBase
    selection: Selection
    lang: str = "en"

    @property
    def papers(self) -> list[Paper]:
        return self.selection.papers

    @cached_property
    def keys(self) -> dict[str, str]:
        """Citation keys, the same whichever papers are selected."""
        from papernotes.model.citekey import citation_keys

        keys = citation_keys(self.selection.everything.values())
        for paper in self.papers:  # a paper that failed to load with the others
            keys.setdefault(paper.id, citation_keys([paper])[paper.id])
        return keys


def render(kb: KnowledgeBase, fmt: str, selection: Selection, lang: str = "en") -> str:
    """The export's text; no control or bidi character of user text is sent raw."""
    from papernotes.text import json_controls, show_controls

    if fmt not in EXPORTERS:
        raise ValueError(f"unknown export format {fmt!r}")
    exporter = EXPORTERS[fmt]
    text = load(exporter.target)(ExportJob(kb, selection, lang))
    return json_controls(text) if exporter.json else show_controls(text)
