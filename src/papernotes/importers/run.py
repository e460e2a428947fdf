"""``papernotes import``: read, parse, resolve and merge notes files into the knowledge base.

Every file is read and parsed before anything is written, so a bad file changes
nothing. Writing holds the knowledge base's write lock and goes through
``KnowledgeBase.save`` (validated, atomic), one record at a time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from papernotes.errors import Problem
from papernotes.importers import importer_for
from papernotes.importers.markers import apply_markers
from papernotes.importers.merge import MergeResult, PaperChange, merge
from papernotes.importers.parse import ParsedFile, paper_kind
from papernotes.importers.resolve import resolve
from papernotes.importers.source import read_notes_file
from papernotes.importers.tagging import Tagger
from papernotes.metadata.catalog import lookup
from papernotes.model.record import Paper
from papernotes.rows import row
from papernotes.store.kb import KnowledgeBase
from papernotes.store.keys import keys_in_use, with_new_keys

# progress(stage, done, total): stage is "parse" or "write".
Progress = Callable[[str, int, int], None]


KINDS = ("openreview", "arxiv", "doi", "other")


@dataclass
class FileSummary:
    path: str
    source: str
    encoding: str
    entries: int
    notes: int
    kinds: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return row(self, "path", "source", "encoding", "entries", "notes", "kinds")


@dataclass
class ImportReport:
    dry_run: bool
    files: list[FileSummary] = field(default_factory=list)
    papers: list[PaperChange] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    related_found: int = 0
    related_added: int = 0
    refs_found: int = 0

    def ids(self, action: str) -> list[str]:
        return [p.id for p in self.papers if p.action == action]

    @property
    def notes_added(self) -> int:
        return sum(len(p.notes_added) for p in self.papers)

    @property
    def notes_updated(self) -> int:
        return sum(len(p.notes_updated) for p in self.papers)

    @property
    def refs_added(self) -> int:
        return sum(len(p.refs_added) for p in self.papers)

    def kinds(self) -> Counter:
        """Entries per kind of paper (openreview, arxiv, doi, other) over all files."""
        total: Counter = Counter()
        for summary in self.files:
            total.update(summary.kinds)
        return total

    def needs_metadata(self) -> list[str]:
        """New OpenReview and arXiv records the offline catalog does not know: `refresh`
        fetches their metadata (there is no metadata source for DOIs)."""
        return [
            p.id
            for p in self.papers
            if p.action == "created"
            and not p.from_catalog
            and paper_kind(p.id) in ("openreview", "arxiv")
        ]

    def tag_counts(self) -> Counter:
        return Counter(tag for p in self.papers for tag in p.tags_added)

    def to_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "files": [f.to_dict() for f in self.files],
            "created": self.ids("created"),
            "updated": self.ids("updated"),
            "unchanged": self.ids("unchanged"),
            "skipped": self.ids("skipped"),
            "kinds": dict(self.kinds()),
            "needs_metadata": self.needs_metadata(),
            "notes_added": self.notes_added,
            "notes_updated": self.notes_updated,
            "related_found": self.related_found,
            "related_added": self.related_added,
            "refs_found": self.refs_found,
            "refs_added": self.refs_added,
            "tags_suggested": {p.id: p.tags_added for p in self.papers if p.tags_added},
            "warnings": [w.to_dict() for w in self.warnings],
            "papers": [p.to_dict() for p in self.papers],
        }


def source_name(kb: KnowledgeBase, path: Path) -> str:
    """What a note records as its source: the path relative to the knowledge base, or the
    absolute path of a file outside it (two files called reading.md stay two sources)."""
    real = path.resolve()
    try:
        return real.relative_to(kb.root.resolve()).as_posix()
    except ValueError:
        return real.as_posix()


def parse_files(
    kb: KnowledgeBase, paths: list[Path], progress: Progress | None = None
) -> list[ParsedFile]:
    """Read and parse every file first: a file that cannot be read stops the import."""
    parsed: list[ParsedFile] = []
    seen: set[Path] = set()
    for n, path in enumerate(paths, 1):
        shown = str(path)
        real = path.resolve() if path.exists() else path
        if real in seen:
            continue
        seen.add(real)
        text, encoding = read_notes_file(path, shown)
        result = importer_for(path, text).parse(text, source_name(kb, path), shown)
        result.encoding = encoding
        parsed.append(result)
        if progress:
            progress("parse", n, len(paths))
    return parsed


def import_files(
    kb: KnowledgeBase,
    paths: list[Path],
    *,
    dry_run: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
    markers: bool = False,
) -> ImportReport:
    """Import notes files into ``kb``; with ``dry_run`` only report what would change.
    ``markers`` also reads reading markers from notes imported before (see
    :mod:`papernotes.importers.markers`)."""
    today = today or dt.date.today()
    files = parse_files(kb, paths, progress)
    taxonomy = kb.taxonomy()
    resolution = resolve(files, lookup, taxonomy)
    report = ImportReport(dry_run=dry_run)
    for parsed in files:
        report.files.append(
            FileSummary(
                parsed.shown,
                parsed.source,
                parsed.encoding,
                len(parsed.entries),
                sum(1 for e in parsed.entries if e.note),
                dict(Counter(e.kind for e in parsed.entries)),
            )
        )
        report.warnings.extend(parsed.warnings)
    wanted = set(resolution.papers) | {link.b for link in resolution.links}
    with contextlib.nullcontext() if dry_run else kb.lock():
        existing, broken = _load(kb, wanted)
        result: MergeResult = merge(
            resolution, existing, broken, Tagger(taxonomy), today, _source_exists(kb)
        )
        _key_new_records(kb, result)
        apply_markers(result, resolution, existing, today, rederive=markers)
        changed = result.changed()
        if not dry_run:
            for change in changed:  # every record checked before the first is written
                assert change.paper is not None
                kb.check_save(change.paper)
            for n, change in enumerate(changed, 1):
                assert change.paper is not None
                kb.save(change.paper)
                if progress:
                    progress("write", n, len(changed))
    report.papers = result.changes
    report.warnings = _sorted_warnings(report.warnings + result.warnings, files)
    report.related_found = result.related_found
    report.related_added = result.related_linked
    report.refs_found = result.refs_found
    return report


def _source_exists(kb: KnowledgeBase) -> Callable[[str], bool]:
    def exists(source: str) -> bool:
        path = Path(source)
        return (path if path.is_absolute() else kb.root / path).exists()

    return exists


def _key_new_records(kb: KnowledgeBase, result: MergeResult) -> None:
    """Each created record gets its citation key now, unique in the knowledge base."""
    created = [c for c in result.changes if c.action == "created"]
    if not any(c.paper is not None for c in created):
        return
    taken, _ = keys_in_use(kb)
    for change in created:
        if change.paper is not None:
            change.paper = with_new_keys([change.paper], taken)[0]


def _load(kb: KnowledgeBase, ids: set[str]) -> tuple[dict[str, Paper], dict[str, str]]:
    existing: dict[str, Paper] = {}
    broken: dict[str, str] = {}
    for pid in sorted(ids):
        if not kb.exists(pid):
            continue
        loaded = kb.load_path(kb.path_for(pid))
        if loaded.paper is None:
            broken[pid] = str(loaded.problems[0]) if loaded.problems else "invalid record"
        elif loaded.paper.id != pid:  # a copied template: its id names another paper
            broken[pid] = str(next(p for p in loaded.problems if p.field == "id"))
        else:
            existing[pid] = loaded.paper
    return existing, broken


def _sorted_warnings(warnings: list[Problem], files: list[ParsedFile]) -> list[Problem]:
    """In file order (as given on the command line), then by line."""
    order = {parsed.shown: n for n, parsed in enumerate(files)}
    unique = list(dict.fromkeys(warnings))
    return sorted(unique, key=lambda w: (order.get(w.path, len(order)), w.line or 0))
