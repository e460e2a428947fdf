"""Backlinks from ``notes/`` kept in the index: each note file is parsed once, and again only
when its stat key changes (size, modification and change time, inode: the records' rule,
racy files included), so ``show`` reads the lines linking a paper from one indexed query.

Only what :func:`papernotes.store.notes.backlinks` shows is kept: per note its title, and
each line that links a paper. Tags are resolved by the readers that need them (they depend on
``tags.yaml``), from the files.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papernotes.store.kb import KnowledgeBase

SCHEMA = """
CREATE TABLE notes(
    name TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, ctime INTEGER, ino INTEGER,
    shown TEXT NOT NULL, title TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE note_links(
    note TEXT NOT NULL, seq INTEGER NOT NULL, target TEXT NOT NULL, line INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX note_links_target ON note_links(target);
CREATE INDEX note_links_note ON note_links(note);
"""


def scan_notes(kb: KnowledgeBase, racy_ns: int, racy_key: tuple) -> dict[str, tuple]:
    """Name (relative to ``notes/``) -> stat key of every note :func:`load_notes` reads; a
    file changed within ``racy_ns`` of now gets ``racy_key``, which matches nothing."""
    started = time.time_ns()
    out: dict[str, tuple] = {}
    for path in kb.note_paths():
        try:
            st = os.stat(path)
        except OSError:
            continue
        key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        if st.st_mtime_ns >= started - racy_ns:
            key = racy_key
        out[path.relative_to(kb.notes_dir).as_posix()] = key
    return out


def is_racy(key: tuple) -> bool:
    """A racy note's key (see :func:`scan_notes`): it matches nothing, its own stored copy
    included, so the note is read again until its change is older than a timestamp tick."""
    return key[0] == -1


def update(conn: sqlite3.Connection, kb: KnowledgeBase, now: dict[str, tuple]) -> bool:
    """Re-read the notes whose key changed, forget the vanished ones; False when current.
    The caller holds the write transaction."""
    from papernotes.store.notes import paper_backlinks

    known = {
        name: tuple(key)
        for name, *key in conn.execute("SELECT name, size, mtime, ctime, ino FROM notes")
    }
    gone = [name for name in known if name not in now]
    todo = sorted(name for name, key in now.items() if is_racy(key) or known.get(name) != key)
    if not gone and not todo:
        return False
    for name in [*gone, *todo]:
        conn.execute("DELETE FROM notes WHERE name = ?", (name,))
        conn.execute("DELETE FROM note_links WHERE note = ?", (name,))
    for name in todo:
        path = kb.notes_dir / name
        shown = kb.shown(path)
        if kb.symlink_problem(path):
            links: list[tuple[str, int, str]] = []
            title = path.stem  # a refused link: a note with a problem, no links
        else:
            title, links = paper_backlinks(path, shown)
        conn.execute(
            "INSERT INTO notes(name, size, mtime, ctime, ino, shown, title) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (name, *now[name], shown, title),
        )
        conn.executemany(
            "INSERT INTO note_links(note, seq, target, line, text) VALUES (?, ?, ?, ?, ?)",
            [(name, seq, target, line, text) for seq, (target, line, text) in enumerate(links)],
        )
    return True


def backlinks(conn: sqlite3.Connection, kb: KnowledgeBase, paper_id: str) -> list[dict]:
    """As :func:`papernotes.store.notes.backlinks` over every note: path order, then
    link order."""
    rows = conn.execute(
        "SELECT l.note, n.shown, l.line, n.title, l.text FROM note_links l "
        "JOIN notes n ON n.name = l.note WHERE l.target = ? ORDER BY l.note, l.seq",
        (paper_id,),
    ).fetchall()
    rows.sort(key=lambda row: Path(kb.notes_dir, row[0]))  # the order kb.note_paths() sorts in
    return [
        {"path": shown, "line": line, "title": title, "text": text}
        for _, shown, line, title, text in rows
    ]
