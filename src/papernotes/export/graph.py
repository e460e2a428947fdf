"""The knowledge base as a graph of papers and topics, exported as DOT, Mermaid, JSON or HTML.

Nodes are papers and the tags they carry (topics, with their parents). Edges carry a
``kind``: ``link`` (an explicit related entry), ``tag`` (paper -> topic: papers sharing a
tag meet at its node), ``parent`` (topic -> parent topic), ``similar`` (strong content
similarity) and ``mention`` (a note names the other paper). Without topic nodes, shared
tags become ``shared-tag`` edges between papers. Every exporter escapes user text for
its own syntax; the HTML page is one file with its script and style inline.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field

from papernotes.export.graph_formats import GRAPH_FORMATS, STRONG_SIMILARITY
from papernotes.relate.mentions import MentionIndex
from papernotes.relate.similarity import SimilarityIndex

PALETTE = (  # Tableau 10, then more distinct shades; groups past 20 reuse colours
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#9c755f",
    "#ff9da7",
    "#1f77b4",
    "#8c564b",
    "#17becf",
    "#bcbd22",
    "#d62728",
    "#9467bd",
    "#2ca02c",
    "#7f7f7f",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
)
NO_GROUP = "(untagged)"
NO_GROUP_COLOR = "#bab0ac"
PAPER_EDGES = ("link", "similar", "mention", "shared-tag")


@dataclass
class Graph:
    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        counts = Counter(e["kind"] for e in self.edges)
        return {
            "directed": True,
            "nodes": self.nodes,
            "edges": self.edges,
            "groups": self.groups,
            "counts": {
                "papers": sum(1 for n in self.nodes if n["kind"] == "paper"),
                "topics": sum(1 for n in self.nodes if n["kind"] == "topic"),
                "edges": dict(sorted(counts.items())),
            },
        }


class Evidence:
    """What the graph draws between papers: every mention in notes, every strongly similar
    pair, and tag rarity (for shared-tag edges), over all the records given (the graph
    needs every pair, not one paper's ranking)."""

    def __init__(self, papers: dict, taxonomy):
        self.papers = papers
        self.taxonomy = taxonomy
        counts = Counter(tag for p in papers.values() for tag in p.tags)
        total = max(len(papers), 1)
        self.tag_weight = {t: math.log(1 + total / n) for t, n in counts.items()}
        self._similarity: SimilarityIndex | None = None
        self._mentions: MentionIndex | None = None

    @property
    def similarity(self) -> SimilarityIndex:
        if self._similarity is None:
            self._similarity = SimilarityIndex(self.papers.values())
        return self._similarity

    @property
    def mentions(self) -> MentionIndex:
        if self._mentions is None:
            self._mentions = MentionIndex(self.papers, self.taxonomy)
        return self._mentions


def light(color: str) -> bool:
    """True when black text reads better than white on ``#rrggbb``."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b > 160


def tint(color: str, amount: float = 0.55) -> str:
    """A lighter shade of ``#rrggbb`` so black labels stay readable on paper nodes."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    mix = (round(c + (255 - c) * amount) for c in (r, g, b))
    return "#" + "".join(f"{c:02x}" for c in mix)


def short_title(title: str, limit: int = 40) -> str:
    """A label for a node: the name before a colon, or the title cut at a word."""
    head, sep, _ = title.partition(":")
    if sep and 1 <= len(head.split()) <= 6:
        title = head
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-") + "…"


def _root(taxonomy, tag: str) -> str:
    chain = taxonomy.parent_chain(tag) if tag in taxonomy else []
    return chain[-1] if chain else tag


def build_graph(
    evidence: Evidence,
    tag: str | None = None,
    paper: str | None = None,
    depth: int | None = None,
    topics: bool = True,
    min_similarity: float = STRONG_SIMILARITY,
) -> Graph:
    """The graph of every paper, or of a tag's papers / one paper and what lies ``depth`` steps away."""
    papers = evidence.papers
    taxonomy = evidence.taxonomy
    paper_edges = _paper_edges(evidence, min_similarity, shared_tags=not topics)
    chosen = _chosen(papers, taxonomy, paper_edges, tag, paper, depth)
    graph = Graph()
    groups, group_of = _group_papers(papers, taxonomy, chosen)
    topic_names = _topic_names(papers, taxonomy, chosen) if topics else []
    for name in topic_names:
        groups.setdefault(_root(taxonomy, name), 0)
    colors = _colour_groups(graph, taxonomy, groups)
    _add_paper_nodes(graph, papers, chosen, group_of, colors)
    _add_topic_nodes(graph, taxonomy, topic_names, colors)
    for edge in paper_edges:
        if edge["source"] in chosen and edge["target"] in chosen:
            graph.edges.append(edge)
    if topics:
        _add_topic_edges(graph, papers, taxonomy, chosen, topic_names)
    return graph


def _chosen(
    papers: dict,
    taxonomy,
    paper_edges: list[dict],
    tag: str | None,
    paper: str | None,
    depth: int | None,
) -> set[str]:
    """Every paper, or those within ``depth`` steps of one paper or of a tag's papers."""
    if tag is None and paper is None:
        chosen = set(papers)
    else:
        if paper is not None:
            start = {paper}
            steps = 1 if depth is None else depth
        else:
            subtree = set(taxonomy.descendants(tag))
            start = {pid for pid, p in papers.items() if subtree & set(p.tags)}
            steps = 0 if depth is None else depth
        chosen = _within(start, paper_edges, steps)
    return chosen


def _group_papers(papers: dict, taxonomy, chosen: set[str]) -> tuple[Counter[str], dict[str, str]]:
    """Each paper's group (the root of its first tag) and how many papers each group has."""
    groups: Counter[str] = Counter()
    group_of: dict[str, str] = {}
    for pid in chosen:
        tags = papers[pid].tags if pid in papers else []
        group_of[pid] = _root(taxonomy, tags[0]) if tags else NO_GROUP
        groups[group_of[pid]] += 1
    return groups, group_of


def _topic_names(papers: dict, taxonomy, chosen: set[str]) -> list[str]:
    """The chosen papers' tags and their parents, in first-seen order."""
    topic_names: list[str] = []
    for pid in sorted(chosen):
        for name in papers[pid].tags:
            for t in (name, *taxonomy.parent_chain(name)):
                if t not in topic_names:
                    topic_names.append(t)
    return topic_names


def _colour_groups(graph: Graph, taxonomy, groups: Counter[str]) -> dict[str, str]:
    """A colour per group, largest first; sets ``graph.groups`` and returns the colours."""
    ordered = sorted(groups, key=lambda g: (g == NO_GROUP, -groups[g], g.casefold()))
    colors = {}
    for i, name in enumerate(g for g in ordered if g != NO_GROUP):
        colors[name] = PALETTE[i % len(PALETTE)]
    colors[NO_GROUP] = NO_GROUP_COLOR
    graph.groups = [
        {"name": g, "label": _tag_label(taxonomy, g), "color": colors[g], "papers": groups[g]}
        for g in ordered
    ]
    return colors


def _add_paper_nodes(
    graph: Graph, papers: dict, chosen: set[str], group_of: dict[str, str], colors: dict[str, str]
) -> None:
    for pid in sorted(chosen):
        p = papers.get(pid)
        links = p.canonical_links() if p else {}
        graph.nodes.append(
            {
                "id": pid,
                "kind": "paper",
                "label": short_title(p.title) if p else pid,
                "title": p.title if p else pid,
                "tags": list(p.tags) if p else [],
                "group": group_of[pid],
                "color": colors[group_of[pid]],
                "decision": p.decision if p else None,
                "url": links.get("forum") or next(iter(links.values()), None),
            }
        )


def _add_topic_nodes(
    graph: Graph, taxonomy, topic_names: list[str], colors: dict[str, str]
) -> None:
    for name in topic_names:
        info = taxonomy.tags.get(name)
        group = _root(taxonomy, name)
        graph.nodes.append(
            {
                "id": f"tag:{name}",
                "kind": "topic",
                "label": name,
                "title": f"{info.en} / {info.zh}" if info else name,
                "tags": [name],
                "group": group,
                "color": colors.get(group, NO_GROUP_COLOR),
                "decision": None,
                "url": None,
            }
        )


def _add_topic_edges(
    graph: Graph, papers: dict, taxonomy, chosen: set[str], topic_names: list[str]
) -> None:
    """Paper -> tag edges, then tag -> parent edges between the topics drawn."""
    for pid in sorted(chosen):
        for name in papers[pid].tags:
            graph.edges.append({"source": pid, "target": f"tag:{name}", "kind": "tag", "label": ""})
    for name in topic_names:
        parent = taxonomy.tags[name].parent if name in taxonomy else None
        if parent and parent in topic_names:
            graph.edges.append(
                {
                    "source": f"tag:{name}",
                    "target": f"tag:{parent}",
                    "kind": "parent",
                    "label": "",
                }
            )


def _tag_label(taxonomy, name: str) -> str:
    info = taxonomy.tags.get(name)
    return info.en if info else name


def _paper_edges(evidence: Evidence, min_similarity: float, shared_tags: bool) -> list[dict]:
    edges = _link_edges(evidence.papers)
    # One edge per pair of papers, the strongest kind: link, then mention, then similar.
    joined = {frozenset((e["source"], e["target"])) for e in edges}
    _add_mention_edges(edges, evidence, joined)
    _add_similar_edges(edges, evidence, joined, min_similarity)
    if shared_tags:
        _add_shared_tag_edges(edges, evidence)
    return edges


def _link_edges(papers: dict) -> list[dict]:
    """One ``link`` edge per related pair, with both reasons when both papers link."""
    edges: list[dict] = []
    seen_links: set[tuple[str, str]] = set()
    for pid in sorted(papers):
        for link in papers[pid].related:
            if link.id not in papers:
                continue
            back = (link.id, pid)
            if back in seen_links:
                continue  # A -> B and B -> A: one edge, both reasons
            seen_links.add((pid, link.id))
            other = next((r.why for r in papers[link.id].related if r.id == pid), None)
            why = link.why if other in (None, link.why) else f"{link.why} / {other}"
            edges.append(
                {
                    "source": pid,
                    "target": link.id,
                    "kind": "link",
                    "label": why,
                    "both": other is not None,
                }
            )
    return edges


def _add_mention_edges(edges: list[dict], evidence: Evidence, joined: set) -> None:
    for m in evidence.mentions.all():
        key = frozenset((m.source, m.target))
        if key in joined:
            continue
        joined.add(key)
        edges.append(
            {
                "source": m.source,
                "target": m.target,
                "kind": "mention",
                "label": f"{m.how}: {m.text}",
            }
        )


def _add_similar_edges(
    edges: list[dict], evidence: Evidence, joined: set, min_similarity: float
) -> None:
    for a, b, score in evidence.similarity.pairs(min_similarity):
        if frozenset((a, b)) in joined:
            continue
        terms = evidence.similarity.shared_terms(a, b, 3)
        edges.append(
            {
                "source": a,
                "target": b,
                "kind": "similar",
                "label": ", ".join(terms),
                "weight": round(score, 4),
            }
        )


def _add_shared_tag_edges(edges: list[dict], evidence: Evidence) -> None:
    """A ``shared-tag`` edge per pair of papers with a tag in common, rarest tags first."""
    papers = evidence.papers
    by_tag: dict[str, list[str]] = defaultdict(list)
    for pid in sorted(papers):
        for t in papers[pid].tags:
            by_tag[t].append(pid)
    best: dict[tuple[str, str], list[str]] = defaultdict(list)
    for t, members in by_tag.items():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                best[(a, b)].append(t)
    for (a, b), shared in sorted(best.items()):
        shared.sort(key=lambda t: (-evidence.tag_weight.get(t, 0.0), t))
        edges.append(
            {
                "source": a,
                "target": b,
                "kind": "shared-tag",
                "label": ", ".join("#" + t for t in shared[:3]),
                "weight": round(sum(evidence.tag_weight.get(t, 0.0) for t in shared), 4),
            }
        )


def _within(start: set[str], edges: list[dict], steps: int) -> set[str]:
    """Papers at most ``steps`` edges away from ``start``."""
    near: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        near[e["source"]].add(e["target"])
        near[e["target"]].add(e["source"])
    seen = set(start)
    queue = deque((pid, 0) for pid in start)
    while queue:
        pid, d = queue.popleft()
        if d >= steps:
            continue
        for other in near[pid]:
            if other not in seen:
                seen.add(other)
                queue.append((other, d + 1))
    return seen


def to_json(graph: Graph) -> str:
    return json.dumps(graph.to_dict(), ensure_ascii=False, indent=2) + "\n"


def render(graph: Graph, fmt: str, **options) -> str:
    """The graph in one of ``GRAPH_FORMATS``, given the options that format takes."""
    if fmt not in GRAPH_FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return GRAPH_FORMATS[fmt].render(graph, **options)
