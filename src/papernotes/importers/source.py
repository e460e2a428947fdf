"""Reading a notes file: bytes to text, whatever encoding the user's editor chose.

UTF-8 (with or without a BOM) first; UTF-16/UTF-32/GB18030 when their BOM says so;
GB18030 as the fallback for files that are not UTF-8 (common for Chinese notes
saved on Windows). Anything else, or binary data, is a one-line error, never a guess.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from papernotes.errors import NotFoundError, UsageError
from papernotes.store.fsio import TooLarge, read_bounded

MAX_NOTES_BYTES = 50 * 1024 * 1024

# Longest BOMs first: the UTF-32 LE BOM starts with the UTF-16 LE one.
BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\x84\x31\x95\x33", "gb18030", "GB18030"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
ALLOWED_CONTROLS = set("\t\n\r\f\v")


def read_notes_file(path: Path, shown: str) -> tuple[str, str]:
    """The text of a notes file with LF line ends, and the name of the encoding it was in."""
    try:
        if not path.exists():
            if path.is_symlink():
                raise UsageError(f"{shown} is a broken symbolic link or a symbolic-link loop")
            raise NotFoundError(f"{shown}: no such file")
        if path.is_dir():
            raise UsageError(f"{shown} is a directory; give the notes files inside it")
        size = path.stat().st_size
        if size > MAX_NOTES_BYTES:
            raise UsageError(
                f"{shown} is too large ({size / 1e6:.0f} MB; the limit is "
                f"{MAX_NOTES_BYTES // 2**20} MiB)"
            )
        with path.open("rb") as handle:
            raw = read_bounded(handle, MAX_NOTES_BYTES)
    except TooLarge:
        raise UsageError(
            f"{shown} is too large (more than {MAX_NOTES_BYTES // 2**20} MiB)"
        ) from None
    except PermissionError:
        raise UsageError(f"cannot read {shown}: permission denied") from None
    except OSError as exc:
        raise UsageError(f"cannot read {shown}: {exc.strerror or exc}") from None
    text, encoding = decode_notes(raw, shown)
    return normalize_newlines(text), encoding


def decode_notes(raw: bytes, shown: str) -> tuple[str, str]:
    """Decode by BOM, else UTF-8, else GB18030; refuse binary data."""
    for bom, codec, name in BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                raise UsageError(
                    f"{shown} starts with a {name} byte-order mark but is not valid {name}"
                ) from None
            _refuse_binary(text, shown)
            return text, name
    if b"\x00" in raw:
        raise UsageError(f"{shown} looks like a binary file, not a text file of notes")
    try:
        text, name = raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        try:
            text, name = raw.decode("gb18030"), "GB18030"
        except UnicodeDecodeError:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise UsageError(
                f"{shown}:{line}: not UTF-8 or GB18030 text (byte 0x{raw[exc.start]:02x}); "
                "save the file as UTF-8"
            ) from None
        if not _plausible(text):
            line = raw.count(b"\n", 0, exc.start) + 1
            raise UsageError(
                f"{shown}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                "save the file as UTF-8"
            ) from None
    _refuse_binary(text, shown)
    return text, name


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _refuse_binary(text: str, shown: str) -> None:
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in ALLOWED_CONTROLS)
    if controls:
        raise UsageError(f"{shown} looks like a binary file, not a text file of notes")


def _plausible(text: str) -> bool:
    """GB18030 decodes most byte soup; accept it only when it reads as ordinary text."""
    odd = sum(1 for c in text if unicodedata.category(c) in ("Co", "Cn", "Cs"))
    return odd <= len(text) // 100
