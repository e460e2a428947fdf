"""The graph as a Mermaid flowchart, with clickable paper links."""

from __future__ import annotations

import re

from papernotes.export.graph import Graph, tint
from papernotes.text import show_controls

MERMAID_ARROW = {
    "link": "-->",
    "similar": "-.-",
    "mention": "-.->",
    "tag": "---",
    "parent": "==>",
    "shared-tag": "---",
}


MERMAID_CODES = {"#": "#35;", '"': "#34;", "&": "#38;", "<": "#60;", ">": "#62;", "|": "#124;"}


def mermaid_text(text: str, limit: int | None = None) -> str:
    """Label text safe inside Mermaid quotes: markup characters as Mermaid entity codes."""
    text = show_controls(" ".join(str(text).split()))
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return "".join(MERMAID_CODES.get(c, c) for c in text)


def to_mermaid(graph: Graph) -> str:
    names = {node["id"]: f"n{i}" for i, node in enumerate(graph.nodes)}
    out = ["flowchart LR"]
    for i, group in enumerate(graph.groups):
        out.append(
            f"  classDef g{i} fill:{tint(group['color'])},stroke:{group['color']},color:#000"
        )
    group_class = {g["name"]: f"g{i}" for i, g in enumerate(graph.groups)}
    for node in graph.nodes:
        label = mermaid_text(node["label"])
        shape = f'(["{label}"])' if node["kind"] == "topic" else f'["{label}"]'
        out.append(f"  {names[node['id']]}{shape}:::{group_class.get(node['group'], 'g0')}")
    for edge in graph.edges:
        arrow = MERMAID_ARROW.get(edge["kind"], "---")
        label = mermaid_text(edge.get("label") or "", limit=60)
        middle = f'|"{label}"|' if label and edge["kind"] in ("link", "similar") else ""
        out.append(f"  {names[edge['source']]} {arrow}{middle} {names[edge['target']]}")
    for node in graph.nodes:
        url = node.get("url")
        if url and re.fullmatch(r"https?://[^\s\"<>]+", url):
            out.append(f'  click {names[node["id"]]} href "{url}" _blank')
    return "\n".join(out) + "\n"
