"""Ranking a paper's neighbours, each with the reasons it is connected.

Four kinds of evidence, combined into one score:

- ``link``: an explicit ``related`` entry, in either direction (reason: its ``why``);
- ``tag``: shared tags weighted by rarity, ``log(1 + N / papers with the tag)``, as a
  share of the paper's own tag weight; a parent or child tag counts ``PARTIAL``;
- ``similar``: TF-IDF cosine of the contents (reason: the top shared terms);
- ``mention``: one paper's note names the other by id, title or alias.

``LINK`` is larger than the other weights together, so an explicit link always
outranks a paper that has only tags, similarity and mentions in common.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from papernotes.links.mentions import MentionIndex
from papernotes.links.similarity import SimilarityIndex

LINK = 10.0
TAG = 3.0
SIMILAR = 4.0
MENTION = 2.0
PARTIAL = 0.3  # a parent/child tag is worth this share of the broader tag's weight
MIN_SIMILAR = 0.08  # below this a cosine is noise: it adds to the score but is no reason
KIND_ORDER = ("link", "mention", "tag", "similar")


@dataclass
class Reason:
    kind: str
    text: str
    detail: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, **self.detail}


@dataclass
class Neighbour:
    id: str
    title: str
    score: float
    reasons: list[Reason]

    @property
    def kinds(self) -> list[str]:
        kinds = {r.kind for r in self.reasons}
        return [k for k in KIND_ORDER if k in kinds]

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "score": round(self.score, 4),
            "kinds": self.kinds,
            "reasons": [r.to_dict() for r in self.reasons],
        }


class Linker:
    """Everything needed to relate papers, computed once per command from loaded records."""

    def __init__(self, papers: dict, taxonomy):
        self.papers = papers
        self.taxonomy = taxonomy
        counts = Counter(tag for p in papers.values() for tag in p.tags)
        self.tag_counts = counts
        total = max(len(papers), 1)
        self.tag_weight = {t: math.log(1 + total / n) for t, n in counts.items()}
        self.incoming: dict[str, list[tuple[str, str]]] = {}
        for pid, paper in papers.items():
            for link in paper.related:
                self.incoming.setdefault(link.id, []).append((pid, link.why))
        self._similarity: SimilarityIndex | None = None
        self._mentions: MentionIndex | None = None

    @property
    def similarity(self) -> SimilarityIndex:
        if self._similarity is None:
            self._similarity = SimilarityIndex(self.papers.values())
        return self._similarity

    @property
    def mentions(self) -> MentionIndex:
        if self._mentions is None:
            self._mentions = MentionIndex(self.papers, self.taxonomy)
        return self._mentions

    # -- evidence ----------------------------------------------------------------
    def links_of(self, pid: str) -> dict[str, list[Reason]]:
        out: dict[str, list[Reason]] = {}
        paper = self.papers.get(pid)
        for link in paper.related if paper else ():
            out.setdefault(link.id, []).append(
                Reason("link", link.why, {"direction": "out", "why": link.why})
            )
        for source, why in self.incoming.get(pid, ()):
            reasons = out.setdefault(source, [])
            if any(r.text == why for r in reasons):
                reasons[0].detail["direction"] = "both"
                continue
            reasons.append(Reason("link", why, {"direction": "in", "why": why}))
        return out

    def _related_tags(self, a: str, b: str) -> bool:
        """True when one tag is an ancestor of the other."""
        return a in self.taxonomy.parent_chain(b) or b in self.taxonomy.parent_chain(a)

    def tag_overlap(self, pid: str, other: str) -> tuple[float, list[Reason]]:
        """Weighted share of ``pid``'s tags that ``other`` has (exactly, or as parent/child)."""
        mine = self.papers[pid].tags
        theirs = self.papers[other].tags
        total = sum(self.tag_weight.get(t, 0.0) for t in mine)
        if not total or not theirs:
            return 0.0, []
        got = 0.0
        reasons = []
        for tag in mine:
            if tag in theirs:
                weight = self.tag_weight.get(tag, 0.0)
                got += weight
                count = self.tag_counts.get(tag, 0)
                reasons.append(
                    Reason(
                        "tag",
                        f"#{tag} ({count} paper{'s' if count != 1 else ''})",
                        {"tag": tag, "papers": count, "weight": round(weight, 4)},
                    )
                )
                continue
        for near in theirs:
            if near in mine:
                continue
            # One of their tags is a parent or child of one of ours: it counts a little, once.
            for tag in mine:
                if not self._related_tags(tag, near):
                    continue
                broader = near if near in self.taxonomy.parent_chain(tag) else tag
                got += PARTIAL * self.tag_weight.get(broader, 0.0)
                relation = "parent" if broader == near else "child"
                reasons.append(
                    Reason(
                        "tag",
                        f"#{near} is the {relation} of #{tag}",
                        {"tag": near, "of": tag, "relation": relation},
                    )
                )
                break
        for reason in reasons:
            reason.detail["share"] = round(got / total, 4)
        return min(got / total, 1.0), reasons

    # -- ranking -------------------------------------------------------------------
    def related(self, pid: str, limit: int | None = 10) -> list[Neighbour]:
        """Neighbours of ``pid``, best first (ties by id)."""
        if pid not in self.papers:
            return []
        candidates: dict[str, list[Reason]] = {}
        scores: dict[str, float] = Counter()
        for other, reasons in self.links_of(pid).items():
            candidates.setdefault(other, []).extend(reasons)
            scores[other] += LINK
        mine = set(self.papers[pid].tags)
        near_tags = set(mine)
        for tag in mine:
            near_tags.update(self.taxonomy.parent_chain(tag))
            near_tags.update(self.taxonomy.descendants(tag))
        for other, paper in self.papers.items():
            if other == pid or not near_tags.intersection(paper.tags):
                continue
            share, reasons = self.tag_overlap(pid, other)
            if reasons:
                candidates.setdefault(other, []).extend(reasons)
                scores[other] += TAG * share
        for other, cosine in self.similarity.similar(pid).items():
            scores[other] += SIMILAR * cosine
            if cosine >= MIN_SIMILAR:
                terms = self.similarity.shared_terms(pid, other)
                candidates.setdefault(other, []).append(
                    Reason(
                        "similar",
                        f"shared terms: {', '.join(terms)}",
                        {"cosine": round(cosine, 4), "terms": terms},
                    )
                )
        mentions = self.mentions.mentions_in(pid) + self.mentions.mentions_of(pid)
        mentioned: set[str] = set()
        for m in mentions:
            other = m.target if m.source == pid else m.source
            if other not in self.papers:
                continue
            whose = "this paper's note" if m.source == pid else "its note"
            about = "it" if m.source == pid else "this paper"
            text = f"{whose} names {about} by {m.how}: {m.text}"
            candidates.setdefault(other, []).append(
                Reason("mention", text, {"direction": "out" if m.source == pid else "in"})
            )
            if other not in mentioned:
                mentioned.add(other)
                scores[other] += MENTION
        out = []
        for other, reasons in candidates.items():
            if other == pid:
                continue
            paper = self.papers.get(other)
            title = paper.title if paper else "(no record)"
            reasons.sort(key=lambda r: KIND_ORDER.index(r.kind))
            out.append(Neighbour(other, title, scores.get(other, 0.0), reasons))
        out.sort(key=lambda n: (-n.score, n.id))
        return out[:limit] if limit is not None else out


def linker_for(kb, collection=None) -> Linker:
    """A Linker over every record of ``kb`` that loads (broken records are left out)."""
    coll = collection or kb.load_all()
    return Linker(coll.papers, kb.taxonomy())


def related_papers(kb, paper_id: str, limit: int | None = 10) -> list[Neighbour]:
    """Ranked neighbours of a paper; NotFoundError (with close ids) if it has no record."""
    kb.get(paper_id)  # raises NotFoundError / DataError with the right message
    return linker_for(kb).related(paper_id, limit)
