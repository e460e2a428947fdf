"""A bilingual glossary of research terms, for finding a note from either language.

Pairs come from three places: the glossary shipped in the package (``data/glossary.tsv``,
machine learning and optimisation), the taxonomy (each tag's Chinese label and aliases paired
with its English label, name and aliases) and a knowledge base's own ``glossary.yaml``.

:meth:`Glossary.expand` finds the terms a text uses (English terms as whole words, their last
word singular or plural; Chinese terms inside runs of Chinese, longest first) and returns
their forms in the other language. The search index stores those beside the paper's own words.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from pathlib import Path

from papernotes.text import is_cjk, normalize, runs, tokenize, word_spans

SHIPPED = "glossary.tsv"
MAX_ZH = 12  # characters: the longest Chinese term looked for
MAX_EN = 6  # words: the longest English term looked for

Pair = tuple[str, str]  # (Chinese, English)


def _shipped_text() -> str:
    # beside this module in every install that has files; a zipped one goes through
    # importlib.resources (slower to import, and searches read this on every run)
    path = Path(__file__).with_name("data") / SHIPPED
    if path.is_file():
        return path.read_text(encoding="utf-8")
    from importlib import resources

    return resources.files("papernotes.data").joinpath(SHIPPED).read_text(encoding="utf-8")


def shipped_digest() -> str:
    """Changes with the shipped glossary (part of the search index's version)."""
    data = _shipped_text().encode("utf-8")
    return f"{zlib.crc32(data):08x}{len(data):x}"


def shipped_pairs() -> list[Pair]:
    """The package's glossary, in file order."""
    text = _shipped_text()
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            zh, _, en = line.partition("\t")
            pairs.append((zh.strip(), en.strip()))
    return pairs


def is_zh_term(text: str) -> bool:
    """A Chinese glossary term: two or more CJK characters and nothing else."""
    text = text.strip()
    return len(text) >= 2 and all(is_cjk(c) for c in text)


def is_en_term(text: str) -> bool:
    """An English glossary term: at least one Latin word, no CJK."""
    return any(c.isalnum() for c in text) and not any(is_cjk(c) for c in text)


def taxonomy_pairs(taxonomy) -> list[Pair]:
    """Pairs from each tag's labels: the Chinese label with the English label and the tag's
    name, and either label with the other language's label for the aliases that only spell
    a label differently (神经切线核 for 神经正切核, neural tangent kernels). Other aliases
    name the topic rather than translate it (无限宽网络 is not what 'Wide networks' means), so
    they stay out; a query for any of them still finds the tag's papers."""
    pairs = []
    for name, tag in taxonomy.tags.items():
        if not (tag.zh and is_zh_term(tag.zh) and tag.en and is_en_term(tag.en)):
            continue
        pairs.append((tag.zh, tag.en))
        if is_en_term(name) and not any(is_cjk(c) for c in name):
            pairs.append((tag.zh, name))
        label_key = en_key(tag.en)
        for alias in tag.aliases:
            if is_zh_term(alias) and _spelling_of(alias, tag.zh):
                pairs.append((alias, tag.en))
            elif is_en_term(alias) and _spelling_of(en_key(alias), label_key):
                pairs.append((tag.zh, alias))
    return pairs


def _spelling_of(text: str, label: str) -> bool:
    """Is ``text`` the label spelt another way: one character changed in Chinese, a hyphen,
    a plural or a British spelling in English."""
    if text == label:
        return False
    if all(is_cjk(c) for c in text + label):  # one more character can change the sense (泛化界)
        same = len(text) == len(label)
        return same and sum(a != b for a, b in zip(text, label, strict=True)) == 1
    squeeze = text.replace(" ", ""), label.replace(" ", "")
    if squeeze[0] == squeeze[1]:
        return True
    return _close(*squeeze) and text.count(" ") == label.count(" ")


def _close(a: str, b: str) -> bool:
    """At most two letters added, dropped or changed (overparametrization, normalisation)."""
    if abs(len(a) - len(b)) > 2:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
        previous = row
    return previous[-1] <= 2


def en_key(text: str) -> str:
    """How an English term is compared: its words, normalized, separated by spaces."""
    return " ".join(norm for _, _, norm, cjk in word_spans(text) if not cjk)


def _plurals(key: str) -> list[str]:
    """The key and the plural (or singular) of its last word: the index has no stemmer."""
    head, _, last = key.rpartition(" ")
    forms = [last]
    if len(last) >= 3 and last.isascii() and last.isalpha():
        if last.endswith("ies") and len(last) > 4:
            forms.append(last[:-3] + "y")
        elif last.endswith("s") and not last.endswith("ss"):
            forms.append(last[:-1])
        elif last.endswith("y") and last[-2] not in "aeiou":
            forms.append(last[:-1] + "ies")
        elif last.endswith(("sh", "ch", "x")):
            forms.append(last + "es")
        else:
            forms.append(last + "s")
    return [f"{head} {form}" if head else form for form in forms]


class Glossary:
    """Chinese <-> English term lookup built from pairs."""

    def __init__(self, pairs: Iterable[Pair]):
        self.zh_to_en: dict[str, list[str]] = {}
        self.en_to_zh: dict[str, list[str]] = {}
        self.pairs: list[Pair] = []
        seen = set()
        for zh, en in pairs:
            zh, key = normalize(zh.strip()), en_key(en)
            if not (is_zh_term(zh) and key) or (zh, key) in seen:
                continue
            seen.add((zh, key))
            self.pairs.append((zh, key))
            self.zh_to_en.setdefault(zh, []).append(key)
            for form in _plurals(key):
                self.en_to_zh.setdefault(form, []).append(zh)
        self._en_heads = {key.split(" ", 1)[0] for key in self.en_to_zh}
        self._tokens: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return len(self.pairs)

    def rows(self) -> list[tuple[str, str]]:
        """``(term, other-language term)`` for every form a query may use (both ways)."""
        out = [(zh, en) for zh, ens in self.zh_to_en.items() for en in ens]
        out += [(en, zh) for en, zhs in self.en_to_zh.items() for zh in zhs]
        return out

    def found(self, text: str) -> list[str]:
        """The glossary terms ``text`` uses (normalized), in order, longest match first."""
        spans = list(runs(text))
        out: list[str] = []
        i = 0
        while i < len(spans):
            norm, cjk = spans[i]
            if cjk:
                out += self._zh_terms(norm)
                i += 1
                continue
            if norm not in self._en_heads:
                i += 1
                continue
            words: list[str] = []
            match, length = None, 0
            for j in range(i, min(len(spans), i + MAX_EN)):
                if spans[j][1]:
                    break
                words.append(spans[j][0])
                key = " ".join(words)
                if key in self.en_to_zh:
                    match, length = key, j - i + 1
            if match is None:
                i += 1
            else:
                out.append(match)
                i += length
        return out

    def _zh_terms(self, run: str) -> list[str]:
        out = []
        i = 0
        while i < len(run) - 1:
            for size in range(min(MAX_ZH, len(run) - i), 1, -1):
                if run[i : i + size] in self.zh_to_en:
                    out.append(run[i : i + size])
                    i += size
                    break
            else:
                i += 1
        return out

    def tokens(self, term: str) -> list[str]:
        """The index tokens of a term (cached: the same terms come back in every paper)."""
        found = self._tokens.get(term)
        if found is None:
            found = self._tokens[term] = tokenize(term)
        return found

    def other(self, term: str) -> list[str]:
        """The other language's forms of a normalized term found by :meth:`found`."""
        if term in self.zh_to_en:
            return self.zh_to_en[term]
        return self.en_to_zh.get(term, [])

    def expand(self, texts: Iterable[str], into: str | None = None) -> list[str]:
        """The other-language forms of every term the texts use, each once, in order;
        ``into`` ('zh' or 'en') keeps only the forms in that language."""
        out: dict[str, None] = {}
        for text in texts:
            if text:
                for term in self.found(text):
                    others = self.other(term)
                    if into is None or (into == "zh") == (term not in self.zh_to_en):
                        out.update(dict.fromkeys(others))
        return list(out)
