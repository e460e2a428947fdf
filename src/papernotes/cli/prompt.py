"""Questions asked on a terminal, with readline's line editing and Tab completion.

click's prompt sends the question to stderr by redirecting stdout, and Python's
``input()`` uses readline only when stdin and stdout are the terminal itself; so a
redirected prompt loses editing and completion. Here the question goes through
``input()`` whenever both are the terminal (data still reaches stdout only after the
questions), and to stderr, without editing, when stdout is a pipe.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import click


def line_editing() -> bool:
    """Whether ``input()`` will edit the line with readline here."""
    try:
        import readline  # noqa: F401  (importing it is what makes input() use it)
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return False
    return sys.stdin.isatty() and sys.stdout.isatty()


def ask(question: str, *, required: bool = False) -> str:
    """One answer, stripped of the line end; "" when left empty or at end of input.
    ``required`` asks again until there is an answer; end of input is then a usage error."""
    while True:
        answer = _read(f"{question}: ")
        if answer is None:
            if required:
                from papernotes.errors import UsageError

                raise UsageError(f"no answer to {question!r} (end of input)")
            return ""
        if answer.strip() or not required:
            return answer


def _read(prompt: str) -> str | None:
    try:
        if line_editing():
            return input(prompt)
        click.echo(prompt, err=True, nl=False)
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")
    except EOFError:
        click.echo(err=True)
        return None


@contextlib.contextmanager
def completing(names: list[str]) -> Iterator[bool]:
    """Tab completes ``names`` (case-insensitively, comma-separated) in ``ask`` within
    the block; yields whether completion is available, so a prompt can say so."""
    if not line_editing():
        yield False
        return
    import readline

    def complete(text: str, state: int) -> str | None:
        stem = text.lstrip()
        lead = text[: len(text) - len(stem)]
        found = [lead + n for n in names if n.casefold().startswith(stem.casefold())]
        return found[state] if state < len(found) else None

    previous, delims = readline.get_completer(), readline.get_completer_delims()
    readline.set_completer(complete)
    readline.set_completer_delims(",")
    # libedit (macOS Python) takes another syntax for the same binding.
    binding = "bind ^I rl_complete" if "libedit" in (readline.__doc__ or "") else "tab: complete"
    readline.parse_and_bind(binding)
    try:
        yield True
    finally:
        readline.set_completer(previous)
        readline.set_completer_delims(delims)
