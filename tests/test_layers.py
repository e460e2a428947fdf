"""The package map is a stack of layers: a package imports only from layers below its own.

Every ``import`` in ``src/papernotes`` is read with ``ast``, including the ones inside
functions (a lazy import is still a dependency). A package is the first name below
``papernotes`` (``papernotes.store.kb`` is in ``store``; ``papernotes.text`` is ``text``).
Three rules:

- no upward edge: a package imports only packages in lower layers (siblings in one layer
  do not import each other);
- no cycle between packages;
- no import of another package's private (``_name``) function, class or module.

A new package must be given a layer here, which is where its place in the map is decided.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "papernotes"

# Lowest first. What each package holds: the layout table in the README ("Development").
LAYERS: list[set[str]] = [
    {"papernotes", "rows"},  # the version; result objects as --json rows
    {"errors"},  # ExitCode and the error types
    {"text", "reading", "settings", "registry"},  # tokenizer; reading words; config; loader
    {"model", "glossary", "filters"},  # records, taxonomy; glossary; search filters
    {"store"},  # the knowledge base on disk: YAML, notes/, atomic writes, the lock
    {"relate", "metadata"},  # evidence and ranking of related papers; metadata fetching
    {"index"},  # the SQLite read model and search
    {"views", "checks", "export", "importers"},  # reports; validate/fmt; formats; importers
    {"site", "edit", "share"},  # static site; writing use cases; git sharing
    {"cli"},  # click commands
    {"entry"},  # the console script
    {"__main__"},  # python -m papernotes
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _exists(module: str) -> bool:
    path = SRC.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imports() -> list[tuple[str, int, str, str | None]]:
    """(importing module's file, line, imported module, imported name or None)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        module = _module_name(path)
        here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        shown = str(path.relative_to(SRC.parent))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), shown)):
            if isinstance(node, ast.Import):
                found += [(shown, node.lineno, alias.name, None) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = here[: len(here) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                for alias in node.names:
                    # `from papernotes.store import kb` imports the module papernotes.store.kb
                    if _exists(f"{base}.{alias.name}"):
                        found.append((shown, node.lineno, f"{base}.{alias.name}", None))
                    else:
                        found.append((shown, node.lineno, base, alias.name))
    return [edge for edge in found if edge[2].split(".")[0] == "papernotes"]


def _from(shown: str) -> str:
    return _package(shown.removesuffix(".py").replace("/", "."))


def package_edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for shown, line, module, _name in imports():
        a, b = _from(shown), _package(module)
        if a != b:
            edges[a, b].append(f"{shown}:{line}")
    return edges


def test_the_walk_sees_imports_at_the_top_and_inside_functions():
    seen = {(_from(shown), _package(module)) for shown, _line, module, _name in imports()}
    # cli/commands/*.py import the store both at the top and inside command functions
    assert ("cli", "store") in seen and ("cli", "errors") in seen
    inside = [
        (shown, line)
        for shown, line, module, _name in imports()
        if shown.endswith("cli/commands/search.py") and module.startswith("papernotes.index")
    ]
    assert inside, "the lazy imports of the index in cli/commands/search.py were not seen"


def test_every_package_has_a_layer():
    packages = {_package(_module_name(path)) for path in SRC.rglob("*.py")}
    assert packages - set(LAYER) == set(), "give each new package a layer in LAYERS"
    assert set(LAYER) - packages == set(), "a package in LAYERS no longer exists"


def test_no_upward_or_sideways_import():
    wrong = [
        f"{where}: {a} (layer {LAYER.get(a)}) imports {b} (layer {LAYER.get(b)})"
        for (a, b), places in sorted(package_edges().items())
        if LAYER.get(b, 99) >= LAYER.get(a, -1)
        for where in places
    ]
    assert not wrong, "\n".join(wrong)


def _cycles(edges) -> list[list[str]]:
    graph = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    found, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_cycle_finder_finds_a_cycle():
    assert _cycles({("a", "b"), ("b", "c"), ("c", "a")}) == [["a", "b", "c", "a"]]
    assert _cycles({("a", "b"), ("b", "c")}) == []


def test_no_import_cycle_between_packages():
    cycles = _cycles(package_edges())
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def _private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


@pytest.mark.parametrize("kind", ["name", "module"])
def test_no_import_of_another_packages_private_names(kind):
    wrong = []
    for shown, line, module, name in imports():
        if _from(shown) == _package(module):
            continue
        parts = module.split(".")[1:]
        if kind == "name" and name is not None and _private(name):
            wrong.append(f"{shown}:{line}: {module}.{name}")
        if kind == "module" and any(_private(p) for p in parts):
            wrong.append(f"{shown}:{line}: {module}")
    assert not wrong, "\n".join(wrong)
