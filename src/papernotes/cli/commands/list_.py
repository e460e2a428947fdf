import click

from papernotes.cli.common import pass_env, safe_text, warn
from papernotes.cli.complete import complete_tags
from papernotes.cli.emit import Column, emit, json_option
from papernotes.reading import STATUSES

COLUMNS = [
    Column("id", no_wrap=True),
    Column("title"),
    Column("venue"),
    Column("decision"),
    Column("tags", text=",".join, markup=lambda tags: safe_text(", ".join(tags))),
    Column("notes", piped=False),
    Column("status", piped=False),
]


@click.command(name="list")
@click.option(
    "--tag",
    "tag",
    shell_complete=complete_tags,
    help="Only papers with this tag or one of its child tags (names, aliases, labels).",
)
@click.option("--by", metavar="NAME", help="Only papers with a note by this person (by: field).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([*STATUSES, "none"]),
    help="Only papers with this reading status ('none': without one; repeatable).",
)
@click.option(
    "--sort", type=click.Choice(["id", "title", "added"]), default="id", show_default=True
)
@json_option
@pass_env
def command(
    env, tag: str | None, by: str | None, statuses: tuple[str, ...], sort: str, as_json: bool
) -> None:
    """List papers as a table (tab-separated when piped).

    \b
    Examples:
      papernotes list --tag ntk
      papernotes list --status to-read --status to-reread
      papernotes list --by alice
      papernotes list --sort added --json | jq -r '.[].id'
    """
    from papernotes.views.listing import list_papers

    rows, problems = list_papers(env.kb(), tag=tag, sort=sort, statuses=statuses, by=by)
    if problems:
        warn(
            f"{len(problems)} record(s) could not be loaded and are not listed; run 'papernotes validate'"
        )
    emit(env, rows, COLUMNS, as_json=as_json, footer=lambda n: f"[dim]{n} paper(s)[/]")
