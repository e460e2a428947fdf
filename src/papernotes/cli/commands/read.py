import click

from papernotes.cli.common import json_option, pass_env
from papernotes.cli.complete import complete_paper_ids


@click.command()
@click.argument("papers", nargs=-1, required=True, shell_complete=complete_paper_ids)
@json_option
@pass_env
def command(env, papers: tuple[str, ...], as_json: bool) -> None:
    """Mark papers as read (today), so they leave the reading queue.

    Same as 'papernotes status ID... read'.

    \b
    Example:
      papernotes read H1gEP6NFwr
    """
    from papernotes.cli.commands.status import apply_status

    apply_status(env, list(papers), "read", None, as_json)
