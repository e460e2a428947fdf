import click


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--taxonomy",
    type=click.Choice(["starter", "empty"]),
    default="starter",
    show_default=True,
    help="tags.yaml to start with: the shipped bilingual taxonomy of 55 machine-learning "
    "tags (English and Chinese labels, aliases), or no tags.",
)
@click.option(
    "--git", "with_git", is_flag=True, help="Also set it up for sharing (as 'papernotes git init')."
)
def command(directory: str, taxonomy: str, with_git: bool) -> None:
    """Create a knowledge base: papers/, notes/, tags.yaml, .gitignore.

    tags.yaml starts with the shipped bilingual taxonomy, so `import` and
    `add` suggest tags from the first minute (--taxonomy empty for none).
    Existing files are never overwritten. Prints the commands to run next.

    \b
    Examples:
      papernotes init ~/reading && cd ~/reading && papernotes validate
      papernotes init ~/reading --taxonomy empty
      papernotes init --git ~/reading    a git repository with the merge driver
    """
    from pathlib import Path

    from papernotes.store.init import init_kb

    created = init_kb(Path(directory), taxonomy)
    where = click.format_filename(directory)
    if created:
        click.echo(f"Initialised knowledge base in {where}: created {', '.join(created)}")
    else:
        click.echo(f"{where} already holds a knowledge base; nothing changed")
    if with_git:
        from papernotes.share.gitrepo import setup

        for line in setup(Path(directory)):
            click.echo(line[0].upper() + line[1:])
    if not created:
        return
    here = "" if Path(directory).resolve() == Path.cwd().resolve() else f"cd {where} && "
    click.echo("Next:", err=True)
    for line in (
        f"  {here}papernotes import my-reading-notes.md   # bring your notes (Markdown or text)",
        '  papernotes add https://openreview.net/forum?id=ID --note "..."   # one paper',
        "  papernotes search WORDS   # find them again",
    ):
        click.echo(line, err=True)
