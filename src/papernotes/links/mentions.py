"""Mentions: a paper's note that names another paper by id, full title or a distinctive alias.

Aliases come from titles: the name before a colon (``BackPACK: Packing more into
backprop`` -> ``BackPACK``) and an acronym in parentheses (``... (CLAW)``). An alias is
kept only if it is distinctive: long enough, not a tag name, owned by one paper, and
not found in the notes of many papers (then it is a common phrase, not a name).
Matching runs over token sequences, indexed by first token, so scanning every note of
the knowledge base is linear in the length of the notes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from papernotes.text import tokenize

ID_TOKEN = re.compile(r"(?:(?:arxiv|doi|url):[^\s\])>,;\"']+|[A-Za-z0-9_-]{4,64})")
PAREN_ACRONYM = re.compile(r"\(([A-Za-z][A-Za-z0-9-]{1,15})\)")
MIN_TITLE_TOKENS = 3
MAX_ALIAS_WORDS = 4
COMMON_SHARE = 0.05  # an alias found in the notes of more than 5% of papers is no name


@dataclass(frozen=True)
class Mention:
    source: str  # the paper whose note names ...
    target: str  # ... this paper
    how: str  # "id", "title" or "alias"
    text: str  # what was found


def _words(text: str) -> tuple[str, ...]:
    return tuple(tokenize(text, bigrams=False))


def title_aliases(title: str) -> list[str]:
    """Short names a title gives its paper (before checking they are distinctive)."""
    out = []
    head, sep, rest = title.partition(":")
    head = head.strip().rstrip("?!").strip()
    if sep and rest.strip() and 1 <= len(head.split()) <= MAX_ALIAS_WORDS:
        out.append(head)
    out.extend(m.group(1) for m in PAREN_ACRONYM.finditer(title))
    return out


def _looks_distinctive(alias: str) -> bool:
    words = alias.split()
    if len(alias) < 3:
        return False
    if len(words) > 1:
        return True
    word = words[0]
    inner_caps = any(c.isupper() for c in word[1:])
    return inner_caps or any(c.isdigit() for c in word) or len(word) >= 7


class MentionIndex:
    """Finds mentions between the papers of a knowledge base."""

    def __init__(self, papers: dict, taxonomy=None):
        self.papers = papers
        self.ids = set(papers)
        self.aliases: dict[str, list[str]] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], str, str, str]]] = defaultdict(list)
        owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
        candidates: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        for pid, paper in papers.items():
            title = _words(paper.title)
            if len(title) >= MIN_TITLE_TOKENS:
                self._add(title, pid, "title", paper.title)
            for alias in title_aliases(paper.title):
                words = _words(alias)
                if not words or words == title or not _looks_distinctive(alias):
                    continue
                if taxonomy is not None and taxonomy.resolve(alias):
                    continue  # 'GAN' names a topic, not a paper
                owners[words].add(pid)
                candidates[pid].append((alias, words))
        for pid, found in candidates.items():
            for alias, words in found:
                if len(owners[words]) == 1:
                    self.aliases.setdefault(pid, []).append(alias)
                    self._add(words, pid, "alias", alias)
        self._drop_common_aliases()

    def _add(self, words: tuple[str, ...], pid: str, how: str, text: str) -> None:
        self._phrases[words[0]].append((words, pid, how, text))

    def _drop_common_aliases(self) -> None:
        if len(self.papers) < 20:
            return  # too few papers to tell a name from a common phrase
        hits: dict[tuple[str, str], set[str]] = defaultdict(set)
        for pid in self.papers:
            for m in self._scan(pid):
                if m.how == "alias":
                    hits[(m.target, m.text)].add(pid)
        limit = max(3, int(COMMON_SHARE * len(self.papers)))
        common = {key for key, sources in hits.items() if len(sources) > limit}
        if not common:
            return
        for first, entries in self._phrases.items():
            self._phrases[first] = [
                e for e in entries if not (e[2] == "alias" and (e[1], e[3]) in common)
            ]
        for pid, text in common:
            self.aliases[pid] = [a for a in self.aliases.get(pid, []) if a != text]

    def _note_texts(self, pid: str) -> list[str]:
        paper = self.papers[pid]
        return [t for note in paper.notes for t in (note.zh, note.en) if t]

    def _scan(self, pid: str, only: str | None = None) -> list[Mention]:
        found: dict[tuple[str, str], Mention] = {}
        for text in self._note_texts(pid):
            for match in ID_TOKEN.finditer(text):
                token = match.group()
                if token in self.ids and token != pid and (only is None or token == only):
                    found.setdefault((token, "id"), Mention(pid, token, "id", token))
            words = _words(text)
            for i, word in enumerate(words):
                for phrase, target, how, shown in self._phrases.get(word, ()):
                    if target == pid or (only is not None and target != only):
                        continue
                    if words[i : i + len(phrase)] != phrase:
                        continue
                    if how == "alias" and len(phrase) == 1 and not _cased_match(shown, text):
                        continue
                    found.setdefault((target, how), Mention(pid, target, how, shown))
        return list(found.values())

    def mentions_in(self, pid: str) -> list[Mention]:
        """Papers that the notes of ``pid`` name."""
        return self._scan(pid) if pid in self.papers else []

    def mentions_of(self, pid: str) -> list[Mention]:
        """Papers whose notes name ``pid`` (scans every note once)."""
        return [m for other in self.papers if other != pid for m in self._scan(other, only=pid)]

    def all(self) -> list[Mention]:
        return [m for pid in self.papers for m in self._scan(pid)]


def _cased_match(alias: str, text: str) -> bool:
    """A one-word alias with capitals (GIN, BackPACK) must appear with them: 'gin' is a drink."""
    if alias.islower():
        return True
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(alias)}(?![A-Za-z0-9])", text) is not None
