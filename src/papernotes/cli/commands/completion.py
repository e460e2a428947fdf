import click

SHELLS = ("bash", "zsh", "fish")


@click.command()
@click.argument("shell", type=click.Choice(SHELLS), metavar="SHELL")
def command(shell: str) -> None:
    """Print the shell-completion script for bash, zsh or fish.

    Completes commands, options, paper ids, tag names, and filters inside a search
    query (tag:<TAB> gives the tags, decision: and lang: their values). In zsh, what
    you typed is kept when candidates differ in case; fish shows whole descriptions.
    The script calls
    papernotes with _PAPERNOTES_COMPLETE set (click's mechanism), so it always
    matches the installed version. Bash needs version 4.4 or newer.

    \b
    Install:
      bash  echo 'eval "$(papernotes completion bash)"' >> ~/.bashrc
      zsh   echo 'eval "$(papernotes completion zsh)"' >> ~/.zshrc
      fish  papernotes completion fish > ~/.config/fish/completions/papernotes.fish
    """
    from papernotes.cli import cli
    from papernotes.cli.complete import completion_script

    script = completion_script(cli, shell, "papernotes", "_PAPERNOTES_COMPLETE")
    click.echo(script.rstrip("\n"))
