"""What every command shares: the environment, --json, consoles, error conversion.

Kept free of heavy imports: rich and the core load inside the functions that use them.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

    from papernotes.settings import Settings
    from papernotes.store.kb import KnowledgeBase


@dataclass
class Env:
    """Global options, and the knowledge base found from them (on first use)."""

    root: str | None = None
    no_color: bool = False
    debug: bool = False
    _kb: Any = field(default=None, repr=False)
    _settings: Any = field(default=None, repr=False)

    def settings(self) -> Settings:
        """The user's settings (command line, environment, config file), read once."""
        if self._settings is None:
            from papernotes.settings import Settings

            self._settings = Settings({"root": self.root})
        return self._settings

    def colourless(self) -> bool:
        """--no-color, $NO_COLOR, or color = false in the config file."""
        if self.no_color or os.environ.get("NO_COLOR"):
            return True
        try:
            return self.settings().value("color") is False
        except Exception:  # noqa: BLE001 - a broken config file is reported by the command
            return False

    def kb(self) -> KnowledgeBase:
        """The knowledge base; a broken config file is an error here even with --root."""
        if self._kb is None:
            from papernotes.store.kb import KnowledgeBase

            settings = self.settings()
            root = settings.get("root")
            if root.source == "default" or root.source.startswith("config file"):
                self._kb = KnowledgeBase.find(None, default=root.value, settings=settings)
            else:
                self._kb = KnowledgeBase.find(root.value, settings=settings)
        return self._kb


pass_env = click.make_pass_decorator(Env, ensure=True)


def json_option(func: Callable) -> Callable:
    """``--json``: machine-readable output on stdout (``[]`` when there is nothing)."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON on stdout instead of a table."
    )(func)


def emit_json(data: Any) -> None:
    from papernotes.text import json_controls

    click.echo(json_controls(json.dumps(data, ensure_ascii=False, indent=2, default=str)))


def console(env: Env | None = None, stderr: bool = False) -> Console:
    """A rich console for this invocation: colour only on a terminal and without NO_COLOR."""

    no_color = bool(env and env.colourless()) or bool(os.environ.get("NO_COLOR"))
    stream = sys.stderr if stderr else sys.stdout
    width = None
    if not stream.isatty():
        width = int(os.environ.get("COLUMNS", "0") or 0) or 100
    return _console_class()(
        file=stream,
        no_color=no_color,
        color_system=None if no_color else "auto",
        highlight=False,
        emoji=False,
        width=width,
        # Piped output is not wrapped: one logical line stays one line for grep and friends.
        soft_wrap=not stream.isatty(),
    )


def text_console(env: Env | None = None):
    """The console of a command that prints only marked-up lines (``show``, ``related``):
    rich on a terminal, else :class:`PlainConsole`, which prints the same text without
    importing rich."""
    if sys.stdout.isatty():
        return console(env)
    return PlainConsole(env)


# rich's markup tags (rich.markup.RE_TAGS): '[' then a lower-case letter, '#', '/' or '@'
_TAGS = re.compile(r"(\\*)\[([a-z#/@][^[]*?)]")
# what rich would not print as it is: a tab (expanded), control codes (stripped), '\r'
_NOT_PLAIN = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


class PlainConsole:
    """``rich.console.Console.print`` of markup to a pipe, without rich: the markup's text,
    one line per call. A line rich would change (a tab, a control code) goes through rich."""

    is_terminal = False

    def __init__(self, env: Env | None = None):
        self.env = env
        self._rich: Console | None = None

    def print(self, markup: str = "", **options) -> None:
        text = _markup_text(markup)
        if _NOT_PLAIN.search(text):
            if self._rich is None:
                self._rich = console(self.env)
            self._rich.print(markup, **options)
            return
        sys.stdout.write(text + "\n")


def _markup_text(markup: str) -> str:
    """The text rich prints for ``markup`` (rich.markup.render, with the tags dropped)."""
    if "[" not in markup:
        return markup
    parts = []
    position = 0
    for match in _TAGS.finditer(markup):
        escapes = match.group(1)
        start, end = match.span()
        parts.append(markup[position:start].replace("\\[", "["))  # an escaped '['
        position = end
        backslashes, escaped = divmod(len(escapes), 2)
        parts.append("\\" * backslashes)
        if escaped:
            parts.append(match.group()[len(escapes) :])
    parts.append(markup[position:].replace("\\[", "["))
    return "".join(parts)


@functools.cache
def _console_class() -> type:
    from rich.console import Console

    class PipedConsole(Console):
        def on_broken_pipe(self) -> None:
            # rich exits 1 on its own; the command ends the way every other one does.
            raise BrokenPipeError

    return PipedConsole


def can_ask() -> bool:
    """Ask questions only when a person can see them and answer."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def is_tty(stderr: bool = False) -> bool:
    return (sys.stderr if stderr else sys.stdout).isatty()


# Backslashes right before '[' or at the end of the text, and every '['.
_MARKUP = re.compile(r"(\\+)(?=\[|\Z)|\[")


def _markup_escape(match: re.Match) -> str:
    # rich eats a backslash before '[' (tag or not) and halves a run of them before a
    # tag: double the run and end it with an empty tag, so it prints as typed whatever
    # the caller puts after it. rich.markup.escape gets 'x\\' + '[/]' and '\[' wrong.
    if match.group(1):
        return match.group(1) * 2 + "[dim][/dim]"
    return "\\["


def safe_text(text: str) -> str:
    """User text made inert for a terminal: escape rich markup, show control characters."""
    return _MARKUP.sub(_markup_escape, plain(text))


def plain(text: str) -> str:
    """User text for plain (piped) output: control and bidi characters shown, not sent."""
    from papernotes.text import show_controls

    return show_controls(text)


def warn(message: str) -> None:
    click.echo(f"Warning: {plain(message)}", err=True)


def message_line(message: str) -> str:
    """The message on one line; a huge echoed argument (a 100k-character --tag) is cut."""
    words = plain(str(message)).split()
    return " ".join(w if len(w) <= 300 else f"{w[:150]}...[{len(w)} chars]" for w in words) or (
        "unknown error"
    )


class OneLineUsageError(click.UsageError):
    """A click usage error shown like every other error: one line, with where to look.

    click prints the usage line, a 'Try ... --help' line and the error: three lines
    where the README promises one.
    """

    def show(self, file: Any = None) -> None:
        where = self.ctx.command_path if self.ctx else "papernotes"
        click.echo(
            f"Error: {message_line(self.format_message())} (see '{where} --help')",
            file=file,
            err=file is None,
        )


def one_line_usage(exc: click.UsageError) -> click.UsageError:
    """``exc`` as a OneLineUsageError; 'no arguments, show the help' stays as it is."""
    if isinstance(exc, OneLineUsageError | click.exceptions.NoArgsIsHelpError):
        return exc
    converted = OneLineUsageError(exc.format_message(), exc.ctx)
    # click declares exit_code on the class; this one error keeps the code it came with
    converted.exit_code = exc.exit_code  # type: ignore[misc]
    return converted


NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def run_safely(ctx: click.Context, call: Callable[[], Any]) -> Any:
    """Run a command; turn papernotes errors into one line on stderr and an exit code."""
    from papernotes.errors import ExitCode, PapernotesError

    env = ctx.find_object(Env)
    debug = bool(env and env.debug) or "--debug" in sys.argv[1:2]
    from papernotes.errors import take_notices

    take_notices()
    try:
        result = call()
        for message in take_notices():
            warn(message)
        return result
    except click.UsageError as exc:
        raise one_line_usage(exc) from None
    except click.exceptions.Abort:  # Ctrl-C (or end of input) at a prompt
        click.echo("\nInterrupted", err=True)
        ctx.exit(ExitCode.INTERRUPTED)
    except (click.exceptions.Exit, click.ClickException):
        raise
    except PapernotesError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"Error: {message_line(str(exc))}", err=True)
        ctx.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("\nInterrupted", err=True)
        ctx.exit(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); say nothing more.
        try:
            sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
        except OSError:
            pass
        ctx.exit(ExitCode.OK)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if debug:
            raise
        if isinstance(exc, OSError) and exc.errno in NO_SPACE:
            # Not caught below the CLI, so most likely stdout itself: `list > /dev/full`.
            where = f" {exc.filename}" if exc.filename else " the output"
            with contextlib.suppress(OSError):
                sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - no second error at exit
            click.echo(f"Error: cannot write{where}: {exc.strerror}", err=True)
            ctx.exit(ExitCode.CANNOT_WRITE)
        click.echo(
            f"Error: internal error: {type(exc).__name__}: {message_line(str(exc))[:300]} (run with --debug for the traceback)",
            err=True,
        )
        ctx.exit(ExitCode.INTERNAL)
