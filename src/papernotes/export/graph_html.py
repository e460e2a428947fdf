"""The graph as one offline HTML page, for ``papernotes graph --format html``.

The page is the package file ``export/static/graph.html``. No CDN, no external file: style
and script are inline, the graph is JSON in a ``<script type="application/json">`` element
(``<``, ``>``, ``&`` escaped), and the script only ever sets user text with
``textContent``, never as HTML. The layout is a small force simulation (springs along
edges, grid-limited repulsion) run before the first paint, so the page opens still and
works offline.
"""

from __future__ import annotations

import html
import re
from importlib.resources import files
from typing import TYPE_CHECKING

from papernotes.text import script_json

if TYPE_CHECKING:
    from papernotes.export.graph import Graph


def to_html(graph: Graph, title: str = "papernotes graph") -> str:
    page = files("papernotes.export").joinpath("static", "graph.html").read_text(encoding="utf-8")
    counts = graph.to_dict()["counts"]
    summary = f"{counts['papers']} papers, {counts['topics']} topics, {len(graph.edges)} edges"
    values = {
        "TITLE": html.escape(title),
        "SUMMARY": html.escape(summary),
        "DATA": script_json(graph.to_dict()),
    }
    # One pass, so text inserted for one placeholder is never read as another.
    return re.sub(r"__(TITLE|SUMMARY|DATA)__", lambda m: values[m.group(1)], page)
