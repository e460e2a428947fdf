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

from papernotes.text import normalize, tokenize

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


def words_of(text: str) -> tuple[str, ...]:
    """The tokens of ``text`` that phrases are matched on (no CJK bigrams)."""
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


def looks_distinctive(alias: str) -> bool:
    """Whether a title's short name is specific enough to name a paper."""
    words = alias.split()
    if len(alias) < 3:
        return False
    if len(words) > 1:
        return True
    word = words[0]
    inner_caps = any(c.isupper() for c in word[1:])
    return inner_caps or any(c.isdigit() for c in word) or len(word) >= 7


class MentionIndex:
    """Finds mentions between the papers of a knowledge base.

    ``mentions_in`` / ``mentions_of`` look at one paper: other notes are first filtered
    by a substring test on their normalised text (fast, in C), and only the few that
    pass are tokenized. ``all`` scans every note (for the graph).
    """

    def __init__(self, papers: dict, taxonomy=None):
        self.papers = papers
        self.ids = set(papers)
        self.aliases: dict[str, list[str]] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], str, str, str]]] = defaultdict(list)
        self._own: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        self._folded: dict[str, str] | None = None
        self._starting: dict[str, tuple[list, dict[str, list]]] | None = None
        self.common_names: dict[tuple[str, str], bool] = {}
        owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
        candidates: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        for pid, paper in papers.items():
            title = words_of(paper.title)
            if len(title) >= MIN_TITLE_TOKENS:
                self.add_phrase(title, pid, "title", paper.title)
            for alias in title_aliases(paper.title):
                words = words_of(alias)
                if not words or words == title or not looks_distinctive(alias):
                    continue
                if taxonomy is not None and taxonomy.resolve(alias):
                    continue  # 'GAN' names a topic, not a paper
                owners[words].add(pid)
                candidates[pid].append((alias, words))
        for pid, found in candidates.items():
            for alias, words in found:
                if len(owners[words]) == 1:
                    self.aliases.setdefault(pid, []).append(alias)
                    self.add_phrase(words, pid, "alias", alias)

    # The public surface below is what a subclass over another store of notes and names
    # (papernotes.index.neighbours.IndexedMentions) overrides or calls.
    def add_phrase(self, words: tuple[str, ...], pid: str, how: str, text: str) -> None:
        """Let ``words`` (a title or a distinctive alias: ``how``) name paper ``pid``."""
        self._phrases[words[0]].append((words, pid, how, text))
        self._own[pid].append(words)
        self._starting = None

    def starting(self) -> dict[str, tuple[list, dict[str, list]]]:
        """The phrases by their first word: those of one word, and the longer ones by their
        second word, each with its place among the first word's (the order they match
        in). Most words that start a phrase ('the', 'learning') start many."""
        if self._starting is None:
            self._starting = {}
            for first, phrases in self._phrases.items():
                singles: list = []
                longer: dict[str, list] = defaultdict(list)
                for place, phrase in enumerate(phrases):
                    words = phrase[0]
                    if len(words) == 1:
                        singles.append((place, phrase))
                    else:
                        longer[words[1]].append((place, phrase))
                self._starting[first] = (singles, longer)
        return self._starting

    def phrases_of(self, pid: str) -> list[tuple[str, ...]]:
        """The phrases that name ``pid``."""
        return list(self._own.get(pid, ()))

    def note_texts(self, pid: str) -> list[str]:
        """Every note text of ``pid``, both languages."""
        paper = self.papers[pid]
        return [t for note in paper.notes for t in (note.zh, note.en) if t]

    def folded(self) -> dict[str, str]:
        """Each paper's notes, NFKC + case folded, for the substring pre-filter."""
        if self._folded is None:
            self._folded = {pid: normalize("\n".join(self.note_texts(pid))) for pid in self.papers}
        return self._folded

    def find(self, pid: str, only: str | None = None) -> list[Mention]:
        """Mentions in the notes of ``pid`` (of ``only``, when given), before the
        common-alias rule."""
        found: dict[tuple[str, str], Mention] = {}
        for text in self.note_texts(pid):
            for match in ID_TOKEN.finditer(text):
                token = match.group()
                if token in self.ids and token != pid and only in (None, token):
                    found.setdefault((token, "id"), Mention(pid, token, "id", token))
            words = words_of(text)
            starting = self.starting()
            last = len(words) - 1
            for i, word in enumerate(words):
                if word not in starting:
                    continue
                singles, longer = starting[word]
                following = longer.get(words[i + 1]) if i < last else None
                if not following:
                    places = singles
                else:
                    places = sorted(singles + following) if singles else following
                for _, (phrase, target, how, shown) in places:
                    if target == pid or only not in (None, target):
                        continue
                    if words[i : i + len(phrase)] != phrase:
                        continue
                    if how == "alias" and len(phrase) == 1 and not _cased_match(shown, text):
                        continue
                    found.setdefault((target, how), Mention(pid, target, how, shown))
        return list(found.values())

    def candidates(self, target: str, words: tuple[str, ...] | None = None) -> list[str]:
        """Papers whose notes may name ``target`` (by ``words``, or by id / any phrase)."""
        keys = [max(w, key=len) for w in ([words] if words else self.phrases_of(target))]
        if not words:
            keys.append(normalize(target))
        return [
            pid
            for pid, text in self.folded().items()
            if pid != target and any(k in text for k in keys)
        ]

    def is_common(self, target: str, alias: str) -> bool:
        """An alias the notes of many papers contain is a phrase, not a name."""
        key = (target, alias)
        if key not in self.common_names:
            self.common_names[key] = False
            limit = max(3, int(COMMON_SHARE * len(self.papers)))
            if len(self.papers) >= 20:  # fewer papers cannot tell a name from a phrase
                sources = self.candidates(target, words_of(alias))
                if len(sources) > limit:
                    hits = sum(
                        1
                        for pid in sources
                        if any(m.how == "alias" for m in self.find(pid, only=target))
                    )
                    self.common_names[key] = hits > limit
        return self.common_names[key]

    def keep(self, mentions: list[Mention]) -> list[Mention]:
        """``mentions`` without those by an alias that is a common phrase."""
        return [m for m in mentions if m.how != "alias" or not self.is_common(m.target, m.text)]

    def mentions_in(self, pid: str) -> list[Mention]:
        """Papers that the notes of ``pid`` name."""
        return self.keep(self.find(pid)) if pid in self.papers else []

    def mentions_of(self, pid: str) -> list[Mention]:
        """Papers whose notes name ``pid``."""
        if pid not in self.papers:
            return []
        found = [m for other in self.candidates(pid) for m in self.find(other, only=pid)]
        return self.keep(found)

    def all(self) -> list[Mention]:
        return [m for pid in self.papers for m in self.keep(self.find(pid))]


def _cased_match(alias: str, text: str) -> bool:
    """A one-word alias with capitals (GIN, BackPACK) must appear with them: 'gin' is a drink."""
    if alias.islower():
        return True
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(alias)}(?![A-Za-z0-9])", text) is not None
