import click

from papernotes.cli.common import emit_json, json_option, pass_env, plain


@click.command()
@json_option
@pass_env
def command(env, as_json: bool) -> None:
    """Share your changes and get everyone else's: commit, pull (rebase), push, re-index.

    Commits every change in the knowledge base (the message lists the papers), puts the
    commit on top of the remote branch with records merged field by field (as 'git rebase'
    with the papernotes merge driver would), pushes, and prints one line per paper that
    came in. A field changed differently on both sides keeps the remote's
    value and records yours (see 'papernotes resolve'). When git fails (no remote, no
    access, a file that cannot be merged) papernotes says what to do in one line and the
    repository is left as it was before the pull: never half merged.

    \b
    Example:
      papernotes sync
    """
    from papernotes.share.gitrepo import sync

    kb = env.kb()
    report = sync(kb.root)
    from papernotes.cli.indexing import refreshed
    from papernotes.index import Index

    with Index(kb) as index:
        refreshed(index, env)
    if as_json:
        emit_json(
            {
                "committed": report.committed,
                "incoming": report.incoming,
                "conflicts": report.conflicts,
                "pushed": report.pushed,
                "remote": report.remote,
            }
        )
        return
    for line in report.incoming:
        click.echo(plain(line))
    for line in report.conflicts:
        click.echo(f"Conflict: {plain(line)}", err=True)
    mine = f"{len(report.committed)} paper(s) committed, " if report.committed else ""
    click.echo(
        f"Synced with {report.remote!r}: {mine}{len(report.incoming)} paper(s) came in", err=True
    )
