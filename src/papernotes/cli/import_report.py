"""What ``papernotes import`` prints: the records it changes (stdout) and its summary
(stderr)."""

from __future__ import annotations

import click

from papernotes.cli.common import is_tty, plain, safe_text


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


KIND_NAMES = {"openreview": "OpenReview", "arxiv": "arXiv", "doi": "DOI", "other": "other"}


def change_line(change, dry_run: bool) -> tuple[str, str]:
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


def print_changes(env, report) -> None:
    changed = [p for p in report.papers if p.action in ("created", "updated")]
    if is_tty():
        from papernotes.cli.common import console

        out = console(env)
        for change in changed:
            verb, text = change_line(change, report.dry_run)
            out.print(f"[green]{verb:<14}[/] {safe_text(text)}", soft_wrap=True)
        return
    for change in changed:
        verb, text = change_line(change, report.dry_run)
        click.echo(f"{verb}\t{plain(text)}")


def say(text: str) -> None:
    click.echo(plain(text), err=True)


def print_summary(report, fetched=None) -> None:
    """The summary on stderr: counts, suggested tags, notes kept, warnings, what to fetch."""
    _say_counts(report)
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
    _say_metadata(report, fetched)
    if report.dry_run:
        say("Dry run: nothing was written.")


def _say_counts(report) -> None:
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


def _say_metadata(report, fetched) -> None:
    """What --fetch fetched, or the refresh command for records with only the notes' text."""
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
