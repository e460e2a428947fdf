import click

from papernotes.cli.common import json_option, pass_env


@click.command()
@click.argument("paper")
@click.option("--title", metavar="TEXT", help="Title, when no metadata source knows it.")
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="TAG",
    help="Tag to add (any name, label or alias from tags.yaml; repeatable).",
)
@click.option(
    "--new-tag",
    is_flag=True,
    help="Create unknown --tag names in tags.yaml, labelled with --en/--zh (asked for on a "
    "terminal; else the name). Tag names are ASCII: give a Chinese label with --zh.",
)
@click.option("--en", "en_label", metavar="TEXT", help="English label of the --new-tag tag.")
@click.option("--zh", "zh_label", metavar="TEXT", help="Chinese label of the --new-tag tag.")
@click.option(
    "--tag-suggestions",
    "apply_suggestions",
    is_flag=True,
    help="Add the tags the title and note suggest (from tags.yaml) without asking. "
    "On a terminal you are asked (y/N); otherwise they are only listed.",
)
@click.option("--note", metavar="TEXT", help="The note; '-' reads it from standard input.")
@click.option(
    "--note-file", metavar="FILE", help="Read the note from a UTF-8 text file ('-' = stdin)."
)
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), help="Language of the note. Default: detected."
)
@click.option(
    "--related", metavar="ID", help="Another paper in the knowledge base to link (both ways)."
)
@click.option("--why", metavar="TEXT", help="Why --related is related, in your words.")
@click.option(
    "--no-fetch", is_flag=True, help="Stay offline: metadata from the offline catalog only."
)
@click.option("--edit", is_flag=True, help="Write the note in $EDITOR (a commented template).")
@click.option(
    "--yes",
    "-y",
    is_flag=True,
    help="Offline, file an id that nothing could check under a placeholder title (no question).",
)
@json_option
@pass_env
def command(env, as_json: bool, **options) -> None:
    """Add a paper or a note: create the record, or append to the one that exists.

    PAPER is an OpenReview id or URL, an arXiv id or URL (arxiv:1805.08651), or a DOI.
    Metadata comes from the offline ICLR 2020 catalog, then OpenReview (API v2, then
    v1) or arXiv; set PAPERNOTES_OPENREVIEW_TOKEN if OpenReview asks for a login.
    Existing notes are never changed. A new note records its author (by:) from
    PAPERNOTES_AUTHOR, the 'author' key of the config file, or git's user.name.
    When the network fails the record is still
    saved (exit 0, with a warning): run 'papernotes refresh ID' later.

    On a terminal, what is missing (title, note, tags) is asked for; otherwise
    papernotes never waits for input. Tags named in the title or note (names,
    labels or aliases from tags.yaml) are suggested: added after a y/N question
    on a terminal, listed otherwise, added without asking with --tag-suggestions.
    An id that differs only by case from an existing record is refused (such files
    collide on macOS and Windows). Offline, an id that is neither in the knowledge
    base nor in the catalog needs --title, or a confirmation (asked on a terminal,
    --yes otherwise) to be filed under a placeholder title.

    \b
    Examples:
      papernotes add 'https://openreview.net/forum?id=SkgsACVKPH' --tag lth --note "..."
      papernotes add rkgNKkHtvB --note "LSH attention" --no-fetch
      papernotes add arxiv:1805.08651 --related H1gEP6NFwr --why "same question" --edit
      papernotes add H1gEP6NFwr --note - --lang zh < draft.txt
      papernotes add H1gEP6NFwr --tag lottery --new-tag --en "Lottery tickets" --zh 彩票
    """
    from papernotes.cli.add_flow import AddOptions, print_result, run

    report, interrupted = run(env, AddOptions(**options), _interactive())
    print_result(env, report, as_json)
    if interrupted:
        raise KeyboardInterrupt


def _interactive() -> bool:
    """Ask questions only when a person can see them and answer."""
    import sys

    return sys.stdin.isatty() and sys.stderr.isatty()
