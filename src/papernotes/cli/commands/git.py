import click

from papernotes.cli.common import pass_env


@click.group(name="git")
def command() -> None:
    """Share the knowledge base through git (see 'papernotes sync').

    \b
    Example:
      papernotes git init && git remote add origin URL && papernotes sync
    """


@command.command(name="init")
@pass_env
def init(env) -> None:
    """Set up git so records merge field by field, never with conflict markers.

    Makes the knowledge base a git repository if it is not one, writes .gitattributes
    (papers/*.yaml merge=papernotes, tags.yaml merge=papernotes-taxonomy) and configures
    both drivers ('papernotes merge-file') in the repository's .git/config. Safe to run
    again; run it once in every clone.

    \b
    Example:
      git clone URL reading && cd reading && papernotes git init
    """
    from papernotes.share.gitrepo import setup

    kb = env.kb()
    done = setup(kb.root)
    if done:
        for line in done:
            click.echo(line[0].upper() + line[1:])
    else:
        click.echo("git is already set up to merge records; nothing changed")
