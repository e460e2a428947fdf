"""Reading-notes text to entries: one entry per paper, with its note.

Pure: text in, entries and warnings out; no knowledge base, catalog or taxonomy.

The block structure comes from a CommonMark parser (markdown-it-py, with tables):
an entry is a list item, a paragraph line, a heading or a table row whose first
line holds a paper link anywhere: an OpenReview ``forum``/``pdf``/``attachment``
URL, an arXiv abs/pdf URL or ``arXiv:`` id, a DOI or ``doi.org`` URL, as a bare URL,
an autolink ``<url>``, a Markdown link ``[title](url)`` or a reference link
``[title][1]``. Links inside code spans and code blocks never count.

- A list item's note is the whole item (nested lists included) after the link.
- In a paragraph, each line that holds a link starts an entry (so plain text files,
  one paper per line or per block, work too); the following lines belong to it.
- A heading with a link starts an entry whose note is everything up to the next
  heading or entry.
- A table row with a link is an entry; its other cells are the note.

Text after a blank line attaches to the entry above only when it is indented
under it (or, for a heading entry, until the next heading). Everything else that
is not an entry is reported with its line, so nothing is dropped silently.
Headings without a link are remembered as the entries' section (a hint, never a tag).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import textwrap
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from papernotes.errors import Problem, UsageError
from papernotes.model.ids import parse_paper_ref
from papernotes.text import one_line

_URL_STOP = r"\s<>\[\]()\"'`\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
MD_LINK = re.compile(
    r"(?<!!)\[(?P<text>(?:[^\[\]\n]|\n(?![ \t]*\n)){1,1000}?)\]"
    r"\([ \t]*<?(?P<url>[^\s()<>]+(?:\([^\s()<>]*\)[^\s()<>]*)*)>?"
    r"(?:[ \t]+\"[^\"\n]*\")?[ \t]*\)"
)
REF_LINK = re.compile(
    r"(?<![!\]\\])\[(?P<text>[^\[\]\n]{1,500})\](?:\[(?P<label>[^\[\]\n]{0,200})\])?(?![(\[])"
)
REF_DEFINITION = re.compile(r"^[ ]{0,3}\[[^\[\]\n]+\]:", re.MULTILINE)
ORG_HEADING = re.compile(r"^(\*{1,6})(?=[ \t])", re.MULTILINE)
ORG_KEYWORD = re.compile(r"^#\+[A-Za-z_]+:.*$", re.MULTILINE)
ORG_LINK = re.compile(r"\[\[(?P<url>[^\[\]\s]+)\](?:\[(?P<text>[^\[\]\n]{1,500})\])?\]")
AUTOLINK = re.compile(r"<(?P<url>https?://[^\s<>]+)>", re.IGNORECASE)
BARE_URL = re.compile(
    rf"(?<![\w@/.\-])(?:https?://[^{_URL_STOP}]+|www\.[^{_URL_STOP}]+"
    rf"|(?:openreview\.net|arxiv\.org|doi\.org|dx\.doi\.org)/[^{_URL_STOP}]+)",
    re.IGNORECASE,
)
ARXIV_ID = re.compile(
    r"(?<![\w/.])arxiv\s*:\s*(?P<id>\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z.-]*/\d{7}(?:v\d+)?)(?![\w.])",
    re.IGNORECASE,
)
DOI_ID = re.compile(r"(?<![\w/.])(?:doi\s*:\s*)?(?P<id>10\.\d{4,9}/[^\s<>\"'`，。；）\]]+)", re.I)
URL_TAIL = ".,;:!?*_~'\""
LIST_ITEM = re.compile(
    r"(?P<indent>[ \t]*)(?:(?P<num>\d{1,9}[.)])|(?P<bullet>[-*+]))(?=[ \t]|$)[ \t]*"
    r"(?:\[[ xX]\](?=[ \t]|$)[ \t]*)?"
)
QUOTE = re.compile(r"^[ ]{0,3}>[ ]?")
HEADING_MARK = re.compile(r"^[ ]{0,3}#{1,6}(?=[ \t]|$)[ \t]*")
LEAD = re.compile(r"^[ \t]*(?:\[\d{1,4}\][ \t]+)?(?:(?:\*{1,3}|_{1,3})[ \t]*)?")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?:.*\n){0,200}?(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
BOLD_LINE = re.compile(r"^[ \t]*(\*\*|__)(?P<text>[^*_\n]{1,120})\1[ \t]*[:：]?[ \t]*$")
HEAD_SEPARATOR = re.compile(
    r"^[ \t]*(?:[>）)\]](?=\s|[:：,，;；\-–—]|$))?[ \t]*"
    r"(?:(?:\*{1,3}|_{1,3})(?=[\s:：,，;；\-–—)）]|$))?[ \t]*[)）]?[ \t]*"
    r"(?:[:：,，;；|]|[.。](?=\s|$)|[-–—]+(?=\s|$))?[ \t]*"
)
LINK_LABEL = re.compile(
    r"^(?:link|url|paper|pdf|arxiv|openreview|forum|abs|doi|source|论文|链接|地址|原文)$",
    re.IGNORECASE,
)
TITLE_COLUMNS = ("title", "paper", "name", "标题", "论文", "题目", "名称")
TITLE_TRIM = " \t*_:：-–—|(（[【<>,，;；"
CODE_SPAN = re.compile(
    r"(?<!`)(?P<fence>`+)(?!`)(?P<code>(?:[^`\n]|\n(?![ \t]*\n)|`(?!\1))+?)(?<!`)(?P=fence)(?!`)"
)
SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])(?=\s)")
WRAP_STOPS = tuple(".!?。！？;；:：")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
GENERIC_TEXT = re.compile(
    r"^(?:pdf|link|paper|url|here|forum|abs|abstract|html|openreview|arxiv|doi|review|"
    r"reviews|code|论文|链接|原文|地址|this|\d{1,3}|https?://.*|www\..*|openreview\.net.*)$",
    re.IGNORECASE,
)
OPENREVIEW_ID_SHAPE = (
    r"(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*(?:\d|[A-Z][A-Za-z0-9_-]*[A-Z]))"
    r"[A-Za-z0-9_-]{9,12}(?![A-Za-z0-9_-])"
)
# Phrases that point at the previous entry of the file ("the one above").
PREVIOUS_PHRASES = (
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
PREVIOUS = re.compile("|".join(PREVIOUS_PHRASES), re.IGNORECASE)
# A relation phrase followed by a bare OpenReview id: that id is the target.
RELATION_ID = re.compile(
    r"(?:(?i:\bsee\s+also|\bcf\.?|\bcompare\s+(?:with|to)|\brelated(?:\s+(?:work|paper)s?)?"
    r"|\bsimilar\s+to|参见|参看|另见|见|相关的?(?:工作|文章|论文)?|类似)"
    r"|" + "|".join(f"(?i:{p})" for p in PREVIOUS_PHRASES) + r")"
    r"\s*[:：,，]?\s*(?P<id>" + OPENREVIEW_ID_SHAPE + ")"
)
# Text before a link that makes the link a relation of the entry above, not a new entry.
RELATION_PREFIX = re.compile(
    r"(?:\bsee\s+also|\brelated(?:\s+(?:work|paper)s?)?|\bsimilar\s+to|\bcf\.?"
    r"|\bcompared?\s+(?:with|to)|参见|参看|另见|见|相关的?(?:工作|文章|论文)?|类似于?|上面的?)"
    r"\s*[:：,，]?\s*[(（]?\s*$",
    re.IGNORECASE,
)
# Words before a link on a note line that make it a reference, not a new entry.
REFERENCE_WORDS = re.compile(
    r"\b(?:background|code|refs?|references?|based\s+on|extends?|follows?|improves?|"
    r"builds?\s+on|vs\.?|versus|via|using|uses?|from|in|of|and|or|with|by|the|a|an|to|"
    r"paper|work|see|than|like|as)\s*[:：]?\s*$"
    r"|[.。!?！？;；]\s",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mention:
    """A link in a note: another OpenReview paper (``paper_id``) or an outside work."""

    url: str
    label: str | None
    paper_id: str | None = None
    local: bool = False  # a relative link (./notes.md): kept as text, not a reference


@dataclass(frozen=True)
class Relation:
    """An explicit link from an entry: to ``target``, or to the previous entry when None."""

    why: str
    line: int
    target: str | None = None
    label: str | None = None
    bare_id: bool = False  # "see also <id>" rather than a link
    only_if_known: bool = False  # an arXiv/DOI link: a relation when the paper has a record


@dataclass
class Entry:
    paper_id: str
    line: int
    url: str
    note: str = ""
    title_hint: str | None = None
    title_line: str | None = None
    note_title: str | None = None  # the note's first words, for papers no catalog knows
    section: str | None = None
    follows_unparsed: bool = False  # the entry-like thing just above could not be read
    refs: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return paper_kind(self.paper_id)


@dataclass
class ParsedFile:
    source: str
    shown: str
    entries: list[Entry] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    encoding: str = "UTF-8"


@dataclass
class _Link:
    start: int  # absolute offsets in the scanned text
    end: int
    url: str
    text: str | None


@dataclass
class _Head:
    line: int  # 0-based line of the link
    indent: int
    end: int  # absolute offset just past the link
    url: str
    title: str | None
    kind: str  # "openreview", "arxiv", "doi"
    paper_id: str | None = None
    error: str | None = None
    note_start: int | None = None  # where the note starts, when not right after the link
    drop_line: int | None = None  # 1-based line left out of the note (a "link: url" sub-item)


@dataclass
class _Open:
    head: _Head
    first: int  # 0-based line where the entry starts
    end: int  # 0-based line just past the entry's text
    section: str | None
    heading: int = 0  # a heading entry's level: it owns what follows, up to a heading as high


def paper_kind(paper_id: str) -> str:
    if paper_id.startswith("arxiv:"):
        return "arxiv"
    if paper_id.startswith("doi:"):
        return "doi"
    if ":" in paper_id:
        return "other"
    return "openreview"


def _host(url: str) -> str:
    candidate = url if "://" in url else "https://" + url
    try:
        return (urlsplit(candidate).hostname or "").lower()
    except ValueError:
        return ""


def is_openreview(url: str) -> bool:
    host = _host(url)
    return host == "openreview.net" or host.endswith(".openreview.net")


def link_kind(url: str) -> str | None:
    """Which kind of paper a link or id names: openreview, arxiv, doi, or None."""
    lowered = url.lower()
    if lowered.startswith("arxiv:"):
        return "arxiv"
    if lowered.startswith(("doi:", "10.")):
        return "doi"
    host = _host(url)
    if host == "openreview.net" or host.endswith(".openreview.net"):
        return "openreview"
    if host == "arxiv.org" or host.endswith(".arxiv.org"):
        path = urlsplit(url if "://" in url else "https://" + url).path
        return "arxiv" if re.match(r"^/(?:abs|pdf|html)/", path) else None
    if host in ("doi.org", "dx.doi.org", "www.doi.org"):
        return "doi"
    return None


def openreview_id(url: str) -> tuple[str | None, str | None]:
    """(id, None) for an OpenReview URL with a valid id, else (None, why not)."""
    try:
        return parse_paper_ref(url.split("#", 1)[0]), None
    except UsageError:
        pass
    query = parse_qs(urlsplit(url if "://" in url else "https://" + url).query)
    given = (query.get("id") or query.get("noteId") or [""])[0]
    if not given:
        return None, f"no id= in {url!r}"
    return None, f"invalid OpenReview id {given!r}"


def paper_id_of(url: str) -> tuple[str | None, str | None, str | None]:
    """(id, kind, error) of a paper link; kind None when it names no paper."""
    kind = link_kind(url)
    if kind is None:
        return None, None, None
    if kind == "openreview":
        pid, error = openreview_id(url)
        return pid, kind, error
    target = url.split("#", 1)[0]
    if kind == "doi":
        target = unquote(target)
    try:
        pid = parse_paper_ref(target)
    except UsageError as exc:
        return None, kind, str(exc)
    if not pid.startswith(f"{kind}:"):
        return None, kind, f"no {kind} id in {url!r}"
    return pid, kind, None


def clean_url(url: str) -> str:
    url = url.rstrip(URL_TAIL)
    return url if "://" in url else "https://" + url


def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


class _Parser:
    def __init__(self, text: str, source: str, shown: str):
        from markdown_it.tree import SyntaxTreeNode

        self.source = source
        self.shown = shown
        self.env: dict = {}
        front = FRONT_MATTER.match(text)
        if front:  # YAML front matter (Jekyll, Hugo, Obsidian): metadata, not notes
            text = re.sub(r"[^\n]", "", front.group()) + text[front.end() :]
        tokens = _markdown().parse(text, self.env)
        self.tree = SyntaxTreeNode(tokens)
        raw_lines = text.split("\n")
        self.quote_depth = [0] * len(raw_lines)
        self.code_lines: set[int] = set()
        self._mark_containers(self.tree)
        lines = []
        for n, line in enumerate(raw_lines):
            for _ in range(self.quote_depth[n]):
                line = QUOTE.sub("", line, count=1)
            lines.append(line)
        self.lines = lines
        self.text = "\n".join(lines)
        self.starts = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line) + 1
        self.scan = self._masked()
        self.links = self._find_links()
        self.result = ParsedFile(source, shown)
        self.current: _Open | None = None
        self.section: str | None = None
        self.after_unparsed = False
        self.orphans: list[int] = []
        self._heads: dict[tuple, _Head | None] = {}

    # -- preparation -----------------------------------------------------------------
    def _mark_containers(self, node) -> None:
        for child in node.children:
            if child.type in ("inline", "text") or child.is_root:
                continue
            if child.map:
                start, end = child.map
                if child.type == "blockquote":
                    for n in range(start, min(end, len(self.quote_depth))):
                        self.quote_depth[n] += 1
                if child.type in ("fence", "code_block"):
                    self.code_lines.update(range(start, end))
            self._mark_containers(child)

    def _masked(self) -> str:
        """The text with code blocks and code spans blanked, for finding links."""
        chars = list(self.text)
        for n in self.code_lines:
            if n < len(self.lines):
                for i in range(self.starts[n], self.starts[n] + len(self.lines[n])):
                    chars[i] = " "
        masked = "".join(chars)
        return CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), masked)

    def _find_links(self) -> list[_Link]:
        """Every link in the text (Markdown, reference, org, autolink, bare URL, ids)."""
        found: list[_Link] = []
        taken_starts: list[int] = []  # sorted, non-overlapping spans already taken
        taken_ends: list[int] = []

        def free(start: int, end: int) -> bool:
            i = bisect.bisect_right(taken_starts, start)
            if i and taken_ends[i - 1] > start:
                return False
            return i == len(taken_starts) or taken_starts[i] >= end

        def add(start: int, end: int, url: str, text: str | None) -> None:
            found.append(_Link(start, end, url, text))
            i = bisect.bisect_right(taken_starts, start)
            taken_starts.insert(i, start)
            taken_ends.insert(i, end)

        for m in MD_LINK.finditer(self.scan):
            if free(m.start(), m.end()):
                add(m.start(), m.end(), m.group("url"), self.text[m.start("text") : m.end("text")])
        refs = self.env.get("references") or {}
        if refs:
            from markdown_it.common.utils import normalizeReference

            definitions = {m.start() for m in REF_DEFINITION.finditer(self.scan)}
            for m in REF_LINK.finditer(self.scan):
                line_start = self.scan.rfind("\n", 0, m.start()) + 1
                if line_start in definitions and not self.scan[line_start : m.start()].strip():
                    continue  # "[1]: url" defines a reference; it is not a link
                label = m.group("label") or m.group("text")
                ref = refs.get(normalizeReference(label))
                if ref and free(m.start(), m.end()):
                    add(m.start(), m.end(), ref["href"], m.group("text"))
        for m in ORG_LINK.finditer(self.scan):
            if free(m.start(), m.end()):
                add(m.start(), m.end(), m.group("url"), m.group("text"))
        for m in AUTOLINK.finditer(self.scan):
            if free(m.start(), m.end()):
                add(m.start(), m.end(), m.group("url"), None)
        for m in BARE_URL.finditer(self.scan):
            url = m.group().rstrip(URL_TAIL)
            if url.endswith(")") and "(" not in url:
                url = url[:-1]
            if free(m.start(), m.start() + len(url)):
                add(m.start(), m.start() + len(url), url, None)
        for m in ARXIV_ID.finditer(self.scan):
            if free(m.start(), m.end()):
                add(m.start(), m.end(), "arxiv:" + m.group("id"), None)
        for m in DOI_ID.finditer(self.scan):
            doi = m.group("id").rstrip(URL_TAIL + ")")
            if free(m.start(), m.start("id") + len(doi)):
                add(m.start(), m.start("id") + len(doi), "doi:" + doi, None)
        found.sort(key=lambda link: link.start)
        self.link_starts = [link.start for link in found]
        return found

    def links_between(self, start: int, end: int) -> list[_Link]:
        lo = bisect.bisect_left(self.link_starts, start)
        hi = bisect.bisect_left(self.link_starts, end)
        return self.links[lo:hi]

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

    @staticmethod
    def indent_of(line: str) -> int:
        return len(line[: len(line) - len(line.lstrip(" \t"))].expandtabs(4))

    def blank(self, n: int) -> bool:
        return not self.lines[n].strip()

    # -- heads ---------------------------------------------------------------------------
    def find_head(
        self, n: int, pos: int, *, strict: bool = False, table: bool = False
    ) -> _Head | None:
        """The paper link that makes line ``n`` (from column ``pos``) an entry.

        ``strict`` (a later line of a paragraph): the text before the link must read as a
        title, not as a sentence that cites the paper.
        """
        key = (n, pos, strict, table)
        if key not in self._heads:
            self._heads[key] = self._find_head(n, pos, strict, table)
        head = self._heads[key]
        return dataclasses.replace(head) if head is not None else None

    def _find_head(self, n: int, pos: int, strict: bool, table: bool) -> _Head | None:
        base = self.starts[n]
        line_end = base + len(self.lines[n])
        for link in self.links_between(base + pos, line_end):
            pid, kind, error = paper_id_of(link.url)
            if kind is None:
                continue
            prefix = self.text[base + pos : link.start]
            if not table and (RELATION_PREFIX.search(prefix) or PREVIOUS.search(prefix)):
                return None
            if strict and prefix.strip() and REFERENCE_WORDS.search(prefix):
                return None
            title = None
            if link.text and not GENERIC_TEXT.match(one_line(link.text)):
                title = link.text
            elif prefix.strip(TITLE_TRIM):
                title = _clean_title(prefix)
            url = link.url.rstrip(URL_TAIL)
            return _Head(
                n,
                self.indent_of(self.lines[n]),
                link.end,
                url,
                one_line(title) if title else None,
                kind,
                pid,
                error,
            )
        return None

    def content_pos(self, n: int) -> int:
        """Column where the text of line ``n`` starts: after list marker and emphasis."""
        line = self.lines[n]
        item = LIST_ITEM.match(line)
        if item:
            pos = item.end()
        else:
            heading = HEADING_MARK.match(line)
            pos = heading.end() if heading else 0
        lead = LEAD.match(line, pos)
        return lead.end() if lead else pos

    # -- the walk ----------------------------------------------------------------------
    def parse(self) -> ParsedFile:
        self.walk(self.tree.children)
        self.close()
        self.flush_orphans()
        return self.result

    def walk(self, nodes) -> None:
        for node in nodes:
            kind = node.type
            if kind == "heading":
                self.heading(node)
            elif kind == "paragraph":
                self.paragraph(node.map[0], node.map[1])
            elif kind in ("bullet_list", "ordered_list"):
                self.list_(node)
            elif kind == "blockquote":
                self.walk(node.children)
            elif kind == "table":
                self.table(node)
            elif kind == "hr":
                self.close()
                self.flush_orphans()
            elif kind == "html_block" and node.content.lstrip().startswith("<!--"):
                continue  # a comment is nobody's note
            elif node.map:  # code, html: part of an entry above it, else not ours
                if entry := self.attaches(node.map[0]):
                    entry.end = node.map[1]

    def attaches(self, start: int) -> _Open | None:
        """The open entry when text starting at line ``start`` belongs to it: no blank
        line between them, the entry is a heading, or the text is indented under it."""
        current = self.current
        if current is None:
            return None
        if current.heading or not any(self.blank(n) for n in range(current.end, start)):
            return current
        return current if self.indent_of(self.lines[start]) > current.head.indent else None

    def open(self, head: _Head, first: int, end: int, heading: int = 0) -> None:
        self.close()
        self.flush_orphans()
        self.current = _Open(head, first, end, self.section, heading)

    def close(self) -> None:
        current, self.current = self.current, None
        if current is None:
            return
        head = current.head
        if head.paper_id is None:
            what = {"openreview": "OpenReview", "arxiv": "arXiv", "doi": "DOI"}[head.kind]
            remedy = {
                "openreview": "use the paper's forum?id= or pdf?id= link",
                "arxiv": "use an arxiv.org/abs/ link or arXiv:NNNN.NNNNN",
                "doi": "check the DOI",
            }[head.kind]
            self.warn(
                head.line + 1,
                f"{what} link without a valid paper id ({head.error}); not imported ({remedy})",
            )
            self.after_unparsed = True
            return
        entry = Entry(
            head.paper_id,
            head.line + 1,
            _entry_url(head.url),
            title_hint=head.title,
            section=current.section,
        )
        entry.follows_unparsed, self.after_unparsed = self.after_unparsed, False
        end = current.end
        end_offset = self.starts[end] if end < len(self.lines) else len(self.text)
        start = head.note_start if head.note_start is not None else head.end
        self.fill_note(entry, start, max(end_offset, start), drop={head.drop_line})
        self.result.entries.append(entry)

    def heading(self, node) -> None:
        start, end = node.map
        if node.markup in ("-", "=") and self.has_heads_in(start, end - 1):
            # Plain text over a "---" line: lines of entries, then a rule.
            self.paragraph(start, end - 1)
            self.close()
            self.flush_orphans()
            return
        level = int(node.tag[1:]) if node.tag[1:].isdigit() else 1
        head = self.find_head(start, self.content_pos(start))
        if head is not None:
            self.open(head, start, end, heading=level)
            return
        if self.current is not None and 0 < self.current.heading < level:
            self.current.end = end  # "### Summary" under "## [Paper](url)": still its note
            return
        self.close()
        self.flush_orphans()
        text = one_line(node.children[0].content if node.children else "")
        self.section = _strip_markup(text).strip(" #") or self.section

    def paragraph(self, start: int, end: int) -> None:
        heads: list[tuple[int, _Head]] = []
        for n in range(start, end):
            head = self.find_head(n, self.content_pos(n), strict=n > start)
            if head is not None:
                heads.append((n, head))
        if not heads:
            if end - start == 1 and (bold_line := BOLD_LINE.match(self.lines[start])):
                self.close()
                self.flush_orphans()
                self.section = bold_line.group("text").strip()
                return
            if entry := self.attaches(start):
                entry.end = end
            else:
                self.close()
                self.orphan(start, end)
            return
        first_head = heads[0][0]
        if first_head > start:
            pre_end = first_head
            bold = BOLD_LINE.match(self.lines[first_head - 1])
            if bold:
                pre_end -= 1
            if pre_end > start:
                if entry := self.attaches(start):
                    entry.end = pre_end
                else:
                    self.close()
                    self.orphan(start, pre_end)
            if bold:
                self.close()
                self.flush_orphans()
                self.section = bold.group("text").strip()
        skip_to = -1
        for index, (n, head) in enumerate(heads):
            if n < skip_to:
                continue  # inside a multi-line link of the previous head
            stop = heads[index + 1][0] if index + 1 < len(heads) else end
            self.open(head, n, stop)
            skip_to = self.line_of(head.end)

    def item_head(self, item) -> _Head | None:
        start = item.map[0]
        head = self.find_head(start, self.content_pos(start))
        if head is not None:
            return head
        # "- Title" with the link alone at the start of the next line.
        first = item.children[0] if item.children else None
        if first is None or first.type != "paragraph":
            return None
        if first.map[1] - first.map[0] < 2:
            return self._labelled_link_item(item)
        n = start + 1
        pos = len(self.lines[n]) - len(self.lines[n].lstrip(" \t"))
        links = self.links_between(self.starts[n] + pos, self.starts[n] + len(self.lines[n]))
        if not links or links[0].start != self.starts[n] + pos:
            return None
        head = self.find_head(n, pos)
        if head is None:
            return None
        title = _strip_markup(self._rest_of_line(start)).strip(TITLE_TRIM)
        head.title = head.title or (one_line(title) if title else None)
        head.line, head.indent = start, self.indent_of(self.lines[start])
        return head

    def _labelled_link_item(self, item) -> _Head | None:
        """'- Title' with a sub-item 'link: <url>' (Notion, Obsidian): the item is the entry."""
        start = item.map[0]
        title = one_line(_strip_markup(self._rest_of_line(start)).strip(TITLE_TRIM))
        sub_list = next((c for c in item.children if c.type.endswith("_list")), None)
        if not title or sub_list is None:
            return None
        heads = [
            (sub.map[0], head)
            for sub in sub_list.children
            if (head := self.find_head(sub.map[0], self.content_pos(sub.map[0]))) is not None
        ]
        if len(heads) != 1:
            return None  # no paper, or a section of entries
        for n, head in heads:
            pos = self.content_pos(n)
            first = self.links_between(self.starts[n] + pos, head.end)[0]
            label = _strip_markup(self.text[self.starts[n] + pos : first.start]).strip(TITLE_TRIM)
            if not LINK_LABEL.match(label):
                return None
            head.title = title
            head.line, head.indent = start, self.indent_of(self.lines[start])
            head.note_start = self.starts[start] + len(self.lines[start])
            head.drop_line = n + 1
            return head
        return None

    def _lazy_entry(self, head: _Head, end: int) -> int | None:
        """First later line of the item that is not indented and holds its own paper link."""
        for n in range(self.line_of(head.end), end):
            line = self.lines[n]
            if self.blank(n) or self.indent_of(line) > head.indent or LIST_ITEM.match(line):
                continue
            if self.find_head(n, self.content_pos(n), strict=True) is not None:
                return n
        return None

    def _rest_of_line(self, n: int) -> str:
        return self.lines[n][self.content_pos(n) :]

    def has_heads_in(self, start: int, end: int) -> bool:
        return any(
            self.find_head(n, self.content_pos(n), strict=n > start) is not None
            for n in range(start, end)
        )

    def has_heads(self, node) -> bool:
        if node.type == "list_item" and self.item_head(node) is not None:
            return True
        if node.type == "paragraph":
            return self.has_heads_in(*node.map)
        if node.type == "heading":
            return self.find_head(node.map[0], self.content_pos(node.map[0])) is not None
        return any(self.has_heads(c) for c in node.children if c.type not in ("inline", "text"))

    def list_(self, node) -> None:
        items = node.children
        heads = [self.item_head(item) for item in items]
        if not any(heads) and not any(self.has_heads(item) for item in items):
            if entry := self.attaches(node.map[0]):
                entry.end = _trim_end(self, node.map[1])
            else:
                self.close()
                self.orphan(node.map[0], node.map[1])
            return
        entry_list = any(heads)
        for item, head in zip(items, heads, strict=True):
            start, end = item.map
            if head is not None:
                end = _trim_end(self, end)
                lazy = self._lazy_entry(head, end)
                self.open(head, start, lazy or end)
                if lazy:  # an unindented line with its own link: plain-text style
                    self.paragraph(lazy, end)
                continue
            if self.has_heads(item):
                self.close()
                self.flush_orphans()
                inner = item.children
                if inner and inner[0].type == "paragraph" and not self.has_heads(inner[0]):
                    text = one_line(self._rest_of_line(start))
                    self.section = _strip_markup(text).strip(TITLE_TRIM) or self.section
                    inner = inner[1:]
                self.walk(inner)
                continue
            self.close()
            self.flush_orphans()
            if entry_list:
                links = self.links_between(
                    self.starts[start], self.starts[start] + len(self.lines[start])
                )
                line = self.lines[start]
                remedy = "put an OpenReview, arXiv or DOI link on that line"
                why = "list item has no paper link on its first line"
                if links:
                    kinds = {paper_id_of(link.url)[1] for link in links}
                    if kinds == {None}:
                        why = "list item links to no paper (OpenReview, arXiv or DOI)"
                    else:
                        why = "list item cites a paper after a relation phrase"
                        remedy = "start the item with the paper's own link"
                elif "`" in line and BARE_URL.search(line):
                    why = "list item's only link is inside `code`, which never counts"
                    remedy = "take the paper's link out of the backticks"
                self.warn(start + 1, f"{why}; not imported ({remedy})")
                self.after_unparsed = True
            else:
                self.orphan(start, end)

    def table(self, node) -> None:
        self.close()
        self.flush_orphans()
        header: list[str] = []
        for part in node.children:
            for row in part.children:
                n = row.map[0]
                cells = _cells(self.lines[n])
                if part.type == "thead":
                    header = [c.lower() for c in cells]
                    continue
                head = self.find_head(n, 0, table=True)
                if head is None:
                    if any(c.strip() for c in cells):
                        self.warn(
                            n + 1,
                            "table row has no OpenReview, arXiv or DOI link; not imported",
                        )
                        self.after_unparsed = True
                    continue
                self.table_row(n, cells, header, head)

    def table_row(self, n: int, cells: list[str], header: list[str], head: _Head) -> None:
        if head.paper_id is None:
            self.current = _Open(head, n, n + 1, self.section)
            self.close()
            return
        link_cell = next((i for i, cell in enumerate(cells) if head.url in cell), None)
        found = MD_LINK.search(cells[link_cell]) if link_cell is not None else None
        link_text = found.group("text") if found else None
        title_cell = None
        if link_text is None or GENERIC_TEXT.match(one_line(link_text)):
            named = [i for i, name in enumerate(header) if i != link_cell and name in TITLE_COLUMNS]
            before = [i for i, c in enumerate(cells) if i < (link_cell or 0) and c.strip()]
            title_cell = named[0] if named else (before[0] if before else None)
            if title_cell is not None:
                head.title = one_line(_strip_markup(cells[title_cell]).strip(TITLE_TRIM)) or None
        note_cells = [
            c for i, c in enumerate(cells) if i not in (link_cell, title_cell) and c.strip()
        ]
        entry = Entry(head.paper_id, n + 1, _entry_url(head.url), title_hint=head.title)
        entry.section = self.section
        entry.follows_unparsed, self.after_unparsed = self.after_unparsed, False
        sub = _Parser("\n".join(note_cells), self.source, self.shown)
        sub.fill_note(entry, 0, len(sub.text), first_line=n + 1, single=True)
        entry.note = entry.note.replace("\n", "; ")
        for warning in sub.result.warnings:
            self.warn(n + 1, warning.message)
        self.result.entries.append(entry)

    def warn(self, line: int, message: str) -> None:
        self.result.warnings.append(Problem(self.shown, message, line))

    def orphan(self, start: int, end: int) -> None:
        first = next((n for n in range(start, end) if not self.blank(n)), None)
        if first is None:
            return
        links = self.links_between(self.starts[first], self.starts[first] + len(self.lines[first]))
        if links:  # it looks like an entry, for a paper we cannot name
            self.flush_orphans()
            self.warn(
                first + 1,
                "text with a link, but not to an OpenReview, arXiv or DOI paper; not imported "
                "(link the paper's OpenReview, arXiv or DOI page)",
            )
            self.after_unparsed = True
            return
        self.orphans.extend(n + 1 for n in range(start, end) if not self.blank(n))

    def flush_orphans(self) -> None:
        if not self.orphans:
            return
        runs: list[list[int]] = [[self.orphans[0]]]
        for n in self.orphans[1:]:
            if n - runs[-1][-1] <= 2:  # the same block, or one blank line between
                runs[-1].append(n)
            else:
                runs.append([n])
        for run in runs:
            first, last = run[0], run[-1]
            span = f"line {first}" if first == last else f"lines {first}-{last}"
            self.warn(
                first,
                f"text outside any entry ({span}); not imported (indent it under an entry, "
                "or put a paper link on its first line)",
            )
        self.orphans.clear()

    # -- the note ------------------------------------------------------------------
    def fill_note(
        self,
        entry: Entry,
        start: int,
        end: int,
        first_line: int | None = None,
        single: bool = False,
        drop: set[int | None] | None = None,
    ) -> None:
        body = self.text[start:end]
        base = 0xF0000
        while re.search(f"[{chr(base)}-{chr(base + 0xFFF)}]", body):
            base += 0x1000  # the text uses this private-use block; pick another
        links: list[_Link] = []
        parts, prev = [], 0
        for link in self.links_between(start, end):
            if link.end <= end and link.text is not None:
                parts.append(body[prev : link.start - start])
                parts.append(chr(base + len(links)))
                links.append(link)
                prev = link.end - start
        parts.append(body[prev:])
        marked = HEAD_SEPARATOR.sub("", "".join(parts), count=1)
        number0 = first_line if first_line is not None else self.line_of(start)
        rows = [
            (number0 + (0 if single else k), row.rstrip())
            for k, row in enumerate(marked.split("\n"))
        ]
        rows = [row for k, row in enumerate(rows) if k == 0 or row[0] not in (drop or ())]
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
            return marker.sub(lambda m: links[ord(m.group()) - base].text or "", text)

        entry.note = unmark("\n".join(text for _, text in rows))
        scan_rows = [(n, CODE_SPAN.sub(lambda m: " " * len(m.group()), t)) for n, t in rows]
        for number, text in _logical_lines(scan_rows):
            self._scan_line(entry, number, text, links, marker, unmark, base)
        for _, text in rows:
            plain = unmark(text).strip()
            if entry.title_line is None and looks_like_title(plain):
                entry.title_line = plain
        if rows:
            entry.note_title = _title_from_note(unmark(rows[0][1]))

    def _scan_line(self, entry, number, text, links, marker, unmark, base) -> None:
        for sentence in _sentences(text):
            found: list[tuple[int, Mention]] = []
            for mark in marker.finditer(sentence) if links else ():
                link = links[ord(mark.group()) - base]
                found.append((mark.start(), self._mention(link.url, one_line(link.text or ""))))
            for bare in BARE_URL.finditer(sentence):
                found.append((bare.start(), self._mention(bare.group(), None)))
            for ident in ARXIV_ID.finditer(sentence):
                found.append((ident.start(), Mention("arxiv:" + ident.group("id"), None)))
            for ident in DOI_ID.finditer(sentence):
                doi = ident.group("id").rstrip(URL_TAIL + ")")
                found.append((ident.start(), Mention("doi:" + doi.lower(), None)))
            mentions = [mention for _, mention in sorted(found, key=lambda item: item[0])]
            why = _strip_marker(one_line(unmark(sentence)))
            linked: set[str] = set()
            for mention in mentions:
                if mention.paper_id is None and is_openreview(mention.url):
                    _, error = openreview_id(mention.url)
                    self.warn(number, f"OpenReview link without a valid paper id ({error})")
                elif mention.paper_id is not None:
                    linked.add(mention.paper_id)
                    if mention.paper_id != entry.paper_id:
                        entry.relations.append(
                            Relation(why, number, mention.paper_id, mention.label)
                        )
                elif mention.local:
                    continue
                elif (target := paper_id_of(mention.url)[0]) and target != entry.paper_id:
                    # An arXiv or DOI paper: related when it has a record, else a reference.
                    entry.relations.append(
                        Relation(why, number, target, mention.label, only_if_known=True)
                    )
                    if mention.url not in {r.url for r in entry.refs}:
                        entry.refs.append(mention)
                elif mention.url not in {r.url for r in entry.refs} and mention.url != entry.url:
                    if paper_id_of(mention.url)[0] != entry.paper_id:
                        entry.refs.append(mention)
            for see_also in RELATION_ID.finditer(unmark(sentence)):
                target = see_also.group("id")
                if target not in linked and target != entry.paper_id:
                    linked.add(target)
                    entry.relations.append(Relation(why, number, target, bare_id=True))
            if not linked and PREVIOUS.search(why):
                entry.relations.append(Relation(why, number))

    @staticmethod
    def _mention(url: str, label: str | None) -> Mention:
        url = url.rstrip(URL_TAIL)
        if url.lower().startswith(("arxiv:", "doi:")):
            return Mention(url, label or None)
        if is_openreview(url):
            paper_id, _ = openreview_id(url)
            return Mention(clean_url(url), label or None, paper_id)
        if not re.match(r"(?i)^(?:https?://|www\.)", url) and not link_kind(url):
            return Mention(url, label or None, local=True)
        return Mention(clean_url(url), label or None)


def _entry_url(url: str) -> str:
    if url.lower().startswith(("arxiv:", "doi:")):
        return url
    return clean_url(url)


NOTE_TITLE_END = re.compile(r"\s*(?:[:：]|\s[-–—]+\s|[。；;]|[.!?](?=\s|$))")


def _title_from_note(line: str) -> str | None:
    """'Attention Is All You Need: the transformer' -> 'Attention Is All You Need'."""
    head = NOTE_TITLE_END.split(_strip_markup(line).strip(), maxsplit=1)[0].strip(TITLE_TRIM)
    if 2 <= len(head) <= 150 and any(c.isalpha() for c in head):
        return one_line(head)
    return None


def _trim_end(parser: _Parser, end: int) -> int:
    while end > 0 and end - 1 < len(parser.lines) and parser.blank(end - 1):
        end -= 1
    return end


def _cells(line: str) -> list[str]:
    row = line.strip()
    row = row.removeprefix("|")
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)]


def _strip_markup(text: str) -> str:
    text = MD_LINK.sub(lambda m: m.group("text"), text)
    return re.sub(r"(?<!\w)(\*{1,3}|_{1,3}|`)(?=\S)|(?<=\S)(\*{1,3}|_{1,3}|`)(?!\w)", "", text)


TITLE_LABEL_BEFORE = re.compile(
    r"^(?:论文|标题|题目|文章|备注|笔记|title|paper|note|notes)\s*[:：]\s*", re.IGNORECASE
)
TITLE_LABEL_AFTER = re.compile(
    r"\s*(?:链接|地址|原文|link|url|pdf|paper|code|arxiv|openreview)\s*[:：]?\s*$", re.IGNORECASE
)
AUTHORS_AFTER = re.compile(r"[.,]\s+\S+(?:\s+\S+)?\s+et\s+al\.?\s*$")


def _clean_title(prefix: str) -> str:
    """The text before a link as a title: 'Paper: 《T》 链接：' -> 'T'."""
    text = _strip_markup(prefix).strip(TITLE_TRIM)
    text = TITLE_LABEL_AFTER.sub("", TITLE_LABEL_BEFORE.sub("", text)).strip(TITLE_TRIM)
    if TITLE_LABEL_BEFORE.match(text + ":") or TITLE_LABEL_AFTER.fullmatch(text):
        return ""  # only a label ("备注:", "pdf:")
    text = AUTHORS_AFTER.sub("", text)
    if text.startswith("《") and text.endswith("》"):
        text = text[1:-1]
    return text.strip(TITLE_TRIM + ".。")


def _strip_marker(text: str) -> str:
    match = LIST_ITEM.match(text)
    return text[match.end() :] if match else text


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


def org_to_markdown(text: str) -> str:
    """Org-mode headings and ``#+KEYWORD:`` lines as Markdown, line for line."""
    text = ORG_KEYWORD.sub("", text)
    return ORG_HEADING.sub(lambda m: "#" * len(m.group(1)), text)


def parse_notes(text: str, source: str, shown: str | None = None) -> ParsedFile:
    """Entries and warnings of one notes file; ``source`` is recorded on each note.

    A file whose name ends in ``.org`` is read as Org mode: ``* `` lines are headings."""
    shown = shown or source
    if shown.lower().endswith(".org"):
        text = org_to_markdown(text)
    return _Parser(text, source, shown).parse()
