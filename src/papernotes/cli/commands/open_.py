import click

from papernotes.cli.common import pass_env
from papernotes.cli.complete import complete_paper_ids

DEFAULT_ORDER = ("forum", "pdf", "arxiv", "project", "code")


@click.command(name="open")
@click.argument("paper", shell_complete=complete_paper_ids)
@click.option("--pdf", "which", flag_value="pdf", help="The PDF.")
@click.option("--forum", "which", flag_value="forum", help="The forum (OpenReview) page.")
@click.option("--code", "which", flag_value="code", help="The code repository.")
@click.option("--print", "print_only", is_flag=True, help="Print the link instead of opening it.")
@pass_env
def command(env, paper: str, which: str | None, print_only: bool) -> None:
    """Open a paper's link in the browser: the forum page unless --pdf or --code.

    The browser is the 'browser' setting ($BROWSER or the config file; see
    'papernotes config'), else the system's default.

    \b
    Examples:
      papernotes open H1gEP6NFwr --pdf
      papernotes open H1gEP6NFwr --print | xclip
    """
    from papernotes.errors import NotFoundError
    from papernotes.model.ids import parse_paper_ref

    record = env.kb().get(parse_paper_ref(paper))
    links = record.canonical_links()
    if which is not None:
        url = links.get(which)
        if url is None:
            have = ", ".join(links) or "none"
            raise NotFoundError(f"{record.id} has no {which} link (links: {have})")
    else:
        url = next((links[k] for k in DEFAULT_ORDER if k in links), None)
        url = url or next(iter(links.values()), None)
        if url is None:
            raise NotFoundError(
                f"{record.id} has no links (add one with 'papernotes edit {record.id}')"
            )
    if print_only:
        click.echo(url)
        return
    _launch(env, url)
    click.echo(f"opened {url}", err=True)


def _launch(env, url: str) -> None:
    import shlex
    import subprocess

    from papernotes.errors import UsageError

    browser = env.settings().value("browser")
    if browser:
        command = shlex.split(browser)
        command = [a.replace("%s", url) for a in command] if "%s" in browser else [*command, url]
        try:
            subprocess.run(command, check=True, stdin=subprocess.DEVNULL)  # noqa: S603
        except (OSError, subprocess.CalledProcessError) as exc:
            raise UsageError(f"cannot run the browser {browser!r}: {exc}; use --print") from None
        return
    import webbrowser

    if not webbrowser.open(url):
        raise UsageError(
            "no browser found; use --print, or set 'browser' (see 'papernotes config')"
        )
