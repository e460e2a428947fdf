"""Extension points are registries: a format or an importer is a named entry whose code is
named as ``"module:function"`` and imported only when it is used, so listing the names (for
the CLI's choices and ``--help``) loads nothing."""

from __future__ import annotations

from importlib import import_module


def load(target: str):
    """The function named by ``"package.module:function"``."""
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)
