"""Creating a new knowledge base, with the starter taxonomy unless asked for none."""

from __future__ import annotations

from pathlib import Path

from papernotes.errors import UsageError, WriteError
from papernotes.store.fsio import atomic_write

GITIGNORE = (
    "# papernotes caches (rebuilt automatically)\n.papernotes/\n"
    "# temp files of an interrupted write\n.*.tmp\n"
)
TAGS = "tags: {}\n"
TAXONOMIES = ("starter", "empty")


def starter_taxonomy() -> str:
    """The bilingual taxonomy shipped with papernotes (55 machine-learning tags)."""
    from importlib import resources

    return (
        resources.files("papernotes.data").joinpath("starter-tags.yaml").read_text(encoding="utf-8")
    )


def init_kb(root: Path, taxonomy: str = "starter") -> list[str]:
    """Create papers/, notes/, tags.yaml and .gitignore; never overwrite; returns what was created.

    ``taxonomy``: "starter" writes the shipped bilingual taxonomy, "empty" writes no tags."""
    if taxonomy not in TAXONOMIES:
        raise UsageError(f"unknown taxonomy {taxonomy!r}: choose {' or '.join(TAXONOMIES)}")
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a directory")
    created = []
    try:
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("papers", "notes"):
            if not (root / sub).is_dir():
                (root / sub).mkdir()
                created.append(sub + "/")
        if not (root / "tags.yaml").exists():
            atomic_write(root / "tags.yaml", starter_taxonomy() if taxonomy == "starter" else TAGS)
            created.append("tags.yaml" + (" (starter taxonomy)" if taxonomy == "starter" else ""))
        ignore = root / ".gitignore"
        if not ignore.exists():
            atomic_write(ignore, GITIGNORE)
            created.append(".gitignore")
        elif ".papernotes/" not in ignore.read_text(encoding="utf-8", errors="replace"):
            with ignore.open("a", encoding="utf-8") as handle:
                handle.write("\n" + GITIGNORE)
            created.append(".gitignore (appended)")
    except OSError as exc:
        raise WriteError(
            f"cannot create the knowledge base in {root}: {exc.strerror or exc}"
        ) from None
    return created
