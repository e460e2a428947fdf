"""What a venue's decision says, whatever its wording ("Accept (Poster)", "Reject",
"Desk rejected", "Withdrawn"): one reading for listings, colours and sorting."""

from __future__ import annotations


def decision_kind(decision: str | None) -> str:
    """ "accept", "reject", "withdrawn", "other", or "none" when there is no decision."""
    text = (decision or "").casefold()
    if not text:
        return "none"
    if text.startswith("accept"):
        return "accept"
    if text.startswith("withdr"):
        return "withdrawn"
    if text.startswith("reject") or "desk" in text:
        return "reject"
    return "other"


def decision_rank(decision: str | None) -> int:
    """Orals (talks) first, then spotlights, posters, other accepts, unknown, rejects,
    withdrawals."""
    kind = decision_kind(decision)
    if kind == "accept":
        text = (decision or "").casefold()
        for rank, words in enumerate((("oral", "talk"), ("spotlight",), ("poster",))):
            if any(word in text for word in words):
                return rank
        return 3
    return {"withdrawn": 6, "reject": 5}.get(kind, 4)
