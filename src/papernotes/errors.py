"""Exceptions raised by the core, and the exit codes the CLI maps them to.

The core never prints: it raises one of these, and the CLI turns it into a
one-line ``Error: ...`` on stderr with the matching exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from papernotes.rows import row


class ExitCode(IntEnum):
    """The process's exit status; :data:`EXIT_MEANINGS` says what each one means."""

    OK = 0
    PROBLEMS = 1
    USAGE = 2
    NOT_FOUND = 3
    NETWORK = 4
    CANNOT_WRITE = 5
    BAD_DATA = 6
    INTERNAL = 70
    INTERRUPTED = 130


# Each code's words in ``papernotes --help``, and its meaning in the README's table (a test
# compares that table with this one).
EXIT_MEANINGS: dict[ExitCode, tuple[str, str]] = {
    ExitCode.OK: (
        "ok",
        "success (including a search that finds nothing: it prints `[]` with `--json`)",
    ),
    ExitCode.PROBLEMS: (
        "problems found (validate, fmt --check)",
        "problems found (`validate`, `fmt --check`)",
    ),
    ExitCode.USAGE: (
        "usage error",
        "usage error (bad option, bad id, empty query, no knowledge base)",
    ),
    ExitCode.NOT_FOUND: ("not found", "not found (paper, tag, file to import)"),
    ExitCode.NETWORK: (
        "network failure",
        "network failure (metadata servers, or the git remote in `sync`)",
    ),
    ExitCode.CANNOT_WRITE: (
        "cannot write",
        "cannot write (read-only folder, disk full, lock held too long)",
    ),
    ExitCode.BAD_DATA: ("invalid knowledge-base data", "a record or the taxonomy cannot be loaded"),
    ExitCode.INTERNAL: (
        "internal error",
        "internal error (a bug: please report it with `--debug` output)",
    ),
    ExitCode.INTERRUPTED: ("interrupted", "interrupted"),
}


class PapernotesError(Exception):
    """Base class: the message is the whole one-line explanation."""

    exit_code = ExitCode.USAGE


class UsageError(PapernotesError):
    exit_code = ExitCode.USAGE


class NotFoundError(PapernotesError):
    exit_code = ExitCode.NOT_FOUND


class NoKnowledgeBaseError(PapernotesError):
    exit_code = ExitCode.USAGE


class WriteError(PapernotesError):
    exit_code = ExitCode.CANNOT_WRITE


class NetworkError(PapernotesError):
    exit_code = ExitCode.NETWORK


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, printed as ``path:line: field: message (hint)``."""

    path: str
    message: str
    line: int | None = None
    field: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        place = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{self.field}: {self.message}" if self.field else self.message
        if self.hint:
            text += f" ({self.hint})"
        return f"{place}: {text}"

    def to_dict(self) -> dict:
        return row(self, "path", "line", "field", "message", "hint")


class DataError(PapernotesError):
    """A file in the knowledge base cannot be used; carries the problems found."""

    exit_code = ExitCode.BAD_DATA

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = str(problems[0]) if problems else "invalid data"
        more = (
            f" (and {len(problems) - 1} more problem(s); run 'papernotes validate')"
            if len(problems) > 1
            else ""
        )
        super().__init__(first + more)


# Things the core did that the user should hear about although nothing failed (a file
# rewritten without its comments); the CLI prints them as warnings after the command.
_NOTICES: list[str] = []


def notice(message: str) -> None:
    if message not in _NOTICES:
        _NOTICES.append(message)


def take_notices() -> list[str]:
    taken = list(_NOTICES)
    _NOTICES.clear()
    return taken
