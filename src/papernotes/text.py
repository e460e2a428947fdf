"""Language detection and tokenization shared by import, search and similarity.

Tokens: Latin words and numbers, lower-cased (``NTK`` -> ``ntk``; ``d_x`` -> ``d``, ``x``);
each run of CJK characters gives its single characters and its bigrams, so a
two-character query like 收敛 matches inside 收敛性; a Latin term glued to Chinese
(``基于NTK理论``) is split where the scripts meet.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Literal

_CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
    (0x3040, 0x30FF),  # kana, so Japanese does not fall apart
    (0xAC00, 0xD7AF),  # hangul syllables
)
_CJK_FIRST = min(lo for lo, _ in _CJK_RANGES)
CJK_RANGES = _CJK_RANGES  # public: the site's search script matches the same ranges
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_CJK_CLASS = "[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _CJK_RANGES) + "]"


@functools.cache
def _cjk_run() -> re.Pattern:
    """Compiled on first use: the class's ranges take re 3.6 ms to compile, which an
    ASCII-only command (most warm reads) never needs."""
    return re.compile(f"({_CJK_CLASS}+)")


@functools.cache
def _cjk_char() -> re.Pattern:
    return re.compile(_CJK_CLASS)


# C0 controls but newline and tab, DEL, the C1 controls (U+009B is a one-byte CSI), and
# the bidi embeddings, overrides and isolates, which make a title read differently.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What a stored text may not hold: C0 controls but tab, line feed and carriage return, and DEL.
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JSON_RAW = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # json.dumps keeps these


def script_json(data, sort_keys: bool = False) -> str:
    """JSON that cannot end a <script> element or open a comment inside it (safe in a .js
    file too)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def one_line(text: str) -> str:
    """Every run of white space (line breaks too) as one space, the ends trimmed."""
    return " ".join(text.split())


def _code(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def show_controls(text: str) -> str:
    """User text for output: control and bidi characters shown as ``\\x1b``, not sent."""
    return CONTROL_CHARS.sub(_code, text)


def json_controls(text: str) -> str:
    """JSON text with the characters ``json.dumps`` leaves raw written as ``\\uXXXX``
    (they only occur inside strings, so the JSON means the same)."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def is_cjk(char: str) -> bool:
    code = ord(char)
    if code < _CJK_FIRST:  # Latin text, most calls: no look at the ranges
        return False
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def cjk_count(text: str) -> int:
    """How many characters of ``text`` are CJK (one regular expression, not a test per
    character)."""
    return len(_cjk_char().findall(text))


def cjk_share(text: str) -> float:
    """Share of CJK characters among letters (CJK + alphabetic)."""
    cjk = letters = 0
    for char in text:
        if is_cjk(char):
            cjk += 1
            letters += 1
        elif char.isalpha():
            letters += 1
    return cjk / letters if letters else 0.0


def detect_lang(text: str) -> Literal["zh", "en"]:
    """'zh' or 'en'. One CJK character weighs about as much as a short English word,
    so a note counts as Chinese when CJK characters are at least 20% of its letters."""
    return "zh" if cjk_share(text) >= 0.2 else "en"


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _runs(word: str):
    """Split a word where CJK meets non-CJK: '基于ntk理论' -> ('基于', True), ('ntk', False), ..."""
    start = 0
    for i in range(1, len(word) + 1):
        if i == len(word) or is_cjk(word[i]) != is_cjk(word[start]):
            yield word[start:i], is_cjk(word[start])
            start = i


def _split_runs(word: str) -> Iterator[tuple[str, bool]]:
    """Same as :func:`_runs`, with a regular expression instead of a look at each character."""
    for i, run in enumerate(_cjk_run().split(word)):
        if run:
            yield run, i % 2 == 1


def tokenize(text: str, bigrams: bool = True) -> list[str]:
    """Index tokens for ``text``, in order: Latin words; CJK single characters and bigrams."""
    if text.isascii():  # NFKC leaves ASCII as it is, and casefold() is lower() there
        return _TOKEN.findall(text.lower())
    words = _TOKEN.findall(normalize(text))
    out: list[str] = []
    for word in words:
        if word.isascii():  # the common case, without a look at each character
            out.append(word)
            continue
        for run, cjk in _split_runs(word):
            if not cjk:
                out.append(run)
                continue
            for i, char in enumerate(run):
                out.append(char)
                if bigrams and i + 1 < len(run):
                    out.append(run[i : i + 2])
    return out


def runs(text: str) -> Iterator[tuple[str, bool]]:
    """``(normalized run, is_cjk)`` for each Latin word and CJK run of ``text``, in order."""
    for match in _TOKEN.finditer(normalize(text)):
        word = match.group()
        if word.isascii():
            yield word, False
        else:
            yield from _split_runs(word)


def word_spans(text: str) -> Iterator[tuple[int, int, str, bool]]:
    """``(start, end, normalized run, is_cjk)`` for each Latin or CJK run of ``text``, with
    offsets into ``text`` itself (not its normalized form), for highlighting matches."""
    for match in _TOKEN.finditer(text):
        start = match.start()
        for run, cjk in _split_runs(match.group()):
            yield start, start + len(run), normalize(run), cjk
            start += len(run)


def query_terms(text: str) -> list[list[str]]:
    """How a query word must match: a list of token groups, each group a phrase.

    Latin words match as single tokens; a CJK run of n>=2 characters matches as the
    consecutive bigrams it contains (收敛性 -> 收敛 敛性), a single CJK character as itself.
    """
    groups: list[list[str]] = []
    for match in _TOKEN.finditer(normalize(text)):
        for run, cjk in _runs(match.group()):
            if not cjk:
                groups.append([run])
            elif len(run) == 1:
                groups.append([run])
            else:
                groups.append([run[i : i + 2] for i in range(len(run) - 1)])
    return groups
