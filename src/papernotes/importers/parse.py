"""Reading-notes text to entries: one entry per OpenReview paper, with its note.

Pure: text in, entries and warnings out; no knowledge base, catalog or taxonomy.

An entry starts at a line whose first thing (after indentation, a list marker ``-``,
``*``, ``+``, ``1.``, ``1)`` and emphasis) is an OpenReview link: a bare URL (with or
without ``https://`` and ``www.``) or a Markdown link ``[title](url)``; in a list
item, also ``title: url``. It ends at the next entry, a heading (``#`` of any level,
or a line that is only ``**bold**`` right before an entry), a ``---`` rule, or a
sibling list item. Everything in between is the note, verbatim minus link markup:
trailing spaces, blank lines at both ends and the indentation shared by the lines
of a list item are removed. A heading is remembered as the entry's section (a hint,
never a tag).

Lines that look like an entry but cannot be used (a list item without an OpenReview
link, an OpenReview link without a valid id) and text outside every entry become
warnings with their line, so nothing is dropped silently.
"""

from __future__ import annotations

import bisect
import re
import textwrap
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from papernotes.errors import Problem, UsageError
from papernotes.model.ids import parse_paper_ref

_URL_STOP = r"\s<>\[\]()\"'`\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
MD_LINK = re.compile(
    r"(?<!!)\[(?P<text>(?:[^\[\]\n]|\n(?![ \t]*\n)){1,1000}?)\]"
    r"\([ \t]*<?(?P<url>[^\s()<>]+(?:\([^\s()<>]*\)[^\s()<>]*)*)>?"
    r"(?:[ \t]+\"[^\"\n]*\")?[ \t]*\)"
)
BARE_URL = re.compile(
    rf"(?<![\w@/.\-])(?:https?://[^{_URL_STOP}]+|www\.[^{_URL_STOP}]+"
    rf"|openreview\.net/[^{_URL_STOP}]+)",
    re.IGNORECASE,
)
URL_TAIL = ".,;:!?*_~'\""
LIST_ITEM = re.compile(
    r"(?P<indent>[ \t]*)(?:(?P<num>\d{1,4}[.)])|(?P<bullet>[-*+]))(?=[ \t]|$)[ \t]*"
)
EMPHASIS_OPEN = re.compile(r"(?:\*{1,3}|_{1,3})(?=\S)")
HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(?P<text>.*?))?[ \t#]*$")
BOLD_LINE = re.compile(r"^[ \t]*(\*\*|__)(?P<text>[^*_\n]{1,120})\1[ \t]*[:：]?[ \t]*$")
RULE = re.compile(r"^ {0,3}([-*_])[ \t]*(?:\1[ \t]*){2,}$")
HEAD_SEPARATOR = re.compile(
    r"^[ \t]*(?:(?:\*{1,3}|_{1,3})(?=[\s:：,，;；\-–—]|$))?[ \t]*(?:[:：,，;；]|[.。](?=\s|$)|[-–—](?=\s|$))?[ \t]*"
)
TITLE_SEPARATOR = re.compile(r"[ \t]*(?:[:：]|[-–—]+)[ \t]*$")
SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])(?=\s)")
WRAP_STOPS = tuple(".!?。！？;；:：")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")

# "See also <id>": bare OpenReview-looking ids (mixed case and a digit) after the phrase.
SEE_ALSO_ID = re.compile(
    r"(?i:\bsee\s+also|\bcf\.?|\bcompare\s+(?:with|to)|参见|参看|另见|见)\s*[:：]?\s*"
    r"(?P<id>(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*(?:\d|[A-Z][A-Za-z0-9_-]*[A-Z]))"
    r"[A-Za-z0-9_-]{9,12})(?![A-Za-z0-9_-])"
)
# Phrases that point at the previous entry of the file ("the one above").
PREVIOUS = re.compile(
    "|".join(
        (
            r"(?:和|与|跟|同)上面",
            r"上面(?:那|这|一)篇",
            r"上面的(?:工作|文章|论文|paper)",
            r"上一篇|前一篇|上一个工作",
            r"(?:另外|另)一(?:个|篇)相关的?(?:工作|文章|论文|paper)",
            r"(?:非常|很|十分|特别|比较)相关的?(?:工作|文章|论文|paper)",
            r"\b(?:the|that)\s+(?:one|paper|work|entry)\s+above\b",
            r"\b(?:the\s+)?(?:previous|preceding)\s+(?:one|paper|work|entry)\b",
            r"\b(?:same\s+as|similar\s+to|like)\s+(?:the\s+)?above\b",
            r"\banother\s+related\s+(?:work|paper)\b",
            r"\b(?:very|closely|highly)\s+related\s+(?:work|paper)\b",
        )
    ),
    re.IGNORECASE,
)
RELATION_WORDS = re.compile(r"see\s+also|related|similar|cf\.|参见|相关|类似", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """A link in a note: another OpenReview paper (``paper_id``) or an outside work."""

    url: str
    label: str | None
    paper_id: str | None = None


@dataclass(frozen=True)
class Relation:
    """An explicit link from an entry: to ``target``, or to the previous entry when None."""

    why: str
    line: int
    target: str | None = None
    label: str | None = None
    bare_id: bool = False  # "see also <id>" rather than a link


@dataclass
class Entry:
    paper_id: str
    line: int
    url: str
    note: str = ""
    title_hint: str | None = None
    title_line: str | None = None
    section: str | None = None
    follows_unparsed: bool = False  # the entry-like line just above could not be read
    refs: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


@dataclass
class ParsedFile:
    source: str
    shown: str
    entries: list[Entry] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    encoding: str = "UTF-8"


@dataclass
class _Head:
    kind: str | None  # "num", "bullet" or None (no list marker)
    indent: int
    end: int  # absolute offset just past the link
    url: str | None
    title: str | None
    paper_id: str | None = None
    error: str | None = None


def is_openreview(url: str) -> bool:
    candidate = url if "://" in url else "https://" + url
    try:
        host = (urlsplit(candidate).hostname or "").lower()
    except ValueError:
        return False
    return host == "openreview.net" or host.endswith(".openreview.net")


def openreview_id(url: str) -> tuple[str | None, str | None]:
    """(id, None) for an OpenReview URL with a valid id, else (None, why not)."""
    try:
        return parse_paper_ref(url), None
    except UsageError:
        pass
    query = parse_qs(urlsplit(url if "://" in url else "https://" + url).query)
    given = (query.get("id") or query.get("noteId") or [""])[0]
    if not given:
        return None, f"no id= in {url!r}"
    return None, f"invalid OpenReview id {given!r}"


def clean_url(url: str) -> str:
    url = url.rstrip(URL_TAIL)
    return url if "://" in url else "https://" + url


def one_line(text: str) -> str:
    return " ".join(text.split())


class _Parser:
    def __init__(self, text: str, source: str, shown: str):
        self.text = text
        self.source = source
        self.shown = shown
        self.lines = text.split("\n")
        self.starts = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line) + 1
        self.links = {m.start(): m for m in MD_LINK.finditer(text)}
        self.link_starts = sorted(self.links)
        self._heads: dict[int, _Head | None] = {}
        self.result = ParsedFile(source, shown)
        self.after_unparsed = False

    # -- line classification ---------------------------------------------------
    def head(self, i: int) -> _Head | None:
        if i not in self._heads:
            self._heads[i] = self._find_head(i)
        return self._heads[i]

    def _find_head(self, i: int) -> _Head | None:
        line, base = self.lines[i], self.starts[i]
        item = LIST_ITEM.match(line)
        if item:
            kind = "num" if item.group("num") else "bullet"
            indent, pos = len(item.group("indent").expandtabs(4)), item.end()
        else:
            kind, pos = None, len(line) - len(line.lstrip(" \t"))
            indent = len(line[:pos].expandtabs(4))
        emphasis = EMPHASIS_OPEN.match(line, pos)
        if emphasis:
            pos = emphasis.end()
        link = self.links.get(base + pos)
        if link is not None and is_openreview(link.group("url")):
            return self._make_head(kind, indent, link.end(), link.group("url"), link.group("text"))
        bare = BARE_URL.match(line, pos)
        if bare is not None and is_openreview(bare.group()):
            url = bare.group().rstrip(URL_TAIL)
            return self._make_head(kind, indent, base + bare.start() + len(url), url, None)
        if kind is None:
            return None
        # A list item "Title: url" / "Title - [pdf](url)".
        first = self._first_link(i, pos)
        if first is None:
            return None
        start, end, url, _text = first
        prefix = self.text[base + pos : start]
        if not is_openreview(url) or not TITLE_SEPARATOR.search(prefix):
            return None
        if RELATION_WORDS.search(prefix):
            return None
        title = TITLE_SEPARATOR.sub("", prefix).strip(" \t*_")
        return self._make_head(kind, indent, end, url, title or None)

    def _first_link(self, i: int, pos: int) -> tuple[int, int, str, str | None] | None:
        line, base = self.lines[i], self.starts[i]
        found = []
        for start in self._links_between(base + pos, base + len(line)):
            link = self.links[start]
            found.append((start, link.end(), link.group("url"), link.group("text")))
        for bare in BARE_URL.finditer(line, pos):
            if not any(s <= base + bare.start() < e for s, e, _, _ in found):
                url = bare.group().rstrip(URL_TAIL)
                found.append((base + bare.start(), base + bare.start() + len(url), url, None))
        return min(found) if found else None

    def _links_between(self, start: int, end: int) -> list[int]:
        """Offsets of the Markdown links that start in [start, end)."""
        return self.link_starts[
            bisect.bisect_left(self.link_starts, start) : bisect.bisect_left(self.link_starts, end)
        ]

    def _make_head(self, kind, indent, end, url, title) -> _Head:
        url = url.rstrip(URL_TAIL)
        paper_id, error = openreview_id(url)
        return _Head(kind, indent, end, url, one_line(title) if title else None, paper_id, error)

    def is_heading(self, i: int) -> str | None:
        """The heading text when line ``i`` is a heading, else None."""
        line = self.lines[i]
        match = HEADING.match(line)
        if match:
            return (match.group("text") or "").strip()
        match = BOLD_LINE.match(line)
        if match:
            nxt = i + 1
            while nxt < len(self.lines) and not self.lines[nxt].strip():
                nxt += 1
            if nxt < len(self.lines) and self.head(nxt) is not None:
                return match.group("text").strip()
        return None

    def line_of(self, offset: int) -> int:
        """1-based line number of an absolute offset."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    # -- the scan ----------------------------------------------------------------
    def parse(self) -> ParsedFile:
        section: str | None = None
        current: tuple[_Head, int, int, str | None] | None = None  # head, body start, line
        context: tuple[str | None, int] | None = None  # list kind and indent of entries
        orphan: list[int] = []
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            head = self.head(i)
            heading = None if head else self.is_heading(i)
            sibling = (
                head is None
                and heading is None
                and context is not None
                and context[0] is not None
                and self._sibling(i, context)
            )
            ends = head is not None or heading is not None or sibling or RULE.match(line)
            if ends:
                self._close(current, self.starts[i])
                current = None
                self._flush_orphans(orphan)
            if head is not None:
                context = (head.kind, head.indent)
                current = (head, head.end, i + 1, section)
                i = self.line_of(head.end)  # skip lines inside a multi-line link
                continue
            if heading is not None:
                section = heading or section
            elif sibling:
                self._warn(i + 1, "list item has no OpenReview link; not imported")
                self.after_unparsed = True
                i = self._skip_item(i, context)
                continue
            elif ends:
                pass  # a --- rule
            elif current is None and line.strip():
                orphan.append(i + 1)
            i += 1
        self._close(current, len(self.text))
        self._flush_orphans(orphan)
        return self.result

    def _sibling(self, i: int, context: tuple[str | None, int]) -> bool:
        item = LIST_ITEM.match(self.lines[i])
        if not item:
            return False
        kind = "num" if item.group("num") else "bullet"
        return kind == context[0] and len(item.group("indent").expandtabs(4)) <= context[1]

    def _skip_item(self, i: int, context: tuple[str | None, int]) -> int:
        """Skip a rejected list item and its continuation lines (reported, not attached)."""
        i += 1
        while i < len(self.lines):
            if self.head(i) or self.is_heading(i) or self._sibling(i, context):
                break
            if RULE.match(self.lines[i]):
                break
            i += 1
        return i

    def _warn(self, line: int, message: str) -> None:
        self.result.warnings.append(Problem(self.shown, message, line))

    def _flush_orphans(self, orphan: list[int]) -> None:
        if orphan:
            first, last = orphan[0], orphan[-1]
            span = f"line {first}" if first == last else f"lines {first}-{last}"
            self._warn(first, f"text outside any entry ({span}); not imported")
            orphan.clear()

    def _close(self, current, end: int) -> None:
        if current is None:
            return
        head, body_start, line, section = current
        if head.paper_id is None:
            self._warn(
                line, f"OpenReview link without a valid paper id ({head.error}); not imported"
            )
            self.after_unparsed = True
            return
        entry = Entry(head.paper_id, line, head.url or "", title_hint=head.title, section=section)
        entry.follows_unparsed, self.after_unparsed = self.after_unparsed, False
        self._fill_note(entry, body_start, end)
        self.result.entries.append(entry)

    # -- the note ------------------------------------------------------------------
    def _fill_note(self, entry: Entry, start: int, end: int) -> None:
        body = self.text[start:end]
        base = 0xF0000
        while re.search(f"[{chr(base)}-{chr(base + 0xFFF)}]", body):
            base += 0x1000  # the text uses this private-use block; pick another
        links: list[re.Match] = []
        parts, prev = [], 0
        for offset in self._links_between(start, end):
            link = self.links[offset]
            if link.end() <= end:
                parts.append(body[prev : offset - start])
                parts.append(chr(base + len(links)))
                links.append(link)
                prev = link.end() - start
        parts.append(body[prev:])
        marked = HEAD_SEPARATOR.sub("", "".join(parts), count=1)
        first_line = self.line_of(start)
        rows = [(first_line + n, row.rstrip()) for n, row in enumerate(marked.split("\n"))]
        if rows and rows[0][1]:
            rows = rows[:1] + _dedent(rows[1:])
        else:
            rows = _dedent(rows[1:])
        while rows and not rows[0][1]:
            rows.pop(0)
        while rows and not rows[-1][1]:
            rows.pop()

        marker = re.compile(f"[{chr(base)}-{chr(base + max(len(links), 1) - 1)}]")

        def unmark(text: str) -> str:
            if not links:
                return text
            return marker.sub(lambda m: links[ord(m.group()) - base].group("text"), text)

        entry.note = unmark("\n".join(text for _, text in rows))
        for number, text in _logical_lines(rows):
            self._scan_line(entry, number, text, links, marker, unmark)
        for _, text in rows:
            plain = unmark(text).strip()
            if entry.title_line is None and looks_like_title(plain):
                entry.title_line = plain

    def _scan_line(self, entry, number, text, links, marker, unmark) -> None:
        base = ord(marker.pattern[1])
        for sentence in _sentences(text):
            found: list[tuple[int, Mention]] = []
            for mark in marker.finditer(sentence) if links else ():
                link = links[ord(mark.group()) - base]
                found.append(
                    (mark.start(), self._mention(link.group("url"), one_line(link.group("text"))))
                )
            for bare in BARE_URL.finditer(sentence):
                found.append((bare.start(), self._mention(bare.group(), None)))
            mentions = [mention for _, mention in sorted(found, key=lambda item: item[0])]
            why = one_line(unmark(sentence))
            linked: set[str] = set()
            for mention in mentions:
                if mention.paper_id is None and is_openreview(mention.url):
                    _, error = openreview_id(mention.url)
                    self._warn(number, f"OpenReview link without a valid paper id ({error})")
                elif mention.paper_id is not None:
                    linked.add(mention.paper_id)
                    if mention.paper_id != entry.paper_id:
                        entry.relations.append(
                            Relation(why, number, mention.paper_id, mention.label)
                        )
                elif mention.url not in {r.url for r in entry.refs}:
                    entry.refs.append(mention)
            for see_also in SEE_ALSO_ID.finditer(unmark(sentence)):
                target = see_also.group("id")
                if target not in linked and target != entry.paper_id:
                    linked.add(target)
                    entry.relations.append(Relation(why, number, target, bare_id=True))
            if not linked and PREVIOUS.search(why):
                entry.relations.append(Relation(why, number))

    @staticmethod
    def _mention(url: str, label: str | None) -> Mention:
        url = url.rstrip(URL_TAIL)
        if is_openreview(url):
            paper_id, _ = openreview_id(url)
            return Mention(clean_url(url), label or None, paper_id)
        return Mention(clean_url(url), label or None)


def _dedent(rows: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Remove the indentation shared by the lines (a list item's own indentation)."""
    if not rows:
        return rows
    joined = textwrap.dedent("\n".join(text for _, text in rows))
    return [(n, text) for (n, _), text in zip(rows, joined.split("\n"), strict=True)]


def _logical_lines(rows: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Rejoin sentences wrapped over several lines ("..., which" / "uses ...") so a
    relation's reason is the whole sentence; other line breaks end a sentence."""
    out: list[tuple[int, str]] = []
    for number, text in rows:
        stripped = text.strip()
        if (
            out
            and out[-1][1]
            and stripped[:1].isascii()
            and stripped[:1].islower()
            and not out[-1][1].rstrip().endswith(WRAP_STOPS)
            and not LIST_ITEM.match(text)
        ):
            out[-1] = (out[-1][0], f"{out[-1][1].rstrip()} {stripped}")
        else:
            out.append((number, text))
    return out


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if s.strip()]


def looks_like_title(line: str) -> bool:
    """An upper-case line of several words (how titles are pasted from a PDF)."""
    if not line or CJK.search(line) or any(c.islower() for c in line):
        return False
    words = re.findall(r"[A-Z][A-Z0-9'-]*", line)
    return len(words) >= 2 and sum(len(w) for w in words) >= 8


def parse_notes(text: str, source: str, shown: str | None = None) -> ParsedFile:
    """Entries and warnings of one notes file; ``source`` is recorded on each note."""
    return _Parser(text, source, shown or source).parse()
