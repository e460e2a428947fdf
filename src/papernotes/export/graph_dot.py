"""The graph as Graphviz DOT source: papers filled by group, topics as boxes, a legend."""

from __future__ import annotations

from collections import defaultdict

from papernotes.export.graph import Graph, light, tint
from papernotes.text import CONTROL_CHARS

EDGE_STYLE = {
    "link": 'color="#333333", penwidth=1.8',
    "similar": 'color="#4e79a7", style=dashed, dir=none',
    "mention": 'color="#f28e2b", style=dotted, penwidth=1.4',
    "tag": 'color="#bbbbbb", dir=none, penwidth=0.6',
    "parent": 'color="#888888", penwidth=1.2, arrowsize=0.6',
    "shared-tag": 'color="#bbbbbb", dir=none',
}


def dot_quote(text: str) -> str:
    """A DOT double-quoted string: quotes and backslashes escaped, line breaks as \\n."""
    text = "".join(
        c if c == "\n" or not CONTROL_CHARS.match(c) and c != "\t" else " " for c in str(text)
    )
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrap(text: str, width: int = 18) -> str:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def to_dot(
    graph: Graph, layout: str = "sfdp", clusters: bool = False, edge_labels: bool = False
) -> str:
    """Graphviz source; ``layout`` is written into the graph so plain ``dot -Tpng`` honours it."""
    out = [
        "digraph papernotes {",
        f'  graph [layout={layout}, overlap=prism, overlap_scaling=2, sep="+6", splines=true,'
        ' outputorder=edgesfirst, bgcolor="white", fontname="DejaVu Sans", pad=0.3,'
        " K=1.2, repulsiveforce=1.5];",
        '  node [fontname="DejaVu Sans", fontsize=10, style="filled", penwidth=0.6];',
        '  edge [fontname="DejaVu Sans", fontsize=8, arrowsize=0.5];',
    ]
    if graph.nodes:
        out.append(f"  label={dot_quote(legend(graph))}; labelloc=b; fontsize=14;")
    by_group: dict[str, list[dict]] = defaultdict(list)
    for node in graph.nodes:
        by_group[node["group"] if clusters else ""].append(node)
    for i, (group, nodes) in enumerate(by_group.items()):
        indent = "  "
        if clusters and group:
            out.append(f"  subgraph {dot_quote('cluster_' + str(i))} {{")
            out.append(f'    label={dot_quote(group)}; style=rounded; color="#cccccc";')
            indent = "    "
        for node in nodes:
            attrs = {
                "label": wrap(node["label"]) if node["kind"] == "paper" else node["label"],
                "tooltip": f"{node['title']} ({node['id']})",
                "fillcolor": tint(node["color"]) if node["kind"] == "paper" else node["color"],
            }
            if node["kind"] == "topic":
                ink = "black" if light(node["color"]) else "white"
                extra = f'shape=box, style="rounded,filled,bold", fontsize=13, fontcolor="{ink}"'
            else:
                extra = "shape=ellipse, margin=0.04"
            if node.get("url"):
                attrs["URL"] = node["url"]
            body = ", ".join(f"{k}={dot_quote(v)}" for k, v in attrs.items())
            out.append(f"{indent}{dot_quote(node['id'])} [{body}, {extra}];")
        if clusters and group:
            out.append("  }")
    for edge in graph.edges:
        style = EDGE_STYLE.get(edge["kind"], "")
        edge_attrs = (
            f"{style}, tooltip={dot_quote(edge['kind'] + ': ' + str(edge.get('label', '')))}"
        )
        if edge_labels and edge.get("label") and edge["kind"] in ("link", "similar"):
            edge_attrs += f", label={dot_quote(wrap(str(edge['label']), 24))}"
        if edge["kind"] == "link" and edge.get("both"):
            edge_attrs += ", dir=both"
        out.append(f"  {dot_quote(edge['source'])} -> {dot_quote(edge['target'])} [{edge_attrs}];")
    out.append("}")
    return "\n".join(out) + "\n"


def legend(graph: Graph) -> str:
    """One caption saying what the shapes, colours and lines mean."""
    counts = graph.to_dict()["counts"]
    kinds = counts["edges"]
    parts = [
        f"{counts['papers']} papers (ellipses, coloured by the top-level tag of their first tag)",
        f"{counts['topics']} topics (boxes)",
    ]
    lines = [
        ("link", "dark arrows: explicit links"),
        ("mention", "dotted orange: a note names the other paper"),
        ("similar", "dashed blue: similar notes"),
        ("shared-tag", "grey: shared tags"),
        ("tag", "grey: paper to its tags"),
    ]
    described = [text for kind, text in lines if kinds.get(kind)]
    return ", ".join(parts) + ("; " + "; ".join(described) if described else "")
