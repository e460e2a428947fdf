"""Files on disk: atomic writes, and reads of user-given files bounded by what they yield.

A device (/dev/zero), a pipe or a growing file reports a size of 0 or less than it
yields, so the limit is enforced on the bytes actually read.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from papernotes.errors import WriteError


class TooLarge(Exception):
    """More than the limit was available."""


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
