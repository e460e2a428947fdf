"""Who is writing: the ``by:`` of new notes.

Looked up in order: ``PAPERNOTES_AUTHOR``, the ``author`` key of the user config file
(``$XDG_CONFIG_HOME/papernotes/config.toml``), then ``git config user.name`` in the
knowledge base. No author is fine: the note is saved without ``by:``.
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from collections.abc import Mapping
from pathlib import Path


def config_author(environ: Mapping[str, str]) -> str | None:
    """The ``author`` key of the user config file; a missing or broken file gives None."""
    base = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME", "~")) / ".config")
    path = Path(base).expanduser() / "papernotes" / "config.toml"
    try:
        with path.open("rb") as handle:
            value = tomllib.load(handle).get("author")
    except (OSError, tomllib.TOMLDecodeError):
        return None
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


def current_author(root: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """The name for new notes, one line, or None when nobody is configured."""
    environ = os.environ if environ is None else environ
    for found in (
        lambda: environ.get("PAPERNOTES_AUTHOR"),
        lambda: config_author(environ),
        lambda: git_author(root),
    ):
        name = " ".join((found() or "").split())
        if name:
            return name
    return None
