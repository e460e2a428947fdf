import click

from papernotes.cli.common import emit_json, json_option, pass_env
from papernotes.cli.complete import complete_tags


@click.command(name="list")
@click.option(
    "--tag",
    "tag",
    shell_complete=complete_tags,
    help="Only papers with this tag or one of its child tags (names, aliases, labels).",
)
@click.option("--by", metavar="NAME", help="Only papers with a note by this person (by: field).")
@click.option(
    "--sort", type=click.Choice(["id", "title", "added"]), default="id", show_default=True
)
@json_option
@pass_env
def command(env, tag: str | None, by: str | None, sort: str, as_json: bool) -> None:
    """List papers as a table (tab-separated when piped).

    \b
    Examples:
      papernotes list --tag ntk
      papernotes list --by alice
      papernotes list --sort added --json | jq -r '.[].id'
    """
    from papernotes.cli.common import console, is_tty, plain, safe_text, warn
    from papernotes.core.listing import list_papers

    kb = env.kb()
    rows, problems = list_papers(kb, tag=tag, sort=sort, by=by)
    if problems:
        warn(
            f"{len(problems)} record(s) could not be loaded and are not listed; run 'papernotes validate'"
        )
    if as_json:
        emit_json(rows)
        return
    if not is_tty():
        for row in rows:
            click.echo(
                "\t".join(
                    plain(str(row[k] or "")) if k != "tags" else ",".join(row[k])
                    for k in ("id", "title", "venue", "decision", "tags")
                )
            )
        return
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for col in ("id", "title", "venue", "decision", "tags", "notes"):
        table.add_column(col, overflow="fold", no_wrap=col in ("id",))
    for row in rows:
        table.add_row(
            safe_text(row["id"]),
            safe_text(row["title"]),
            safe_text(row["venue"] or ""),
            safe_text(row["decision"] or ""),
            safe_text(", ".join(row["tags"])),
            str(row["notes"]),
        )
    out = console(env)
    out.print(table)
    out.print(f"[dim]{len(rows)} paper(s)[/]")
