"""Content similarity: TF-IDF cosine over title, notes (both languages), abstract, keywords.

Terms come from ``papernotes.text.tokenize``: Latin words (plurals folded) and CJK
bigrams; single CJK characters, numbers and function words carry no topic and are
dropped. Vectors are built once per index; ``similar`` compares one paper against the
others through an inverted index, so a query touches only papers that share a term.
"""

from __future__ import annotations

import functools
import math
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable

from papernotes.text import is_cjk, tokenize

TITLE_WEIGHT = 2  # a title word says more about the paper than a word in a note

STOP_EN = frozenset(
    """
a about above after again against all also although am among an and any are aren as at be
because been before being below between both but by can cannot could did do does doing done
down during each either else etc even ever every few for from further get gets got had has
have having he her here hers him his how however i if in into is isn it its itself just least
less let like made make makes many may maybe me might more most much must my neither no nor
not now of off often on once one only onto or other others our ours out over own per perhaps
quite rather really same see seem seems she should since so some still such than that the
their theirs them then there these they this those though through thus to too toward towards
under until up upon us use used uses using very via was we well were what when where whether
which while who whom whose why will with within without would yet you your yours
paper papers work works method methods approach approaches propose proposes proposed show
shows shown result results new also based first second two three another thing things way
ways lot bit something kind interesting good nice think thought still worth read
""".split()
)
STOP_ZH = frozenset(
    """
我们 你们 他们 它们 这个 那个 一个 一些 这些 那些 这样 那样 可以 可能 就是 没有 什么 因为 所以
但是 如果 以及 或者 还是 已经 通过 进行 提出 方法 问题 文章 本文 论文 工作 这篇 一篇 篇文 有意
意思 有趣 似乎 比较 值得 之后 之前 其中 然后 而且 并且 同时 不是 也是 还有 来说 说明 看上 上去
部分 如何 为什 为何 很多 多很 非常 相关 进一 一步 能够 以及 使得 从而 关于 对于 其他 这种 那种
""".split()
)


# A CJK bigram holding one of these is a piece of grammar (如何比较 -> 何比, 提出了 -> 出了),
# not a topic word. Characters that also start topic words (对抗, 过参数化, 最优, 更新) are absent.
CJK_FUNCTION = frozenset(
    "的了是在和也就都而及与或这那个们之把被让给于从到为以其如何些么吗呢吧啊很又再还只没会所说着得地"
)


def stem(word: str) -> str:
    """Fold English plurals so 'networks' meets 'network' (no full stemming: keeps terms readable)."""
    if len(word) > 4 and word.isascii():
        if word.endswith("ies"):
            return word[:-3] + "y"
        if word.endswith("s") and not word.endswith(("ss", "us", "is", "ics")):
            return word[:-1]
    return word


@functools.lru_cache(maxsize=1 << 17)
def term(token: str) -> str | None:
    """The index term for a token, or None when it carries no topic (cached: tokens repeat)."""
    if is_cjk(token[0]):
        if len(token) < 2 or token in STOP_ZH or CJK_FUNCTION.intersection(token):
            return None
        return token
    if len(token) < 2 or token.isdigit() or token in STOP_EN:
        return None
    return stem(token)


def terms(text: str) -> list[str]:
    """Topic-bearing terms of ``text`` in order (what TF-IDF counts)."""
    return [t for t in map(term, tokenize(text)) if t]


def paper_text(paper) -> tuple[str, str]:
    """(title, everything else) of a record: notes in both languages, abstract, TL;DR, keywords."""
    parts = [paper.abstract or "", paper.tldr or "", " ".join(paper.keywords)]
    for note in paper.notes:
        parts.extend(t for t in (note.zh, note.en) if t)
    return paper.title, "\n".join(parts)


def term_bag(
    title_tokens: Iterable[str], body_tokens: Iterable[str], surface: dict | None = None
) -> Counter:
    """Term counts of one paper (title words count ``TITLE_WEIGHT``); ``surface`` collects
    how often each term was written as each token (term -> Counter of tokens)."""
    bag: Counter = Counter()
    for weight, tokens in ((TITLE_WEIGHT, title_tokens), (1, body_tokens)):
        for token in tokens:
            found = term(token)
            if found:
                bag[found] += weight
                if surface is not None:
                    surface[found][token] += 1
    return bag


def shown_terms(words: Iterable[str], n: int) -> list[str]:
    """The first ``n`` of ``words`` (best first, as written) worth showing: overlapping CJK
    bigrams (正切, 切核) would show one word twice in pieces."""
    shown: list[str] = []
    for word in words:
        if is_cjk(word[0]) and any(set(word) & set(s) for s in shown):
            continue
        shown.append(word)
        if len(shown) == n:
            break
    return shown


class SimilarityIndex:
    """TF-IDF vectors (sublinear tf, smooth idf, unit length) for a set of papers."""

    def __init__(self, papers: Iterable):
        counts: dict[str, Counter] = {}
        surface: dict[str, Counter] = defaultdict(Counter)
        for paper in papers:
            title, body = paper_text(paper)
            counts[paper.id] = term_bag(tokenize(title), tokenize(body), surface)
        df: Counter = Counter()
        for bag in counts.values():
            df.update(bag.keys())
        self._setup(counts, surface, df, len(counts))

    @classmethod
    def from_counts(
        cls, counts: dict[str, Counter], surface: dict[str, Counter], df: dict[str, int], size: int
    ) -> SimilarityIndex:
        """Vectors for some papers of a larger collection: ``df`` and ``size`` are the
        collection's (from the search index), so the weights are the same as over all."""
        self = cls.__new__(cls)
        self._setup(counts, surface, df, size)
        return self

    def _setup(
        self, counts: dict[str, Counter], surface: dict[str, Counter], df: dict, size: int
    ) -> None:
        self.size = size
        self.df = df
        self.idf = {t: math.log((1 + size) / (1 + n)) + 1.0 for t, n in df.items()}
        self.vectors: dict[str, dict[str, float]] = {}
        self.postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for pid, bag in counts.items():
            full = {t: (1.0 + math.log(n)) * self.idf[t] for t, n in bag.items()}
            norm = math.sqrt(sum(w * w for w in full.values()))
            # Terms seen in one paper only cannot be shared: they count in the norm, no more.
            vec = {t: w / norm for t, w in full.items() if df[t] > 1} if norm else {}
            self.vectors[pid] = vec
            for t, weight in vec.items():
                self.postings[t].append((pid, weight))
        self._surface = {t: c.most_common(1)[0][0] for t, c in surface.items() if c}

    def similar(self, paper_id: str, min_score: float = 0.0) -> dict[str, float]:
        """Cosine of ``paper_id`` with every paper sharing a term (itself excluded)."""
        scores: dict[str, float] = defaultdict(float)
        for found, weight in self.vectors.get(paper_id, {}).items():
            for other, other_weight in self.postings[found]:
                if other != paper_id:
                    scores[other] += weight * other_weight
        return {pid: s for pid, s in scores.items() if s > min_score}

    def score(self, a: str, b: str) -> float:
        """The cosine of ``a`` and ``b``, summed in the order of the shorter vector's terms
        (``a``'s when as long)."""
        va, vb = self.vectors.get(a, {}), self.vectors.get(b, {})
        if len(vb) < len(va):
            va, vb = vb, va
        # the terms both have (a missing one would add 0.0): half the time of a get per term
        return sum([w * vb[t] for t, w in va.items() if t in vb])

    def shared_terms(self, a: str, b: str, n: int = 5) -> list[str]:
        """The terms that contribute most to the cosine of ``a`` and ``b``, as written."""
        va, vb = self.vectors.get(a, {}), self.vectors.get(b, {})
        common = sorted((t for t in va if t in vb), key=lambda t: (-va[t] * vb[t], t))
        return shown_terms((self._surface.get(t, t) for t in common), n)

    def pairs(
        self, min_score: float, top: int = 3, common_share: float = 0.05
    ) -> list[tuple[str, str, float]]:
        """Strongly similar pairs (each once, a < b): cosine >= ``min_score`` and among the
        ``top`` most similar papers of one of the two.

        Candidates are found through distinctive terms only (those in at most
        ``common_share`` of the papers), so the cost stays near-linear in the number of
        papers; each candidate's cosine is then computed in full.
        """
        limit = max(20, int(common_share * self.size))
        first = operator.itemgetter(0)
        scored: dict[str, list[tuple[float, str]]] = {pid: [] for pid in self.vectors}
        for pid in sorted(self.vectors):
            vector = self.vectors[pid]
            candidates: set[str] = set()
            for t in vector:
                posting = self.postings[t]
                if len(posting) <= limit:
                    candidates.update(map(first, posting))
            # sharing a term is mutual: each pair is met from both papers, and scored
            # once, from the first in id order
            for other in candidates:
                if other <= pid:
                    continue
                there = self.score(pid, other)
                # as long: each side sums in its own order (the last bit can differ)
                same = len(self.vectors[other]) == len(vector)
                back = self.score(other, pid) if same else there
                if there >= min_score:
                    scored[pid].append((there, other))
                if back >= min_score:
                    scored[other].append((back, pid))
        out: dict[tuple[str, str], float] = {}
        for pid in sorted(self.vectors):
            found = scored[pid]
            found.sort(key=lambda so: (-so[0], so[1]))
            for score, other in found[:top]:
                out[(min(pid, other), max(pid, other))] = score
        return [(a, b, s) for (a, b), s in sorted(out.items())]
