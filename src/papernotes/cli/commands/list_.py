import click

from papernotes.cli.common import emit_json, json_option, pass_env
from papernotes.cli.complete import complete_tags
from papernotes.reading import STATUSES


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
    from papernotes.cli.common import console, is_tty, plain, safe_text, warn
    from papernotes.views.listing import list_papers

    kb = env.kb()
    rows, problems = list_papers(kb, tag=tag, sort=sort, statuses=statuses, by=by)
    if problems:
        warn(
            f"{len(problems)} record(s) could not be loaded and are not listed; run 'papernotes validate'"
        )
    if as_json:
        emit_json(rows)
        return
    if not is_tty():
        lines = [
            "\t".join(
                _cell(plain(str(row[k] or "") if k != "tags" else ",".join(row[k])))
                for k in ("id", "title", "venue", "decision", "tags")
            )
            for row in rows
        ]
        if lines:
            click.echo("\n".join(lines))
        return
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for col in ("id", "title", "venue", "decision", "tags", "notes", "status"):
        table.add_column(col, overflow="fold", no_wrap=col in ("id",))
    for row in rows:
        table.add_row(
            safe_text(row["id"]),
            safe_text(row["title"]),
            safe_text(row["venue"] or ""),
            safe_text(row["decision"] or ""),
            safe_text(", ".join(row["tags"])),
            str(row["notes"]),
            row["status"] or "",
        )
    out = console(env)
    out.print(table)
    out.print(f"[dim]{len(rows)} paper(s)[/]")


def _cell(text: str) -> str:
    """One field of a piped row: a tab or line break inside it would split the row."""
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
