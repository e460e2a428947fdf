import click

from papernotes.cli.args import paper_command
from papernotes.cli.common import pass_env


@paper_command
@click.option(
    "--force",
    is_flag=True,
    help="Save the edited record even when it has problems (on a terminal you are asked instead).",
)
@pass_env
def command(env, paper: str, force: bool) -> None:
    """Edit a record's YAML in $VISUAL or $EDITOR, checked before it is saved.

    The editor opens a copy. When you save and quit, the copy is checked as 'papernotes
    validate' would; a valid record replaces the old one (in canonical form). If there is
    a problem, it is shown and you choose: edit again, save anyway, or abort. Without a
    terminal to ask on, an invalid copy is never saved (unless --force); whatever is not
    saved is kept in a file whose path is printed, so no typing is lost.

    \b
    Examples:
      papernotes edit H1gEP6NFwr
      EDITOR=nano papernotes edit arxiv:1805.08651
    """
    from papernotes.cli.common import can_ask
    from papernotes.edit.record_file import check_draft, keep_draft, save_draft, start_draft
    from papernotes.model.ids import parse_paper_ref

    kb = env.kb()
    paper_id = parse_paper_ref(paper)
    draft, original = start_draft(kb, paper_id)
    shown = kb.shown(kb.path_for(paper_id))
    try:
        while True:
            _run_editor(env, draft, original)
            if draft.read_bytes() == original:
                draft.unlink(missing_ok=True)
                click.echo(f"No changes to {shown}", err=True)
                return
            edited, problems = check_draft(kb, paper_id, draft)
            if not problems:
                changed = save_draft(kb, paper_id, draft, original, edited)
                click.echo(f"Saved {shown}" if changed else f"No changes to {shown}", err=True)
                return
            for problem in problems:
                click.echo(f"  {problem}", err=True)
            if force:
                save_draft(kb, paper_id, draft, original, None)
                click.echo(f"Saved {shown} with {len(problems)} problem(s) (--force)", err=True)
                return
            if not can_ask():
                raise _not_saved(shown, problems, keep_draft(draft))
            choice = click.prompt(
                f"{shown} has {len(problems)} problem(s): (e)dit again, (s)ave anyway, (a)bort",
                type=click.Choice(["e", "s", "a"]),
                default="e",
                err=True,
            )
            if choice == "s":
                save_draft(kb, paper_id, draft, original, None)
                click.echo(f"Saved {shown} with {len(problems)} problem(s)", err=True)
                return
            if choice == "a":
                kept = keep_draft(draft)
                click.echo(f"Not saved; your text is kept in {kept}", err=True)
                raise SystemExit(1)
    except (KeyboardInterrupt, click.exceptions.Abort):
        if draft.exists():
            click.echo(f"\nNot saved; your text is kept in {keep_draft(draft)}", err=True)
        raise


def _not_saved(shown: str, problems: list, kept):
    from papernotes.errors import ExitCode, PapernotesError

    error = PapernotesError(
        f"{shown} not saved: {len(problems)} problem(s); your text is kept in {kept} "
        "(run 'papernotes edit' again, or --force to save it as it is)"
    )
    error.exit_code = ExitCode.BAD_DATA
    return error


def _run_editor(env, draft, original: bytes) -> None:
    from papernotes.edit.record_file import keep_draft
    from papernotes.errors import UsageError

    editor = env.settings().value("editor")
    try:
        click.edit(filename=str(draft), editor=editor or None)
    except click.ClickException as exc:
        kept = ""
        if draft.read_bytes() != original:
            kept = f"; your text is kept in {keep_draft(draft)}"
        else:
            draft.unlink(missing_ok=True)
        raise UsageError(f"cannot run the editor: {exc.format_message()}{kept}") from None
