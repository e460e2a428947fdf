import click

from papernotes.cli.common import pass_env, safe_text, warn
from papernotes.cli.emit import Column, emit, json_option

COLUMNS = [
    Column("name", header="tag", markup=lambda name: f"[magenta]{safe_text(name)}[/]"),
    Column("papers", justify="right"),
    Column("en", header="English"),
    Column("zh", header="中文"),
    Column("parent"),
    Column("aliases", piped=False, markup=lambda aliases: safe_text(", ".join(aliases))),
]


@click.command()
@json_option
@pass_env
def command(env, as_json: bool) -> None:
    """The taxonomy: every tag with its labels, parent, aliases and paper count.

    \b
    Example:
      papernotes tags --json | jq '.[] | select(.papers > 3) | .name'
    """
    from papernotes.views.listing import tag_rows

    rows, problems = tag_rows(env.kb())
    if problems:
        warn(f"{len(problems)} problem(s) in the taxonomy or records; run 'papernotes validate'")
    emit(env, rows, COLUMNS, as_json=as_json, field="plain")
