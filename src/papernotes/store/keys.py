"""The citation keys a knowledge base already uses, so a new record gets a key of its own."""

from __future__ import annotations

import re
from collections.abc import Iterable

from papernotes.model.citekey import legacy_keys, new_key
from papernotes.model.record import Paper
from papernotes.store.kb import KnowledgeBase

# A canonical record holds its key on one top-level line; notes are indented blocks.
_KEY_LINE = re.compile(rb"^key:[ \t]*['\"]?([^'\"\s]+)['\"]?[ \t]*\r?$", re.MULTILINE)


def keys_in_use(kb: KnowledgeBase) -> tuple[set[str], int]:
    """Stored keys (read from each file's ``key:`` line, without parsing the YAML) and,
    for records that have none yet, the key exports give them; and how many records had
    none (each of those is loaded in full, which is slow on a large knowledge base)."""
    stored: set[str] = set()
    unkeyed: list[Paper] = []
    for path in kb.record_paths():
        found = None
        if not path.is_symlink():
            try:
                found = _KEY_LINE.search(path.read_bytes())
            except OSError:
                continue
        if found:
            stored.add(found.group(1).decode("utf-8", "replace"))
            continue
        loaded = kb.load_path(path)
        if loaded.paper is not None:
            if loaded.paper.key:
                stored.add(loaded.paper.key)
            else:
                unkeyed.append(loaded.paper)
    return stored | set(legacy_keys(unkeyed, stored).values()), len(unkeyed)


def with_new_keys(papers: Iterable[Paper], taken: set[str]) -> list[Paper]:
    """``papers`` with a key each (kept if they have one); ``taken`` grows with each new key."""
    out = []
    for paper in papers:
        key = paper.key or new_key(paper, taken)
        if not paper.key:
            paper = paper.model_copy(update={"key": key})
        taken.add(key)
        out.append(paper)
    return out
