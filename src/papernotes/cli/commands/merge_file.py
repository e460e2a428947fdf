import click


@click.command(name="merge-file")
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("ours", type=click.Path(dir_okay=False, exists=True))
@click.argument("theirs", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--path",
    "shown",
    metavar="P",
    help="The file's path in the repository (git's %P); picks record or taxonomy merge.",
)
def command(base: str, ours: str, theirs: str, shown: str | None) -> None:
    """Three-way merge of a record or tags.yaml, field by field; git's merge driver.

    Writes the result into OURS. Notes, tags, keywords, related links and refs merge as
    sets (additions from both sides kept, removals honoured); a field both sides changed
    differently keeps ours and records theirs under conflicts: (see 'papernotes resolve').
    Exits 0 when merged cleanly, 1 when a conflict was recorded (the file is still a valid
    record), 6 when a version cannot be read (OURS is left unchanged).
    'papernotes git init' sets this up as git's driver for papers/*.yaml and tags.yaml.

    \b
    Example (what git runs):
      papernotes merge-file %O %A %B --path %P
    """
    from pathlib import Path

    from papernotes.errors import ExitCode
    from papernotes.share.merge import decode_bytes, merge_records, merge_taxonomies
    from papernotes.store.fsio import atomic_write

    name = shown or ours
    base_path = Path(base)
    texts = [
        decode_bytes(Path(p).read_bytes()) if p and Path(p).is_file() else ""
        for p in (base_path, Path(ours), Path(theirs))
    ]
    merge = merge_taxonomies if Path(name).name == "tags.yaml" else merge_records
    result = merge(texts[0], texts[1], texts[2], name)
    atomic_write(Path(ours), result.text)
    for line in result.reports:
        click.echo(f"papernotes: {name}: {line}", err=True)
    for line in result.conflicts:
        click.echo(f"papernotes: {name}: CONFLICT {line}", err=True)
    if result.conflicts:
        raise SystemExit(ExitCode.PROBLEMS)
