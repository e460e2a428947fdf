import click

SHELLS = ("bash", "zsh", "fish")


@click.command()
@click.argument("shell", type=click.Choice(SHELLS), metavar="SHELL")
def command(shell: str) -> None:
    """Print the shell-completion script for bash, zsh or fish.

    Completes commands, options, paper ids and tag names. The script calls
    papernotes with _PAPERNOTES_COMPLETE set (click's mechanism), so it always
    matches the installed version. Bash needs version 4.4 or newer.

    \b
    Install:
      bash  echo 'eval "$(papernotes completion bash)"' >> ~/.bashrc
      zsh   echo 'eval "$(papernotes completion zsh)"' >> ~/.zshrc
      fish  papernotes completion fish > ~/.config/fish/completions/papernotes.fish
    """
    from click.shell_completion import get_completion_class

    from papernotes.cli import cli

    completion = get_completion_class(shell)
    if completion is None:  # pragma: no cover - click ships all three
        raise click.UsageError(f"unsupported shell {shell!r}")
    script = completion(cli, {}, "papernotes", "_PAPERNOTES_COMPLETE").source()
    click.echo(script.rstrip("\n"))
