"""The search index: an SQLite FTS5 cache of the records, kept fresh on every use.

The YAML files are the truth. Each use compares ``papers/*.yaml`` and ``tags.yaml`` with what
was indexed, by size, modification and change time and inode (one ``stat`` per file; YAML is
parsed only for files that changed), and re-indexes what changed, appeared or vanished. A
missing, unreadable, corrupt or older-schema index is rebuilt from scratch.

Racy files (as git calls them): a file modified within :data:`RACY_NS` of the scan that
indexed it could be changed again within the same timestamp tick (2 s on FAT, 1 s on some
network shares) without its key changing. Such files are stored with a key that matches
nothing, so the next use reads them again, until they are older than that.

Concurrency: the database runs in WAL mode with a busy timeout, so readers never block and
writers queue. A full rebuild is written to a temporary file and renamed over the index; to
keep that rename away from open WAL connections, every user of the index holds a shared
``flock`` on ``index.lock`` and the rename takes it exclusively. ``build.lock`` lets only
one process rebuild at a time; the others wait and then use its result.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import marshal
import os
import sqlite3
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from papernotes.errors import WriteError
from papernotes.index import glossary_rows, note_rows, prescan, records, related_rows
from papernotes.index.documents import COLUMNS, Doc, paper_doc, tag_entries, tags_column
from papernotes.store.fsio import MAX_FILE_BYTES, FileLock, TooLarge, flock, read_bounded
from papernotes.store.glossary import kb_glossary
from papernotes.store.glossary import signature as glossary_signature

if TYPE_CHECKING:
    from papernotes.model.taxonomy import Tag
    from papernotes.store.kb import KnowledgeBase

# The code that decides what the index stores, as paths under src/papernotes: the index's
# version is a hash of SCHEMA and of these files, so changing either rebuilds every index.
BUILDERS = (
    "index/store.py",
    "index/documents.py",
    "index/records.py",
    "index/related_rows.py",
    "index/glossary_rows.py",
    "text.py",
    "relate/mentions.py",
    "relate/similarity.py",
    "index/note_rows.py",
    "store/notes.py",
    "model/record.py",
    "store/records.py",
    "store/translations.py",
)
INDEX_NAME = "index.sqlite"
TIMEOUT_ENV = "PAPERNOTES_INDEX_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
PARALLEL_FROM = 1000  # records: below this a rebuild does not start worker processes
PAGE_SIZE = 8192  # a record's row (about 1.8 KB) fits in a page: 149 MB, not 192, at 20,000 papers

Progress = Callable[[int, int], None]
T = TypeVar("T")
FILES_SQL = "SELECT name, size, mtime, ctime, ino FROM files"
RACY_NS = 2_000_000_000  # the coarsest timestamp tick in use (FAT)
RACY_KEY = (-1, -1, -1, -1)  # the key of a racy file: equal to no file's

# files: the long record JSON comes last, so that reading the digests of every row
# (list, topic, stats) does not walk each record's overflow pages (1.6x faster at 20,000);
# the short columns made from the digest (records.generated_columns) come first
SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE files(
    name TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, ctime INTEGER, ino INTEGER,
    doc INTEGER, problem TEXT,
    rid TEXT, {records.generated_columns()},
    summary TEXT, digest TEXT, facts TEXT, problems TEXT NOT NULL DEFAULT '[]', hash TEXT,
    record TEXT
) WITHOUT ROWID;
CREATE TABLE docs(
    doc INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, title TEXT NOT NULL,
    tags TEXT NOT NULL, year INTEGER, texts TEXT NOT NULL
);
CREATE INDEX docs_year ON docs(year);
CREATE INDEX files_doc ON files(doc);
CREATE INDEX files_rid ON files(rid);
CREATE INDEX files_problems ON files(name) WHERE problems != '[]';
CREATE TABLE snapshot(id INTEGER PRIMARY KEY CHECK (id = 1), data BLOB NOT NULL);
CREATE TABLE tag_keys(key TEXT PRIMARY KEY, tag TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE tag_info(
    tag TEXT PRIMARY KEY, pos INTEGER NOT NULL, names TEXT NOT NULL, parent TEXT,
    text TEXT NOT NULL
) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts USING fts5({", ".join(COLUMNS)}, tokenize='ascii', detail=full);
CREATE TABLE links(doc INTEGER NOT NULL, target TEXT NOT NULL, why TEXT NOT NULL);
CREATE INDEX links_doc ON links(doc);
CREATE INDEX links_target ON links(target);
CREATE TABLE phrases(
    doc INTEGER NOT NULL, first TEXT NOT NULL, words TEXT NOT NULL, how TEXT NOT NULL,
    shown TEXT NOT NULL
);
CREATE INDEX phrases_doc ON phrases(doc);
CREATE INDEX phrases_first ON phrases(first);
CREATE INDEX phrases_words ON phrases(words);
CREATE VIRTUAL TABLE sim USING fts5(terms, content='', tokenize='ascii', detail=full);
CREATE VIRTUAL TABLE sim_vocab USING fts5vocab(sim, 'row');
CREATE TABLE sim_df(term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts_vocab USING fts5vocab(fts, 'row');
CREATE TABLE ranked(
    id TEXT NOT NULL, top INTEGER NOT NULL, generation TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (id, top)
) WITHOUT ROWID;
{glossary_rows.SCHEMA}{note_rows.SCHEMA}"""


def version() -> str:
    """What an index must say it is to be used: the schema and the code that fills it
    (:func:`schema_digest`), and the shipped glossary (a new release's glossary changes
    what the index stores as much as a new schema does)."""
    global _VERSION
    if _VERSION is None:
        from papernotes.glossary import shipped_digest

        _VERSION = f"{schema_digest()}+{shipped_digest()}"
    return _VERSION


def schema_digest(schema: str = SCHEMA, sources: Iterable[bytes] | None = None) -> str:
    """A checksum of the table definitions and of the source of the :data:`BUILDERS` (or
    of ``sources``): no change to what the index stores can leave an old index in use.
    Two 32-bit checksums of zlib (every command computes it; hashlib's OpenSSL costs 4 ms
    to load)."""
    crc, adler = zlib.crc32(b""), zlib.adler32(b"")
    for text in [schema.encode("utf-8"), *(builder_sources() if sources is None else sources)]:
        size = len(text).to_bytes(8, "big")
        crc = zlib.crc32(text, zlib.crc32(size, crc))
        adler = zlib.adler32(text, zlib.adler32(size, adler))
    return f"{crc:08x}{adler:08x}"


def builder_sources() -> list[bytes]:
    package = Path(__file__).resolve().parent.parent
    try:
        return [(package / name).read_bytes() for name in BUILDERS]
    except FileNotFoundError as exc:
        if (package / "index" / "store.py").is_file():
            raise RuntimeError(
                f"papernotes.index.store.BUILDERS names {exc.filename}, which does not exist"
            ) from None
    except OSError:
        pass
    from papernotes import __version__  # no source files (a zip or frozen build)

    return [__version__.encode("utf-8")]


_VERSION: str | None = None


class NeedsRebuild(Exception):
    """The index file cannot be used as it is (missing, corrupt, foreign or old)."""


class IndexDamaged(Exception):
    """A query met rows that cannot be right (a row missing, a value not as written)."""


def generation(conn: sqlite3.Connection) -> str:
    """A value that changes with every change to the index's documents or taxonomy: what
    was computed from them under one generation holds until the next."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return row[0] if row else "0"


def forget_rankings(conn: sqlite3.Connection) -> None:
    """Start a new :func:`generation` (inside a write transaction that changed a document
    or the taxonomy): the stored rankings go."""
    now = generation(conn)
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('generation', ?)",
        (str(int(now) + 1 if now.isdigit() else 1),),
    )
    conn.execute("DELETE FROM ranked")


def decoded(text: str):
    """JSON stored by the index; anything else means the index was damaged."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        raise IndexDamaged("a value in the index is not valid JSON") from None


class RefreshStats:
    """What a refresh did; ``skipped`` counts records that could not be loaded."""

    def __init__(self) -> None:
        self.papers = self.added = self.updated = self.removed = self.skipped = 0
        self.rebuilt = False
        self.seconds = 0.0
        self.problems: list[str] = []

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.removed

    def __repr__(self) -> str:
        return f"RefreshStats({vars(self)})"


Key = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


class Scan:
    """The stat key of every record file, plus a cheap signature of the whole folder."""

    def __init__(
        self,
        names: list[str],
        keys: list,
        signature: str,
        tags_signature: str,
        started_ns: int = 0,
        tags_racy: bool = False,
        complete: bool = True,
    ):
        self.names = names  # as listed, in directory order
        self.keys = keys  # Key or None, per name
        self._files: dict[str, Key] | None = None
        self.signature = signature
        self.tags_signature = tags_signature
        self.started_ns = started_ns
        self.tags_racy = tags_racy
        self.complete = complete  # names and keys are there (see scan's ``early``)

    def is_racy(self, key: Key | None) -> bool:
        """Changed so recently that a second change in the same tick could keep this key."""
        return key is not None and key[1] >= self.started_ns - RACY_NS

    def stored_keys(self) -> list:
        """The keys to remember: a racy file's never matches, so it is read again."""
        return [RACY_KEY if self.is_racy(k) else k for k in self.keys]

    @property
    def files(self) -> dict[str, Key]:
        """Name -> key; built only when the index is not current."""
        if self._files is None:
            self._files = {
                n: k for n, k in zip(self.names, self.keys, strict=True) if k is not None
            }
        return self._files


def default_timeout(kb: KnowledgeBase) -> float:
    """Seconds to wait for the index's lock: ``PAPERNOTES_INDEX_TIMEOUT`` of ``kb``'s settings."""
    try:
        return max(0.0, float(kb.variable(TIMEOUT_ENV) or DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def scan(kb: KnowledgeBase, early: bool = False) -> Scan:
    """Stat every ``papers/*.yaml`` (the files ``KnowledgeBase.record_paths`` loads).

    The signature mixes the folder's mtime (changes on add, delete, rename) with every file's
    size and mtime, order-independently, so a fresh index is recognised without reading the
    ``files`` table. ``early``: the signature alone may come from the stat started with the
    process (:mod:`.prescan`); such a scan holds no names or keys (``complete`` is False).
    """
    names: list[str] = []
    keys: list = []
    folder_mtime = present = total = 0
    taken = None
    started_ns = time.time_ns()
    try:
        fd = os.open(kb.papers_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise WriteError(f"cannot read {kb.shown(kb.papers_dir)}/: {exc.strerror or exc}") from None
    else:
        try:
            folder = os.fstat(fd)
            folder_mtime = folder.st_mtime_ns
            taken = prescan.take(folder) if early else None  # stat'ed as this process started
            if taken is None:
                names, keys = prescan.stat_dir(fd)
                present, total = prescan.summary(keys)
            else:
                present, total, started_ns = taken
        except OSError as exc:
            raise WriteError(
                f"cannot read {kb.shown(kb.papers_dir)}/: {exc.strerror or exc}"
            ) from None
        finally:
            os.close(fd)
    # (a file that vanished between listing and stat, or a dangling link, is no record)
    tags_racy = False
    try:
        st = os.stat(kb.tags_path)
        tags_signature = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
        tags_racy = st.st_mtime_ns >= started_ns - RACY_NS
    except OSError:
        tags_signature = "missing"
    tags_signature += f"|{glossary_signature(kb)}"  # both feed the glossary
    signature = f"{present}:{folder_mtime}:{total:x}"
    return Scan(names, keys, signature, tags_signature, started_ns, tags_racy, taken is None)


def _can_fork() -> bool:
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


class Index:
    """The index of one knowledge base. Use as a context manager; it holds a shared lock."""

    def __init__(self, kb: KnowledgeBase, timeout: float | None = None):
        self.kb = kb
        self.timeout = default_timeout(kb) if timeout is None else timeout
        try:
            self.folder = kb.cache_dir()
        except OSError as exc:
            raise WriteError(
                f"cannot create the index cache folder: {exc.strerror or exc}"
            ) from None
        self.path = self.folder / INDEX_NAME
        self.conn: sqlite3.Connection | None = None
        self._lock: FileLock | None = None
        self._progress: Progress | None = None

    # -- opening ----------------------------------------------------------------
    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self.conn.close()
            self.conn = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _connect(self, path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path, timeout=self.timeout, isolation_level=None)
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def _open(self) -> sqlite3.Connection:
        """Take the shared lock and open the index; NeedsRebuild if it cannot be used."""
        if self.conn is not None:
            return self.conn
        self._lock = _flock(self.folder / "index.lock", True, self.timeout, "replaced")
        if not self.path.is_file() or self.path.stat().st_size == 0:
            raise NeedsRebuild("missing")
        try:
            conn = self._connect(self.path)
        except sqlite3.Error as exc:
            raise NeedsRebuild(str(exc)) from None
        self.conn = conn
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        except sqlite3.Error as exc:
            _raise_if_locked(exc, self.timeout)
            raise NeedsRebuild(str(exc)) from None
        if row is None or row[0] != version():
            raise NeedsRebuild(f"schema version {row[0] if row else None}")
        return conn

    # -- public -----------------------------------------------------------------
    def refresh(self, progress: Progress | None = None, force: bool = False) -> RefreshStats:
        """Bring the index up to date with the files (a full rebuild when ``force``)."""
        started = time.perf_counter()
        stats = RefreshStats()
        self._progress = progress
        if force:
            self.close()
            self._rebuild(stats, progress, force=True)
        for attempt in range(3):
            try:
                conn = self._open()
                self._update(conn, stats, progress)
                self._count(conn, stats)
                break
            except (NeedsRebuild, sqlite3.DatabaseError) as exc:
                if isinstance(exc, sqlite3.Error):
                    _raise_if_locked(exc, self.timeout)
                self.close()
                if attempt == 2:
                    raise WriteError(
                        f"the search index {self.path} cannot be rebuilt ({exc}); delete it and retry"
                    ) from None
                self._rebuild(stats, progress, force=attempt > 0)
        stats.seconds = time.perf_counter() - started
        return stats

    def _count(self, conn: sqlite3.Connection, stats: RefreshStats) -> None:
        """Counts for the caller, checked against the FTS table's own row count (one row
        to read), so an index whose rows were lost is rebuilt rather than trusted."""
        meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('papers', 'skipped')"))
        try:
            stats.papers = int(meta["papers"])
            stats.skipped = int(meta["skipped"])
        except (KeyError, ValueError):
            raise NeedsRebuild("paper counts missing") from None
        averages = conn.execute("SELECT block FROM fts_data WHERE id = 1").fetchone()
        if (_varint(averages[0]) if averages else 0) != stats.papers:
            raise NeedsRebuild("the full-text table does not hold every paper")
        if stats.skipped and not stats.problems:
            stats.problems = [
                p
                for (p,) in conn.execute(
                    "SELECT problem FROM files WHERE doc IS NULL ORDER BY name LIMIT 5"
                )
            ]

    def connection(self) -> sqlite3.Connection:
        """The open database (after :meth:`refresh`)."""
        if self.conn is None:
            raise RuntimeError("refresh() the index before querying it")
        return self.conn

    def read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``query`` on the index. Damage that only a query reaches (the freshness check
        reads little) gets the index rebuilt, and the query one more try."""
        try:
            return query(self.connection())
        except IndexDamaged:
            pass
        except sqlite3.DatabaseError as exc:
            _raise_if_locked(exc, self.timeout)
            if not _is_damage(exc):
                raise
        self.refresh(progress=self._progress, force=True)
        return query(self.connection())

    def refresh_notes(self) -> None:
        """Bring the backlinks from ``notes/`` up to date (after :meth:`refresh`): a stat of
        each note, and a parse of those that changed."""
        conn = self.connection()
        now = note_rows.scan_notes(self.kb, RACY_NS, RACY_KEY)

        def current(conn: sqlite3.Connection) -> bool:
            known = conn.execute("SELECT name, size, mtime, ctime, ino FROM notes").fetchall()
            if any(note_rows.is_racy(key) for key in now.values()):
                return False  # changed within a tick of now: read it again
            return {name: tuple(key) for name, *key in known} == now

        if self.read(current):
            return
        conn = self.connection()
        with self._writing(conn):
            note_rows.update(conn, self.kb, now)

    @contextlib.contextmanager
    def _writing(self, conn: sqlite3.Connection) -> Iterator[None]:
        """One write transaction: taken at once (or a one-line error when another process
        holds it too long), committed, or rolled back on any failure."""
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            _raise_if_locked(exc, self.timeout)
            raise
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    def taxonomy(self):
        """The taxonomy of ``tags.yaml`` as last indexed (after :meth:`refresh`), made of
        plain objects (no pydantic); None when tags.yaml had problems."""
        from papernotes.model.taxonomy import Taxonomy

        def query(conn: sqlite3.Connection):
            row = conn.execute("SELECT value FROM meta WHERE key = 'taxonomy'").fetchone()
            if row is None:
                raise IndexDamaged("the taxonomy is missing")
            data = decoded(row[0])
            if data is None:
                return None
            try:
                views = {str(name): _TagView(**tag) for name, tag in data.items()}
                return Taxonomy(cast("dict[str, Tag]", views))  # read as Tags are, duck-typed
            except (TypeError, AttributeError):
                raise IndexDamaged("the taxonomy is malformed") from None

        return self.read(query)

    # -- incremental update --------------------------------------------------------
    def _update(self, conn: sqlite3.Connection, stats: RefreshStats, progress) -> None:
        now = scan(self.kb, early=True)
        if self._is_current(conn, now):
            return
        if not now.complete:  # the early stat gave the signature alone: stat here
            now = scan(self.kb)
        with self._writing(conn):
            if not self._is_current(conn, now):
                self._apply(conn, now, stats, progress)

    def _is_current(self, conn: sqlite3.Connection, now: Scan) -> bool:
        meta = dict(
            conn.execute("SELECT key, value FROM meta WHERE key IN ('files', 'tags')").fetchall()
        )
        return meta.get("files") == now.signature and meta.get("tags") == now.tags_signature

    def _apply(self, conn: sqlite3.Connection, now: Scan, stats: RefreshStats, progress) -> None:
        old_tags = conn.execute("SELECT value FROM meta WHERE key = 'tags'").fetchone()
        stale: list[str] = []
        same_taxonomy = old_tags is not None and old_tags[0] == now.tags_signature
        changed = not same_taxonomy
        if not same_taxonomy:
            self._refresh_taxonomy(conn)
            pairs = glossary_rows.replace(conn, kb_glossary(self.kb))
            stale = glossary_rows.affected(conn, pairs) if pairs else []
        tag_texts = dict(conn.execute("SELECT tag, text FROM tag_info"))
        gone, todo = self._changes(conn, now)
        if stale:  # records whose glossary column the new pairs change
            listed = {name for name, _ in todo}
            todo += [(n, now.files[n]) for n in stale if n in now.files and n not in listed]
            todo.sort()
        for name in gone:
            stats.removed += self._forget(conn, name)
            changed = True
        total = len(todo)
        for done, (name, key) in enumerate(todo, 1):
            if same_taxonomy and self._same_bytes(conn, name, key):
                continue
            doc, problem, extra = load_doc(self.kb, name, lambda t: tag_text_for(tag_texts, t))
            if same_taxonomy and self._unchanged(conn, name, key, doc, problem, extra):
                continue  # the same record (lines moved): keys and line facts only
            changed = True
            had_doc = self._forget(conn, name)
            if self._store(conn, name, key, doc, problem, extra):
                stats.updated += had_doc
                stats.added += not had_doc
            else:
                stats.removed += had_doc
            if progress and (done % 50 == 0 or done == total):
                progress(done, total)
        self._write_meta(conn, now)
        if changed:
            forget_rankings(conn)

    def _unchanged(self, conn: sqlite3.Connection, name: str, key: Key, doc, problem, extra):
        """Whether the file, read again, holds what the index has (a file touched, or racy
        when it was read): then only its stat key and line facts are stored. With the same
        taxonomy a document depends on the record alone."""
        row = conn.execute(
            "SELECT doc, problem, rid, record, digest, problems FROM files WHERE name = ?", (name,)
        ).fetchone()
        rid, record, digest, _summary, facts, problems, content = extra  # summary: of digest
        same = (problem, rid, record, digest, problems)
        if row is None or (row[0] is None) != (doc is None) or row[1:] != same:
            return False
        conn.execute(
            "UPDATE files SET size = ?, mtime = ?, ctime = ?, ino = ?, facts = ?, hash = ? "
            "WHERE name = ?",
            (*key, facts, content, name),
        )
        return True

    def _same_bytes(self, conn: sqlite3.Connection, name: str, key: Key) -> bool:
        """Whether the file holds the bytes it held when last read (touched, or racy then):
        then only its stat key is stored, and nothing is parsed (no models are loaded)."""
        row = conn.execute(
            "SELECT hash FROM files WHERE name = ? AND problem IS NULL", (name,)
        ).fetchone()  # a file with a problem is read again (a duplicate id depends on others)
        path = self.kb.papers_dir / name
        if row is None or row[0] is None or path.is_symlink():
            return False  # a link is read by the loader, which checks where it leads
        try:
            with path.open("rb") as handle:
                raw = read_bounded(handle, MAX_FILE_BYTES)
        except (OSError, TooLarge):
            return False
        if records.content_hash(raw) != row[0]:
            return False
        conn.execute(
            "UPDATE files SET size = ?, mtime = ?, ctime = ?, ino = ? WHERE name = ?",
            (*key, name),
        )
        return True

    def _changes(
        self, conn: sqlite3.Connection, now: Scan
    ) -> tuple[list[str], list[tuple[str, Key]]]:
        """Files that vanished, and files that are new or changed (with their stat key).

        The last scan is kept as one blob: when the folder lists the same names in the same
        order (an edit, not an addition), comparing two lists is all it takes. Otherwise the
        ``files`` table is read and compared by name.
        """
        row = conn.execute("SELECT data FROM snapshot WHERE id = 1").fetchone()
        old = None
        if row is not None:
            try:
                old = marshal.loads(row[0])
            except (ValueError, EOFError, TypeError):
                old = None
        if old is not None and old[0] == now.names:
            gone, todo = [], []
            for name, key, was in zip(now.names, now.keys, old[1], strict=True):
                if key != was:
                    if key is None:
                        gone.append(name)
                    else:
                        todo.append((name, key))
            return gone, sorted(todo)
        current = now.files
        known = {name: tuple(key) for name, *key in conn.execute(FILES_SQL)}
        gone = sorted(known.keys() - current.keys())
        todo = sorted((name, key) for name, key in current.items() if known.get(name) != key)
        return gone, todo

    def _refresh_taxonomy(self, conn: sqlite3.Connection) -> None:
        """Reload tags.yaml and rewrite the ``tags`` column of papers whose tags changed text."""
        old = dict(conn.execute("SELECT tag, text FROM tag_info"))
        self.kb._taxonomy = None  # tags.yaml changed since the kb object read it
        entries, keys = tag_entries(self.kb.taxonomy())
        _store_taxonomy(conn, *self.kb.taxonomy_checked())
        conn.execute("DELETE FROM tag_info")
        conn.execute("DELETE FROM tag_keys")
        _insert_tags(conn, entries, keys)
        new = {e.name: e.text for e in entries}
        changed = {t for t in old.keys() | new.keys() if old.get(t) != new.get(t)}
        if not changed:
            return
        for doc, tags_json in conn.execute("SELECT doc, tags FROM docs").fetchall():
            tags = json.loads(tags_json)
            if changed.intersection(tags):
                text = tags_column(tags, lambda t: tag_text_for(new, t))
                conn.execute("UPDATE fts SET tags = ? WHERE rowid = ?", (text, doc))

    def _forget(self, conn: sqlite3.Connection, name: str) -> bool:
        """Drop a file and its document; True when it had one."""
        row = conn.execute("SELECT doc FROM files WHERE name = ?", (name,)).fetchone()
        conn.execute("DELETE FROM files WHERE name = ?", (name,))
        if row is None or row[0] is None:
            return False
        _delete_doc(conn, row[0])
        return True

    def _store(
        self,
        conn: sqlite3.Connection,
        name: str,
        key: Key,
        doc: Doc | None,
        problem: str | None,
        extra: tuple = (None, None, None, None, None, "[]", None),
        bulk: bool = False,
    ) -> bool:
        """Insert one file's document (or its problem); False when it is not searchable.
        ``bulk``: a full build, which counts the similarity terms once at the end."""
        rowid = None
        if doc is not None:
            other = conn.execute("SELECT doc FROM docs WHERE id = ?", (doc.id,)).fetchone()
            first = None
            if other is not None:
                first = conn.execute("SELECT name FROM files WHERE doc = ?", (other[0],)).fetchone()
                if first is None:  # a document no file claims: left over, drop it
                    _delete_doc(conn, other[0])
            if first is not None:
                problem = f"papers/{name}: duplicate id {doc.id!r} (also in papers/{first[0]})"
            else:
                rowid = _insert_doc(conn, doc, bulk)
        conn.execute(_FILES_INSERT, (name, *key, rowid, problem, *extra))
        return rowid is not None

    def _write_meta(self, conn: sqlite3.Connection, now: Scan) -> None:
        papers = conn.execute("SELECT count(*) FROM docs").fetchone()[0]
        skipped = conn.execute("SELECT count(*) FROM files WHERE doc IS NULL").fetchone()[0]
        keys = now.stored_keys()
        racy = [n for n, k in zip(now.names, keys, strict=True) if k == RACY_KEY]
        conn.executemany(
            "UPDATE files SET size = ?, mtime = ?, ctime = ?, ino = ? WHERE name = ?",
            [(*RACY_KEY, name) for name in racy],
        )
        conn.executemany(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
            [
                ("version", version()),
                # a signature no scan produces, while a file is racy
                ("files", "racy" if racy else now.signature),
                ("tags", "racy" if now.tags_racy else now.tags_signature),
                ("papers", str(papers)),
                ("skipped", str(skipped)),
            ],
        )
        conn.execute(
            "INSERT OR REPLACE INTO snapshot(id, data) VALUES (1, ?)",
            (marshal.dumps((now.names, keys)),),
        )

    # -- full rebuild ---------------------------------------------------------------
    def _rebuild(self, stats: RefreshStats, progress, force: bool) -> None:
        """Build a new index in a temporary file and rename it over the old one."""
        with _flock(self.folder / "build.lock", False, self.timeout, "rebuilt"):
            if not force and self._usable():
                return  # another process rebuilt it while we waited
            # Under the build lock no other build runs: any temp index is a killed build's.
            for stale in self.folder.glob(f"{INDEX_NAME}.*.tmp*"):
                with contextlib.suppress(OSError):
                    stale.unlink()
            tmp = self.folder / f"{INDEX_NAME}.{os.getpid()}.tmp"
            try:
                self._build(tmp, stats, progress)
                with _flock(self.folder / "index.lock", False, self.timeout, "used"):
                    for suffix in ("-wal", "-shm"):
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(f"{self.path}{suffix}")
                    os.replace(tmp, self.path)
            except OSError as exc:
                raise WriteError(f"cannot write the search index: {exc.strerror or exc}") from None
            except WorkerFailed as exc:
                raise WriteError(f"cannot build the search index: {exc}; try again") from None
            except sqlite3.Error as exc:
                _raise_if_locked(exc, self.timeout)
                raise WriteError(f"cannot write the search index: {exc}") from None
            finally:
                for suffix in ("", "-journal", "-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(f"{tmp}{suffix}")
            stats.rebuilt = True

    def _usable(self) -> bool:
        try:
            conn = sqlite3.connect(self.path, timeout=self.timeout)
        except sqlite3.Error:
            return False
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            return row is not None and row[0] == version()
        except sqlite3.Error:
            return False
        finally:
            conn.close()

    def _build(self, tmp: Path, stats: RefreshStats, progress) -> None:
        from papernotes.store.kb import gc_paused

        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{tmp}{suffix}")
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("PRAGMA cache_size=-32000")
            conn.executescript(SCHEMA)
            conn.execute("BEGIN")
            self.kb._taxonomy = None
            entries, keys = tag_entries(self.kb.taxonomy())
            _insert_tags(conn, entries, keys)
            _store_taxonomy(conn, *self.kb.taxonomy_checked())
            glossary_rows.insert(conn, kb_glossary(self.kb))
            tag_texts = {e.name: e.text for e in entries}
            now = scan(self.kb)
            names = sorted(now.files)
            owners: dict[str, str] = {}
            done = 0
            with gc_paused():  # the rows make no cycles; a collection would walk the owners
                for rows in load_rows(self.kb, names, tag_texts):
                    stats.added += _insert_rows(conn, rows, now.files, owners)
                    done += len(rows)
                    if progress:
                        progress(done, len(names))
            related_rows.count_all(conn)
            note_rows.update(conn, self.kb, note_rows.scan_notes(self.kb, RACY_NS, RACY_KEY))
            self._write_meta(conn, now)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('built', ?)", (str(time.time()),))
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('generation', '0')")
            conn.execute("COMMIT")
            conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()


# -- loading records ---------------------------------------------------------------------
def tag_text_for(tag_texts: dict[str, str], name: str) -> str:
    text = tag_texts.get(name)
    if text is None:
        from papernotes.index.documents import joined

        text = joined(name)
    return text


def load_doc(
    kb: KnowledgeBase, name: str, tags_text, glossary=None
) -> tuple[Doc | None, str | None, tuple]:
    """The document of ``papers/<name>`` (or the first problem that keeps it out of search),
    and its read-model columns (see :mod:`.records`)."""
    loaded = kb.load_path(kb.papers_dir / name)
    extra = (*records.stored(loaded), records.content_hash(loaded.raw))
    if loaded.paper is None or loaded.problems:
        problems = loaded.problems
        first = str(problems[0]) if problems else f"{loaded.shown}: cannot be loaded"
        return None, first, extra
    if glossary is None:
        glossary = kb_glossary(kb)
    return paper_doc(loaded.paper, tags_text, glossary), None, extra


def file_row(kb: KnowledgeBase, name: str, tag_texts: dict[str, str], glossary) -> tuple:
    """What a full build stores for ``papers/<name>``, as plain values (cheap to send from a
    worker process): the name, the first problem, the read-model columns, and the
    document's rows (None when it is not searchable)."""
    doc, problem, extra = load_doc(kb, name, lambda t: tag_text_for(tag_texts, t), glossary)
    if doc is None:
        return name, problem, extra, None
    values = (
        doc.id,
        doc.title,
        json.dumps(doc.tags, ensure_ascii=False),
        doc.year,
        json.dumps(doc.texts, ensure_ascii=False),
        doc.row(),
        doc.links,
        [row[1:] for row in related_rows.phrase_rows(0, doc.title)],
        related_rows.sim_text(doc.columns),
    )
    return name, problem, extra, values


def check_row(kb: KnowledgeBase, name: str, *_) -> tuple:
    """What ``validate --full`` reads of ``papers/<name>``, as the index would store it: the
    name, the id, the digest, the facts and the problems."""
    rid, _json, digest, _summary, checks, problems = records.stored(
        kb.load_path(kb.papers_dir / name), record=False
    )
    return name, rid, digest, checks, problems


ROWS = {"index": file_row, "check": check_row}
CHUNK = 250  # records per task of a worker process


def load_rows(
    kb: KnowledgeBase, names: list[str], tag_texts: dict[str, str], kind: str = "index"
) -> Iterator[list]:
    """The ``ROWS[kind]`` of every name, in order, a chunk at a time: in worker processes
    when there are many and cores to spare (the same rows either way)."""
    from papernotes.store.kb import gc_paused

    glossary = kb_glossary(kb) if kind == "index" else None
    row = ROWS[kind]
    chunks = [names[i : i + CHUNK] for i in range(0, len(names), CHUNK)]
    workers = min(os.cpu_count() or 1, 4, len(chunks))
    if len(names) < PARALLEL_FROM or workers < 2:
        for chunk in chunks:
            with gc_paused():
                yield [row(kb, name, tag_texts, glossary) for name in chunk]
        return
    yield from _parallel_rows(kb, chunks, tag_texts, glossary, workers, kind)


class WorkerFailed(Exception):
    """A worker process of a build ended without answering (killed, out of memory)."""


def _parallel_rows(kb, chunks: list[list[str]], tag_texts, glossary, workers: int, kind: str):
    """The chunks' rows from a pool of processes, in order; a few chunks ahead at most, so
    rows waiting for the writer do not pile up."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context: multiprocessing.context.BaseContext
    initargs: tuple = ()
    if _can_fork() and sys.platform.startswith("linux"):
        # the children start with everything loaded: the models, the taxonomy, the glossary
        _WORKER.update(kb=kb, tags=tag_texts, glossary=glossary)
        context = multiprocessing.get_context("fork")
    else:
        context, initargs = multiprocessing.get_context("spawn"), (str(kb.root), tag_texts)
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_init, initargs=initargs
    )
    done = False
    try:
        todo = iter(chunks)
        try:
            pending = deque(
                pool.submit(_worker_rows, c, kind) for c in itertools.islice(todo, 2 * workers)
            )
        except BrokenProcessPool:
            raise WorkerFailed("a worker process of the index build stopped") from None
        while pending:
            try:  # the pool breaks for every call once a worker has died
                rows = marshal.loads(pending.popleft().result())
                chunk = next(todo, None)
                if chunk is not None:
                    pending.append(pool.submit(_worker_rows, chunk, kind))
            except BrokenProcessPool:
                raise WorkerFailed("a worker process of the index build stopped") from None
            yield rows
        done = True
    finally:
        _WORKER.clear()
        # on an error or Ctrl-C: drop the chunks not started; the running ones end soon
        pool.shutdown(wait=done, cancel_futures=not done)


_WORKER: dict = {}


def _worker_init(root: str | None = None, tag_texts: dict[str, str] | None = None) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if root is not None:
        from papernotes.store.kb import KnowledgeBase

        kb = KnowledgeBase(Path(root))
        _WORKER.update(kb=kb, tags=tag_texts, glossary=kb_glossary(kb))


def _worker_rows(names: list[str], kind: str) -> bytes:
    """The rows of ``names``, marshalled (plain values: quicker both ways than a pickle)."""
    from papernotes.store.kb import gc_paused

    kb, tag_texts, glossary = _WORKER["kb"], _WORKER["tags"], _WORKER["glossary"]
    row = ROWS[kind]
    with gc_paused():
        return marshal.dumps([row(kb, name, tag_texts, glossary) for name in names])


_FILES_INSERT = (  # a file's stat key, document, first problem and read-model columns
    f"INSERT INTO files(name, size, mtime, ctime, ino, doc, problem, {records.COLUMNS}) "
    f"VALUES ({', '.join('?' * (7 + records.COLUMNS.count(',') + 1))})"
)


def _insert_rows(conn: sqlite3.Connection, rows: list, keys: dict, owners: dict) -> int:
    """Insert one chunk of :func:`file_row` values into a new index; ``owners`` (id -> file
    name) carries over from chunk to chunk. Returns how many documents were added."""
    files: list[tuple] = []
    docs: list[tuple] = []
    fts: list[tuple] = []
    links: list[tuple] = []
    phrases: list[tuple] = []
    sim: list[tuple] = []
    for name, problem, extra, values in rows:
        rowid = None
        if values is not None:
            pid, title, tags, year, texts, columns, doc_links, doc_phrases, terms = values
            first = owners.get(pid)
            if first is not None:
                problem = f"papers/{name}: duplicate id {pid!r} (also in papers/{first})"
            else:
                rowid = len(owners) + 1
                owners[pid] = name
                docs.append((rowid, pid, title, tags, year, texts))
                fts.append((rowid, *columns))
                links.extend((rowid, target, why) for target, why in doc_links)
                phrases.extend((rowid, *row) for row in doc_phrases)
                sim.append((rowid, terms))
        files.append((name, *keys[name], rowid, problem, *extra))
    conn.executemany(
        "INSERT INTO docs(doc, id, title, tags, year, texts) VALUES (?, ?, ?, ?, ?, ?)", docs
    )
    conn.executemany(
        f"INSERT INTO fts(rowid, {', '.join(COLUMNS)}) VALUES (?{', ?' * len(COLUMNS)})", fts
    )
    conn.executemany("INSERT INTO links(doc, target, why) VALUES (?, ?, ?)", links)
    conn.executemany(
        "INSERT INTO phrases(doc, first, words, how, shown) VALUES (?, ?, ?, ?, ?)", phrases
    )
    conn.executemany("INSERT INTO sim(rowid, terms) VALUES (?, ?)", sim)
    conn.executemany(_FILES_INSERT, files)
    return len(docs)


# -- small helpers -----------------------------------------------------------------------
class _TagView:
    """A tag of ``tags.yaml`` read back from the index (the fields of ``model.taxonomy.Tag``)."""

    __slots__ = ("en", "zh", "aliases", "parent", "description")

    def __init__(self, en: str, zh: str, aliases: list, parent: str | None, description: str):
        self.en, self.zh, self.aliases = str(en), str(zh), [str(a) for a in aliases]
        self.parent = None if parent is None else str(parent)
        self.description = str(description)


def _store_taxonomy(conn: sqlite3.Connection, taxonomy, problems: list) -> None:
    """Keep the taxonomy for readers that need no more of tags.yaml (null if it has problems:
    they then read the file, and report them as before)."""
    data = None
    if not problems:
        data = {
            name: {
                "en": tag.en,
                "zh": tag.zh,
                "aliases": list(tag.aliases),
                "parent": tag.parent,
                "description": tag.description,
            }
            for name, tag in taxonomy.tags.items()
        }
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('taxonomy', ?)",
        (json.dumps(data, ensure_ascii=False),),
    )


def _insert_tags(conn: sqlite3.Connection, entries, keys: dict[str, str]) -> None:
    conn.executemany(
        "INSERT INTO tag_info(tag, pos, names, parent, text) VALUES (?, ?, ?, ?, ?)",
        [
            (e.name, pos, json.dumps(e.names, ensure_ascii=False), e.parent, e.text)
            for pos, e in enumerate(entries)
        ],
    )
    conn.executemany("INSERT INTO tag_keys(key, tag) VALUES (?, ?)", keys.items())


def _insert_doc(conn: sqlite3.Connection, doc: Doc, bulk: bool = False) -> int:
    cur = conn.execute(
        "INSERT INTO docs(id, title, tags, year, texts) VALUES (?, ?, ?, ?, ?)",
        (
            doc.id,
            doc.title,
            json.dumps(doc.tags, ensure_ascii=False),
            doc.year,
            json.dumps(doc.texts, ensure_ascii=False),
        ),
    )
    rowid = cur.lastrowid
    assert rowid is not None  # an INSERT always sets it
    conn.execute(
        f"INSERT INTO fts(rowid, {', '.join(COLUMNS)}) VALUES (?{', ?' * len(COLUMNS)})",
        (rowid, *doc.row()),
    )
    related_rows.insert(conn, rowid, doc, count=not bulk)
    return rowid


def _delete_doc(conn: sqlite3.Connection, doc: int) -> None:
    """Drop one document from every table (the similarity terms first: they are read
    back from its full-text row)."""
    related_rows.delete(conn, doc)
    conn.execute("DELETE FROM fts WHERE rowid = ?", (doc,))
    conn.execute("DELETE FROM docs WHERE doc = ?", (doc,))


def _varint(blob: bytes) -> int:
    """The first SQLite varint of ``blob`` (FTS5's averages record starts with the row count)."""
    value = 0
    for i, byte in enumerate(blob[:9]):
        if i == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value
    return value


def _is_damage(exc: sqlite3.Error) -> bool:
    message = str(exc).lower()
    return (
        any(
            word in message
            for word in ("malformed", "not a database", "corrupt", "no such", "disk i/o", "fts5")
        )
        and "syntax error" not in message
    )


def _raise_if_locked(exc: sqlite3.Error, timeout: float) -> None:
    message = str(exc)
    if "locked" in message or "busy" in message:
        raise WriteError(
            f"the search index is locked by another process (waited {timeout:g} s); try again"
        ) from None
    if "readonly" in message or "read-only" in message or "disk is full" in message:
        raise WriteError(f"cannot write the search index: {message}") from None


def _flock(path: Path, shared: bool, timeout: float, holder: str) -> FileLock:
    """A shared or exclusive ``flock`` on ``path``, waiting up to ``timeout`` seconds;
    ``holder`` says what the other process is doing, for the error message."""
    busy = (
        f"the search index is being {holder} by another process (waited {timeout:g} s); try again"
    )
    return flock(
        path,
        shared=shared,
        timeout=timeout,
        what=str(path),
        busy=busy,
        open_error=f"cannot open {path}",
    )
