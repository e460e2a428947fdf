"""``papernotes add`` on the command line: its inputs, the questions asked on a terminal
(title, note, tags, labels, a reason), the metadata fetch with its spinner, and the
printing of what was filed. The filing itself is :func:`papernotes.edit.add.add`."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import click

from papernotes.cli import prompt
from papernotes.cli.common import emit_json
from papernotes.edit.add import (
    AddReport,
    AddRequest,
    add,
    add_hints,
    check_new_tag_labels,
    clean_note,
    clean_title,
    keep_draft,
    offline_outcome,
    read_note,
    refuse_case_twin,
    refuse_unknown,
    related_id,
    resolve_tags,
    suggested_tags,
    unchecked,
)
from papernotes.errors import PapernotesError, UsageError

if TYPE_CHECKING:
    from papernotes.metadata.sources import FetchOutcome
    from papernotes.model.record import Paper
    from papernotes.store.kb import KnowledgeBase

EDIT_HELP = """\
# Write your note on {id} below ({title}).
# Lines at the top starting with '#' are ignored; an empty note adds nothing.
# The language is detected (or pass --lang zh|en). Tags: {tags}.
"""


@dataclass
class AddOptions:
    """The command line of ``papernotes add`` (every option but --json)."""

    paper: str
    title: str | None
    tags: tuple[str, ...]
    new_tag: bool
    en_label: str | None
    zh_label: str | None
    apply_suggestions: bool
    note: str | None
    note_file: str | None
    lang: Literal["zh", "en"] | None
    related: str | None
    why: str | None
    no_fetch: bool
    edit: bool
    yes: bool


@dataclass
class _Draft:
    """What the options and the answers give so far."""

    kb: KnowledgeBase
    paper_id: str
    ask: bool
    edit: bool
    title: str | None
    text: str | None
    tag_names: list[str]
    new_tags: list[str]
    labels: dict
    related_id: str | None
    why: str | None
    existing: Paper | None
    outcome: FetchOutcome | None = None
    known_title: str | None = None
    interrupted: bool = False
    suggested: list[str] = field(default_factory=list)


def run(env, o: AddOptions, ask: bool) -> tuple[AddReport, bool]:
    """File what the options and answers give: the report, and whether Ctrl-C stopped the
    metadata fetch (the command exits 130 after printing the report)."""
    draft = _inputs(env, o, ask)
    _fetch_metadata(env, draft, o.no_fetch)
    _ask_missing(draft, o)
    report = _file(env, draft, o.lang)
    add_hints(report, o.no_fetch, draft.outcome, draft.suggested)
    return report, draft.interrupted


def _inputs(env, o: AddOptions, ask: bool) -> _Draft:
    """The options, checked, before anything is fetched."""
    from papernotes.model.ids import parse_paper_ref

    paper_id = parse_paper_ref(o.paper)
    if o.note is not None and o.note_file is not None:
        raise UsageError("give the note once: --note or --note-file, not both")
    if o.why is not None and o.related is None:
        raise UsageError("--why goes with --related ID")
    kb = env.kb()
    refuse_case_twin(kb, paper_id)
    text = read_note(o.note, o.note_file)
    title = clean_title(o.title) if o.title is not None else None
    if (o.en_label is not None or o.zh_label is not None) and not o.new_tag:
        raise UsageError("--en and --zh label a new tag: use them with --tag NAME --new-tag")
    tag_names, new_tags = resolve_tags(kb, list(o.tags), o.new_tag)
    labels = _new_tag_labels(new_tags, o.en_label, o.zh_label, ask)
    other, why = _related(kb, paper_id, o.related, o.why, ask)
    existing = kb.get(paper_id) if kb.exists(paper_id) else None
    return _Draft(
        kb, paper_id, ask, o.edit, title, text, tag_names, new_tags, labels, other, why, existing
    )


def _fetch_metadata(env, d: _Draft, no_fetch: bool) -> None:
    """The metadata, if the record needs some; a failed fetch never costs the note."""
    try:
        d.outcome = _fetch(env, d.kb, d.paper_id, d.existing, no_fetch)
    except KeyboardInterrupt:
        # Ctrl-C while a server dawdles: what the user typed is saved before exiting 130.
        if d.text is None and not d.tag_names and d.related_id is None and d.title is None:
            raise
        d.interrupted, d.ask, d.edit = True, False, False
        d.outcome = offline_outcome(d.paper_id, "interrupted while fetching the metadata")
    except PapernotesError:
        raise  # the cache folder cannot be made: nothing can be saved either
    except Exception as exc:  # noqa: BLE001 - the network never costs a note
        d.outcome = offline_outcome(d.paper_id, f"the metadata step failed ({type(exc).__name__})")
    meta = d.outcome.metadata if d.outcome else None
    error = d.outcome.error if d.outcome else None
    d.known_title = (
        d.title or (meta.title if meta else None) or (d.existing.title if d.existing else None)
    )
    if isinstance(error, UsageError) and d.existing is None:
        raise error  # e.g. arXiv says the id is malformed: nothing worth filing under it


def _ask_missing(d: _Draft, o: AddOptions) -> None:
    """The title, note and tags not given, asked for on a terminal; suggested tags."""
    error = d.outcome.error if d.outcome else None
    if not d.known_title:
        refuse_unknown(error)
        if d.existing is None and unchecked(o.no_fetch, error) and not o.yes:
            _confirm_unchecked(d.paper_id, d.ask)
        if d.ask:
            d.title = d.known_title = clean_title(prompt.ask("Title", required=True))
    if d.edit:
        d.text = _edit_note(d.kb, d.paper_id, d.known_title or d.paper_id, d.text, d.tag_names)
    elif d.text is None and d.ask:
        answer = prompt.ask("Note (one line; empty for none; --edit for a longer one)")
        d.text = clean_note(answer) if answer.strip() else None
    d.suggested = suggested_tags(d.kb, [d.known_title, d.text], d.tag_names, d.existing)
    if d.suggested and (
        o.apply_suggestions
        or (d.ask and click.confirm(f"Add suggested tags {', '.join(d.suggested)}?", err=True))
    ):
        d.tag_names = [*d.tag_names, *d.suggested]
        d.suggested = []
    if not d.tag_names and d.ask and (d.existing is None or not d.existing.tags):
        d.tag_names, d.new_tags = _ask_tags(d.kb, o.new_tag)
        d.labels = _new_tag_labels(d.new_tags, None, None, d.ask)


def _file(env, d: _Draft, lang: Literal["zh", "en"] | None) -> AddReport:
    """The one write; a note typed in the editor is kept as a draft if it fails."""
    from papernotes.share.author import current_author

    request = AddRequest(
        paper_id=d.paper_id,
        title=d.title,
        tags=d.tag_names,
        new_tags=d.new_tags,
        new_tag_labels=d.labels,
        note=d.text,
        lang=lang,
        related=d.related_id,
        why=d.why,
        metadata=d.outcome.metadata if d.outcome else None,
        sources=d.outcome.sources if d.outcome else [],
        fetch_error=d.outcome.error if d.outcome else None,
        author=current_author(d.kb.root, settings=env.settings()) if d.text else None,
    )
    try:
        return add(d.kb, request)
    except PapernotesError as exc:
        if d.edit and d.text:
            keep_draft(d.kb, d.paper_id, d.text, exc)
        raise


def _new_tag_labels(new_tags, en: str | None, zh: str | None, ask: bool) -> dict:
    """English and Chinese labels for the tags --new-tag creates."""
    if not new_tags:
        return {}
    check_new_tag_labels(new_tags, en, zh)
    labels = {}
    for name in new_tags:
        en_label = en.strip() if en else None
        zh_label = zh.strip() if zh else None
        if ask and en_label is None:
            en_label = click.prompt(f"English label for new tag {name!r}", default=name, err=True)
        if ask and zh_label is None:
            zh_label = click.prompt(f"Chinese label for new tag {name!r}", default=name, err=True)
        labels[name] = (en_label, zh_label)
    return labels


def _related(kb, paper_id: str, related: str | None, why: str | None, ask: bool):
    """The related paper's id (checked to exist) and the reason, asked for if missing."""
    if related is None:
        return None, None
    other = related_id(kb, paper_id, related)
    if why is None and ask:
        why = prompt.ask(f"Why is {other} related", required=True)
    if why is None or not why.strip():
        raise UsageError("--related needs --why TEXT: the reason, in your words")
    return other, why.strip()


def _fetch(env, kb, paper_id: str, existing, no_fetch: bool):
    """Metadata for a new record, or for an existing one that still lacks some."""
    from papernotes.cli.common import console, is_tty
    from papernotes.edit.add import needs_metadata
    from papernotes.metadata.sources import MetadataFetcher

    if existing is not None and not needs_metadata(existing):
        return None
    busy = (
        console(env, stderr=True).status(f"Fetching metadata for {paper_id}...")
        if is_tty(stderr=True) and not no_fetch
        else contextlib.nullcontext()
    )
    with MetadataFetcher(kb.cache_dir(), network=not no_fetch, environ=kb.environ) as fetcher, busy:
        return fetcher.fetch(paper_id)


def _confirm_unchecked(paper_id: str, ask: bool) -> None:
    question = (
        f"{paper_id!r} is not in the knowledge base or the offline catalog, and could not be "
        "looked up online"
    )
    if not ask:
        raise UsageError(
            f"{question}; pass --title TEXT to add it (or --yes for a placeholder title)"
        )
    if not click.confirm(f"{question}. Add it anyway?", err=True):
        click.echo("Nothing added.", err=True)
        raise SystemExit(1)


def _edit_note(kb, paper_id: str, title: str, text: str | None, tags: list[str]) -> str:
    header = EDIT_HELP.format(
        id=paper_id, title=" ".join(title.split())[:80], tags=", ".join(tags) or "none"
    )
    try:
        edited = click.edit(header + "\n" + (text or "") + "\n", extension=".md")
    except click.ClickException as exc:
        raise UsageError(f"cannot run the editor: {exc.format_message()}") from None
    lines = (edited or "").split("\n")
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    body = "\n".join(lines)
    if not body.strip():
        raise UsageError("the note from the editor is empty; nothing was added")
    try:
        return clean_note(body)
    except PapernotesError as exc:  # too long, binary...: the typing is not lost
        keep_draft(kb, paper_id, body, exc)
        raise


def _ask_tags(kb, allow_new: bool) -> tuple[list[str], list[str]]:
    taxonomy = kb.taxonomy()
    names = sorted({*taxonomy.tags, *(a for t in taxonomy.tags.values() for a in t.aliases)})
    with prompt.completing(names) as tab:
        question = f"Tags (comma-separated; {'Tab completes; ' if tab else ''}empty for none)"
        while True:
            answer = prompt.ask(question)
            wanted = [t.strip() for t in answer.replace("，", ",").split(",") if t.strip()]
            try:
                return resolve_tags(kb, wanted, allow_new)
            except PapernotesError as exc:
                click.echo(f"{exc}; try again", err=True)


def print_result(env, report: AddReport, as_json: bool) -> None:
    """Warnings and hints on stderr; the report (or its JSON) on stdout."""
    for message in report.warnings:
        click.echo(f"Warning: {message}", err=True)
    for message in report.hints:
        click.echo(f"Hint: {message}", err=True)
    if as_json:
        emit_json(report.to_dict())
    else:
        _print_report(env, report)


def _print_report(env, report) -> None:
    from papernotes.cli.common import console, is_tty, plain, safe_text

    if not report.changed:
        head = f"Nothing changed in {report.path}"
    else:
        head = f"{'Created' if report.created else 'Updated'} {report.path}"
    lines = [f"  - {change}" for change in report.changes]
    if is_tty():
        out = console(env)
        out.print(f"[bold]{safe_text(head)}[/]: {safe_text(report.title)}", soft_wrap=True)
        for line in lines:
            out.print(safe_text(line), soft_wrap=True)
    else:
        click.echo(plain(f"{head}: {report.title}"))
        for line in lines:
            click.echo(plain(line))
