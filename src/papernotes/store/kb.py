"""The knowledge base on disk: where it is, its records, its taxonomy, its cache."""

from __future__ import annotations

import contextlib
import os
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papernotes.errors import (
    DataError,
    NoKnowledgeBaseError,
    NotFoundError,
    Problem,
    UsageError,
    WriteError,
)

if TYPE_CHECKING:
    from papernotes.model.record import Paper
    from papernotes.model.taxonomy import Taxonomy
    from papernotes.settings import Settings
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
    raise NoKnowledgeBaseError("the knowledge-base folder given is empty")


@dataclass
class Collection:
    """Every record that loaded, keyed by id, and every problem met on the way."""

    papers: dict[str, Paper] = field(default_factory=dict)
    loaded: list[Loaded] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class KnowledgeBase:
    def __init__(self, root: Path, settings: Settings | None = None):
        self.root = Path(root)
        # the user's settings, built once by the command line (None: the process's
        # environment, as a library user or a test has it)
        self.settings = settings
        self.papers_dir = self.root / "papers"
        self.notes_dir = self.root / "notes"
        self.tags_path = self.root / "tags.yaml"
        self._taxonomy: tuple[Taxonomy, list[Problem]] | None = None
        # Ids read by get() from a file named for another id: saving them would
        # overwrite the record of the paper they name (a copied template).
        self._misfiled: dict[str, Problem] = {}

    @classmethod
    def find(
        cls,
        option: str | Path | None = None,
        default: str | None = None,
        settings: Settings | None = None,
    ) -> KnowledgeBase:
        return cls(find_root(option, default=default), settings)

    @property
    def environ(self) -> Mapping[str, str]:
        """The environment the settings were read from."""
        return self.settings.environ if self.settings is not None else os.environ

    def variable(self, name: str) -> str | None:
        """A declared ``PAPERNOTES_*`` variable (see :data:`papernotes.settings.VARIABLES`)."""
        from papernotes.settings import variable

        return variable(name, self.environ)

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

    def note_paths(self) -> list[Path]:
        """The notes: every ``*.md`` file below notes/, in path order; hidden files and
        folders left out."""
        notes_dir = self.notes_dir
        if not notes_dir.is_dir():
            return []
        return sorted(
            p
            for p in notes_dir.rglob("*.md")
            if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(notes_dir).parts)
        )

    def record_count(self) -> int:
        """``len(self.record_paths())``, without building and sorting the paths."""
        try:
            names = os.listdir(self.papers_dir)
        except OSError:
            return 0
        return sum(1 for n in names if n.endswith(".yaml") and not n.startswith("."))

    def unread_paths(self) -> list[Problem]:
        """Entries of papers/ that look like records but are never read (``x.yml``, a folder)."""
        if not self.papers_dir.is_dir():
            return []
        problems = []
        # a name ending in .yaml is a record or, as a folder, reported by the loader: no
        # stat for those (one per record would be most of an unchanged 'validate')
        with os.scandir(self.papers_dir) as found:
            names = sorted(e.name for e in found if not e.name.endswith(".yaml"))
        for name in names:
            path = self.papers_dir / name
            if name.startswith("."):
                continue
            stem, dot, suffix = name.rpartition(".")
            if path.is_dir():
                problems.append(
                    Problem(
                        self.shown(path),
                        "not read: records are files directly in papers/, not in folders",
                    )
                )
            elif dot and suffix.casefold() in ("yaml", "yml") and suffix != "yaml":
                problems.append(
                    Problem(
                        self.shown(path),
                        "not read: records end in .yaml",
                        hint=f"rename it to papers/{stem}.yaml",
                    )
                )
        return problems

    def cache_location(self) -> Path:
        """Where the cache lives, without creating it."""
        override = self.variable(CACHE_ENV)
        if override:
            return Path(override)
        folder = self.root / CACHE_NAME
        if _writable_dir(folder):
            return folder
        base = Path(self.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        import hashlib  # only for a read-only knowledge base

        digest = hashlib.sha1(str(self.root.resolve()).encode()).hexdigest()[:16]
        return base / "papernotes" / digest

    def cache_dir(self) -> Path:
        """``.papernotes/`` under the root, or a per-root folder in the user cache when read-only."""
        folder = self.cache_location()
        managed = self._managed_by(folder, include_cache=False)
        if managed or folder.resolve() == self.root.resolve() or folder.resolve() == Path("/"):
            raise WriteError(
                f"cannot use {folder} as the cache folder: it is "
                f"{managed or 'not a folder of its own'}; set {CACHE_ENV} to an empty folder"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(
                f"cannot create the cache folder {folder}: {exc.strerror or exc}"
            ) from None
        return folder

    # -- what the tool manages -----------------------------------------------------------
    def _managed_by(self, path: Path, include_cache: bool = True) -> str | None:
        """What of the knowledge base ``path`` resolves into (symlinks followed), or None."""
        try:
            target = Path(os.path.realpath(path))
            root = self.root.resolve()
        except (OSError, RuntimeError, ValueError):
            return None
        places = [
            (root / "papers", "the records in papers/", True),
            (root / "notes", "the notes in notes/", True),
            (root / "tags.yaml", "the taxonomy tags.yaml", False),
        ]
        if include_cache:
            with contextlib.suppress(OSError, RuntimeError, ValueError):
                places.append(
                    (Path(os.path.realpath(self.cache_location())), "the cache folder", True)
                )
        for place, what, folder in places:
            if target == place or (folder and place in target.parents):
                return what
        return None

    def check_output(self, path: Path, shown: str | None = None) -> None:
        """Refuse (exit 2) an output file that would replace something papernotes manages."""
        what = self._managed_by(path)
        if what:
            raise UsageError(
                f"cannot write {shown or path}: it is inside {what}, managed by papernotes; "
                "choose a path outside papers/, notes/, tags.yaml and the cache"
            )

    def write_output(self, path: Path, content: str | bytes, shown: str | None = None) -> None:
        """The one writer of user-chosen output files (export -o, graph -o): the folder
        must exist and the file must not be one the knowledge base is made of."""
        from papernotes.store.fsio import atomic_write

        shown = shown or str(path)
        if not path.parent.is_dir():
            raise UsageError(f"cannot write {shown}: folder {str(path.parent)!r} does not exist")
        self.check_output(path, shown)
        atomic_write(path, content, shown)

    def write_managed(self, path: Path, content: str | bytes, shown: str) -> None:
        """Write a record or tags.yaml: never bigger than papernotes reads back."""
        from papernotes.store.fsio import MAX_FILE_BYTES, atomic_write

        data = content.encode("utf-8") if isinstance(content, str) else content
        if len(data) > MAX_FILE_BYTES:
            raise UsageError(
                f"{shown} would be {len(data) / 1e6:.1f} MB, more than the "
                f"{MAX_FILE_BYTES // 2**20} MiB papernotes reads back; not saved "
                "(long texts belong in notes/)"
            )
        _warn_of_lost_comments(path, data, shown)
        atomic_write(path, data, shown)

    # -- taxonomy --------------------------------------------------------------
    def taxonomy_checked(self, indexed: Taxonomy | None = None) -> tuple[Taxonomy, list[Problem]]:
        """The taxonomy and the problems of tags.yaml. ``indexed``: the search index's copy
        of a tags.yaml that had no problems (read without YAML or the models), taken as it
        is; None reads the file."""
        if indexed is not None:
            return indexed, []
        if self._taxonomy is None:
            from papernotes.store.records import load_taxonomy

            taxonomy, problems, _ = load_taxonomy(self.tags_path, self.shown(self.tags_path))
            self._taxonomy = (taxonomy, problems)
        return self._taxonomy

    def taxonomy(self, indexed: Taxonomy | None = None) -> Taxonomy:
        """The taxonomy; tolerant of problems (validate reports them). ``indexed``: as for
        :meth:`taxonomy_checked`."""
        return self.taxonomy_checked(indexed)[0]

    def save_taxonomy(self, taxonomy: Taxonomy) -> None:
        from papernotes.store.records import dump_taxonomy

        self.write_managed(self.tags_path, dump_taxonomy(taxonomy), self.shown(self.tags_path))
        self._taxonomy = None

    # -- records ---------------------------------------------------------------
    def load_path(self, path: Path) -> Loaded:
        from papernotes.store.records import Loaded, load_record

        shown = self.shown(path)
        refused = self.symlink_problem(path)
        if refused:
            return Loaded(path, shown, problems=[Problem(shown, refused)])
        return load_record(path, shown)

    def symlink_problem(self, path: Path) -> str | None:
        """Why a symlink in papers/ or notes/ is not followed: it loops or leaves the root.

        A cloned knowledge base must not make papernotes read (and print) files
        such as ~/.ssh/id_rsa through papers/x.yaml -> /home/me/.ssh/id_rsa.
        Any link on the way counts (notes/sub -> /etc, then notes/sub/x.md).
        """
        if not path.is_symlink() and (
            path.parent == self.papers_dir  # a record: no folder of ours on the way
            or not any(p.is_symlink() for p in self._parents_below_root(path))
        ):
            return None
        try:
            target = path.resolve(strict=False)
        except (OSError, RuntimeError):
            return "is a symbolic link loop; not read"
        for inside in (self.root.resolve(), self.papers_dir.resolve()):
            if target == inside or inside in target.parents:
                return None
        folder = "papers/" if self.papers_dir in path.parents else "notes/"
        return (
            f"is a symbolic link to {target}, outside the knowledge base; not read "
            f"(copy the file into {folder} instead)"
        )

    def _parents_below_root(self, path: Path) -> list[Path]:
        """The folders between notes/ and ``path`` (notes/ may have subfolders)."""
        return [p for p in path.parents if self.notes_dir in p.parents]

    def load_all(self, progress=None) -> Collection:
        with gc_paused():
            return self._load_all(progress)

    def _load_all(self, progress=None) -> Collection:
        from papernotes.model.ids import filename_for

        out = Collection()
        by_id: dict[str, Loaded] = {}
        for path in self.record_paths():
            loaded = self.load_path(path)
            out.loaded.append(loaded)
            out.problems.extend(loaded.problems)
            if loaded.paper is not None:
                pid = loaded.paper.id
                first = by_id.get(pid)
                if first is not None:
                    # The file named for the id is the record; a copy beside it
                    # ('X copy.yaml' sorts first) is the duplicate, whatever the order.
                    keep, extra = first, loaded
                    if path.name == filename_for(pid) and first.path.name != path.name:
                        keep, extra = loaded, first
                        by_id[pid] = loaded
                        out.papers[pid] = loaded.paper
                    out.problems.append(
                        Problem(
                            extra.shown, f"duplicate id {pid!r} (also in {keep.shown})", 1, "id"
                        )
                    )
                    continue
                by_id[pid] = loaded
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
        if loaded.paper.id != paper_id:
            mismatch = [p for p in loaded.problems if p.field == "id"]
            self._misfiled[loaded.paper.id] = (
                mismatch[0] if mismatch else Problem(loaded.shown, "id does not match", 1, "id")
            )
        return loaded.paper

    def ids(self) -> list[str]:
        from papernotes.model.ids import id_from_filename

        return [id_from_filename(p.name) for p in self.record_paths()]

    def _close_hint(self, paper_id: str) -> str:
        from difflib import get_close_matches

        ids = self.ids()
        folded = {i.casefold(): i for i in ids}
        close = [folded[paper_id.casefold()]] if paper_id.casefold() in folded else []
        close += [i for i in get_close_matches(paper_id, ids, n=3, cutoff=0.6) if i not in close]
        return f" (did you mean {', '.join(repr(c) for c in close[:3])}?)" if close else ""

    def save(self, paper: Paper) -> Path:
        """Validate and write one record atomically; returns its path."""
        path, data = self.check_save(paper)
        self.write_managed(path, data, self.shown(path))
        return path

    def check_save(self, paper: Paper) -> tuple[Path, bytes]:
        """What ``save`` would write where; raises if the write would destroy anything.

        Refused: an invalid record; a record read from a file named for another id (it
        would overwrite that paper's record); a file at the target that holds another
        id or does not load; a new file beside one that already holds the id under
        another name; more bytes than papernotes reads back.
        """
        from pydantic import ValidationError

        from papernotes.model.ids import filename_for, id_from_filename
        from papernotes.model.record import Paper
        from papernotes.store.fsio import MAX_FILE_BYTES
        from papernotes.store.records import dump_record, validation_problems

        try:
            paper = Paper.model_validate(paper.model_dump())
        except ValidationError as exc:  # a caller's bug or bad input: never write it
            shown = self.shown(self.papers_dir / f"{getattr(paper, 'id', '?')}.yaml")
            raise DataError(validation_problems(exc, shown, None, Paper)) from None
        if not self.papers_dir.is_dir():
            raise WriteError(f"{self.shown(self.papers_dir)}/ is missing; run 'papernotes init'")
        if paper.id in self._misfiled:
            raise DataError([self._misfiled[paper.id]])
        path = self.path_for(paper.id)
        shown = self.shown(path)
        if path.exists() or path.is_symlink():
            there = self.load_path(path)
            if there.paper is None:
                raise DataError(there.problems)
            if there.paper.id != paper.id:
                raise DataError([p for p in there.problems if p.field == "id"] or there.problems)
        else:
            wanted = unicodedata.normalize("NFC", paper.id)
            for other in self.papers_dir.iterdir():
                if other.name.endswith(".yaml") and (
                    unicodedata.normalize("NFC", id_from_filename(other.name)) == wanted
                ):
                    raise DataError(
                        [
                            Problem(
                                self.shown(other),
                                f"already holds {paper.id!r} under a name papernotes "
                                "does not look up",
                                1,
                                None,
                                f"rename it to papers/{filename_for(paper.id)}",
                            )
                        ]
                    )
        data = dump_record(paper).encode("utf-8")
        if len(data) > MAX_FILE_BYTES:
            self.write_managed(path, data, shown)  # raises the size error
        return path, data

    @contextlib.contextmanager
    def lock(self, timeout: float = 30.0) -> Iterator[None]:
        """An exclusive lock for read-modify-write of records (one writer at a time)."""
        from papernotes.store.fsio import flock

        try:
            lock_path = self.cache_dir() / "write.lock"
        except OSError as exc:
            raise WriteError(f"cannot lock the knowledge base: {exc.strerror or exc}") from None
        busy = f"another papernotes process has held the write lock for {timeout:.0f} s; try again"
        with flock(lock_path, timeout=timeout, what="the knowledge base", busy=busy):
            yield


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


def _warn_of_lost_comments(path: Path, data: bytes, shown: str) -> None:
    """Records and tags.yaml are rewritten whole, in canonical form: say so when that
    drops comments a person wrote."""
    from papernotes.errors import notice
    from papernotes.store.fsio import MAX_FILE_BYTES
    from papernotes.store.yamlio import has_comments

    try:
        with path.open("rb") as handle:
            old = handle.read(MAX_FILE_BYTES + 1).decode("utf-8", "replace")
    except OSError:
        return
    if has_comments(old) and not has_comments(data.decode("utf-8", "replace")):
        notice(f"{shown}: its YAML comments were not kept (papernotes rewrites the whole file)")
