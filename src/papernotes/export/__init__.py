"""Exports of the knowledge base for other tools: BibTeX, CSL-JSON, Markdown, JSON, YAML.

``render(kb, fmt, selection, lang)`` gives the text of one export; the formats
themselves live in one module each and never touch the disk.
"""

from __future__ import annotations

import json

from papernotes.export.select import Selection, select
from papernotes.store.kb import KnowledgeBase

FORMATS = ("bibtex", "csljson", "markdown", "json", "yaml")

__all__ = ["FORMATS", "Selection", "render", "select"]


def render(kb: KnowledgeBase, fmt: str, selection: Selection, lang: str = "en") -> str:
    """The export's text; no control or bidi character of user text is sent raw."""
    from papernotes.text import json_controls, show_controls

    text = _render(kb, fmt, selection, lang)
    return json_controls(text) if fmt in ("json", "csljson") else show_controls(text)


def _render(kb: KnowledgeBase, fmt: str, selection: Selection, lang: str) -> str:
    from papernotes.export.bibtex import citation_keys

    papers = selection.papers
    if fmt in ("bibtex", "csljson", "markdown"):
        keys = citation_keys(selection.everything.values())
        for paper in papers:  # a paper that failed to load with the others
            keys.setdefault(paper.id, citation_keys([paper])[paper.id])
    if fmt == "bibtex":
        from papernotes.export.bibtex import to_bibtex

        return to_bibtex(papers, keys)
    if fmt == "csljson":
        from papernotes.export.csljson import to_csl

        return json.dumps(to_csl(papers, keys), ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        from papernotes.export.markdown import reading_list

        return reading_list(
            papers, kb.taxonomy(), keys, selection.everything, lang, within=selection.tags
        )
    if fmt == "json":
        from papernotes.export.data import to_json

        return to_json(papers)
    if fmt == "yaml":
        from papernotes.export.data import to_yaml

        return to_yaml(papers)
    raise ValueError(f"unknown export format {fmt!r}")
