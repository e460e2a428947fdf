from typing import Literal

import click

from papernotes.cli import prompt
from papernotes.cli.common import emit_json, json_option, pass_env

EDIT_HELP = """\
# Write your note on {id} below ({title}).
# Lines at the top starting with '#' are ignored; an empty note adds nothing.
# The language is detected (or pass --lang zh|en). Tags: {tags}.
"""


@click.command()
@click.argument("paper")
@click.option("--title", metavar="TEXT", help="Title, when no metadata source knows it.")
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="TAG",
    help="Tag to add (any name, label or alias from tags.yaml; repeatable).",
)
@click.option(
    "--new-tag",
    is_flag=True,
    help="Create unknown --tag names in tags.yaml, labelled with --en/--zh (asked for on a "
    "terminal; else the name). Tag names are ASCII: give a Chinese label with --zh.",
)
@click.option("--en", "en_label", metavar="TEXT", help="English label of the --new-tag tag.")
@click.option("--zh", "zh_label", metavar="TEXT", help="Chinese label of the --new-tag tag.")
@click.option(
    "--tag-suggestions",
    "apply_suggestions",
    is_flag=True,
    help="Add the tags the title and note suggest (from tags.yaml) without asking. "
    "On a terminal you are asked (y/N); otherwise they are only listed.",
)
@click.option("--note", metavar="TEXT", help="The note; '-' reads it from standard input.")
@click.option(
    "--note-file", metavar="FILE", help="Read the note from a UTF-8 text file ('-' = stdin)."
)
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), help="Language of the note. Default: detected."
)
@click.option(
    "--related", metavar="ID", help="Another paper in the knowledge base to link (both ways)."
)
@click.option("--why", metavar="TEXT", help="Why --related is related, in your words.")
@click.option(
    "--no-fetch", is_flag=True, help="Stay offline: metadata from the offline catalog only."
)
@click.option("--edit", is_flag=True, help="Write the note in $EDITOR (a commented template).")
@click.option(
    "--yes",
    "-y",
    is_flag=True,
    help="Offline, file an id that nothing could check under a placeholder title (no question).",
)
@json_option
@pass_env
def command(
    env,
    paper: str,
    title: str | None,
    tags: tuple[str, ...],
    new_tag: bool,
    en_label: str | None,
    zh_label: str | None,
    apply_suggestions: bool,
    note: str | None,
    note_file: str | None,
    lang: Literal["zh", "en"] | None,
    related: str | None,
    why: str | None,
    no_fetch: bool,
    edit: bool,
    yes: bool,
    as_json: bool,
) -> None:
    """Add a paper or a note: create the record, or append to the one that exists.

    PAPER is an OpenReview id or URL, an arXiv id or URL (arxiv:1805.08651), or a DOI.
    Metadata comes from the offline ICLR 2020 catalog, then OpenReview (API v2, then
    v1) or arXiv; set PAPERNOTES_OPENREVIEW_TOKEN if OpenReview asks for a login.
    Existing notes are never changed. A new note records its author (by:) from
    PAPERNOTES_AUTHOR, the 'author' key of the config file, or git's user.name.
    When the network fails the record is still
    saved (exit 0, with a warning): run 'papernotes refresh ID' later.

    On a terminal, what is missing (title, note, tags) is asked for; otherwise
    papernotes never waits for input. Tags named in the title or note (names,
    labels or aliases from tags.yaml) are suggested: added after a y/N question
    on a terminal, listed otherwise, added without asking with --tag-suggestions.
    An id that differs only by case from an existing record is refused (such files
    collide on macOS and Windows). Offline, an id that is neither in the knowledge
    base nor in the catalog needs --title, or a confirmation (asked on a terminal,
    --yes otherwise) to be filed under a placeholder title.

    \b
    Examples:
      papernotes add 'https://openreview.net/forum?id=SkgsACVKPH' --tag lth --note "..."
      papernotes add rkgNKkHtvB --note "LSH attention" --no-fetch
      papernotes add arxiv:1805.08651 --related H1gEP6NFwr --why "same question" --edit
      papernotes add H1gEP6NFwr --note - --lang zh < draft.txt
      papernotes add H1gEP6NFwr --tag lottery --new-tag --en "Lottery tickets" --zh 彩票
    """
    from papernotes.edit.add import AddRequest, add, clean_note, clean_title, resolve_tags
    from papernotes.errors import PapernotesError, UsageError
    from papernotes.model.ids import parse_paper_ref
    from papernotes.share.author import current_author

    paper_id = parse_paper_ref(paper)
    if note is not None and note_file is not None:
        raise UsageError("give the note once: --note or --note-file, not both")
    if why is not None and related is None:
        raise UsageError("--why goes with --related ID")
    kb = env.kb()
    _refuse_case_twin(kb, paper_id)
    ask = _interactive()
    text = _read_note(note, note_file)
    title = clean_title(title) if title is not None else None
    if (en_label is not None or zh_label is not None) and not new_tag:
        raise UsageError("--en and --zh label a new tag: use them with --tag NAME --new-tag")
    tag_names, new_tags = resolve_tags(kb, list(tags), new_tag)
    labels = _new_tag_labels(new_tags, en_label, zh_label, ask)
    related_id, why = _related(kb, paper_id, related, why, ask)
    existing = kb.get(paper_id) if kb.exists(paper_id) else None

    interrupted = False
    try:
        outcome = _fetch(env, kb, paper_id, existing, no_fetch)
    except KeyboardInterrupt:
        # Ctrl-C while a server dawdles: what the user typed is saved before exiting 130.
        if text is None and not tag_names and related_id is None and title is None:
            raise
        interrupted, ask, edit = True, False, False
        outcome = _offline(paper_id, "interrupted while fetching the metadata")
    except PapernotesError:
        raise  # the cache folder cannot be made: nothing can be saved either
    except Exception as exc:  # noqa: BLE001 - the network never costs a note
        outcome = _offline(paper_id, f"the metadata step failed ({type(exc).__name__})")
    meta = outcome.metadata if outcome else None
    error = outcome.error if outcome else None
    known_title = title or (meta.title if meta else None) or (existing.title if existing else None)
    if isinstance(error, UsageError) and existing is None:
        raise error  # e.g. arXiv says the id is malformed: nothing worth filing under it
    if not known_title:
        _refuse_unknown(error)
        if existing is None and _unchecked(no_fetch, error) and not yes:
            _confirm_unchecked(paper_id, ask)
        if ask:
            title = known_title = clean_title(prompt.ask("Title", required=True))
    if edit:
        text = _edit_note(kb, paper_id, known_title or paper_id, text, tag_names)
    elif text is None and ask:
        answer = prompt.ask("Note (one line; empty for none; --edit for a longer one)")
        text = clean_note(answer) if answer.strip() else None
    suggested = _suggested_tags(kb, [known_title, text], tag_names, existing)
    if suggested and (
        apply_suggestions
        or (ask and click.confirm(f"Add suggested tags {', '.join(suggested)}?", err=True))
    ):
        tag_names = [*tag_names, *suggested]
        suggested = []
    if not tag_names and ask and (existing is None or not existing.tags):
        tag_names, new_tags = _ask_tags(kb, new_tag)
        labels = _new_tag_labels(new_tags, None, None, ask)

    request = AddRequest(
        paper_id=paper_id,
        title=title,
        tags=tag_names,
        new_tags=new_tags,
        new_tag_labels=labels,
        note=text,
        lang=lang,
        related=related_id,
        why=why,
        metadata=meta,
        sources=outcome.sources if outcome else [],
        fetch_error=error,
        author=current_author(kb.root, settings=env.settings()) if text else None,
    )
    try:
        report = add(kb, request)
    except PapernotesError as exc:
        if edit and text:
            _keep_draft(kb, paper_id, text, exc)
        raise
    missing = [f for f in ("authors", "abstract") if f not in report.metadata_fields]
    if no_fetch and report.created and outcome is not None and outcome.online and missing:
        report.hints.append(
            f"fetch the {' and '.join(missing)} later: papernotes refresh {paper_id}"
        )
    if suggested:
        report.hints.append(
            f"tags suggested by the title and note: {', '.join(suggested)} "
            "(add them with --tag-suggestions, or --tag NAME)"
        )
    for message in report.warnings:
        click.echo(f"Warning: {message}", err=True)
    for message in report.hints:
        click.echo(f"Hint: {message}", err=True)
    if as_json:
        emit_json(report.to_dict())
    else:
        _print_report(env, report)
    if interrupted:
        raise KeyboardInterrupt


def _offline(paper_id: str, why: str):
    """What is known without the network, with ``why`` as the fetch error."""
    from papernotes.errors import NetworkError
    from papernotes.metadata.sources import MetadataFetcher

    with MetadataFetcher(None, network=False) as fetcher:
        outcome = fetcher.fetch(paper_id)
    outcome.error = NetworkError(why)
    return outcome


def _keep_draft(kb, paper_id: str, text: str, error) -> None:
    """The note typed in the editor, kept in the cache when the save fails."""
    import contextlib
    import time

    from papernotes.model.ids import filename_for

    with contextlib.suppress(Exception):
        folder = kb.cache_dir() / "drafts"
        folder.mkdir(exist_ok=True)
        name = filename_for(paper_id).removesuffix(".yaml")
        path = folder / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.md"
        path.write_text(text + "\n", encoding="utf-8")
        error.args = (f"{error}; your note is kept in {path}",)


def _new_tag_labels(new_tags, en: str | None, zh: str | None, ask: bool) -> dict:
    """English and Chinese labels for the tags --new-tag creates."""
    from papernotes.errors import UsageError

    if not new_tags:
        return {}
    if (en is not None or zh is not None) and len(new_tags) > 1:
        raise UsageError(
            f"--en/--zh label one new tag, but {len(new_tags)} are new "
            f"({', '.join(new_tags)}): add them one at a time"
        )
    for label, option in ((en, "--en"), (zh, "--zh")):
        if label is not None and (not label.strip() or "\n" in label):
            raise UsageError(f"{option} needs a one-line label")
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


def _suggested_tags(kb, texts, chosen: list[str], existing) -> list[str]:
    """Taxonomy tags the title and note mention, not already chosen or on the record."""
    from papernotes.importers.tagging import Tagger

    text = "\n".join(t for t in texts if t)
    if not text.strip():
        return []
    taxonomy = kb.taxonomy()
    have = set(chosen) | set(existing.tags if existing is not None else [])
    implied = {a for name in have if name in taxonomy.tags for a in taxonomy.parent_chain(name)}
    return [t for t in Tagger(taxonomy).suggest(text) if t not in have and t not in implied]


def _interactive() -> bool:
    """Ask questions only when a person can see them and answer."""
    import sys

    return sys.stdin.isatty() and sys.stderr.isatty()


NOTE_BYTES = 1_000_000


def _read_note(note: str | None, note_file: str | None) -> str | None:
    from papernotes.edit.add import clean_note
    from papernotes.errors import UsageError

    if note is not None and note != "-":
        return clean_note(note)
    if note == "-" or note_file == "-":
        import sys

        from papernotes.store.fsio import TooLarge, read_bounded

        stream = getattr(sys.stdin, "buffer", None)
        try:
            if stream is not None:
                raw = read_bounded(stream, NOTE_BYTES)
            else:
                raw = sys.stdin.read(NOTE_BYTES + 1).encode("utf-8")
                if len(raw) > NOTE_BYTES:
                    raise TooLarge
        except TooLarge:
            raise UsageError("the note on standard input is too long (more than 1 MB)") from None
        try:
            return clean_note(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise UsageError("the note on standard input is not UTF-8 text") from None
    if note_file is None:
        return None
    from pathlib import Path

    from papernotes.store.fsio import TooLarge, read_bounded

    path = Path(note_file)
    try:
        with path.open("rb") as handle:
            raw = read_bounded(handle, NOTE_BYTES)
    except TooLarge:
        raise UsageError(f"note file {note_file!r} is too long (more than 1 MB)") from None
    except IsADirectoryError:
        raise UsageError(f"note file {note_file!r} is a directory") from None
    except OSError as exc:
        raise UsageError(f"cannot read note file {note_file!r}: {exc.strerror or exc}") from None
    try:
        return clean_note(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"note file {note_file!r} is not UTF-8 text") from None


def _related(kb, paper_id: str, related: str | None, why: str | None, ask: bool):
    """The related paper's id (checked to exist) and the reason, asked for if missing."""
    from papernotes.errors import UsageError
    from papernotes.model.ids import parse_paper_ref

    if related is None:
        return None, None
    related_id = parse_paper_ref(related)
    if related_id == paper_id:
        raise UsageError("a paper cannot be related to itself")
    kb.get(related_id)  # NotFoundError, with close matches, if there is no such record
    if why is None and ask:
        why = prompt.ask(f"Why is {related_id} related", required=True)
    if why is None or not why.strip():
        raise UsageError("--related needs --why TEXT: the reason, in your words")
    return related_id, why.strip()


def _fetch(env, kb, paper_id: str, existing, no_fetch: bool):
    """Metadata for a new record, or for an existing one that still lacks some."""
    import contextlib

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
    with MetadataFetcher(kb.cache_dir(), network=not no_fetch) as fetcher, busy:
        return fetcher.fetch(paper_id)


def _refuse_case_twin(kb, paper_id: str) -> None:
    from papernotes.errors import UsageError

    if kb.exists(paper_id):
        return
    # The same id in a misnamed file is no twin: saving refuses it, naming the file.
    twins = [i for i in kb.ids() if i.casefold() == paper_id.casefold() and i != paper_id]
    if twins:
        raise UsageError(
            f"{paper_id!r} differs only by case from the existing {twins[0]!r} (did you mean "
            f"{twins[0]!r}? to rename it: papernotes mv {twins[0]} {paper_id})"
        )


def _unchecked(no_fetch: bool, error) -> bool:
    """Nothing could say whether the id names a paper: offline, and not in the catalog."""
    from papernotes.errors import NetworkError

    return no_fetch or isinstance(error, NetworkError)


def _confirm_unchecked(paper_id: str, ask: bool) -> None:
    from papernotes.errors import UsageError

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


def _refuse_unknown(error) -> None:
    """No title anywhere: a 404 is the user's to fix (a typo?), not ours to file."""
    from papernotes.errors import NotFoundError

    if isinstance(error, NotFoundError):
        raise NotFoundError(f"{error} (check the id, or pass --title to file it anyway)")


def _edit_note(kb, paper_id: str, title: str, text: str | None, tags: list[str]) -> str:
    from papernotes.edit.add import clean_note
    from papernotes.errors import PapernotesError, UsageError

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
        _keep_draft(kb, paper_id, body, exc)
        raise


def _ask_tags(kb, allow_new: bool) -> tuple[list[str], list[str]]:
    from papernotes.edit.add import resolve_tags
    from papernotes.errors import PapernotesError

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
