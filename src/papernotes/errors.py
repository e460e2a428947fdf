"""Exceptions raised by the core, and the exit codes the CLI maps them to.

The core never prints: it raises one of these, and the CLI turns it into a
one-line ``Error: ...`` on stderr with the matching exit code.
"""

from __future__ import annotations

from dataclasses import dataclass

from papernotes.rows import row


class ExitCode:
    OK = 0
    PROBLEMS = 1  # validate / fmt --check found problems
    USAGE = 2  # bad arguments or bad input given on the command line
    NOT_FOUND = 3  # no such paper / tag / file
    NETWORK = 4  # metadata server unreachable or answered badly
    CANNOT_WRITE = 5  # read-only knowledge base, disk full, lock timeout
    BAD_DATA = 6  # a record or the taxonomy cannot be loaded
    INTERNAL = 70  # a bug: an exception papernotes did not expect
    INTERRUPTED = 130


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
