import click

from papernotes.cli.common import emit_json, json_option, pass_env
from papernotes.cli.complete import complete_query, complete_tags
from papernotes.reading import STATUSES


class SearchCommand(click.Command):
    """Options are read by hand so that a query word starting with '-' (``-gan``: without
    'gan') stays a word, while an unknown ``--option`` is an error, never a query word."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        valued, flags = {}, set()
        for param in self.params:
            if isinstance(param, click.Option):
                for name in param.opts:
                    if param.is_flag:
                        flags.add(name)
                    else:
                        valued[name] = param
        options, words = [], []
        i = 0
        while i < len(args):
            arg = args[i]
            if arg == "--":
                words.extend(args[i + 1 :])
                break
            name = arg.split("=", 1)[0]
            if arg in flags or arg in ctx.help_option_names:
                options.append(arg)
            elif name in valued and name.startswith("--") and "=" in arg:
                options.append(arg)
            elif arg[:2] in valued and not arg.startswith("--") and arg[2:].isdigit():
                options.append(arg)  # -n3
            elif arg in valued:
                if i + 1 >= len(args):
                    raise click.UsageError(f"Option '{arg}' requires an argument.", ctx)
                options.extend(args[i : i + 2])
                i += 1
            elif arg.startswith("--") and len(arg) > 2:
                import difflib

                known = sorted({*valued, *flags, *ctx.help_option_names})
                close = difflib.get_close_matches(
                    name, [k for k in known if k.startswith("--")], n=1
                )
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise click.UsageError(
                    f"No such option {name!r}{hint} (a query word starting with '-' goes after '--')",
                    ctx,
                )
            else:
                words.append(arg)
            i += 1
        return super().parse_args(ctx, [*options, "--", *words])


@click.command(
    cls=SearchCommand,
    short_help="Full-text search in titles, tags, notes (Chinese and English) and more.",
)
@click.argument("query", nargs=-1, type=click.UNPROCESSED, shell_complete=complete_query)
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Show at most N papers (0: all).",
    metavar="N",
)
@click.option(
    "--fuzzy",
    is_flag=True,
    help="Search with the corrections of words no paper has (see 'did you mean' below).",
)
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="TAG",
    shell_complete=complete_tags,
    help="Only papers with this tag or a child tag (like tag:TAG; repeatable).",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only papers with this reading status (like status:VALUE; repeatable: either).",
)
@json_option
@pass_env
def command(
    env,
    query: tuple[str, ...],
    limit: int,
    fuzzy: bool,
    tags: tuple[str, ...],
    statuses: tuple[str, ...],
    as_json: bool,
) -> None:
    """Search the knowledge base, best match first.

    Searches ids, titles, authors, abstracts, keywords, tags (names, English and Chinese
    labels, aliases), notes in both languages and the reasons given on related links.
    Chinese is matched inside words (收敛 finds 收敛性), and a tag's name in any form finds
    the papers with that tag (ntk, CNTK, 神经正切核).

    Across languages: the index adds to each paper the other language's form of every
    term of a bilingual glossary its untranslated text uses (about 800 machine-learning
    and optimisation terms shipped, pairs from the taxonomy's labels, and the knowledge
    base's glossary.yaml), so a note written only in Chinese is found by 'pruning' and
    one written only in English by 剪枝. Such matches rank below papers that use the
    word itself; the snippet shows the note's own words, with the term marked.

    A word no paper has gets "did you mean ..." on stderr, from the index's own words
    (lotery -> lottery, 收练 -> 收敛); --fuzzy searches with the closest corrections.

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
      status:to-read       reading status (to-read, reading, read, to-reread, skimmed)
      mark:scooped         papers with a note marked scooped (or mark:to-cite)
      by:alice             papers with a note written by this person (its note's by:)
      --                   ends the options: search -- -gan (all papers but GANs)

    \b
    Snippets mark matches with « »; piped output is tab-separated:
    id, title, tags (comma-separated), snippet.

    \b
    Examples:
      papernotes search ntk
      papernotes search 收敛 tag:optimization
      papernotes search '"lottery ticket" -pruning' --json | jq -r '.[].id'
      papernotes search convergence --tag ntk --status to-read -n 5
      papernotes search adverserial --fuzzy
    """
    from papernotes.cli.common import is_tty
    from papernotes.cli.indexing import refreshed
    from papernotes.index import Index, corrected, count, hits, parse_query, suggest
    from papernotes.index.query import And, Filter, Node, Or

    if not query and not tags and not statuses:
        raise click.UsageError(
            "Missing argument 'QUERY...': words to search for, or --tag/--status"
        )
    text = " ".join(query)
    filters: list[Node] = [Filter("tag", t) for t in tags]
    if statuses:
        either: list[Node] = [Filter("status", s) for s in statuses]
        filters.append(either[0] if len(either) == 1 else Or(either))
    tree = parse_query(text) if text.strip() or not filters else None
    if filters:
        tree = And([tree, *filters]) if tree is not None else And(filters)
        text = " ".join([text, *(f"tag:{t}" for t in tags), *(f"status:{s}" for s in statuses)])
    kb = env.kb()
    with Index(kb) as index:
        refreshed(index, env)
        fixes = suggest(index, tree)
        if fuzzy and fixes and tree is not None:
            tree = corrected(tree, fixes)
        found = hits(index, tree, None if limit == 0 else limit)
        full = found and limit and len(found) == limit
        total = count(index, tree) if full and not as_json and is_tty() else None
    if fixes:
        click.echo(_did_you_mean(fixes, fuzzy), err=True)
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


def _did_you_mean(fixes: dict[str, list[tuple[str, int]]], fuzzy: bool) -> str:
    """One line on stderr: the corrections of each unknown word, closest first."""
    from papernotes.cli.common import message_line

    parts = []
    for typed, ranked in fixes.items():
        best = min(d for _, d in ranked)
        words = [w for w, d in ranked if d == best]
        parts.append(f"{_quoted(typed)} -> {' or '.join(message_line(w) for w in words)}")
    if fuzzy:
        return f"Searching with corrections: {'; '.join(parts)}."
    return f"Did you mean: {'; '.join(parts)}? (--fuzzy searches with them)"


def _quoted(text: str) -> str:
    from papernotes.cli.common import message_line

    text = message_line(text)
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
