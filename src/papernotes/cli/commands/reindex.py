import click

from papernotes.cli.common import emit_json, json_option, pass_env


@click.command()
@json_option
@pass_env
def command(env, as_json: bool) -> None:
    """Rebuild the search index from every record and tags.yaml.

    Never needed for correctness: every search re-indexes what changed, and rebuilds a
    missing, damaged or outdated index by itself. The index lives in .papernotes/ under
    the knowledge base (or the user cache folder when that is read-only).

    \b
    Examples:
      papernotes reindex
      papernotes reindex --json
    """
    from papernotes.cli.indexing import refreshed
    from papernotes.index import Index

    kb = env.kb()
    with Index(kb) as index:
        stats = refreshed(index, env, force=True)
        path = str(index.path)
    if as_json:
        emit_json(
            {
                "papers": stats.papers,
                "skipped": stats.skipped,
                "seconds": round(stats.seconds, 3),
                "index": path,
            }
        )
        return
    skipped = f", {stats.skipped} record(s) skipped" if stats.skipped else ""
    click.echo(f"Indexed {stats.papers} paper(s){skipped} in {stats.seconds:.2f} s ({path})")
