"""Long-form Markdown notes under ``notes/``: ``[[ID]]`` links a paper, ``#TAG`` a tag.

Links inside fenced code blocks and inline code are ignored, so a note can show the
syntax without linking. ``#`` after a letter, ``/``, ``&`` or ``](`` is part of a URL,
an entity or an anchor, not a tag; ``# Heading`` (with a space) is a heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papernotes.errors import NotFoundError, Problem, UsageError
from papernotes.model.ids import parse_paper_ref
from papernotes.rows import row
from papernotes.store.fsio import NotText, utf8_text
from papernotes.text import detect_lang

if TYPE_CHECKING:
    from papernotes.model.taxonomy import Taxonomy

MAX_NOTE_BYTES = 5 * 1024 * 1024
PAPER_LINK = re.compile(r"\[\[([^\[\]\n|]+?)(?:\|([^\[\]\n]*))?\]\]")
TAG_LINK = re.compile(r"(?<![A-Za-z0-9_&/#:.\-\\])#([A-Za-z0-9][A-Za-z0-9_.+-]*)")
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")


@dataclass(frozen=True)
class NoteLink:
    """One link in a note. ``target`` is the canonical id / tag name, or None if it names nothing
    valid (``raw`` is what was written)."""

    kind: str  # "paper" or "tag"
    raw: str
    target: str | None
    line: int
    text: str  # the whole line, stripped: what backlinks show


@dataclass
class NoteFile:
    path: Path
    shown: str
    title: str
    lang: str
    links: list[NoteLink] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def papers(self) -> list[str]:
        return _unique(link.target for link in self.links if link.kind == "paper" and link.target)

    @property
    def tags(self) -> list[str]:
        return _unique(link.target for link in self.links if link.kind == "tag" and link.target)

    def summary(self) -> dict:
        rest = row(self, "title", "lang", "papers", "tags")
        return {"path": self.shown, **rest, "links": len(self.links)}


def _unique(items) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


@dataclass(frozen=True)
class RawLink:
    kind: str
    raw: str
    line: int
    text: str


def prose_lines(lines: list[str], start: int = 0) -> Iterator[tuple[int, str]]:
    """``(index, line)`` of the lines from ``start`` on that are outside fenced code
    blocks (``` or ~~~, closed by a fence of the same kind at least as long)."""
    fence: str | None = None
    for index in range(start, len(lines)):
        line = lines[index]
        match = FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            continue
        yield index, line


def parse_markdown(text: str) -> tuple[str | None, list[RawLink]]:
    """The first heading and every link, in order; code is skipped."""
    title: str | None = None
    links: list[RawLink] = []
    lines = text.splitlines()
    start = _front_matter_end(lines)
    for index, line in prose_lines(lines, start):
        number = index + 1
        if title is None:
            heading = HEADING.match(line)
            if heading:
                title = heading.group(1).strip()
        visible = INLINE_CODE.sub(lambda m: " " * len(m.group()), line)
        found: list[tuple[int, RawLink]] = []
        for m in PAPER_LINK.finditer(visible):
            found.append((m.start(), RawLink("paper", m.group(1).strip(), number, line.strip())))
        masked = PAPER_LINK.sub(lambda m: " " * len(m.group()), visible)
        for m in TAG_LINK.finditer(masked):
            if masked[max(0, m.start() - 2) : m.start()] == "](":
                continue
            name = m.group(1).rstrip(".-")
            if not any(c.isalpha() for c in name):
                continue  # '#5' is an issue number, not a tag
            found.append((m.start(), RawLink("tag", name, number, line.strip())))
        links.extend(link for _, link in sorted(found, key=lambda pair: pair[0]))
    return title, links


def _front_matter_end(lines: list[str]) -> int:
    """Number of lines taken by a leading YAML front matter block (0 if none)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for i, line in enumerate(lines[1:], 2):
        if line.strip() in ("---", "..."):
            return i
    return 0


def note_lang(text: str) -> str:
    """'zh', 'en', or 'zh+en' for a note whose lines are in both languages (each at least a
    fifth of the lines with letters). Line by line, because a Chinese section still quotes
    English titles, which would drown it in a whole-file count."""
    langs = [detect_lang(line) for line in text.splitlines() if any(c.isalpha() for c in line)]
    if not langs:
        return "en"
    zh = langs.count("zh") / len(langs)
    if 0.2 <= zh <= 0.8:
        return "zh+en"
    return "zh" if zh > 0.8 else "en"


def read_note(path: Path, shown: str, taxonomy: Taxonomy) -> NoteFile:
    """Parse one note; unreadable files give a NoteFile with a problem and no links."""
    note = NoteFile(path, shown, path.stem, "en")
    text = read_note_text(path, shown, note.problems)
    if text is None:
        return note
    title, raw_links = parse_markdown(text)
    note.title = title or path.stem
    note.lang = note_lang(text)
    for link in raw_links:
        if link.kind == "paper":
            target: str | None = paper_target(link.raw)
        else:
            target = taxonomy.resolve(link.raw)
        note.links.append(NoteLink(link.kind, link.raw, target, link.line, link.text))
    return note


def paper_target(raw: str) -> str | None:
    """The id a ``[[...]]`` link names, None if it names none."""
    try:
        return parse_paper_ref(raw)
    except UsageError:
        return None


def read_note_text(path: Path, shown: str, problems: list[Problem]) -> str | None:
    """A note's text, or None with the reason added to ``problems``."""
    try:
        # Records' rule: the size from stat(), then a bounded read (a 3 GB file is never
        # read whole, and one that grows after stat() is cut at the limit).
        size = path.stat().st_size
        if size <= MAX_NOTE_BYTES:
            with path.open("rb") as handle:
                raw = handle.read(MAX_NOTE_BYTES + 1)
            size = len(raw)
    except OSError as exc:
        problems.append(Problem(shown, f"cannot read the file: {exc.strerror or exc}"))
        return None
    if size > MAX_NOTE_BYTES:
        problems.append(Problem(shown, f"file is too large ({size / 1e6:.1f} MB)"))
        return None
    try:
        return utf8_text(raw)
    except NotText as exc:
        problems.append(Problem(shown, exc.message, exc.line))
        return None


def paper_backlinks(path: Path, shown: str) -> tuple[str, list[tuple[str, int, str]]]:
    """What :func:`backlinks` reads of one note, without the language detection: its title
    and, per paper it links, each line linking it ``(id, line, text)``, in link order."""
    text = read_note_text(path, shown, [])
    if text is None:
        return path.stem, []
    title, raw_links = parse_markdown(text)
    out: list[tuple[str, int, str]] = []
    seen: set[tuple[str, int]] = set()
    for link in raw_links:
        target = paper_target(link.raw) if link.kind == "paper" else None
        if target is not None and (target, link.line) not in seen:
            seen.add((target, link.line))
            out.append((target, link.line, link.text))
    return title or path.stem, out


def load_notes(kb, taxonomy: Taxonomy | None = None) -> list[NoteFile]:
    """Every note under ``notes/`` of ``kb`` (a KnowledgeBase), in path order."""
    taxonomy = taxonomy if taxonomy is not None else kb.taxonomy()
    notes = []
    for path in kb.note_paths():
        refused = kb.symlink_problem(path)
        if refused:
            note = NoteFile(path, kb.shown(path), path.stem, "en")
            note.problems.append(Problem(note.shown, refused))
            notes.append(note)
        else:
            notes.append(read_note(path, kb.shown(path), taxonomy))
    return notes


def backlinks(notes: list[NoteFile], paper_id: str) -> list[dict]:
    """Each line of a note that links ``paper_id``: path, line number, note title, the line."""
    out = []
    for note in notes:
        seen: set[int] = set()
        for link in note.links:
            if link.kind == "paper" and link.target == paper_id and link.line not in seen:
                seen.add(link.line)
                out.append(
                    {"path": note.shown, "line": link.line, "title": note.title, "text": link.text}
                )
    return out


def tag_backlinks(notes: list[NoteFile], tags: set[str]) -> list[dict]:
    """Notes that link one of ``tags`` with ``#TAG``, with the first such line."""
    out = []
    for note in notes:
        lines = [link for link in note.links if link.kind == "tag" and link.target in tags]
        if lines:
            out.append(
                {
                    "path": note.shown,
                    "line": lines[0].line,
                    "title": note.title,
                    "text": lines[0].text,
                }
            )
    return out


def check_notes(
    kb, collection, taxonomy: Taxonomy, check_tags: bool, strict: bool = False
) -> list[Problem]:
    """Links in notes/*.md to papers or tags that do not exist, as ``notes/x.md:LINE: ...``.
    ``check_tags`` False (a tags.yaml that does not load, reported once): no tag link is
    checked, where every #TAG would be "unknown"."""
    problems: list[Problem] = []
    for note in load_notes(kb, taxonomy):
        problems.extend(note.problems)
        for link in note.links:
            if link.kind == "tag" and not check_tags:
                continue
            problem = _link_problem(kb, collection, taxonomy, note, link, strict)
            if problem:
                problems.append(problem)
    return problems


def _link_problem(kb, collection, taxonomy, note, link, strict) -> Problem | None:
    if link.kind == "paper":
        shown = f"[[{link.raw}]]"
        if link.target is None:
            try:
                parse_paper_ref(link.raw)
            except UsageError as exc:
                return Problem(note.shown, f"{shown}: {exc}", link.line)
        if link.target in collection.papers or kb.exists(link.target):
            return None
        try:
            kb.get(link.target)
        except NotFoundError as exc:
            return Problem(note.shown, f"{shown}: {exc}", link.line, None, "fix the id or add it")
        return None
    shown = f"#{link.raw}"
    if link.target is None:
        close = taxonomy.suggest(link.raw)
        hint = f"did you mean {'#' + close[0]!r}?" if close else "add it to tags.yaml"
        return Problem(note.shown, f"{shown}: unknown tag {link.raw!r}", link.line, None, hint)
    if strict and link.target != link.raw:
        return Problem(
            note.shown,
            f"{shown}: {link.raw!r} is another name of tag {link.target!r}",
            link.line,
            None,
            f"write #{link.target}",
        )
    return None
