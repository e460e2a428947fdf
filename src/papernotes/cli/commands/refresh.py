import click

from papernotes.cli.common import emit_json, json_option, pass_env
from papernotes.cli.indexing import LazyProgress


@click.command()
@click.argument("papers", nargs=-1, metavar="[ID]...")
@click.option("--all", "all_", is_flag=True, help="Refresh every record in the knowledge base.")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Ask the servers again even if a cached answer is fresh (answers are kept 24 h).",
)
@json_option
@pass_env
def command(env, papers: tuple[str, ...], all_: bool, no_cache: bool, as_json: bool) -> None:
    """Re-fetch metadata (title, authors, abstract, ...) for existing records.

    Notes, tags, related links and existing links are never touched; fields the
    source does not know are kept. Sources: the offline ICLR 2020 catalog, then
    OpenReview or arXiv. Exit 0 when every record was refreshed (or had nothing
    online to refresh from); otherwise the code of the first failure
    (3 not on the server, 4 network, 6 unreadable record).

    \b
    Examples:
      papernotes refresh H1gEP6NFwr
      papernotes refresh --all --json | jq '.[] | select(.status == "updated")'
    """
    from papernotes.edit.refresh import refresh_one
    from papernotes.errors import UsageError
    from papernotes.metadata.sources import MetadataFetcher
    from papernotes.model.ids import parse_paper_ref

    if all_ and papers:
        raise UsageError("give ids or --all, not both")
    if not all_ and not papers:
        raise UsageError("which records? give one or more ids, or --all")
    kb = env.kb()
    if all_:
        ids = kb.ids()
    else:
        ids = list(dict.fromkeys(parse_paper_ref(p) for p in papers))
        for paper_id in ids:
            kb.get(paper_id)  # unknown id: stop before any request, with close matches
    results = []
    with (
        MetadataFetcher(kb.cache_dir(), use_cache=not no_cache, environ=kb.environ) as fetcher,
        LazyProgress(env, "Refreshing", show_after=0, min_total=2) as step,
    ):
        step(0, len(ids))
        for paper_id in ids:
            results.append(refresh_one(kb, fetcher, paper_id))
            step(len(results), len(ids), paper_id)
    if as_json:
        emit_json([r.to_dict() for r in results])
    else:
        _print_results(env, results)
    _summarise(results)


def _print_results(env, results) -> None:
    from papernotes.cli.common import console, is_tty, plain, safe_text

    rows = []
    for r in results:
        if r.status == "updated":
            detail = f"updated: {', '.join(r.changed)} (from {' + '.join(r.sources)})"
        elif r.status == "unchanged":
            detail = "unchanged"
        else:
            detail = f"{r.status}: {r.message}"
        rows.append((r, detail))
    if is_tty():
        out = console(env)
        colours = {"updated": "green", "unchanged": "dim", "skipped": "yellow", "failed": "red"}
        for r, detail in rows:
            out.print(
                f"[cyan]{safe_text(r.id)}[/]  [{colours[r.status]}]{safe_text(detail)}[/]",
                soft_wrap=True,
            )
    else:
        for r, detail in rows:
            click.echo(plain(f"{r.id}\t{detail}"))


def _summarise(results) -> None:
    """Counts on stderr; a failure becomes the exit code (one line, via the root group)."""
    from collections import Counter

    from papernotes.errors import PapernotesError

    counts = Counter(r.status for r in results)
    if len(results) > 1:
        parts = [f"{counts[s]} {s}" for s in ("updated", "unchanged", "skipped", "failed")]
        click.echo(f"Refreshed {len(results)} records: {', '.join(parts)}", err=True)
    failed = [r for r in results if r.status == "failed"]
    if not failed:
        return
    if len(results) == 1:
        raise failed[0].error
    error = PapernotesError(
        f"{len(failed)} of {len(results)} records could not be refreshed "
        f"(first: {failed[0].id}: {failed[0].message})"
    )
    error.exit_code = failed[0].exit_code
    raise error
