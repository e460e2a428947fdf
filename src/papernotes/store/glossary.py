"""A knowledge base's own glossary: ``glossary.yaml`` beside ``tags.yaml``, checked strictly.

::

    terms:
    - zh: 剪枝
      en: pruning
    - zh: [彩票, 中奖彩票]
      en: [lottery ticket, winning ticket]

Every Chinese form of an entry is paired with every English form. The pairs extend the
glossary shipped in the package and the pairs the taxonomy's labels and aliases give.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes.errors import Problem
from papernotes.glossary import (
    Glossary,
    Pair,
    is_en_term,
    is_zh_term,
    shipped_pairs,
    taxonomy_pairs,
)

if TYPE_CHECKING:
    import yaml

    from papernotes.store.kb import KnowledgeBase

GLOSSARY_NAME = "glossary.yaml"
ENTRY_KEYS = ("zh", "en")

_cache: dict[str, tuple[object, str, Glossary]] = {}


def load_pairs(kb: KnowledgeBase) -> tuple[list[Pair], list[Problem]]:
    """The pairs of ``glossary.yaml`` (none when it is missing) and its problems."""
    path = kb.root / GLOSSARY_NAME
    shown = kb.shown(path)
    if not path.exists():
        return [], []
    from papernotes.store.yamlio import YamlProblem, line_of, read_yaml  # searches need none

    try:
        data, node, _ = read_yaml(path)
    except YamlProblem as exc:
        return [], [Problem(shown, exc.message, exc.line)]
    if data is None:
        return [], []
    if not isinstance(data, dict) or not isinstance(data.get("terms", []), list):
        return [], [Problem(shown, "expected a mapping with a 'terms' list", 1)]
    problems = [
        Problem(shown, f"unknown field {key!r}", line_of(node, key), None, "known fields: terms")
        for key in data
        if key != "terms"
    ]
    pairs: list[Pair] = []
    for i, entry in enumerate(data.get("terms") or []):
        pairs += _entry_pairs(shown, node, i, entry, problems)
    return pairs, problems


def _entry_pairs(
    shown: str, node: yaml.Node | None, i: int, entry: object, problems: list[Problem]
) -> list[Pair]:
    """The pairs of entry ``i`` of the terms; what is wrong with it goes to ``problems``."""
    from papernotes.store.yamlio import line_of

    where = f"terms[{i}]"
    if not isinstance(entry, dict):
        problems.append(
            Problem(shown, "expected a mapping with zh and en", line_of(node, "terms", i), where)
        )
        return []
    for key in entry:
        if key not in ENTRY_KEYS:
            problems.append(
                Problem(
                    shown,
                    f"unknown field {key!r}",
                    line_of(node, "terms", i, key),
                    where,
                    "known fields: zh, en",
                )
            )
    forms = {}
    for lang, check, what in (
        ("zh", is_zh_term, "two or more Chinese characters and nothing else"),
        ("en", is_en_term, "English words without Chinese characters"),
    ):
        value = entry.get(lang)
        values = value if isinstance(value, list) else [value]
        line = line_of(node, "terms", i, lang)
        if value is None or value == []:
            problems.append(Problem(shown, "missing required field", line, f"{where}.{lang}"))
            continue
        good = []
        for j, text in enumerate(values):
            field = f"{where}.{lang}" + (f"[{j}]" if isinstance(value, list) else "")
            if not isinstance(text, str) or not check(text):
                problems.append(Problem(shown, f"must be {what} (got {text!r:.40})", line, field))
            else:
                good.append(text.strip())
        forms[lang] = good
    return [(zh, en) for zh in forms.get("zh", []) for en in forms.get("en", [])]


def kb_glossary(kb: KnowledgeBase) -> Glossary:
    """The glossary search uses for ``kb``: shipped, taxonomy and ``glossary.yaml`` pairs.
    Built once per taxonomy and glossary file (a rebuild asks for it once per record)."""
    taxonomy = kb.taxonomy()
    stamp = signature(kb)
    key = str(kb.root)
    cached = _cache.get(key)
    if cached is not None and cached[0] is taxonomy and cached[1] == stamp:
        return cached[2]
    own, _ = load_pairs(kb)
    glossary = Glossary([*shipped_pairs(), *taxonomy_pairs(taxonomy), *own])
    _cache[key] = (taxonomy, stamp, glossary)
    return glossary


def signature(kb: KnowledgeBase) -> str:
    """Size and modification time of ``glossary.yaml`` ("missing" without one)."""
    try:
        st = (kb.root / GLOSSARY_NAME).stat()
    except OSError:
        return "missing"
    return f"{st.st_size}:{st.st_mtime_ns}"
