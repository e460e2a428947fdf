"""Reading user-given files and streams without trusting their reported size.

A device (/dev/zero), a pipe or a growing file reports a size of 0 or less than it
yields, so the limit is enforced on the bytes actually read.
"""

from __future__ import annotations

from typing import BinaryIO


class TooLarge(Exception):
    """More than the limit was available."""


def read_bounded(handle: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes from ``handle``; TooLarge if there is more."""
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge
    return data
