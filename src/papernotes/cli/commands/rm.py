import click

from papernotes.cli.common import emit_json, json_option, pass_env
from papernotes.cli.complete import complete_paper_ids


@click.command()
@click.argument("papers", nargs=-1, required=True, shell_complete=complete_paper_ids)
@click.option("--yes", "-y", is_flag=True, help="Do not ask (needed when not on a terminal).")
@click.option("--force", is_flag=True, help="Remove even when notes/*.md link the paper ([[ID]]).")
@json_option
@pass_env
def command(env, papers: tuple[str, ...], yes: bool, force: bool, as_json: bool) -> None:
    """Remove papers' records, and the related links that point at them.

    Every other record that lists a removed paper under 'related' loses that link; each
    file changed is reported. A paper that a long-form note in notes/ links with [[ID]]
    is kept unless --force (the note lines are listed). On a terminal you are asked to
    confirm; elsewhere pass --yes.

    \b
    Examples:
      papernotes rm arxiv:1805.08651
      papernotes rm H1gEP6NFwr HygrAR4tPS --yes
    """
    from papernotes.cli.common import can_ask
    from papernotes.edit.remove import existing_ids, note_lines, remove
    from papernotes.errors import UsageError
    from papernotes.model.ids import parse_paper_ref

    kb = env.kb()
    ids = existing_ids(kb, [parse_paper_ref(p) for p in papers])
    lines = note_lines(kb, ids)
    if lines and not force:
        for line in lines:
            click.echo(f"  {line}", err=True)
        raise UsageError(
            f"{len(lines)} line(s) in notes/ link {'this paper' if len(ids) == 1 else 'these papers'} "
            "(listed above); edit them first, or pass --force"
        )
    if not yes:
        if not can_ask():
            raise UsageError("not on a terminal: pass --yes to remove without asking")
        shown = ", ".join(ids) if len(ids) <= 5 else f"{', '.join(ids[:5])} and {len(ids) - 5} more"
        if not click.confirm(f"Remove {shown}?", err=True):
            click.echo("Nothing removed.", err=True)
            raise SystemExit(1)
    result = remove(kb, ids)
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if as_json:
        emit_json(result.to_dict())
        return
    for path in result.removed:
        click.echo(f"removed {path}")
    for path, unlinked in result.unlinked.items():
        click.echo(f"updated {path}: related: {', '.join('-' + i for i in unlinked)}")
    for line in lines:  # only with --force
        click.echo(f"Warning: {line.split(': ', 1)[0]} still links a removed paper", err=True)
