"""Is every note truly bilingual? The checks ``validate --strict`` adds for translations.

A note keeps its original in ``note.lang`` and a translation in the other language. Notes
by Chinese-speaking readers mix scripts freely (``再来一个learning rate schedule``), so
these checks measure a text's script in units that weigh alike: one CJK character or
one Latin word each. Lines that are just the paper's title are left out (a title is
quoted, not written, and stays English on both sides).
"""

from __future__ import annotations

import re
from typing import Any

from papernotes.errors import Problem
from papernotes.model.record import Note, Paper
from papernotes.store.yamlio import line_of
from papernotes.text import cjk_count

MOSTLY = 0.5  # an English text is broken when half its units or more are CJK
NO_CHINESE = 0.1  # a Chinese text is broken when under a tenth of its units are CJK
_LATIN_WORD = re.compile(r"[A-Za-z]+")
NAMES = {"zh": "Chinese", "en": "English"}


def cjk_units(text: str, title: str = "") -> float | None:
    """Share of CJK characters among CJK characters plus Latin words; None when the
    text holds neither (or only the title)."""
    wanted = _flat(title).rstrip(".")
    body = text
    if wanted in _flat(text):  # a line may be the title (lines and breaks count nothing)
        body = "\n".join(line for line in text.splitlines() if _flat(line).rstrip(".") != wanted)
    cjk = cjk_count(body)
    total = cjk + len(_LATIN_WORD.findall(body))
    return cjk / total if total else None


def _flat(text: str) -> str:
    return " ".join(text.split()).casefold()


def detected_lang(text: str, title: str = "") -> str | None:
    """'zh', 'en', or None for a mixed text that either label fits."""
    share = cjk_units(text, title)
    if share is None:
        return None
    if share >= MOSTLY:
        return "zh"
    if share < NO_CHINESE:
        return "en"
    return None


def note_problems(paper: Paper, where: str, node: Any) -> list[Problem]:
    problems: list[Problem] = []
    for i, note in enumerate(paper.notes):
        problems.extend(_one(paper, note, i, where, node))
    return problems


def _one(paper: Paper, note: Note, i: int, where: str, node: Any) -> list[Problem]:
    original = getattr(note, note.lang)
    other = "en" if note.lang == "zh" else "zh"
    translation = getattr(note, other)
    out = []
    detected = detected_lang(original, paper.title)
    if detected is not None and detected != note.lang:
        out.append(
            Problem(
                where,
                f"note is marked lang={note.lang} but its original reads as {NAMES[detected]}",
                line_of(node, "notes", i, "lang"),
                f"notes[{i}].lang",
                f"set lang: {detected}, keep the original in '{detected}' and translate it",
            )
        )
    if translation is None:
        return out
    if _flat(translation) == _flat(original) and cjk_units(original, paper.title) is not None:
        out.append(
            Problem(
                where,
                f"the {NAMES[other]} text is a copy of the original, not a translation",
                line_of(node, "notes", i, other),
                f"notes[{i}].{other}",
                "write the translation",
            )
        )
        return out
    share = cjk_units(translation, paper.title)
    if share is None:
        return out
    if other == "en" and share >= MOSTLY:
        out.append(
            Problem(
                where,
                "the English text is mostly Chinese",
                line_of(node, "notes", i, "en"),
                f"notes[{i}].en",
                "translate the Chinese parts",
            )
        )
    elif other == "zh" and share < NO_CHINESE:
        out.append(
            Problem(
                where,
                "the Chinese text is mostly Latin script",
                line_of(node, "notes", i, "zh"),
                f"notes[{i}].zh",
                "translate it into Chinese",
            )
        )
    return out
