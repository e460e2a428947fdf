"""Result objects as ``--json`` rows: the named attributes, in the order given."""

from __future__ import annotations


def row(obj: object, *names: str) -> dict:
    return {name: getattr(obj, name) for name in names}
