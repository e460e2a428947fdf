"""Creating a new, empty knowledge base."""

from __future__ import annotations

from pathlib import Path

from papernotes.errors import UsageError, WriteError
from papernotes.store.yamlio import atomic_write

GITIGNORE = (
    "# papernotes caches (rebuilt automatically)\n.papernotes/\n"
    "# temp files of an interrupted write\n.*.tmp\n"
)
TAGS = "tags: {}\n"


def init_kb(root: Path) -> list[str]:
    """Create papers/, notes/, tags.yaml and .gitignore; never overwrite; returns what was created."""
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
            atomic_write(root / "tags.yaml", TAGS)
            created.append("tags.yaml")
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
