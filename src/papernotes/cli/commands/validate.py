import click

from papernotes.cli.common import emit_json, json_option, pass_env, plain
from papernotes.errors import ExitCode


@click.command()
@click.option(
    "--strict",
    is_flag=True,
    help="Also report notes that are not truly bilingual: a language missing, a "
    "translation that copies the original or is in the wrong script, a wrong lang.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Re-read and re-check every file (default: files unchanged since the index last "
    "read them keep their result; the checks between files always run).",
)
@json_option
@pass_env
def command(env, strict: bool, full: bool, as_json: bool) -> None:
    """Check every record, the taxonomy and the links between them.

    Prints one line per problem as FILE:LINE: FIELD: MESSAGE (HINT) and exits 1
    if there is any, 0 if the knowledge base is clean.

    Each file's own check is remembered by the search index until the file changes;
    --full checks every file again.

    \b
    Example:
      papernotes validate --strict
    """
    from papernotes.checks.validate import validate

    kb = env.kb()
    problems = validate(kb, strict=strict, full=full)
    if as_json:
        emit_json([p.to_dict() for p in problems])
    else:
        for problem in problems:
            click.echo(plain(str(problem)))
    _warn_without_driver(kb.root)
    count = kb.record_count()
    if problems:
        click.echo(f"{len(problems)} problem(s) in {count} record(s)", err=True)
        raise SystemExit(ExitCode.PROBLEMS)
    click.echo(f"{count} record(s) and the taxonomy are valid", err=True)


def _warn_without_driver(root) -> None:
    """A shared knowledge base without the driver gets conflict markers in its records."""
    from papernotes.share.gitrepo import GitError, driver_configured, find_git_dir

    if find_git_dir(root) is None:
        return
    try:
        configured = driver_configured(root)
    except GitError:  # git not installed
        return
    if not configured:
        from papernotes.cli.common import warn

        warn(
            "this knowledge base is a git repository without the papernotes merge driver; "
            "run 'papernotes git init' so records merge without conflict markers"
        )
