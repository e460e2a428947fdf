"""Property: whatever mix of entry styles a notes file uses, every entry's paper is found
with exactly its note, and no note text lands under another paper."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.importers.parse import parse_notes

WORDS = [
    "double",
    "descent",
    "loss",
    "gradients",
    "NTK",
    "v2",
    "42%",
    "(see",
    "fig.",
    "3)",
    "剪枝",
    "训练",
    "很好",
    "值得一读",
    "**bold**",
    "_it_",
    "a/b",
    "x=1",
]


def openreview_id(n: int) -> str:
    return f"Hyp{n:03d}xTest"  # 10 characters, mixed case and digits


def arxiv_id(n: int) -> str:
    return f"arxiv:2101.{n:05d}"


def url(paper_id: str, form: int) -> str:
    if paper_id.startswith("arxiv:"):
        number = paper_id.removeprefix("arxiv:")
        return [f"https://arxiv.org/abs/{number}", f"https://arxiv.org/pdf/{number}"][form % 2]
    return [
        f"https://openreview.net/forum?id={paper_id}",
        f"https://openreview.net/pdf?id={paper_id}",
        f"openreview.net/forum?id={paper_id}&noteId={paper_id}",
    ][form % 3]


# Each style: (render(url, title, note lines) -> text, may follow the same style without a
# blank line). The note is what the importer must give back.
def list_link(u, title, lines):
    return "\n".join([f"- [{title}]({u}): {lines[0]}", *(f"  {line}" for line in lines[1:])])


def numbered_bare(u, _title, lines):
    return "\n".join([f"1. {u} {lines[0]}", *(f"   {line}" for line in lines[1:])])


def plain(u, _title, lines):
    return "\n".join([u, *lines])


def title_paren(u, title, lines):
    return "\n".join([f"{title} ({u}) - {lines[0]}", *lines[1:]])


def autolink_item(u, _title, lines):
    full = u if "://" in u else "https://" + u
    return "\n".join([f"* <{full}> {lines[0]}", *(f"  {line}" for line in lines[1:])])


def heading(u, title, lines):
    return "\n".join([f"## [{title}]({u})", "", *lines])


def quote(u, title, lines):
    return "\n".join([f"> [{title}]({u}): {lines[0]}", *(f"> {line}" for line in lines[1:])])


def task(u, title, lines):
    return "\n".join([f"- [ ] [{title}]({u}) {lines[0]}", *(f"  {line}" for line in lines[1:])])


def fullwidth(u, title, lines):
    return "\n".join([f"- {title}（{u}）：{lines[0]}", *(f"  {line}" for line in lines[1:])])


def table(u, title, lines):
    return f"| Title | Link | Note |\n|---|---|---|\n| {title} | {u} | {lines[0]} |"


def title_line_first(u, title, lines):
    return "\n".join([f"- {title}", f"  {u}", *(f"  {line}" for line in lines)])


def reference(u, title, lines):
    label = f"ref-{abs(hash(u)) % 10**6}"
    block = "\n".join([f"- [{title}][{label}] {lines[0]}", *(f"  {line}" for line in lines[1:])])
    return block, f"[{label}]: {u if '://' in u else 'https://' + u}"


STYLES = [list_link, numbered_bare, plain, title_paren, autolink_item, heading, quote, task]
STYLES += [fullwidth, table, title_line_first, reference]
ONE_LINE = {table}  # styles whose note is a single line


@st.composite
def notes_files(draw):
    count = draw(st.integers(min_value=1, max_value=8))
    entries = []
    for n in range(count):
        paper_id = arxiv_id(n) if draw(st.booleans()) and n % 3 == 0 else openreview_id(n)
        lines = []
        for k in range(draw(st.integers(min_value=1, max_value=3))):
            words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
            lines.append(" ".join([f"note{n}x{k}", *words]))
        style = draw(st.sampled_from(STYLES))
        if style in ONE_LINE:
            lines = lines[:1]
        form = draw(st.integers(min_value=0, max_value=5))
        title = draw(st.sampled_from(["Some Title", "另一篇", "A: B", "ViT 16x16"]))
        block = style(url(paper_id, form), title, lines)
        block, definition = block if isinstance(block, tuple) else (block, None)
        entries.append((paper_id, block, "\n".join(lines), definition, style))
    ends = draw(st.sampled_from(["\n", "\r\n"]))
    text = entries[0][1]
    for previous, current in zip(entries, entries[1:], strict=False):
        # A table is set off by blank lines, as Markdown renderers need.
        gaps = SEPARATORS[:1] + SEPARATORS[2:] if table in (previous[4], current[4]) else SEPARATORS
        text += draw(st.sampled_from(gaps)) + current[1]
    definitions = [e[3] for e in entries if e[3]]
    if definitions:
        text += "\n\n" + "\n".join(definitions)
    return [e[:3] for e in entries], (text + "\n").replace("\n", ends)


# Between two entries: a blank line, none at all, a heading, a rule, an HTML comment.
SEPARATORS = ["\n\n", "\n", "\n\n## 第二部分 Section\n\n", "\n\n---\n\n", "\n\n<!-- x -->\n\n"]


@settings(max_examples=200, deadline=None)
@given(notes_files())
def test_every_entry_is_imported_with_its_own_note(case):
    entries, text = case
    parsed = parse_notes(text.replace("\r\n", "\n"), "notes.md")
    got = {entry.paper_id: entry.note for entry in parsed.entries}
    assert sorted(got) == sorted(pid for pid, _, _ in entries), (text, parsed.warnings)
    for paper_id, _, note in entries:
        assert got[paper_id] == note, text
    for paper_id, _, _ in entries:
        others = [f"note{n}x" for n, (pid, _, _) in enumerate(entries) if pid != paper_id]
        assert not any(token in got[paper_id] for token in others)
    assert parsed.warnings == []
