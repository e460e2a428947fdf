import click

from papernotes.cli.common import emit_json, json_option, pass_env


@click.command()
@click.argument("paper")
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many neighbours to show.",
)
@json_option
@pass_env
def command(env, paper: str, limit: int, as_json: bool) -> None:
    """Papers connected to PAPER, best first, each with why.

    Evidence, strongest first: explicit links (either direction, with the reason
    written in the record), notes that name the other paper, shared tags weighted
    by rarity (sharing NTK says more than sharing a broad tag; a parent or child
    tag counts a little), and similar content (the shared terms are shown).

    \b
    Examples:
      papernotes related H1gEP6NFwr
      papernotes related H1gEP6NFwr --limit 3 --json | jq -r '.[].id'
    """
    from papernotes.index.related import related_papers
    from papernotes.model.ids import parse_paper_ref

    kb = env.kb()
    pid = parse_paper_ref(paper)
    neighbours = related_papers(kb, pid, limit)
    if as_json:
        emit_json([n.to_dict() for n in neighbours])
        return
    from papernotes.cli.common import is_tty, plain

    if not is_tty():
        for n in neighbours:
            reasons = "; ".join(f"{r.kind}: {r.text}" for r in n.reasons)
            fields = (n.id, f"{n.score:.2f}", ",".join(n.kinds), n.title, reasons)
            click.echo("\t".join(" ".join(plain(x).split()) for x in fields))
        if not neighbours:
            click.echo(f"no related papers for {pid}", err=True)
        return
    from papernotes.cli.render import render_neighbours

    render_neighbours(env, kb.get(pid), neighbours)
