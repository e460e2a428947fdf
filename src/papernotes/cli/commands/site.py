import click

from papernotes.cli.common import pass_env


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option(
    "--title",
    default="Reading notes",
    show_default=True,
    help="Site name shown in the header and the browser tab.",
)
@pass_env
def command(env, out_dir: str, title: str) -> None:
    """Write a static website of the knowledge base into OUT_DIR.

    An index with a search box that works offline (English and Chinese), a page per
    paper (notes in both languages with a switch, tags, related papers, backlinks),
    a page per tag, and the link graph. Links are relative: open OUT_DIR/index.html
    directly, or serve the folder from any path. OUT_DIR must be new, empty, or an
    earlier papernotes site (pages of removed papers are deleted on rebuild).

    Pages come from the search index; similar papers are those 'papernotes related ID'
    ranks first. A rebuild renders only the pages whose inputs changed and rewrites only
    those whose bytes changed, each atomically; a build that was interrupted is taken up
    by the next run. A progress bar shows on a terminal (stderr).

    \b
    Examples:
      papernotes site _site && xdg-open _site/index.html
      papernotes site _site && python3 -m http.server -d _site
    """
    from pathlib import Path

    from papernotes.cli.common import warn
    from papernotes.cli.indexing import LazyProgress
    from papernotes.site import build_site

    kb = env.kb()
    kb.check_output(Path(out_dir), out_dir)  # never into papers/, notes/ or the cache
    progress = LazyProgress(env, "Writing pages")
    try:
        report = build_site(kb, Path(out_dir), title=title, progress=progress)
    finally:
        progress.close()
    if report.unranked:
        warn(f"similar papers not shown: {report.unranked}")
    if report.problems:
        warn(
            f"{len(report.problems)} problem(s) in the knowledge base; records that do not load "
            "are left out (run 'papernotes validate')"
        )
    click.echo(
        f"Wrote {report.papers} paper page(s), {report.tags} tag page(s) and the graph "
        f"to {out_dir} ({report.files} file(s) changed, {report.removed} removed); "
        f"open {out_dir}/index.html",
        err=True,
    )
