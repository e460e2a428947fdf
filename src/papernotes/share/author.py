"""Who is writing: the ``by:`` of new notes.

Looked up in order: the ``author`` setting of :mod:`papernotes.settings`
(``PAPERNOTES_AUTHOR``, then the ``author`` key of the user config file), then
``git config user.name`` in the knowledge base. No author is fine: the note is saved
without ``by:``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papernotes.settings import Settings


def setting_author(
    environ: Mapping[str, str] | None = None, settings: Settings | None = None
) -> str | None:
    """The ``author`` setting (environment, then config file); a config file that cannot
    be read is skipped here (the commands that need it report it)."""
    from papernotes.settings import ConfigError, Settings, variable

    env = os.environ if environ is None else environ
    try:
        value = (settings or Settings(environ=dict(env))).value("author")
    except ConfigError:
        value = variable("PAPERNOTES_AUTHOR", env)
    return value if isinstance(value, str) else None


def git_author(cwd: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "config", "user.name"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def current_author(
    root: Path, environ: Mapping[str, str] | None = None, settings: Settings | None = None
) -> str | None:
    """The name for new notes, one line, or None when nobody is configured."""
    for found in (lambda: setting_author(environ, settings), lambda: git_author(root)):
        name = " ".join((found() or "").split())
        if name:
            return name
    return None
