"""Small HTML helpers: every piece of user text goes through ``esc`` exactly once."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from papernotes.text import script_json as text_script_json

_URL = re.compile(r"https?://[^\s<>\"'\u3000-\u303f\uff00-\uffef]+")
_TRAILING = ".,;:!?)]}'\""


def esc(text: object) -> str:
    """Text for an element body or a quoted attribute value."""
    return html.escape(str(text), quote=True)


def href(path: str) -> str:
    """A relative link to one of our own files, percent-encoded and escaped."""
    return esc(quote(path, safe="/#?=&.-_~"))


def ext_link(url: str, text: str | None = None) -> str:
    """A link that leaves the site: http(s) only, no referrer, no opener."""
    if not re.match(r"^https?://", url):
        return esc(text or url)
    return (
        f'<a class="ext" href="{esc(url)}" rel="noopener noreferrer nofollow">'
        f"{esc(text or url)}</a>"
    )


def linkify(text: str) -> str:
    """Escape ``text`` and turn the http(s) URLs in it into links."""
    out, pos = [], 0
    for match in _URL.finditer(text):
        url = match.group()
        stripped = url.rstrip(_TRAILING)
        if url.endswith(")") and stripped.count("(") > stripped.count(")"):
            stripped += ")"
        out.append(esc(text[pos : match.start()]))
        out.append(ext_link(stripped))
        pos = match.start() + len(stripped)
    out.append(esc(text[pos:]))
    return "".join(out)


def script_json(data: object) -> str:
    """JSON that is safe inside a <script> element or a .js file; keys sorted, so a page
    is the same from build to build."""
    return text_script_json(data, sort_keys=True)
