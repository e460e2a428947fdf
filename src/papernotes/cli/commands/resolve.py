import click

from papernotes.cli.common import emit_json, json_option, pass_env, plain


@click.command()
@click.argument("paper")
@click.option("--keep", "choice", flag_value="keep", help="Keep the value the record holds.")
@click.option("--other", "choice", flag_value="other", help="Take the other side's value.")
@click.option(
    "--field", "fields", multiple=True, metavar="FIELD", help="Only this field (repeatable)."
)
@json_option
@pass_env
def command(env, paper: str, choice: str | None, fields: tuple[str, ...], as_json: bool) -> None:
    """Show or settle the conflicts a merge recorded in a record.

    When both sides of a merge changed a field differently, the record keeps one value
    and lists the other under conflicts:. Without --keep or --other this shows them;
    with one, it settles them (all, or the --field ones) and removes the entries.

    \b
    Examples:
      papernotes resolve H1gEP6NFwr
      papernotes resolve H1gEP6NFwr --other --field title
    """
    from papernotes.model.ids import parse_paper_ref
    from papernotes.share.resolve import resolve

    kb = env.kb()
    rows = resolve(kb, parse_paper_ref(paper), choice, list(fields))
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(f"{paper}: no conflicts to resolve", err=True)
        return
    for row in rows:
        if choice:
            click.echo(plain(f"{row['field']}: now {row['value']}"))
        else:
            click.echo(
                plain(f"{row['field']}: record has {row['value']}; other side had {row['theirs']}")
            )
    if not choice:
        click.echo(
            f"settle with: papernotes resolve {paper} --keep | --other [--field F]", err=True
        )
