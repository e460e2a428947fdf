"""Canonical formatting: what ``papernotes fmt`` rewrites and ``fmt --check`` reports."""

from __future__ import annotations

from dataclasses import dataclass

from papernotes.model.record import Paper
from papernotes.model.taxonomy import Taxonomy
from papernotes.store.kb import KnowledgeBase
from papernotes.store.records import dump_record, dump_taxonomy


@dataclass
class FmtResult:
    path: str
    changed: bool
    error: str | None = None


def canonical_paper(paper: Paper, taxonomy: Taxonomy) -> Paper:
    """The record with tag aliases replaced by canonical names (order kept, duplicates dropped)."""
    tags: list[str] = []
    for tag in paper.tags:
        name = taxonomy.resolve(tag) or tag
        if name not in tags:
            tags.append(name)
    return paper.model_copy(update={"tags": tags}) if tags != paper.tags else paper


def format_kb(kb: KnowledgeBase, check: bool = False) -> list[FmtResult]:
    if check:
        return _format(kb, check=True)
    # Rewriting is read-modify-write: without the lock, a record saved by another
    # papernotes process between our read and our rename would be lost.
    with kb.lock():
        _remove_leftovers(kb)
        return _format(kb, check=False)


def _remove_leftovers(kb: KnowledgeBase) -> None:
    """Temp files of writes killed midway (``papers/.X.yaml.abc123.tmp``). Every write of a
    record or tags.yaml holds the lock we hold, so none of them is in use."""
    folders = [(kb.papers_dir, ".*.yaml.*.tmp"), (kb.root, ".tags.yaml.*.tmp")]
    for folder, pattern in folders:
        for stale in folder.glob(pattern):
            if stale.is_file() and not stale.is_symlink():
                stale.unlink(missing_ok=True)


def _format(kb: KnowledgeBase, check: bool) -> list[FmtResult]:
    taxonomy, tax_problems = kb.taxonomy_checked()
    # Replace aliases only from a sound taxonomy: with an alias shared by two tags,
    # resolve() would silently pick the first one.
    aliases = Taxonomy() if tax_problems else taxonomy
    results: list[FmtResult] = []
    if kb.tags_path.exists():
        shown = kb.shown(kb.tags_path)
        if tax_problems and not taxonomy.tags:
            results.append(FmtResult(shown, False, str(tax_problems[0])))
        elif not tax_problems:
            want = dump_taxonomy(taxonomy).encode("utf-8")
            if want != kb.tags_path.read_bytes():
                results.append(FmtResult(shown, True))
                if not check:
                    kb.write_managed(kb.tags_path, want, shown)
            else:
                results.append(FmtResult(shown, False))
    for path in kb.record_paths():
        loaded = kb.load_path(path)
        if loaded.paper is None:
            results.append(FmtResult(loaded.shown, False, str(loaded.problems[0])))
            continue
        want = dump_record(canonical_paper(loaded.paper, aliases)).encode("utf-8")
        changed = want != loaded.raw
        results.append(FmtResult(loaded.shown, changed))
        if changed and not check:
            kb.write_managed(path, want, loaded.shown)
    return results
