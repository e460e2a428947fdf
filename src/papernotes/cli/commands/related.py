import click

from papernotes.cli.common import pass_env
from papernotes.cli.emit import Column, emit, json_option
from papernotes.cli.render import render_neighbours

COLUMNS = [
    Column("id"),
    Column("score", text=lambda score: f"{score:.2f}"),
    Column("kinds", text=",".join),
    Column("title"),
    Column("reasons", text=lambda reasons: "; ".join(f"{r.kind}: {r.text}" for r in reasons)),
]


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
    from papernotes.errors import WriteError
    from papernotes.index.reads import paper_page
    from papernotes.model.ids import parse_paper_ref

    kb = env.kb()
    pid = parse_paper_ref(paper)
    try:
        page = paper_page(kb, pid, limit, backlinks=False)
    except WriteError:  # the index cannot be used: the same error comes from the files
        page = None
    if page is None:
        from papernotes.index.neighbours import related_from_index

        neighbours, record = related_from_index(kb, pid, limit), None
    else:
        neighbours, record = page.neighbours, page.record
    emit(
        env,
        [vars(n) | {"kinds": n.kinds} for n in neighbours],
        COLUMNS,
        as_json=as_json,
        data=[n.to_dict() for n in neighbours],
        field="squash",
        empty=f"no related papers for {pid}",
        render=lambda _out, _rows: render_neighbours(env, record or kb.get(pid), neighbours),
    )
