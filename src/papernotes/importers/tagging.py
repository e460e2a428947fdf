"""Tag suggestions: which taxonomy names, labels or aliases a text mentions.

Latin names match as whole words (``GAN`` in "GANs" but not in "organ"; spaces, ``-``
and ``_`` interchangeable; a plural ``s``/``es`` allowed); names with Chinese
characters match as substrings, since Chinese has no spaces between words.
"""

from __future__ import annotations

import re

from papernotes.model.taxonomy import Taxonomy, fold
from papernotes.text import is_cjk

# A Latin word ends where a non-Latin-letter starts: "NTK的分析" mentions NTK.
LATIN = r"[a-z0-9\u00c0-\u024f]"


class Tagger:
    """Compiled matchers for one taxonomy."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self._latin: list[tuple[list[str], str]] = []  # folded keys, one tag
        self._cjk: list[tuple[str, str]] = []
        for name, tag in taxonomy.tags.items():
            keys = {fold(k) for k in (name, tag.en, tag.zh, *tag.aliases)}
            latin = []
            for key in sorted(keys):
                if not key:
                    continue
                if any(is_cjk(c) for c in key):
                    self._cjk.append((key, name))
                else:
                    latin.append(key)
            if latin:
                self._latin.append((latin, name))

    def _mentions(self, keys: list[str], folded: str) -> bool:
        # A key matches only where each of its words is in the text: the pattern is built
        # (a compile costs more than the search) from those keys only.
        keys = [k for k in keys if all(w in folded for w in k.split(" "))]
        if not keys:
            return False
        latin = "|".join(r"[ ]?".join(re.escape(w) for w in key.split(" ")) for key in keys)
        pattern = rf"(?<!{LATIN})(?:" + latin + rf")(?:e?s)?(?!{LATIN})"
        return re.search(pattern, folded) is not None

    def suggest(self, text: str) -> list[str]:
        """Tags mentioned in ``text``, in taxonomy order, without the ancestors of others."""
        folded = fold(text)
        found = {name for keys, name in self._latin if self._mentions(keys, folded)}
        found |= {name for key, name in self._cjk if key in folded}
        ancestors = {a for name in found for a in self.taxonomy.parent_chain(name)}
        return [name for name in self.taxonomy.tags if name in found and name not in ancestors]
