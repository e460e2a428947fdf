from pathlib import Path

import click

from papernotes.cli.common import emit_json, is_tty, json_option, pass_env, plain, safe_text
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
        _print_changes(env, report)
    _print_summary(report, fetched)


def _fetch(kb, ids: list[str]) -> list:
    """Metadata for new records, through the same clients and cache as `refresh`."""
    from papernotes.edit.refresh import refresh_one
    from papernotes.metadata.sources import MetadataFetcher

    if not ids:
        return []
    with MetadataFetcher(kb.cache_dir()) as fetcher:
        return [refresh_one(kb, fetcher, paper_id) for paper_id in ids]


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


KIND_NAMES = {"openreview": "OpenReview", "arxiv": "arXiv", "doi": "DOI", "other": "other"}


def _change_line(change, dry_run: bool) -> tuple[str, str]:
    verb = {"created": "create", "updated": "update"}[change.action]
    verb = f"would {verb}" if dry_run else change.action
    parts = []
    if change.action == "updated":
        if change.notes_added:
            parts.append("+" + plural(len(change.notes_added), "note"))
        if change.notes_updated:
            parts.append(plural(len(change.notes_updated), "note") + " updated from the file")
        if change.notes_moved:
            parts.append("note source moved: " + ", ".join(change.notes_moved))
        if change.fields_filled:
            parts.append("filled " + ", ".join(change.fields_filled))
    if change.related_added:
        parts.append("related " + ", ".join(change.related_added))
    if change.refs_added:
        parts.append("+" + plural(len(change.refs_added), "ref"))
    if change.tags_added:
        parts.append("tags " + ", ".join(change.tags_added))
    return verb, f"{change.id}  {change.title}" + (f"  ({'; '.join(parts)})" if parts else "")


def _print_changes(env, report) -> None:
    changed = [p for p in report.papers if p.action in ("created", "updated")]
    if is_tty():
        from papernotes.cli.common import console

        out = console(env)
        for change in changed:
            verb, text = _change_line(change, report.dry_run)
            out.print(f"[green]{verb:<14}[/] {safe_text(text)}", soft_wrap=True)
        return
    for change in changed:
        verb, text = _change_line(change, report.dry_run)
        click.echo(f"{verb}\t{plain(text)}")


def _print_summary(report, fetched=None) -> None:
    def say(text: str) -> None:
        click.echo(plain(text), err=True)

    entries = sum(f.entries for f in report.files)
    kinds = report.kinds()
    per_kind = ", ".join(f"{kinds[k]} {name}" for k, name in KIND_NAMES.items() if kinds[k])
    encodings = [f"{f.path} ({f.encoding})" for f in report.files if f.encoding != "UTF-8"]
    say(
        f"{'Dry run: ' if report.dry_run else ''}{plural(len(report.files), 'file')}, "
        f"{plural(entries, 'entry', 'entries')}"
        + (f" ({per_kind})" if per_kind else "")
        + (f"; decoded {', '.join(encodings)}" if encodings else "")
    )
    would = "would be " if report.dry_run else ""
    say(
        f"Papers {would}created: {len(report.ids('created'))}, updated: "
        f"{len(report.ids('updated'))}, unchanged: {len(report.ids('unchanged'))}"
        + (f", skipped: {len(report.ids('skipped'))}" if report.ids("skipped") else "")
    )
    say(
        f"Notes added: {report.notes_added}"
        + (f", updated from the files: {report.notes_updated}" if report.notes_updated else "")
        + f"; related links found: {report.related_found} "
        f"({report.related_added} added, each to both papers); refs found: "
        f"{report.refs_found} ({report.refs_added} added)"
    )
    tags = report.tag_counts()
    if tags:
        top = ", ".join(f"{tag} {n}" for tag, n in tags.most_common())
        say(f"Tags suggested: {sum(tags.values())} ({top}); review them in the records")
    kept = [(p.id, s) for p in report.papers for s in p.notes_kept]
    for pid, source in kept:
        say(
            f"Kept: {pid}: the record's note from {source} differs from the file and was "
            "imported before import hashes; not overwritten"
        )
    if report.dry_run:
        for change in report.papers:
            for decision in change.decisions:
                if not decision.endswith(": unchanged"):
                    say(f"  {change.id}: {decision}")
    for problem in report.warnings:
        say(f"Warning: {problem}")
    missing = report.needs_metadata()
    if fetched:
        done = sum(1 for r in fetched if r.status == "updated")
        say(f"Fetched metadata for {done} of {plural(len(fetched), 'new record')}")
        for r in fetched:
            if r.status not in ("updated", "unchanged"):
                say(f"Warning: {r.id}: {r.message or r.status}")
    elif missing and fetched is None:
        which = "would have" if report.dry_run else ("has" if len(missing) == 1 else "have")
        say(
            f"{plural(len(missing), 'new record')} {which} only what the notes say; "
            "fetch their metadata with:"
        )
        say("  papernotes refresh " + " ".join(missing))
    if report.dry_run:
        say("Dry run: nothing was written.")
