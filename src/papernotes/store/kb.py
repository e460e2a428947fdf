"""The knowledge base on disk: where it is, its records, its taxonomy, its cache."""

from __future__ import annotations

import contextlib
import difflib
import errno
import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papernotes.errors import DataError, NoKnowledgeBaseError, NotFoundError, Problem, WriteError

if TYPE_CHECKING:
    from papernotes.model.record import Paper
    from papernotes.model.taxonomy import Taxonomy
    from papernotes.store.records import Loaded

# The model and YAML modules (pydantic, yaml) load inside the methods that need them, so a
# search on a fresh index starts without them.

ROOT_ENV = "PAPERNOTES_ROOT"  # read by papernotes.settings
CACHE_ENV = "PAPERNOTES_CACHE_DIR"
CACHE_NAME = ".papernotes"


def find_root(
    option: str | Path | None = None, cwd: Path | None = None, default: str | None = None
) -> Path:
    """``--root``, else ``$PAPERNOTES_ROOT``, else the nearest parent holding papers/ and
    tags.yaml, else ``default`` (the config file's ``root``)."""
    from papernotes.settings import config_path, env_root

    given = option or env_root()
    if given:
        return _given_root(str(given))
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "papers").is_dir() and (folder / "tags.yaml").is_file():
            return folder
    if default:
        try:
            return _given_root(default)
        except NoKnowledgeBaseError as exc:
            raise NoKnowledgeBaseError(f"{exc} (the default 'root' in {config_path()})") from None
    raise NoKnowledgeBaseError(
        f"no knowledge base in {start} or its parents (no papers/ and tags.yaml); "
        f"run 'papernotes init', pass --root DIR, set {ROOT_ENV}, or set root = \"DIR\" "
        f"in {config_path()}"
    )


def _given_root(given: str) -> Path:
    if given:
        root = Path(given).expanduser()
        shown = repr(given) if len(given) <= 200 else repr(given[:100] + "...")
        init = f"papernotes init {given}" if len(given) <= 200 else "papernotes init DIR"
        try:
            if root.exists() and not root.is_dir():
                raise NoKnowledgeBaseError(f"knowledge base {shown} is a file, not a directory")
            if not root.is_dir():
                raise NoKnowledgeBaseError(f"knowledge base {shown} does not exist (run '{init}')")
            if not (root / "papers").is_dir():
                raise NoKnowledgeBaseError(f"{shown} has no papers/ folder (run '{init}')")
            return root.resolve()
        except (OSError, ValueError) as exc:  # name too long, NUL byte, loops
            reason = getattr(exc, "strerror", None) or str(exc)
            raise NoKnowledgeBaseError(f"knowledge base {shown} cannot be used: {reason}") from None


@dataclass
class Collection:
    """Every record that loaded, keyed by id, and every problem met on the way."""

    papers: dict[str, Paper] = field(default_factory=dict)
    loaded: list[Loaded] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class KnowledgeBase:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.papers_dir = self.root / "papers"
        self.notes_dir = self.root / "notes"
        self.tags_path = self.root / "tags.yaml"
        self._taxonomy: tuple[Taxonomy, list[Problem]] | None = None

    @classmethod
    def find(cls, option: str | Path | None = None, default: str | None = None) -> KnowledgeBase:
        return cls(find_root(option, default=default))

    # -- paths -----------------------------------------------------------------
    def shown(self, path: Path) -> str:
        """A path as users see it in messages: relative to the root when inside it."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def path_for(self, paper_id: str) -> Path:
        from papernotes.model.ids import filename_for

        return self.papers_dir / filename_for(paper_id)

    def record_paths(self) -> list[Path]:
        if not self.papers_dir.is_dir():
            return []
        return sorted(
            p
            for p in self.papers_dir.iterdir()
            if p.name.endswith(".yaml") and not p.name.startswith(".")
        )

    def record_count(self) -> int:
        """``len(self.record_paths())``, without building and sorting the paths."""
        try:
            names = os.listdir(self.papers_dir)
        except OSError:
            return 0
        return sum(1 for n in names if n.endswith(".yaml") and not n.startswith("."))

    def cache_dir(self) -> Path:
        """``.papernotes/`` under the root, or a per-root folder in the user cache when read-only."""
        override = os.environ.get(CACHE_ENV)
        if override:
            folder = Path(override)
        else:
            folder = self.root / CACHE_NAME
            if not _writable_dir(folder):
                base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                digest = hashlib.sha1(str(self.root.resolve()).encode()).hexdigest()[:16]
                folder = base / "papernotes" / digest
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    # -- taxonomy --------------------------------------------------------------
    def taxonomy_checked(self) -> tuple[Taxonomy, list[Problem]]:
        if self._taxonomy is None:
            from papernotes.store.records import load_taxonomy

            taxonomy, problems, _ = load_taxonomy(self.tags_path, self.shown(self.tags_path))
            self._taxonomy = (taxonomy, problems)
        return self._taxonomy

    def taxonomy(self) -> Taxonomy:
        """The taxonomy; tolerant of problems (validate reports them)."""
        return self.taxonomy_checked()[0]

    def save_taxonomy(self, taxonomy: Taxonomy) -> None:
        from papernotes.store.records import dump_taxonomy
        from papernotes.store.yamlio import atomic_write

        atomic_write(self.tags_path, dump_taxonomy(taxonomy), self.shown(self.tags_path))
        self._taxonomy = None

    # -- records ---------------------------------------------------------------
    def load_path(self, path: Path) -> Loaded:
        from papernotes.store.records import Loaded, load_record

        shown = self.shown(path)
        refused = self._symlink_problem(path)
        if refused:
            return Loaded(path, shown, problems=[Problem(shown, refused)])
        return load_record(path, shown)

    def _symlink_problem(self, path: Path) -> str | None:
        """Why a record symlink is not followed: it loops or leaves the root and papers/.

        A cloned knowledge base must not make papernotes read (and print) files
        such as ~/.ssh/id_rsa through papers/x.yaml -> /home/me/.ssh/id_rsa.
        """
        if not path.is_symlink():
            return None
        try:
            target = path.resolve(strict=False)
        except (OSError, RuntimeError):
            return "is a symbolic link loop; not read"
        for inside in (self.root.resolve(), self.papers_dir.resolve()):
            if target == inside or inside in target.parents:
                return None
        return (
            f"is a symbolic link to {target}, outside the knowledge base; not read "
            "(copy the file into papers/ instead)"
        )

    def load_all(self, progress=None) -> Collection:
        with gc_paused():
            return self._load_all(progress)

    def _load_all(self, progress=None) -> Collection:
        out = Collection()
        by_id: dict[str, str] = {}
        for path in self.record_paths():
            loaded = self.load_path(path)
            out.loaded.append(loaded)
            out.problems.extend(loaded.problems)
            if loaded.paper is not None:
                pid = loaded.paper.id
                if pid in by_id:
                    out.problems.append(
                        Problem(
                            loaded.shown, f"duplicate id {pid!r} (also in {by_id[pid]})", 1, "id"
                        )
                    )
                    continue
                by_id[pid] = loaded.shown
                out.papers[pid] = loaded.paper
            if progress:
                progress()
        return out

    def exists(self, paper_id: str) -> bool:
        from papernotes.model.ids import is_valid_id

        return is_valid_id(paper_id) and self.path_for(paper_id).is_file()

    def get(self, paper_id: str) -> Paper:
        """One record by canonical id; NotFoundError with close matches if there is none."""
        path = self.path_for(paper_id)
        if not path.is_file():
            raise NotFoundError(f"no paper {paper_id!r}{self._close_hint(paper_id)}")
        loaded = self.load_path(path)
        if loaded.paper is None:
            raise DataError(loaded.problems)
        return loaded.paper

    def ids(self) -> list[str]:
        from papernotes.model.ids import id_from_filename

        return [id_from_filename(p.name) for p in self.record_paths()]

    def _close_hint(self, paper_id: str) -> str:
        ids = self.ids()
        folded = {i.casefold(): i for i in ids}
        close = [folded[paper_id.casefold()]] if paper_id.casefold() in folded else []
        close += [
            i for i in difflib.get_close_matches(paper_id, ids, n=3, cutoff=0.6) if i not in close
        ]
        return f" (did you mean {', '.join(repr(c) for c in close[:3])}?)" if close else ""

    def save(self, paper: Paper) -> Path:
        """Validate and write one record atomically; returns its path."""
        from pydantic import ValidationError

        from papernotes.model.record import Paper
        from papernotes.store.records import dump_record, validation_problems
        from papernotes.store.yamlio import atomic_write

        try:
            paper = Paper.model_validate(paper.model_dump())
        except ValidationError as exc:  # a caller's bug or bad input: never write it
            shown = self.shown(self.papers_dir / f"{getattr(paper, 'id', '?')}.yaml")
            raise DataError(validation_problems(exc, shown, None, Paper)) from None
        if not self.papers_dir.is_dir():
            raise WriteError(f"{self.shown(self.papers_dir)}/ is missing; run 'papernotes init'")
        path = self.path_for(paper.id)
        atomic_write(path, dump_record(paper), self.shown(path))
        return path

    @contextlib.contextmanager
    def lock(self, timeout: float = 30.0) -> Iterator[None]:
        """An exclusive lock for read-modify-write of records (one writer at a time)."""
        import fcntl

        try:
            lock_path = self.cache_dir() / "write.lock"
            handle = open(lock_path, "a+")  # noqa: SIM115
        except OSError as exc:
            raise WriteError(f"cannot lock the knowledge base: {exc.strerror or exc}") from None
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise WriteError(
                            f"cannot lock the knowledge base: {exc.strerror}"
                        ) from None
                    if time.monotonic() > deadline:
                        raise WriteError(
                            f"another papernotes process has held the write lock for {timeout:.0f} s; try again"
                        ) from None
                    time.sleep(0.02)
            yield
        finally:
            handle.close()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while many records load: each collection would walk
    every object loaded so far, which made loading grow faster than the number of files.
    Records hold no reference cycles; one collection runs at the end."""
    import gc

    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _writable_dir(folder: Path) -> bool:
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)
