"""Files on disk: atomic writes, polled file locks, and reads of user-given files bounded
by what they yield.

A device (/dev/zero), a pipe or a growing file reports a size of 0 or less than it
yields, so the limit is enforced on the bytes actually read.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from pathlib import Path
from typing import BinaryIO

from papernotes.errors import WriteError

MAX_FILE_BYTES = 5 * 1024 * 1024  # the largest record or tags.yaml papernotes reads or writes


class TooLarge(Exception):
    """More than the limit was available."""


class NotText(ValueError):
    """Bytes that are not UTF-8 text; ``line`` is where the first bad byte is."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


def utf8_text(raw: bytes) -> str:
    """UTF-8 text (a BOM is accepted and dropped); NotText, with the line, otherwise."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        message = f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        raise NotText(message, line) from None


def read_bounded(handle: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes from ``handle``; TooLarge if there is more."""
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge
    return data


def atomic_write(path: Path, content: str | bytes, shown: str | None = None) -> None:
    """Write via a temp file in the same folder, fsync, then rename over the target."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    shown = shown or str(path)
    tmp = None
    try:
        try:
            info = os.stat(path)  # through symlinks
        except FileNotFoundError:
            info = None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        if info is not None and not stat.S_ISREG(info.st_mode):
            # /dev/null, /dev/stdout, a FIFO: write into it; renaming over it would
            # replace the device node itself (as root, `export -o /dev/null` did).
            with open(path, "wb") as handle:
                handle.write(data)
            return
        if info is not None and os.path.islink(path):
            path = Path(os.path.realpath(path))  # keep the link, replace what it points to
        import tempfile  # a write's cost, not every read's

        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        mode = 0o666 & ~_umask()
        with contextlib.suppress(OSError):
            os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else mode)
        os.replace(tmp, path)
        tmp = None
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    except OSError as exc:
        raise WriteError(f"cannot write {shown}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


class FileLock:
    """A held ``flock``; released by ``close()`` or at the end of a ``with`` block."""

    def __init__(self, handle):
        self.handle = handle

    def close(self) -> None:
        self.handle.close()

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def flock(
    path: Path,
    *,
    shared: bool = False,
    timeout: float,
    what: str,
    busy: str,
    open_error: str | None = None,
) -> FileLock:
    """A shared or exclusive ``flock`` on ``path`` (created if missing), polled until
    ``timeout`` seconds have passed. Errors are WriteError: ``cannot lock {what}: ...``,
    ``{open_error}: ...`` when the file cannot be opened (default: as for locking), and
    ``busy`` when another process holds the lock that long. Without ``fcntl`` (Windows)
    nothing is locked."""
    try:
        import fcntl
    except ImportError:
        return FileLock(open(os.devnull, "rb"))  # noqa: SIM115
    try:
        handle = open(path, "a+b")  # noqa: SIM115
    except OSError as exc:
        raise WriteError(f"{open_error or 'cannot lock ' + what}: {exc.strerror or exc}") from None
    mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        try:
            fcntl.flock(handle, mode)
            return FileLock(handle)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                handle.close()
                raise WriteError(f"cannot lock {what}: {exc.strerror or exc}") from None
        if time.monotonic() >= deadline:
            handle.close()
            raise WriteError(busy) from None
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
