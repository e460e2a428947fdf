"""The tag taxonomy (``tags.yaml``): canonical names, bilingual labels, aliases, parents."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from papernotes.errors import Problem

if TYPE_CHECKING:
    from papernotes.model.tag_schema import Tag

TAG_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")


def __getattr__(name: str):
    """The pydantic models of tags.yaml (``Tag``, ``TaxonomyFile``), loaded on first use: a
    taxonomy read back from the index is made of plain objects and needs no pydantic."""
    if name in ("Tag", "TaxonomyFile", "Text"):
        from papernotes.model import tag_schema

        return getattr(tag_schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def fold(text: str) -> str:
    """Case- and space-insensitive key for matching names, labels and aliases."""
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


class Taxonomy:
    """Tags by canonical name, with lookup by any name, label or alias."""

    def __init__(self, tags: dict[str, Tag] | None = None):
        self.tags: dict[str, Tag] = dict(tags or {})
        self._lookup: dict[str, str] = {}
        for name, tag in self.tags.items():
            for key in (name, tag.en, tag.zh, *tag.aliases):
                self._lookup.setdefault(fold(key), name)
        self._children: dict[str, list[str]] | None = None

    def __contains__(self, name: str) -> bool:
        return name in self.tags

    def __len__(self) -> int:
        return len(self.tags)

    def resolve(self, text: str) -> str | None:
        """Canonical name for a tag name, label or alias in any case; None if unknown."""
        if text in self.tags:
            return text
        return self._lookup.get(fold(text))

    def suggest(self, text: str, n: int = 3) -> list[str]:
        from difflib import get_close_matches

        keys = list(self._lookup)
        close = get_close_matches(fold(text), keys, n=n * 2, cutoff=0.6)
        names: list[str] = []
        for key in close:
            name = self._lookup[key]
            if name not in names:
                names.append(name)
        return names[:n]

    def parent_chain(self, name: str) -> list[str]:
        chain, seen = [], {name}
        parent = self.tags[name].parent if name in self.tags else None
        while parent and parent in self.tags and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = self.tags[parent].parent
        return chain

    def _child_map(self) -> dict[str, list[str]]:
        """Parent -> children in file order, built once (one pass over the tags)."""
        if self._children is None:
            children: dict[str, list[str]] = {}
            for name, tag in self.tags.items():
                if tag.parent is not None:
                    children.setdefault(tag.parent, []).append(name)
            self._children = children
        return self._children

    def children(self, name: str) -> list[str]:
        return list(self._child_map().get(name, ()))

    def descendants(self, name: str) -> list[str]:
        """``name`` and every tag below it (a tag filter includes its children)."""
        child_map = self._child_map()
        out, seen, stack = [], set(), [name]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            out.append(current)
            stack.extend(child_map.get(current, ()))
        return out

    def _cycle_entries(self) -> dict[str, str]:
        """Tag -> the first tag its parent chain meets twice, for every tag whose chain
        loops; each chain is walked once (tags already settled end the walk)."""
        entry: dict[str, str | None] = {}
        for start in self.tags:
            if start in entry:
                continue
            path: list[str] = []
            where: dict[str, int] = {}
            cur: str | None = start
            found: str | None = None
            while cur is not None and cur in self.tags:
                if cur in entry:
                    settled = entry[cur]
                    # A tag on a loop is its own entry; a tag leading into one shares it.
                    found = cur if settled == cur else settled
                    break
                if cur in where:
                    found = cur
                    for name in path[where[cur] :]:
                        entry[name] = name
                    path = path[: where[cur]]
                    break
                where[cur] = len(path)
                path.append(cur)
                cur = self.tags[cur].parent
            for name in path:
                entry[name] = found
        return {name: e for name, e in entry.items() if e is not None}

    def check(self, path: str, line_of=lambda *_loc: None) -> list[Problem]:
        """Structural problems: bad names, unknown parents, cycles, shared aliases."""
        owners: dict[str, str] = {}
        cycles = self._cycle_entries()
        problems = self._name_problems(path, line_of, owners)
        for name, tag in self.tags.items():
            problems.extend(_alias_problems(path, line_of, name, tag, owners))
            if tag.parent is not None:
                problems.extend(self._parent_problems(path, line_of, name, tag.parent, cycles))
        return problems

    def _name_problems(self, path: str, line_of, owners: dict[str, str]) -> list[Problem]:
        """Tag names that are not valid; each name's folded form goes to ``owners``."""
        problems: list[Problem] = []
        for name in self.tags:
            if not TAG_NAME.match(name):
                problems.append(
                    Problem(
                        path,
                        f"invalid tag name {name!r}",
                        line_of("tags", name),
                        f"tags.{name}",
                        "letters, digits, '_', '.', '+', '-'",
                    )
                )
            owners.setdefault(fold(name), name)
        return problems

    def _parent_problems(
        self, path: str, line_of, name: str, parent: str, cycles: dict[str, str]
    ) -> list[Problem]:
        """A ``parent`` of ``name`` that is not a tag, or that leads back to it."""
        if parent not in self.tags:
            hint = self.suggest(parent)
            return [
                Problem(
                    path,
                    f"unknown parent tag {parent!r}",
                    line_of("tags", name, "parent"),
                    f"tags.{name}.parent",
                    f"did you mean {hint[0]!r}?" if hint else None,
                )
            ]
        if name in cycles:
            return [
                Problem(
                    path,
                    f"parent cycle through {cycles[name]!r}",
                    line_of("tags", name, "parent"),
                    f"tags.{name}.parent",
                )
            ]
        return []


def _alias_problems(
    path: str, line_of, name: str, tag: Tag, owners: dict[str, str]
) -> list[Problem]:
    """Labels and aliases of ``name`` that another tag already owns (in ``owners``)."""
    problems: list[Problem] = []
    for i, alias in enumerate([tag.en, tag.zh, *tag.aliases]):
        key = fold(alias)
        owner = owners.setdefault(key, name)
        if owner != name:
            field = f"tags.{name}.aliases[{i - 2}]" if i >= 2 else f"tags.{name}.{('en', 'zh')[i]}"
            loc = ("tags", name, "aliases", i - 2) if i >= 2 else ("tags", name, ("en", "zh")[i])
            problems.append(
                Problem(
                    path,
                    f"{alias!r} already names tag {owner!r}",
                    line_of(*loc),
                    field,
                    "each name, label and alias must belong to one tag",
                )
            )
    return problems
