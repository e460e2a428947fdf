"""The graph's output formats (``papernotes graph --format``): a new one is a module with a
function ``(graph, **options) -> str`` and one entry here."""

from __future__ import annotations

from dataclasses import dataclass

from papernotes.registry import load

STRONG_SIMILARITY = 0.25  # the cosine from which two papers get a 'similar' edge
LAYOUTS = ("sfdp", "neato", "fdp", "dot", "twopi", "circo")  # Graphviz engines, for DOT


@dataclass(frozen=True)
class GraphFormat:
    name: str
    help: str  # what --help says of it
    target: str  # "module:function" rendering a Graph
    options: tuple[str, ...] = ()  # which options of render() the function takes
    json: bool = False  # the text is JSON: control characters become \u escapes

    def render(self, graph, **options) -> str:
        from papernotes.text import json_controls

        wanted = {k: v for k, v in options.items() if k in self.options and v is not None}
        text = load(self.target)(graph, **wanted)
        return json_controls(text) if self.json else text


GRAPH_FORMATS = {
    f.name: f
    for f in (
        GraphFormat(
            "dot",
            "dot (Graphviz)",
            "papernotes.export.graph_dot:to_dot",
            ("layout", "clusters", "edge_labels"),
        ),
        GraphFormat("mermaid", "mermaid", "papernotes.export.graph_mermaid:to_mermaid"),
        GraphFormat("json", "json (nodes and edges)", "papernotes.export.graph:to_json", json=True),
        GraphFormat(
            "html", "html (one offline page)", "papernotes.export.graph_html:to_html", ("title",)
        ),
    )
}
