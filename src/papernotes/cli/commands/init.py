import click

from papernotes.cli.common import pass_env


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--git", "with_git", is_flag=True, help="Also set it up for sharing (as 'papernotes git init')."
)
@pass_env
def command(env, directory: str, with_git: bool) -> None:
    """Create an empty knowledge base: papers/, notes/, tags.yaml, .gitignore.

    Existing files are never overwritten.

    \b
    Examples:
      papernotes init ~/reading && cd ~/reading && papernotes validate
      papernotes init --git ~/reading    a git repository with the merge driver
    """
    from pathlib import Path

    from papernotes.store.init import init_kb

    created = init_kb(Path(directory))
    where = click.format_filename(directory)
    if created:
        click.echo(f"Initialised knowledge base in {where}: created {', '.join(created)}")
    else:
        click.echo(f"{where} already holds a knowledge base; nothing changed")
    if with_git:
        from papernotes.share.gitrepo import setup

        for line in setup(Path(directory)):
            click.echo(line[0].upper() + line[1:])
