import click

from papernotes.cli.common import pass_env
from papernotes.cli.emit import format_option, output_option, write_output
from papernotes.export.graph_formats import GRAPH_FORMATS, LAYOUTS, STRONG_SIMILARITY


@click.command()
@format_option(GRAPH_FORMATS, "dot")
@output_option(
    "Write here (default: stdout); never into papers/, notes/ or tags.yaml.", allow_dash=False
)
@click.option("--tag", help="Only papers with this tag or a child tag (name, alias or label).")
@click.option("--paper", help="Only this paper and its neighbours (see --depth).")
@click.option(
    "--depth",
    type=click.IntRange(min=0, max=10),
    help="Also papers this many steps away along links, similarity and mentions "
    "(default: 0 with --tag, 1 with --paper).",
)
@click.option(
    "--no-topics",
    is_flag=True,
    help="No topic nodes: papers sharing a tag get a shared-tag edge instead.",
)
@click.option(
    "--min-similarity",
    type=click.FloatRange(0.0, 1.0),
    default=STRONG_SIMILARITY,
    show_default=True,
    help="Cosine from which two papers get a 'similar' edge (kept for each paper's 3 "
    "most similar).",
)
@click.option(
    "--layout",
    type=click.Choice(LAYOUTS),
    default="sfdp",
    show_default=True,
    help="DOT only: the Graphviz layout engine written into the file.",
)
@click.option("--clusters", is_flag=True, help="DOT only: box the papers of each main tag.")
@click.option("--edge-labels", is_flag=True, help="DOT only: print link reasons and shared terms.")
@pass_env
def command(
    env,
    fmt: str,
    output: str | None,
    tag: str | None,
    paper: str | None,
    depth: int | None,
    no_topics: bool,
    min_similarity: float,
    layout: str,
    clusters: bool,
    edge_labels: bool,
) -> None:
    """Export papers and topics as a graph.

    Edges have a kind: link (explicit related entry, with its reason), tag (paper
    to topic), parent (topic to parent topic), similar (strong content
    similarity, with shared terms) and mention (a note names the other paper).
    Paper nodes are coloured by the top-level tag of their first tag. The html
    page is one file that works offline: click a node for its connections.

    \b
    Examples:
      papernotes graph -o graph.dot && dot -Tpng graph.dot -o graph.png
      papernotes graph --tag ntk --depth 1 --format mermaid
      papernotes graph --format html -o graph.html
      papernotes graph --paper H1gEP6NFwr --format json | jq '.counts'
    """
    from papernotes.errors import UsageError
    from papernotes.export.graph import Evidence, build_graph, render
    from papernotes.index.records import papers

    if tag is not None and paper is not None:
        raise UsageError("give --tag or --paper, not both")
    kb = env.kb()
    name, pid = _focus(kb, tag, paper)
    # every record that loads, read back from the index (broken ones are left out)
    graph = build_graph(
        Evidence(papers(kb).papers, kb.taxonomy()),
        tag=name,
        paper=pid,
        depth=depth,
        topics=not no_topics,
        min_similarity=min_similarity,
    )
    title = "papernotes: " + (f"#{name}" if name else pid or kb.root.name)
    text = render(
        graph, fmt, layout=layout, clusters=clusters, edge_labels=edge_labels, title=title
    )
    counts = graph.to_dict()["counts"]
    summary = (
        f"{counts['papers']} paper(s), {counts['topics']} topic(s), {len(graph.edges)} edge(s)"
    )
    write_output(
        env, output, text, f"wrote {click.format_filename(output or '')}: {summary}", dash=False
    )


def _focus(kb, tag: str | None, paper: str | None) -> tuple[str | None, str | None]:
    """The tag name or paper id the graph is limited to, checked; (None, None) for all."""
    name = pid = None
    if tag is not None:
        from papernotes.store.tags import resolve_tag

        name = resolve_tag(kb, tag)
    if paper is not None:
        from papernotes.model.ids import parse_paper_ref

        pid = parse_paper_ref(paper)
        kb.get(pid)
    return name, pid
