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
        self._latin: list[tuple[re.Pattern, str]] = []
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
                    latin.append(r"[ ]?".join(re.escape(w) for w in key.split(" ")))
            if latin:
                pattern = rf"(?<!{LATIN})(?:" + "|".join(latin) + rf")(?:e?s)?(?!{LATIN})"
                self._latin.append((re.compile(pattern), name))

    def suggest(self, text: str) -> list[str]:
        """Tags mentioned in ``text``, in taxonomy order, without the ancestors of others."""
        folded = fold(text)
        found = {name for pattern, name in self._latin if pattern.search(folded)}
        found |= {name for key, name in self._cjk if key in folded}
        ancestors = {a for name in found for a in self.taxonomy.parent_chain(name)}
        return [name for name in self.taxonomy.tags if name in found and name not in ancestors]
