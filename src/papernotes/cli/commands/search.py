import click

from papernotes.cli.common import emit_json, json_option, pass_env


@click.command(
    context_settings={"ignore_unknown_options": True, "help_option_names": ["--help"]},
    short_help="Full-text search in titles, tags, notes (Chinese and English) and more.",
)
@click.argument("query", nargs=-1, required=True, type=click.UNPROCESSED)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Show at most N papers (0: all).",
    metavar="N",
)
@json_option
@pass_env
def command(env, query: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Search the knowledge base, best match first.

    Searches ids, titles, authors, abstracts, keywords, tags (names, English and Chinese
    labels, aliases), notes in both languages and the reasons given on related links.
    Chinese is matched inside words (收敛 finds 收敛性), and a tag's name in any form finds
    the papers with that tag (ntk, CNTK, 神经正切核).

    \b
    Query syntax:
      ntk convergence      both words (AND is the default)
      "exact phrase"       the words in this order
      gan OR vae           either
      -gan, NOT gan        without
      conv*                words starting with 'conv'
      tag:NTK              papers with this tag or one of its child tags
      venue:iclr  year:2020  year:2018..2020  year:>=2019
      decision:accept      (accept, reject, poster, spotlight, talk, withdrawn)
      lang:zh              papers with a note written in Chinese (or lang:en)
      by:alice             papers with a note written by this person (its note's by:)

    \b
    Snippets mark matches with « »; piped output is tab-separated:
    id, title, tags (comma-separated), snippet.

    \b
    Examples:
      papernotes search ntk
      papernotes search 收敛 tag:optimization
      papernotes search '"lottery ticket" -pruning' --json | jq -r '.[].id'
    """
    from papernotes.cli.common import is_tty
    from papernotes.cli.indexing import refreshed
    from papernotes.index import Index, count, hits, parse_query

    text = " ".join(query)
    tree = parse_query(text)
    kb = env.kb()
    with Index(kb) as index:
        refreshed(index, env)
        found = hits(index, tree, None if limit == 0 else limit)
        full = found and limit and len(found) == limit
        total = count(index, tree) if full and not as_json and is_tty() else None
    if as_json:
        emit_json([hit.to_dict() for hit in found])
        return
    if not found:
        click.echo(f"No paper matches {_quoted(text)}.", err=True)
        return
    if not is_tty():
        _print_plain(found)
    else:
        _print_table(env, found)
    if total is not None and total > len(found):
        click.echo(
            f"{len(found)} of {total} papers shown; use --limit {min(total, 1000)} for more.",
            err=True,
        )


def _quoted(text: str) -> str:
    from papernotes.cli.common import one_line

    text = one_line(text)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _cell(text: str) -> str:
    from papernotes.cli.common import plain

    return plain(" ".join(text.split()))


def _print_plain(found) -> None:
    for hit in found:
        click.echo(
            "\t".join(
                [_cell(hit.id), _cell(hit.title), _cell(",".join(hit.tags)), _cell(hit.snippet)]
            )
        )


def _print_table(env, found) -> None:
    from rich.table import Table
    from rich.text import Text

    from papernotes.cli.common import console, safe_text

    table = Table(header_style="bold", show_lines=False)
    table.add_column("id", no_wrap=True, style="cyan")
    table.add_column("title", ratio=3, overflow="fold")
    table.add_column("tags", ratio=1, overflow="fold", style="magenta")
    table.add_column("snippet", ratio=5, overflow="fold")
    for hit in found:
        snippet = Text(_visible(hit.snippet_text))
        for start, end in hit.spans:
            snippet.stylize("bold yellow", start, end)
        table.add_row(
            safe_text(hit.id), safe_text(hit.title), safe_text(", ".join(hit.tags)), snippet
        )
    console(env).print(table)


def _visible(text: str) -> str:
    """Control characters replaced one for one, so highlight offsets stay right."""
    return "".join(c if c.isprintable() or c == " " else "\ufffd" for c in text)
