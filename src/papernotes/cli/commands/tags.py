import click

from papernotes.cli.common import emit_json, json_option, pass_env


@click.command()
@json_option
@pass_env
def command(env, as_json: bool) -> None:
    """The taxonomy: every tag with its labels, parent, aliases and paper count.

    \b
    Example:
      papernotes tags --json | jq '.[] | select(.papers > 3) | .name'
    """
    from papernotes.cli.common import console, is_tty, plain, safe_text, warn
    from papernotes.views.listing import tag_rows

    kb = env.kb()
    rows, problems = tag_rows(kb)
    if problems:
        warn(f"{len(problems)} problem(s) in the taxonomy or records; run 'papernotes validate'")
    if as_json:
        emit_json(rows)
        return
    if not is_tty():
        for row in rows:
            click.echo(
                "\t".join(
                    plain(str(x))
                    for x in (row["name"], row["papers"], row["en"], row["zh"], row["parent"] or "")
                )
            )
        return
    from rich.table import Table

    table = Table(header_style="bold")
    for col in ("tag", "papers", "English", "中文", "parent", "aliases"):
        table.add_column(col, overflow="fold", justify="right" if col == "papers" else "left")
    for row in rows:
        table.add_row(
            f"[magenta]{safe_text(row['name'])}[/]",
            str(row["papers"]),
            safe_text(row["en"]),
            safe_text(row["zh"]),
            safe_text(row["parent"] or ""),
            safe_text(", ".join(row["aliases"])),
        )
    console(env).print(table)
