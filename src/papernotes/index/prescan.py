"""The freshness check's stat of every record, started before the command is loaded.

Every read command stats each file of ``papers/`` before it answers from the index (see
:func:`papernotes.index.store.scan`): about 50 ms at 20,000 papers, as long as loading
click and the command's modules. The console script (:mod:`papernotes.entry`) therefore
forks, as its first step, a child that stats the folder while the parent imports, and
sends back the folder's signature (a few numbers). The parent's freshness check takes it
when it is for the same folder, still unchanged (its mtime: nothing added, removed or
renamed since); when the index is current, that is all it needs, and otherwise (or for
another folder) it stats the folder itself. The child's answer is as old as the process,
which is what a command that stats at once would see.

Only on Linux with two cores or more, and only for the commands that read records without
writing them (:data:`READERS`): after a write, a stat taken before it would be stale. This
module imports nothing beyond the interpreter's own start-up modules.
"""

from __future__ import annotations

import marshal
import os
import sys
import time

Key = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode

# commands that refresh the index and never write a record
READERS = frozenset(
    {
        "export",
        "graph",
        "list",
        "notes",
        "queue",
        "related",
        "search",
        "show",
        "site",
        "stats",
        "tags",
        "topic",
        "validate",
    }
)
ROOT_ENV = "PAPERNOTES_ROOT"  # as papernotes.settings, which costs an import here
_NO_PRESCAN = {"-h", "--help", "-V", "--version"}

_pending: tuple[int, int] | None = None  # (read end of the pipe, child pid)


def stat_dir(dir_fd: int) -> tuple[list[str], list[Key | None]]:
    """The record names of a folder in directory order, and the
    ``(size, mtime_ns, ctime_ns, inode)`` of each (None when it cannot be stat'ed).

    One listing and one ``stat`` per file, relative to the folder's descriptor, is the
    whole cost of a freshness check: 5-10 % less than ``scandir``, whose entries cost more
    to make than the names. Splitting the stats between two processes or threads did not
    pay on two shared cores: the calls are system time, and a second process costs a
    fork. Starting them in a child while the parent imports does (see the module).
    """
    names = [n for n in os.listdir(dir_fd) if n[0] != "." and n.endswith(".yaml")]
    keys: list[Key | None] = []
    append, stat = keys.append, os.stat
    for name in names:
        try:
            st = stat(name, dir_fd=dir_fd)
        except OSError:
            try:  # a dangling or looping symbolic link is a record that does not load
                st = stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except OSError:
                append(None)
                continue
        append((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return names, keys


def signature(dir_fd: int) -> tuple[int, int]:
    """:func:`summary` of :func:`stat_dir`, without the lists (the child's whole job):
    12 % less time at 20,000 files."""
    present = total = 0
    stat = os.stat
    for name in os.listdir(dir_fd):
        if name[0] == "." or not name.endswith(".yaml"):
            continue
        try:
            st = stat(name, dir_fd=dir_fd)
        except OSError:
            try:  # as stat_dir
                st = stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except OSError:
                continue
        present += 1
        total += hash((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return present, total & 0xFFFFFFFFFFFFFFFF


def summary(keys: list[Key | None]) -> tuple[int, int]:
    """How many of the files could be stat'ed, and an order-free digest of their keys (the
    freshness check's signature; hashes of tuples of ints are the same in every process)."""
    present = len(keys) - keys.count(None)
    return present, sum(map(hash, filter(None, keys))) & 0xFFFFFFFFFFFFFFFF


def command_of(args: list[str]) -> tuple[str | None, str | None] | None:
    """The ``--root`` value and the command name of a command line (either None when not
    given), or None for a help or version request."""
    root = None
    command = None
    at = 0
    while at < len(args) and args[at] != "--":
        arg = args[at]
        if arg in _NO_PRESCAN:
            return None
        if arg == "--root":
            if at + 1 >= len(args):
                return None
            root = args[at + 1]
            at += 2
            continue
        if arg.startswith("--root="):
            root = arg[len("--root=") :]
        elif command is None and not arg.startswith("-"):
            command = arg
        at += 1
    return root, command


def is_reader(args: list[str]) -> bool:
    """Whether the command line runs one of the :data:`READERS`."""
    found = command_of(args)
    return found is not None and found[1] in READERS


def guess_root(args: list[str], environ, cwd: str) -> str | None:
    """The knowledge base a read command will use, found as ``KnowledgeBase.find`` does
    (``--root``, ``$PAPERNOTES_ROOT``, the nearest parent holding papers/ and tags.yaml),
    or None (a config file's root, a command that writes, help): no prescan then."""
    found = command_of(args)
    if found is None or found[1] not in READERS:
        return None
    root = found[0] or environ.get(ROOT_ENV) or None
    if root:
        return os.path.expanduser(root)
    folder = cwd
    while True:
        if os.path.isdir(os.path.join(folder, "papers")) and os.path.isfile(
            os.path.join(folder, "tags.yaml")
        ):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def start(args: list[str]) -> None:
    """Fork the child that stats ``papers/`` of the knowledge base ``args`` will read."""
    global _pending
    if _pending is not None or not sys.platform.startswith("linux"):
        return
    if (os.cpu_count() or 1) < 2:
        return  # nothing to overlap with
    try:
        root = guess_root(args, os.environ, os.getcwd())
    except (OSError, ValueError):
        return
    if root is None:
        return
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return
    if pid == 0:  # the child: stat, answer, leave without running the parent's exit code
        try:
            os.close(read_end)
            _answer(os.path.join(root, "papers"), write_end)
        finally:
            os._exit(0)
    os.close(write_end)
    _pending = (read_end, pid)


def _answer(folder: str, write_end: int) -> None:
    try:
        started_ns = time.time_ns()
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            st = os.fstat(fd)
            # no names: the parent needs them only after a change
            present, total = signature(fd)
        finally:
            os.close(fd)
        data = marshal.dumps((st.st_dev, st.st_ino, st.st_mtime_ns, started_ns, present, total))
        with open(write_end, "wb") as out:
            out.write(data)
    except (OSError, ValueError):
        pass  # no answer: the parent stats the folder itself


def take(folder: os.stat_result) -> tuple[int, int, int] | None:
    """The child's ``(present, digest, started_ns)`` (see :func:`summary`) for the folder
    whose stat is ``folder``, when it scanned that folder and its mtime has not changed
    since; None otherwise. Taken once: a second freshness check in the same process stats
    again."""
    global _pending
    if _pending is None:
        return None
    read_end, pid = _pending
    _pending = None
    chunks = []
    try:
        while True:
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError:
        chunks = []
    finally:
        os.close(read_end)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    try:
        dev, ino, mtime_ns, started_ns, present, total = marshal.loads(b"".join(chunks))
    except (EOFError, ValueError, TypeError):
        return None
    if (dev, ino, mtime_ns) != (folder.st_dev, folder.st_ino, folder.st_mtime_ns):
        return None
    return present, total, started_ns
