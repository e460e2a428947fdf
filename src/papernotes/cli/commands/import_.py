from pathlib import Path

import click

from papernotes.cli.common import emit_json, json_option, pass_env
from papernotes.cli.import_report import print_changes, print_summary
from papernotes.cli.indexing import LazyProgress

PROGRESS_MIN = 50  # records or files; below this a bar only flickers
STAGES = {"parse": "Reading files", "write": "Writing records"}


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Write nothing; show what would change.")
@click.option(
    "--fetch",
    is_flag=True,
    help="Fetch metadata (title, authors, ...) for new records the offline catalog does not "
    "know (arXiv papers, OpenReview papers of other years), as `refresh` does.",
)
@click.option(
    "--markers",
    is_flag=True,
    help="Also read reading markers from notes imported before (papers without a status, "
    "notes without marks).",
)
@json_option
@pass_env
def command(
    env, files: tuple[Path, ...], dry_run: bool, fetch: bool, markers: bool, as_json: bool
) -> None:
    """Import reading-notes files (Markdown or plain text) into the knowledge base.

    Files are read as CommonMark (with tables; .org files as Org mode). A list item, paragraph
    line, heading or table row whose first line holds a paper link anywhere
    starts an entry: an OpenReview forum/pdf URL, an arXiv URL or arXiv:id, a
    DOI or doi.org URL, bare, as <url>, [title](url) or [title][1]. The rest of
    the item, or the following lines up to a blank line followed by text that
    is not indented, is its note. Links in `code` never count. arXiv and DOI
    papers, and OpenReview papers outside the offline ICLR 2020 catalog, get
    records too: add --fetch, or run the `refresh` command the summary prints
    (DOIs have no metadata source: their title comes from the line).

    The same paper in several files gets one record with one note per file.
    Importing again is a sync: a note you did not edit follows the file; a note
    you edited is kept and the file's new text is added beside it (with a
    warning); a note already in the record is never added twice. Links to
    other works become refs; "see also <link>", "related work: <id>", "the one
    above", "和上面似乎类似" become related links in both records. Tags are
    suggested from the taxonomy.

    Lines that look like an entry but cannot be read are listed as warnings
    with file:line and the reason; the exit code stays 0.

    Reading markers in a new note set the paper's status (when it has none) and mark
    the note; the marker stays in the text: 值得一读 / worth reading / TODO -> to-read,
    值得再读 / re-read -> to-reread, 有人做了 / 我本来想做的 -> mark scooped,
    我们应该cite / we should cite -> mark to-cite. --markers reads them again from notes
    imported before.

    \b
    Examples:
      papernotes import seeds/*.txt
      papernotes import reading.md --dry-run
      papernotes import reading.md --fetch
      papernotes import reading.md --json | jq .created
      papernotes import --markers seeds/*.txt
    """
    from papernotes.importers.run import import_files

    kb = env.kb()
    with LazyProgress(env, "Reading files", show_after=0, min_total=PROGRESS_MIN) as bar:
        progress = (
            (lambda stage, done, total: bar(done, total, label=STAGES[stage]))
            if bar.enabled
            else None
        )
        report = import_files(kb, list(files), dry_run=dry_run, progress=progress, markers=markers)
    fetched = _fetch(kb, report.needs_metadata()) if fetch and not dry_run else None
    if as_json:
        data = report.to_dict()
        if fetched is not None:
            data["fetched"] = [r.to_dict() for r in fetched]
        emit_json(data)
    else:
        print_changes(env, report)
    print_summary(report, fetched)


def _fetch(kb, ids: list[str]) -> list:
    """Metadata for new records, through the same clients and cache as `refresh`."""
    from papernotes.edit.refresh import refresh_one
    from papernotes.metadata.sources import MetadataFetcher

    if not ids:
        return []
    with MetadataFetcher(kb.cache_dir(), environ=kb.environ) as fetcher:
        return [refresh_one(kb, fetcher, paper_id) for paper_id in ids]
