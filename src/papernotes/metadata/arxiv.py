"""arXiv's export API: one paper's Atom entry, in the current and the legacy feed format.

The current format (late 2025 on) has bare ``<link href>`` elements; the legacy one
has ``rel``/``title="pdf"`` attributes and line-wrapped text. A missing id gives no
entry (current) or an empty entry (legacy); a malformed id gives an entry titled
``Error``. See §6 of ``reference/openreview-api.md``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from papernotes.errors import NotFoundError, UsageError
from papernotes.metadata.base import PaperMetadata, add_link, clean_line, string_list, year_of
from papernotes.metadata.http import HttpClient, HttpNotFoundError, UnexpectedAnswerError

ARXIV_DEFAULT = "https://export.arxiv.org/api"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
WEB = "https://arxiv.org"
ENV_HINT = "PAPERNOTES_ARXIV_API"


class ArxivNotFoundError(NotFoundError):
    """arXiv has no paper with this id."""


class ArxivRejectedIdError(UsageError):
    """arXiv says the id is not an arXiv id at all."""


def fetch(client: HttpClient, paper_id: str, base: str = ARXIV_DEFAULT) -> PaperMetadata:
    """Metadata of ``arxiv:<id>`` from the export API (latest version)."""
    bare = paper_id.removeprefix("arxiv:")
    try:
        answer = client.get(
            f"{base.rstrip('/')}/query",
            {"id_list": bare, "max_results": "1"},
            headers={"Accept": "application/atom+xml"},
            parse=parse_feed,
        )
    except HttpNotFoundError as exc:
        # The query endpoint itself is missing: a wrong base URL, not a missing paper.
        raise UnexpectedAnswerError(
            f"the server answered something unexpected: 404 for {exc.url.split('?')[0]} "
            f"(is {ENV_HINT} right?)"
        ) from None
    return entry_metadata(answer.data, bare)


def parse_feed(text: str, content_type: str, where: str) -> ET.Element:
    """The feed's root element, or UnexpectedAnswerError when it is not an Atom feed."""
    head = text.lstrip()[:200].lower()
    if "html" in content_type.lower() or head.startswith(("<!doctype html", "<html")):
        raise UnexpectedAnswerError(
            f"the server answered something unexpected: HTML instead of an Atom feed from {where}"
        )
    if "<!doctype" in text[:2000].lower() or "<!entity" in text.lower():
        raise UnexpectedAnswerError(
            f"the server answered something unexpected: XML with a DOCTYPE from {where}"
        )
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise UnexpectedAnswerError(
            f"the server answered something unexpected: malformed XML from {where} ({exc})"
        ) from None
    if root.tag != f"{ATOM}feed":
        raise UnexpectedAnswerError(
            f"the server answered something unexpected: not an Atom feed from {where}"
        )
    return root


def _text(element: ET.Element, path: str) -> str:
    return " ".join((element.findtext(path) or "").split())


def entry_metadata(feed: ET.Element, bare_id: str) -> PaperMetadata:
    """The entry for ``bare_id`` as metadata; errors for error entries and missing ids."""
    wanted = re.compile(r"/abs/" + re.escape(bare_id) + r"(v\d+)?$")
    for entry in feed.findall(f"{ATOM}entry"):
        entry_id = _text(entry, f"{ATOM}id")
        title = _text(entry, f"{ATOM}title")
        if "/api/errors" in entry_id or (title == "Error" and not wanted.search(entry_id)):
            reason = _text(entry, f"{ATOM}summary") or "invalid id"
            raise ArxivRejectedIdError(f"arXiv rejected the id 'arxiv:{bare_id}': {reason}")
        if not wanted.search(entry_id):
            continue  # the legacy API's empty entry for a missing id, or another paper
        return _metadata(entry, bare_id)
    raise ArxivNotFoundError(f"no such paper on arXiv: 'arxiv:{bare_id}'")


def _metadata(entry: ET.Element, bare_id: str) -> PaperMetadata:
    meta = PaperMetadata(source="arXiv")
    meta.title = clean_line(_text(entry, f"{ATOM}title"))
    meta.authors = string_list([_text(a, f"{ATOM}name") for a in entry.findall(f"{ATOM}author")])
    meta.abstract = clean_line(_text(entry, f"{ATOM}summary"))
    published = _text(entry, f"{ATOM}published")
    if re.match(r"^\d{4}-", published):
        meta.year = year_of(int(published[:4]))
    add_link(meta.links, "arxiv", f"{WEB}/abs/{bare_id}")
    pdf = None
    for link in entry.findall(f"{ATOM}link"):
        href = link.get("href") or ""
        if link.get("title") == "pdf" or "/pdf/" in href:
            pdf = href
            break
    if pdf:
        add_link(meta.links, "pdf", f"{WEB}/pdf/{bare_id}")
    doi = _text(entry, f"{ARXIV}doi")
    if doi and " " not in doi:
        add_link(meta.links, "doi", f"https://doi.org/{doi}")
    return meta
