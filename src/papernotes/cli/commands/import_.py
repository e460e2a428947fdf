from pathlib import Path

import click

from papernotes.cli.common import emit_json, is_tty, json_option, pass_env, plain, safe_text

PROGRESS_MIN = 50  # records or files; below this a bar only flickers


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Write nothing; show what would change.")
@click.option(
    "--markers",
    is_flag=True,
    help="Also read reading markers from notes imported before (papers without a status, "
    "notes without marks).",
)
@json_option
@pass_env
def command(env, files: tuple[Path, ...], dry_run: bool, markers: bool, as_json: bool) -> None:
    """Import reading-notes files (plain text or Markdown) into the knowledge base.

    Each OpenReview link that starts a line or a list item (bare URL or
    [title](url), pdf?id= or forum?id=) starts an entry; the lines after it,
    up to the next entry or heading, are its note. The same paper in several
    files gets one record with one note per file. Importing again changes
    nothing, and edits you made to records are kept. Links to other works
    become refs; "see also <link>", "the one above", "和上面似乎类似" become
    related links in both records. Tags are suggested from the taxonomy.

    Lines that look like an entry but cannot be read are listed as warnings
    with file:line; the exit code stays 0.

    Reading markers in a new note set the paper's status (when it has none) and mark
    the note; the marker stays in the text: 值得一读 / worth reading / TODO -> to-read,
    值得再读 / re-read -> to-reread, 有人做了 / 我本来想做的 -> mark scooped,
    我们应该cite / we should cite -> mark to-cite. --markers reads them again from notes
    imported before.

    \b
    Examples:
      papernotes import seeds/*.txt
      papernotes import reading.md --dry-run
      papernotes import reading.md --json | jq .created
      papernotes import --markers seeds/*.txt
    """
    from papernotes.importers.run import import_files

    kb = env.kb()
    with _progress(env) as progress:
        report = import_files(kb, list(files), dry_run=dry_run, progress=progress, markers=markers)
    if as_json:
        emit_json(report.to_dict())
    else:
        _print_changes(env, report)
    _print_summary(report)


class _progress:
    """A rich progress bar on stderr, on a terminal only, once the work is large enough."""

    def __init__(self, env):
        self.env = env
        self.bar = None
        self.tasks: dict[str, object] = {}

    def __enter__(self):
        return self.update if is_tty(stderr=True) else None

    def update(self, stage: str, done: int, total: int) -> None:
        if total < PROGRESS_MIN:
            return
        if self.bar is None:
            from rich.progress import Progress

            from papernotes.cli.common import console

            self.bar = Progress(console=console(self.env, stderr=True), transient=True)
            self.bar.start()
        if stage not in self.tasks:
            label = "Reading files" if stage == "parse" else "Writing records"
            self.tasks[stage] = self.bar.add_task(label, total=total)
        self.bar.update(self.tasks[stage], completed=done)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def _change_line(change, dry_run: bool) -> tuple[str, str]:
    verb = {"created": "create", "updated": "update"}[change.action]
    verb = f"would {verb}" if dry_run else change.action
    parts = []
    if change.action == "updated":
        if change.notes_added:
            parts.append(f"+{len(change.notes_added)} note(s)")
        if change.fields_filled:
            parts.append("filled " + ", ".join(change.fields_filled))
    if change.related_added:
        parts.append("related " + ", ".join(change.related_added))
    if change.refs_added:
        parts.append(f"+{len(change.refs_added)} ref(s)")
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


def _print_summary(report) -> None:
    def say(text: str) -> None:
        click.echo(plain(text), err=True)

    entries = sum(f.entries for f in report.files)
    encodings = [f"{f.path} ({f.encoding})" for f in report.files if f.encoding != "UTF-8"]
    say(
        f"{'Dry run: ' if report.dry_run else ''}{len(report.files)} file(s), {entries} entries"
        + (f"; decoded {', '.join(encodings)}" if encodings else "")
    )
    would = "would be " if report.dry_run else ""
    say(
        f"Papers {would}created: {len(report.ids('created'))}, updated: "
        f"{len(report.ids('updated'))}, unchanged: {len(report.ids('unchanged'))}"
        + (f", skipped: {len(report.ids('skipped'))}" if report.ids("skipped") else "")
    )
    say(
        f"Notes added: {report.notes_added}; related links found: {report.related_found} "
        f"({report.related_added} added, each to both papers); refs found: "
        f"{report.refs_found} ({report.refs_added} added)"
    )
    tags = report.tag_counts()
    if tags:
        top = ", ".join(f"{tag} {n}" for tag, n in tags.most_common())
        say(f"Tags suggested: {sum(tags.values())} ({top}); review them in the records")
    kept = [(p.id, s) for p in report.papers for s in p.notes_kept]
    for pid, source in kept:
        say(f"Kept: {pid}: the record's note from {source} differs from the file; not overwritten")
    for problem in report.warnings:
        say(f"Warning: {problem}")
    if report.dry_run:
        say("Dry run: nothing was written.")
