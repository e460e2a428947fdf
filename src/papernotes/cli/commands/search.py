import click

from papernotes.cli.args import SearchCommand
from papernotes.cli.common import json_option, pass_env
from papernotes.cli.complete import complete_query, complete_tags
from papernotes.cli.emit import limit_option, status_option


@click.command(
    cls=SearchCommand,
    short_help="Full-text search in titles, tags, notes (Chinese and English) and more.",
)
@click.argument("query", nargs=-1, type=click.UNPROCESSED, shell_complete=complete_query)
@limit_option(20)
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
@status_option("Only papers with this reading status (like status:VALUE; repeatable: either).")
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
    # long only by the docstring above: it is the --help page
    from papernotes.cli.common import is_tty
    from papernotes.cli.indexing import refreshed
    from papernotes.cli.search_view import print_hits
    from papernotes.index import Index, corrected, count, filtered_query, hits, suggest

    if not query and not tags and not statuses:
        raise click.UsageError(
            "Missing argument 'QUERY...': words to search for, or --tag/--status"
        )
    tree, text = filtered_query(" ".join(query), tags, statuses)
    with Index(env.kb()) as index:
        refreshed(index, env)
        fixes = suggest(index, tree)
        if fuzzy and fixes and tree is not None:
            tree = corrected(tree, fixes)
        found = hits(index, tree, None if limit == 0 else limit)
        full = found and limit and len(found) == limit
        total = count(index, tree) if full and not as_json and is_tty() else None
    print_hits(env, found, text, fixes, fuzzy, total, as_json)
