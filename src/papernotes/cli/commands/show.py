import click

from papernotes.cli.args import paper_command
from papernotes.cli.common import emit_json, json_option, pass_env


@paper_command
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
    five related papers with their reasons (see 'papernotes related'). All of it
    comes from the search index, kept fresh as for a search; a record with
    problems is read from its file.

    PAPER is an id (H1gEP6NFwr, arxiv:1805.08651) or an OpenReview / arXiv URL.

    \b
    Examples:
      papernotes show H1gEP6NFwr
      papernotes show 'https://openreview.net/forum?id=H1gEP6NFwr' --json | jq .notes
    """
    from papernotes.model.ids import parse_paper_ref

    kb = env.kb()
    page = _from_index(kb, parse_paper_ref(paper))
    if page is None:
        page = _from_files(kb, parse_paper_ref(paper))
    record, taxonomy, related_titles = page.record, page.taxonomy, page.related_titles
    backlinks, neighbours = page.backlinks, page.neighbours
    if as_json:
        data = page.data
        data["path"] = page.shown
        for link in data.get("related", []):
            link["title"] = related_titles.get(link["id"])
        data["backlinks"] = backlinks
        data["top_related"] = [n.to_dict() for n in neighbours]
        emit_json(data)
        return
    from papernotes.cli.pager import print_paged
    from papernotes.cli.render import render_paper

    def draw(out) -> None:
        render_paper(env, record, taxonomy, related_titles, backlinks, neighbours, out=out)

    print_paged(env, pager, draw)


TOP_RELATED = 5


def _from_index(kb, paper_id: str):
    """The page from the index (no YAML, no models); None when the files must answer: the
    record or tags.yaml has problems, or the index cannot be used."""
    from papernotes.errors import WriteError
    from papernotes.index.reads import paper_page

    try:
        return paper_page(kb, paper_id, TOP_RELATED)
    except WriteError:  # no writable cache, or locked for too long: the files answer
        return None


def _from_files(kb, paper_id: str):
    """The page from the record file, ``tags.yaml`` and notes/ themselves."""
    from papernotes.index.reads import PaperPage
    from papernotes.store.records import record_data

    record = kb.get(paper_id)
    related_titles = {}
    for link in record.related:
        try:
            related_titles[link.id] = kb.get(link.id).title
        except Exception:  # noqa: BLE001 - a broken neighbour must not hide this paper
            related_titles[link.id] = None
    page = PaperPage(record, record_data(record), kb.shown(kb.path_for(record.id)), kb.taxonomy())
    page.related_titles = related_titles
    page.backlinks, page.neighbours = _connections(kb, record.id)
    return page


def _connections(kb, paper_id: str) -> tuple[list, list]:
    """Backlinks from notes/ and the top related papers (from the search index, so this
    stays quick on large knowledge bases); a problem elsewhere in the knowledge base is a
    warning here, never a reason to hide the paper."""
    from papernotes.cli.common import warn
    from papernotes.errors import PapernotesError
    from papernotes.index.neighbours import related_from_index
    from papernotes.store.notes import backlinks, load_notes

    try:
        notes = backlinks(load_notes(kb), paper_id)
    except PapernotesError as exc:
        warn(f"related papers not shown: {exc}")
        return [], []
    try:
        neighbours = related_from_index(kb, paper_id, TOP_RELATED)
    except PapernotesError as exc:  # e.g. the search index cannot be written
        warn(f"top related papers not shown: {exc}")
        return notes, []
    return notes, neighbours
