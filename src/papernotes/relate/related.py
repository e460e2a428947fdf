"""The rules of ranking a paper's neighbours, each with the reasons it is connected.

Four kinds of evidence, combined into one score:

- ``link``: an explicit ``related`` entry, in either direction (reason: its ``why``);
- ``tag``: shared tags weighted by rarity, ``log(1 + N / papers with the tag)``, as a
  share of the paper's own tag weight; a parent or child tag counts ``PARTIAL``;
- ``similar``: TF-IDF cosine of the contents (reason: the top shared terms);
- ``mention``: one paper's note names the other by id, title or alias.

``LINK`` is larger than the other weights together, so an explicit link always
outranks a paper that has only tags, similarity and mentions in common.

The facts come from the search index: one paper's with a few queries
(:mod:`papernotes.index.neighbours`, for ``related`` and ``show``), every paper's in one
pass (:mod:`papernotes.site.ranking`, for a site).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from papernotes.relate.similarity import SimilarityIndex

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


def link_reasons(outgoing, incoming) -> dict[str, list[Reason]]:
    """Explicit-link evidence: the paper's own links, then (source, why) pairs pointing to it.
    A link made in both directions with the same reason counts once, as 'both'."""
    out: dict[str, list[Reason]] = {}
    for link in outgoing:
        out.setdefault(link.id, []).append(
            Reason("link", link.why, {"direction": "out", "why": link.why})
        )
    for source, why in incoming:
        reasons = out.setdefault(source, [])
        if any(r.text == why for r in reasons):
            reasons[0].detail["direction"] = "both"
            continue
        reasons.append(Reason("link", why, {"direction": "in", "why": why}))
    return out


def near_tags(tags, taxonomy) -> set[str]:
    """The tags a neighbour must have one of to share tags with a paper tagged ``tags``."""
    near = set(tags)
    for tag in tags:
        near.update(taxonomy.parent_chain(tag))
        near.update(taxonomy.descendants(tag))
    return near


def tag_overlap(
    mine, theirs, tag_weight: dict, tag_counts: dict, taxonomy
) -> tuple[float, list[Reason]]:
    """Weighted share of the tags ``mine`` that ``theirs`` has (exactly, or as parent/child).

    ``tag_weight`` and ``tag_counts`` need to hold the tags of ``mine`` and their parents
    and children; other tags do not count.
    """
    total = sum(tag_weight.get(t, 0.0) for t in mine)
    if not total or not theirs:
        return 0.0, []
    got = 0.0
    reasons = []
    for tag in mine:
        if tag in theirs:
            weight = tag_weight.get(tag, 0.0)
            got += weight
            count = tag_counts.get(tag, 0)
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
            chain = taxonomy.parent_chain(tag)
            if near not in chain and tag not in taxonomy.parent_chain(near):
                continue
            broader = near if near in chain else tag
            got += PARTIAL * tag_weight.get(broader, 0.0)
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


def rank(
    pid: str,
    links: dict[str, list[Reason]],
    tagged: dict[str, tuple[float, list[Reason]]],
    similarity: SimilarityIndex,
    mentions: list,
    titles: dict[str, str],
    limit: int | None,
) -> list[Neighbour]:
    """Combine the evidence about ``pid`` into ranked neighbours (best first, ties by id).

    ``tagged``: tag share and reasons per paper sharing a near tag; ``similarity``: vectors
    holding ``pid`` and the papers to compare it with; ``mentions``: between ``pid`` and
    papers that have a record; ``titles``: of the papers that have a record.
    """
    candidates: dict[str, list[Reason]] = {}
    scores: defaultdict[str, float] = defaultdict(float)
    for other, reasons in links.items():
        candidates.setdefault(other, []).extend(reasons)
        scores[other] += LINK
    for other, (share, reasons) in tagged.items():
        if reasons:
            candidates.setdefault(other, []).extend(reasons)
            scores[other] += TAG * share
    # The shared terms are found only for the neighbours returned (the cut comes last).
    unworded: dict[str, Reason] = {}
    for other, cosine in similarity.similar(pid).items():
        scores[other] += SIMILAR * cosine
        if cosine >= MIN_SIMILAR:
            reason = Reason("similar", "", {"cosine": round(cosine, 4), "terms": []})
            unworded[other] = reason
            candidates.setdefault(other, []).append(reason)
    mentioned: set[str] = set()
    for m in mentions:
        other = m.target if m.source == pid else m.source
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
        reasons.sort(key=lambda r: KIND_ORDER.index(r.kind))
        title = titles.get(other, "(no record)")
        out.append(Neighbour(other, title, scores.get(other, 0.0), reasons))
    out.sort(key=lambda n: (-n.score, n.id))
    out = out[:limit] if limit is not None else out
    for neighbour in out:
        similar = unworded.get(neighbour.id)
        if similar is not None:
            terms = similarity.shared_terms(pid, neighbour.id)
            similar.text = f"shared terms: {', '.join(terms)}"
            similar.detail["terms"] = terms
    return out
