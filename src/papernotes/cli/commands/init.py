import click

from papernotes.cli.common import pass_env


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@pass_env
def command(env, directory: str) -> None:
    """Create an empty knowledge base: papers/, notes/, tags.yaml, .gitignore.

    Existing files are never overwritten.

    \b
    Example:
      papernotes init ~/reading && cd ~/reading && papernotes validate
    """
    from pathlib import Path

    from papernotes.store.init import init_kb

    created = init_kb(Path(directory))
    where = click.format_filename(directory)
    if created:
        click.echo(f"Initialised knowledge base in {where}: created {', '.join(created)}")
    else:
        click.echo(f"{where} already holds a knowledge base; nothing changed")
