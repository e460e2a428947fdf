import click

from papernotes.cli.common import emit_json, json_option, pass_env
from papernotes.cli.complete import complete_paper_ids


@click.command()
@click.argument("old", shell_complete=complete_paper_ids)
@click.argument("new")
@json_option
@pass_env
def command(env, old: str, new: str, as_json: bool) -> None:
    """Rename a paper's id: its record, the related links to it, [[OLD]] in notes/.

    For an arXiv preprint that appeared on OpenReview, or an id typed in the wrong
    case. Notes, tags, dates and the rest of the record are kept as they are.

    \b
    Examples:
      papernotes mv arxiv:1905.12345 H1gEP6NFwr
      papernotes mv H1eA7AEtvs H1eA7AEtvS
    """
    from papernotes.edit.rename import rename
    from papernotes.model.ids import parse_paper_ref

    result = rename(env.kb(), parse_paper_ref(old), parse_paper_ref(new))
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if as_json:
        emit_json(result.to_dict())
        return
    click.echo(f"renamed {result.old} -> {result.new}: {result.path}")
    for path in result.records:
        click.echo(f"updated {path}: related: {result.old} -> {result.new}")
    for path, count in result.notes.items():
        click.echo(f"updated {path}: {count} link(s) [[{result.new}]]")
    if result.old.split(":")[0].casefold() != result.new.split(":")[0].casefold():
        click.echo(
            f"Hint: links and metadata still describe {result.old}; "
            f"'papernotes refresh {result.new}' fetches them for the new id",
            err=True,
        )
