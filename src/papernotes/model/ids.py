"""Paper ids: what is allowed, how ids map to file names, and how URLs map to ids.

An id is either an OpenReview forum id (``H1gEP6NFwr``) or a prefixed id for a
paper outside OpenReview: ``arxiv:1805.08651``, ``doi:10.1000/xyz``, ``url:my-slug``.
File names percent-encode everything but letters, digits, ``-``, ``_`` and ``.``,
so ``arxiv:1805.08651`` lives in ``arxiv%3A1805.08651.yaml`` and no id can name a
path outside ``papers/``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated
from urllib.parse import parse_qs, quote, unquote, urlsplit

from papernotes.errors import UsageError

OPENREVIEW_ID = re.compile(r"^[A-Za-z0-9_-]{4,64}$")
ARXIV_NEW = re.compile(r"^\d{4}\.\d{4,5}$")
ARXIV_OLD = re.compile(r"^[a-z][a-z.-]*/\d{7}$")
DOI = re.compile(r"^10\.\d{4,9}/[^\s\x00-\x1f\x7f]{1,200}$")
URL_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
ARXIV_VERSION = re.compile(r"v\d+$")

SUFFIX = ".yaml"


def check_id(value: str) -> str:
    """Return ``value`` if it is a valid canonical id, else raise ValueError."""
    if not isinstance(value, str):
        raise ValueError("id must be a string")
    if OPENREVIEW_ID.match(value) and not value.startswith("-"):
        return value
    prefix, sep, rest = value.partition(":")
    if sep:
        if prefix == "arxiv" and (ARXIV_NEW.match(rest) or ARXIV_OLD.match(rest)):
            return value
        if prefix == "doi" and DOI.match(rest) and ".." not in rest.split("/"):
            return value
        if prefix == "url" and URL_SLUG.match(rest):
            return value
    raise ValueError(
        f"invalid id {value!r}: expected an OpenReview id (letters, digits, '_' or '-'), "
        "or arxiv:NNNN.NNNNN, doi:10.NNNN/..., url:slug"
    )


def __getattr__(name: str):
    """``PaperId``, the pydantic type of an id, built on first use: reading ids and paths
    (``show`` on the index) imports no pydantic."""
    if name == "PaperId":
        from pydantic import AfterValidator

        value = Annotated[str, AfterValidator(check_id)]
        globals()["PaperId"] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_valid_id(value: str) -> bool:
    try:
        check_id(value)
    except ValueError:
        return False
    return True


def filename_for(paper_id: str) -> str:
    """The file name (not path) of a record; ids are checked first so no path escapes."""
    check_id(paper_id)
    return quote(paper_id, safe="") + SUFFIX


def id_from_filename(name: str) -> str:
    """Inverse of :func:`filename_for` (no validation: the loader checks the id)."""
    stem = name[: -len(SUFFIX)] if name.endswith(SUFFIX) else name
    return unquote(stem)


def _clean_arxiv(raw: str) -> str | None:
    raw = raw.strip().removesuffix(".pdf")
    raw = ARXIV_VERSION.sub("", raw)
    if ARXIV_NEW.match(raw) or ARXIV_OLD.match(raw):
        return f"arxiv:{raw}"
    return None


def parse_paper_ref(text: str) -> str:
    """Turn what a user typed (an id, an OpenReview/arXiv/DOI URL) into a canonical id.

    Raises UsageError with a one-line explanation when nothing fits.
    """
    raw = unicodedata.normalize("NFC", text.strip())  # é typed as e + U+0301 is é
    if not raw:
        raise UsageError("empty paper id")
    if any(ord(c) < 32 or ord(c) == 127 for c in raw):
        raise UsageError(f"paper id {raw!r} contains control characters")
    if len(raw) > 300:
        raise UsageError(f"paper id is too long ({len(raw)} characters)")
    lowered = raw.lower()
    # arXiv: prefixed, bare new-style, or URL.
    if lowered.startswith("arxiv:"):
        found = _clean_arxiv(raw[6:])
        if found:
            return found
        raise UsageError(f"invalid arXiv id {raw!r} (expected e.g. arxiv:1805.08651)")
    if ARXIV_NEW.match(ARXIV_VERSION.sub("", raw)):
        return _clean_arxiv(raw)  # type: ignore[return-value]
    # DOI: prefixed, bare or URL.
    if lowered.startswith("doi:"):
        return _checked(f"doi:{raw[4:].strip().lower()}", raw)
    if lowered.startswith("10.") and "/" in raw:
        return _checked(f"doi:{lowered}", raw)
    if lowered.startswith("url:"):
        return _checked(raw, raw)
    # URLs (with or without scheme / www).
    candidate = raw if "://" in raw else "https://" + raw
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").lower().removeprefix("www.")
    except ValueError:  # '[bold]x', 'https://a]b': brackets announce an IPv6 host
        if "://" in raw:
            raise UsageError(f"invalid URL {raw!r}") from None
        return _checked(raw, raw)
    if "/" in raw or "." in raw.split("/")[0]:
        if host.endswith("openreview.net"):
            ids = parse_qs(parts.query).get("id") or parse_qs(parts.query).get("noteId")
            if ids:
                return _checked(ids[0], raw)
            raise UsageError(f"OpenReview URL without an id: {raw!r}")
        if host.endswith("arxiv.org"):
            tail = parts.path.split("/", 2)[-1] if parts.path.count("/") >= 2 else ""
            found = _clean_arxiv(tail)
            if found:
                return found
            raise UsageError(f"arXiv URL without a recognisable id: {raw!r}")
        if host in {"doi.org", "dx.doi.org"}:
            return _checked(f"doi:{unquote(parts.path.lstrip('/')).lower()}", raw)
        if "://" in raw or raw.startswith("www."):
            raise UsageError(
                f"unsupported URL {raw!r}: give an OpenReview, arXiv or doi.org URL, or an id"
            )
    return _checked(raw, raw)


def _checked(candidate: str, original: str) -> str:
    try:
        return check_id(candidate)
    except ValueError as exc:
        if "/" in original or original.startswith("."):
            raise UsageError(f"invalid paper id {original!r}: ids cannot contain paths") from None
        raise UsageError(str(exc)) from None
