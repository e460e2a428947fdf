import click

from papernotes.cli.common import emit_json, json_option, pass_env, plain
from papernotes.errors import ExitCode


@click.command()
@click.option(
    "--check",
    is_flag=True,
    help="Change nothing; list files that are not canonical and exit 1 if any.",
)
@json_option
@pass_env
def command(env, check: bool, as_json: bool) -> None:
    """Rewrite records and tags.yaml in canonical form.

    Canonical: fixed key order, block style, UTF-8 text, multi-line notes as
    literal blocks, tag aliases replaced by canonical tag names, and a citation
    key stored in every record that has none (the key exports printed so far).
    Files that do not load are reported and left alone.

    \b
    Example:
      papernotes fmt --check || papernotes fmt
    """
    from papernotes.checks.fmt import format_kb

    results = format_kb(env.kb(), check=check)
    changed = [r for r in results if r.changed]
    errors = [r for r in results if r.error]
    if as_json:
        emit_json(
            [{"path": r.path, "changed": r.changed, "error": r.error} for r in changed + errors]
        )
    else:
        verb = "would reformat" if check else "reformatted"
        for r in changed:
            click.echo(f"{verb} {plain(r.path)}")
        for r in errors:
            click.echo(f"cannot format {plain(r.error or '')}", err=True)
    click.echo(
        f"{len(changed)} file(s) {'to reformat' if check else 'reformatted'}, "
        f"{len(results) - len(changed) - len(errors)} already canonical, {len(errors)} with errors",
        err=True,
    )
    if errors or (check and changed):
        raise SystemExit(ExitCode.PROBLEMS)
