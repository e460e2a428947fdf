import click

from papernotes.cli.common import emit_json, json_option, pass_env
from papernotes.cli.complete import complete_paper_ids


@click.command()
@click.argument("paper", shell_complete=complete_paper_ids)
@click.option(
    "--pager/--no-pager",
    default=None,
    help="Page the output. Default: only on a terminal, when it is taller than the screen ($PAGER, else less).",
)
@json_option
@pass_env
def command(env, paper: str, pager: bool | None, as_json: bool) -> None:
    """Show one paper: metadata, tags, every note in both languages, related papers.

    Ends with the lines of notes/*.md that link the paper ([[ID]]) and the top
    five related papers with their reasons (see 'papernotes related').

    PAPER is an id (H1gEP6NFwr, arxiv:1805.08651) or an OpenReview / arXiv URL.

    \b
    Examples:
      papernotes show H1gEP6NFwr
      papernotes show 'https://openreview.net/forum?id=H1gEP6NFwr' --json | jq .notes
    """
    from papernotes.model.ids import parse_paper_ref
    from papernotes.store.records import record_data

    kb = env.kb()
    record = kb.get(parse_paper_ref(paper))
    taxonomy = kb.taxonomy()
    related_titles = {}
    for link in record.related:
        try:
            related_titles[link.id] = kb.get(link.id).title
        except Exception:  # noqa: BLE001 - a broken neighbour must not hide this paper
            related_titles[link.id] = None
    backlinks, neighbours = _connections(kb, record.id)
    if as_json:
        data = record_data(record)
        data["path"] = kb.shown(kb.path_for(record.id))
        for link in data.get("related", []):
            link["title"] = related_titles.get(link["id"])
        data["backlinks"] = backlinks
        data["top_related"] = [n.to_dict() for n in neighbours]
        emit_json(data)
        return
    from papernotes.cli.common import console
    from papernotes.cli.render import render_paper

    out = console(env)
    if pager is False or not out.is_terminal:
        render_paper(env, record, taxonomy, related_titles, backlinks, neighbours, out=out)
        return
    with out.capture() as captured:
        render_paper(env, record, taxonomy, related_titles, backlinks, neighbours, out=out)
    text = captured.get()
    if pager or text.count("\n") >= out.size.height:
        import os

        configured = env.settings().get("pager")
        if configured.source != "default":  # the config file's pager, or $PAGER
            os.environ["PAGER"] = configured.value
        click.echo_via_pager(text)
    else:
        click.echo(text, nl=False)


TOP_RELATED = 5


def _connections(kb, paper_id: str) -> tuple[list, list]:
    """Backlinks from notes/ and the top related papers (from the search index, so this
    stays quick on large knowledge bases); a problem elsewhere in the knowledge base is a
    warning here, never a reason to hide the paper."""
    from papernotes.cli.common import warn
    from papernotes.errors import PapernotesError
    from papernotes.index.related import related_papers
    from papernotes.store.notes import backlinks, load_notes

    try:
        notes = backlinks(load_notes(kb), paper_id)
    except PapernotesError as exc:
        warn(f"related papers not shown: {exc}")
        return [], []
    try:
        neighbours = related_papers(kb, paper_id, TOP_RELATED)
    except PapernotesError as exc:  # e.g. the search index cannot be written
        warn(f"top related papers not shown: {exc}")
        return notes, []
    return notes, neighbours
