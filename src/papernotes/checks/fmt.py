"""Canonical formatting: what ``papernotes fmt`` rewrites and ``fmt --check`` reports."""

from __future__ import annotations

from dataclasses import dataclass

from papernotes.model.citekey import citation_keys
from papernotes.model.record import Paper
from papernotes.model.taxonomy import Taxonomy
from papernotes.store.kb import KnowledgeBase
from papernotes.store.records import dump_record, dump_taxonomy


@dataclass
class FmtResult:
    path: str
    changed: bool
    error: str | None = None


def canonical_paper(paper: Paper, taxonomy: Taxonomy, key: str | None = None) -> Paper:
    """The record with tag aliases replaced by canonical names (order kept, duplicates
    dropped) and, when it has none, the citation key ``key`` stored."""
    update: dict = {}
    tags = _canonical_tags(paper.tags, taxonomy)
    if tags != paper.tags:
        update["tags"] = tags
    if paper.key is None and key:
        update["key"] = key
    return paper.model_copy(update=update) if update else paper


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
    if check:
        from papernotes.errors import WriteError

        try:
            results.extend(_check_from_index(kb, aliases))
            return results
        except WriteError:  # no usable index: read every file
            pass
    records = [kb.load_path(path) for path in kb.record_paths()]
    # A record without a key gets the one exports gave it so far (over the whole
    # knowledge base), so citations written against earlier exports keep working.
    keys = citation_keys(r.paper for r in records if r.paper is not None)
    # ... but a record with problems (an id that does not match its file) gets none yet.
    troubled = {r.paper.id for r in records if r.paper is not None and r.problems}
    keys = {pid: k for pid, k in keys.items() if pid not in troubled}
    for loaded in records:
        path = loaded.path
        if loaded.paper is None:
            results.append(FmtResult(loaded.shown, False, str(loaded.problems[0])))
            continue
        paper = canonical_paper(loaded.paper, aliases, keys.get(loaded.paper.id))
        want = dump_record(paper).encode("utf-8")
        changed = want != loaded.raw
        results.append(FmtResult(loaded.shown, changed))
        if changed and not check:
            kb.write_managed(path, want, loaded.shown)
    return results


def _canonical_tags(tags: list[str], taxonomy: Taxonomy) -> list[str]:
    out: list[str] = []
    for tag in tags:
        name = taxonomy.resolve(tag) or tag
        if name not in out:
            out.append(name)
    return out


def _check_from_index(kb: KnowledgeBase, aliases: Taxonomy) -> list[FmtResult]:
    """``fmt --check`` of the records from the index, which compared each file with its
    canonical form when it last read it; tag aliases are resolved now (tags.yaml may have
    changed since)."""
    from papernotes.index.records import fmt_rows

    results = []
    for shown, facts, problem in fmt_rows(kb):
        if facts is None:
            results.append(FmtResult(shown, False, problem))
            continue
        tags = facts["tags"]
        changed = not facts["canonical"] or _canonical_tags(tags, aliases) != tags
        changed = changed or facts.get("key") is None  # fmt stores the key it would export
        results.append(FmtResult(shown, changed))
    return results
