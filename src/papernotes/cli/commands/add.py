import click

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
    help="Create unknown --tag names in tags.yaml (labels = the name; edit them there).",
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
@json_option
@pass_env
def command(
    env,
    paper: str,
    title: str | None,
    tags: tuple[str, ...],
    new_tag: bool,
    note: str | None,
    note_file: str | None,
    lang: str | None,
    related: str | None,
    why: str | None,
    no_fetch: bool,
    edit: bool,
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
    papernotes never waits for input.

    \b
    Examples:
      papernotes add 'https://openreview.net/forum?id=SkgsACVKPH' --tag lth --note "..."
      papernotes add rkgNKkHtvB --note "LSH attention" --no-fetch
      papernotes add arxiv:1805.08651 --related H1gEP6NFwr --why "same question" --edit
      papernotes add H1gEP6NFwr --note - --lang zh < draft.txt
    """
    from papernotes.edit.add import AddRequest, add, clean_note, clean_title, resolve_tags
    from papernotes.errors import UsageError
    from papernotes.model.ids import parse_paper_ref
    from papernotes.share.author import current_author

    paper_id = parse_paper_ref(paper)
    if note is not None and note_file is not None:
        raise UsageError("give the note once: --note or --note-file, not both")
    if why is not None and related is None:
        raise UsageError("--why goes with --related ID")
    kb = env.kb()
    ask = _interactive()
    text = _read_note(note, note_file)
    title = clean_title(title) if title is not None else None
    tag_names, new_tags = resolve_tags(kb, list(tags), new_tag)
    related_id, why = _related(kb, paper_id, related, why, ask)
    existing = kb.get(paper_id) if kb.exists(paper_id) else None

    outcome = _fetch(env, kb, paper_id, existing, no_fetch)
    meta = outcome.metadata if outcome else None
    error = outcome.error if outcome else None
    known_title = title or (meta.title if meta else None) or (existing.title if existing else None)
    if isinstance(error, UsageError) and existing is None:
        raise error  # e.g. arXiv says the id is malformed: nothing worth filing under it
    if not known_title:
        _refuse_unknown(error)
        if ask:
            title = known_title = clean_title(click.prompt("Title", err=True))
    if edit:
        text = _edit_note(paper_id, known_title or paper_id, text, tag_names)
    elif text is None and ask:
        answer = click.prompt(
            "Note (one line; empty for none; --edit for a longer one)",
            default="",
            show_default=False,
            err=True,
        )
        text = clean_note(answer) if answer.strip() else None
    if not tag_names and ask and (existing is None or not existing.tags):
        tag_names, new_tags = _ask_tags(kb, new_tag)

    report = add(
        kb,
        AddRequest(
            paper_id=paper_id,
            title=title,
            tags=tag_names,
            new_tags=new_tags,
            note=text,
            lang=lang,
            related=related_id,
            why=why,
            metadata=meta,
            sources=outcome.sources if outcome else [],
            fetch_error=error,
            author=current_author(kb.root) if text else None,
        ),
    )
    if no_fetch and report.created and outcome is not None and outcome.online:
        report.hints.append(
            f"fetch authors, abstract and more later: papernotes refresh {paper_id}"
        )
    for message in report.warnings:
        click.echo(f"Warning: {message}", err=True)
    for message in report.hints:
        click.echo(f"Hint: {message}", err=True)
    if as_json:
        emit_json(report.to_dict())
        return
    _print_report(env, report)


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

        from papernotes.store.files import TooLarge, read_bounded

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

    from papernotes.store.files import TooLarge, read_bounded

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
        why = click.prompt(f"Why is {related_id} related", err=True)
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


def _refuse_unknown(error) -> None:
    """No title anywhere: a 404 is the user's to fix (a typo?), not ours to file."""
    from papernotes.errors import NotFoundError

    if isinstance(error, NotFoundError):
        raise NotFoundError(f"{error} (check the id, or pass --title to file it anyway)")


def _edit_note(paper_id: str, title: str, text: str | None, tags: list[str]) -> str:
    from papernotes.edit.add import clean_note
    from papernotes.errors import UsageError

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
    return clean_note(body)


def _ask_tags(kb, allow_new: bool) -> tuple[list[str], list[str]]:
    from papernotes.edit.add import resolve_tags
    from papernotes.errors import PapernotesError

    taxonomy = kb.taxonomy()
    names = sorted({*taxonomy.tags, *(a for t in taxonomy.tags.values() for a in t.aliases)})
    with _completion(names):
        while True:
            answer = click.prompt(
                "Tags (comma-separated; Tab completes; empty for none)",
                default="",
                show_default=False,
                err=True,
            )
            wanted = [t.strip() for t in answer.replace("，", ",").split(",") if t.strip()]
            try:
                return resolve_tags(kb, wanted, allow_new)
            except PapernotesError as exc:
                click.echo(f"{exc}; try again", err=True)


def _completion(names: list[str]):
    """Tab completion of tag names in prompts, where readline exists."""
    import contextlib

    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def active():
        previous, delims = readline.get_completer(), readline.get_completer_delims()

        def complete(prefix: str, state: int) -> str | None:
            found = [n for n in names if n.casefold().startswith(prefix.casefold())]
            return found[state] if state < len(found) else None

        readline.set_completer(complete)
        readline.set_completer_delims(",")
        readline.parse_and_bind("tab: complete")
        try:
            yield
        finally:
            readline.set_completer(previous)
            readline.set_completer_delims(delims)

    return active()


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
