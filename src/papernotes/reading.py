"""The words of the reading workflow: statuses of a paper and marks on a note's idea.

Kept free of pydantic so the search index (``status:``, ``mark:``) can use them without
loading the model.
"""

from __future__ import annotations

# In the order a reader goes through them.
STATUSES = ("to-read", "reading", "read", "to-reread", "skimmed")
CLEAR = "none"  # `papernotes status ID none` removes the status
# What a reader may type for a status; the canonical names map to themselves.
STATUS_WORDS = {s: s for s in STATUSES}
STATUS_WORDS |= {"toread": "to-read", "unread": "to-read", "todo": "to-read", "done": "read"}
STATUS_WORDS |= {"reread": "to-reread", "re-read": "to-reread", "toreread": "to-reread"}
STATUS_WORDS |= {"skim": "skimmed", "skimming": "skimmed"}

# Someone did the idea already (有人做了), we should cite the paper (我们应该cite).
MARKS = ("scooped", "to-cite")
MARK_WORDS = {m: m for m in MARKS} | {"cite": "to-cite", "tocite": "to-cite"}
