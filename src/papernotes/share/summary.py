"""What changed in a record between two versions, in one line (for ``sync``)."""

from __future__ import annotations

from typing import Any

from papernotes.share.merge import SETS, note_key
from papernotes.store.yamlio import YamlProblem, parse


def _data(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        data, _ = parse(text)
    except YamlProblem:
        return {}
    return data if isinstance(data, dict) else {}


def describe_change(pid: str, old_text: str | None, new_text: str | None) -> str:
    """``H1gEP6NFwr: 2 note(s) added (by Bob), tags +NTK -optimization, title changed``."""
    if new_text is None:
        return f"{pid}: removed"
    old, new = _data(old_text), _data(new_text)
    parts = ["new paper"] if old_text is None else []
    old_notes = {note_key(n): n for n in old.get("notes") or [] if isinstance(n, dict)}
    new_notes = {note_key(n): n for n in new.get("notes") or [] if isinstance(n, dict)}
    added = [n for k, n in new_notes.items() if k not in old_notes]
    edited = [k for k, n in new_notes.items() if k in old_notes and old_notes[k] != n]
    removed = [k for k in old_notes if k not in new_notes]
    if added:
        authors = sorted({str(n["by"]) for n in added if n.get("by")})
        parts.append(
            f"{len(added)} note(s) added" + (f" (by {', '.join(authors)})" if authors else "")
        )
    if edited:
        parts.append(f"{len(edited)} note(s) edited")
    if removed:
        parts.append(f"{len(removed)} note(s) removed")
    for name in sorted(SETS):
        before, after = old.get(name) or [], new.get(name) or []
        change = [f"+{x}" for x in after if x not in before]
        change += [f"-{x}" for x in before if x not in after]
        if change:
            parts.append(f"{name} {' '.join(map(str, change))}")
    others = [
        k
        for k in dict.fromkeys([*old, *new])
        if k not in SETS and k not in ("notes", "updated") and old.get(k) != new.get(k)
    ]
    if others:
        parts.append(", ".join(others) + " changed")
    return f"{pid}: " + ("; ".join(parts) if parts else "reformatted")
