"""Snippets: the passage of a paper's best-matching note, with the matches marked.

Matching is done again in Python on the original text (FTS5 only holds tokens), with the same
tokenization as the index: a Latin needle matches a whole word, a CJK needle matches inside
a run of CJK characters.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

from papernotes.text import is_cjk, word_spans

OPEN, CLOSE = "«", "»"
WIDTH = 110  # terminal cells; a CJK character takes two
_SPACE = re.compile(r"\s+")

Span = tuple[int, int]


def find(text: str, needles: set[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """``(start, end, needle)`` of every match of ``needles`` in ``text``, merged, in order."""
    return merge(matches(text, needles))


def matches(text: str, needles: set[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """``(start, end, needle)`` of every match of ``needles`` in ``text``.

    A needle is ``("text", "neural tangent kernel")`` or ``("prefix", "conv")``: normalized
    runs separated by single spaces. ``text`` is matched the same way, run by run, so a
    Latin word matches whole words and a CJK run matches inside CJK text.
    """
    return _matches(text, _prepared(needles))


Needle = tuple[str, str, bool, bool, tuple[str, ...]]  # kind, needle, Latin ends, its runs


def _prepared(needles: set[tuple[str, str]]) -> list[Needle]:
    """Each needle with what matching it needs to know of it, worked out once per search
    rather than once per text."""
    return [
        (
            kind,
            needle,
            not is_cjk(needle[0]),
            not is_cjk(needle[-1]) and kind != "prefix",
            tuple(needle.split(" ")),
        )
        for kind, needle in needles
        if needle
    ]


def _matches(text: str, needles: list[Needle]) -> list[tuple[int, int, str]]:
    if not needles:
        return []
    if text.isascii():
        # The runs of ASCII text are its letters and digits, lowercased: a needle whose
        # runs are not all in the lowercased text cannot match (most texts of a hit).
        low = text.lower()
        needles = [n for n in needles if all(run in low for run in n[4])]
        if not needles:
            return []
    runs = list(word_spans(text))
    if not runs:
        return []
    stream, starts = [], []
    at = 0
    for _start, _end, norm, _cjk in runs:
        starts.append(at)
        stream.append(norm)
        at += len(norm) + 1
    joined = " ".join(stream)
    found = []
    for kind, needle, latin_head, latin_tail, _runs in needles:
        pos = joined.find(needle)
        while pos >= 0:
            end = pos + len(needle)
            if (not latin_head or pos == 0 or joined[pos - 1] == " ") and (
                not latin_tail or end == len(joined) or joined[end] == " "
            ):
                if kind == "prefix":  # mark the whole word the prefix starts
                    stop = runs[bisect.bisect_right(starts, end - 1) - 1][1]
                else:
                    stop = _back(runs, starts, end, False)
                found.append((_back(runs, starts, pos, True), stop, needle))
            pos = joined.find(needle, pos + 1)
    return found


def merge(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping or touching matches joined into one span."""
    merged: list[tuple[int, int, str]] = []
    for start, end, needle in sorted(found):
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, needle))
    return merged


def _back(runs, starts: list[int], pos: int, opening: bool) -> int:
    """Map an offset in the joined normalized runs back to an offset in the original text."""
    i = bisect.bisect_right(starts, pos) - 1
    if not opening and pos == starts[i] and i > 0:
        i -= 1  # an end right after a run's last character (before the space)
    start, end, norm, _cjk = runs[i]
    inside = min(pos - starts[i], len(norm))
    if len(norm) == end - start:
        return start + inside
    if opening:
        return start if inside < len(norm) else end
    return end if inside > 0 else start


def best(
    texts: list[tuple[str, str, str]],
    needles: set[tuple[str, str]],
    width: int = WIDTH,
    typed: set[tuple[str, str]] | frozenset = frozenset(),
) -> tuple[str, list[Span]]:
    """The snippet text and its highlighted spans, from the text that matches best.

    Notes win over other fields; then the text holding most of the words as typed (``typed``,
    rather than other names of a tag), then most different needles; then the original
    language, which comes first.
    """
    chosen = None
    prepared = _prepared(needles)
    for order, (kind, _lang, raw) in enumerate(texts):
        text = _SPACE.sub(" ", raw).strip()
        found = _matches(text, prepared)
        if not found:
            continue
        spans = merge(found)
        needles_found = {s[2] for s in found}
        typed_found = sum(1 for _, needle in typed if needle in needles_found)
        score = (kind == "note", typed_found, len(needles_found), len(found), -order)
        if chosen is None or score > chosen[0]:
            chosen = (score, text, spans)
    if chosen is None:
        if not texts:
            return "", []
        return window(_SPACE.sub(" ", texts[0][2]).strip(), [], width)
    return window(chosen[1], [(s, e) for s, e, _ in chosen[2]], width)


def window(text: str, spans: list[Span], width: int = WIDTH) -> tuple[str, list[Span]]:
    """Cut ``text`` to about ``width`` cells around the densest group of spans."""
    cells = [0]
    for char in text:
        cells.append(cells[-1] + (2 if unicodedata.east_asian_width(char) in "WF" else 1))
    if cells[-1] <= width:
        return text, spans
    lead = width // 4
    start_cell = 0
    if spans:
        best_count = -1
        for s, _ in spans:
            a = max(0, cells[s] - lead)
            count = sum(1 for s2, e2 in spans if cells[s2] >= a and cells[e2] <= a + width)
            if count > best_count:
                best_count, start_cell = count, a
    start = bisect.bisect_left(cells, start_cell)
    end = max(start + 1, bisect.bisect_right(cells, cells[start] + width) - 1)
    end = min(end, len(text))
    # do not cut Latin words in half when a space is near
    if start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        space = text.find(" ", start, start + 15)
        if space > 0 and not any(s <= space < e for s, e in spans):
            start = space + 1
    if end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        space = text.rfind(" ", max(start, end - 15), end)
        if space > start and not any(s < space < e for s, e in spans):
            end = space
    head = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    shift = len(head) - start
    kept = [(max(s, start) + shift, min(e, end) + shift) for s, e in spans if e > start and s < end]
    return head + text[start:end] + tail, kept


def marked(text: str, spans: list[Span]) -> str:
    """``text`` with each span between « and »."""
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], OPEN, text[start:end], CLOSE]
        last = end
    out.append(text[last:])
    return "".join(out)
