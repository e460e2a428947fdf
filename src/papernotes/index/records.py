"""The index as the read model: every record as it loaded, kept beside the search tables.

When the index (re)reads a record file it keeps, in the ``files`` row of that file, the
record's canonical data as compact JSON (whatever fields the model has), a small digest of it
for listings and counts, and every problem met while loading it. Readers then rebuild what
:meth:`KnowledgeBase.load_all` returns (the same papers, the same problems, the same
first-file-wins rule for duplicate ids) from one table, after the same freshness check a
search makes, without parsing YAML or importing the record models.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from papernotes.errors import Problem

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from papernotes.model.record import Paper
    from papernotes.store.kb import KnowledgeBase
    from papernotes.store.records import Loaded

COLUMNS = "rid, record, digest, summary, facts, problems, hash"  # a file's, as load_doc gives them

# what ``list`` prints of a paper: these keys of its digest, in this order
SUMMARY_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "venue",
    "year",
    "decision",
    "tags",
    "notes",
    "added",
    "status",
    "priority",
)
# what ``stats`` counts papers by: SQLite groups the papers by these keys of their digests
COUNTED_KEYS: tuple[str, ...] = ("tags", "decision", "note_langs", "status", "marks")


def generated_columns() -> str:
    """The columns of ``files`` SQLite fills from each digest as it is written: one per
    :data:`COUNTED_KEYS` and one for the related count, which ``stats`` groups by, so that
    no digest is parsed to count. (The summary ``list`` reads is written beside the digest,
    by :func:`stored`: made in SQL it cost 0.3 s of a 20,000-paper build's inserts.)"""
    counted = ", ".join(
        f"counted_{k} TEXT AS (json_extract(digest, '$.{k}')) STORED" for k in COUNTED_KEYS
    )
    return f"{counted}, counted_related INTEGER AS (json_extract(digest, '$.related')) STORED"


def digest(paper: Paper) -> dict[str, Any]:
    """What listings and counts read of a paper (``list``, ``tags``, ``stats``)."""
    return {
        "id": paper.id,
        "title": paper.title,
        "venue": paper.venue,
        "year": paper.year,
        "decision": paper.decision,
        "ratings": list(paper.ratings),
        "tags": list(paper.tags),
        "notes": len(paper.notes),
        "added": paper.added.isoformat() if paper.added else None,
        "note_langs": [[n.lang, bool(n.zh), bool(n.en)] for n in paper.notes],
        "related": len(paper.related),
        "status": paper.status,
        "priority": paper.priority,
        "marks": [m for n in paper.notes for m in n.marks],
        "by": sorted({n.by for n in paper.notes if n.by}),
    }


def facts(loaded: Loaded) -> dict[str, Any]:
    """What the cross-file checks of ``validate`` read of a loaded record, with the line of
    each value they may report."""
    from papernotes.store.translations import note_problems
    from papernotes.store.yamlio import item_lines, line_of

    paper, node = loaded.paper, loaded.node
    assert paper is not None
    return {
        "id": paper.id,
        # whether the file is as 'fmt' writes it (before tag aliases are replaced): found
        # out by the first 'fmt --check' (a dump costs a third of reading a record)
        "canonical": None,
        "tags": list(paper.tags),
        "related": [link.id for link in paper.related],
        "missing": [note.missing_languages() for note in paper.notes],
        "key": paper.key,
        # the file's own --strict problems (translations), found when it last changed
        "strict": [p.to_dict() for p in note_problems(paper, loaded.shown, node)],
        # its unsettled merge conflicts, reported by every validate
        "conflicts": [p.to_dict() for p in conflict_problems(loaded)],
        "lines": {
            "id": line_of(node, "id"),
            "key": line_of(node, "key"),
            "tags": item_lines(node, "tags", len(paper.tags)),
            "related": item_lines(node, "related", len(paper.related), "id"),
            "notes": item_lines(node, "notes", len(paper.notes)),
        },
    }


def conflict_problems(loaded: Loaded) -> list[Problem]:
    """One problem per field a merge found changed differently on both sides (the record
    keeps ours; ``conflicts:`` keeps theirs until ``papernotes resolve``)."""
    from papernotes.store.yamlio import line_of

    paper = loaded.paper
    assert paper is not None
    return [
        Problem(
            loaded.shown,
            f"{conflict.field} was changed differently on both sides of a merge "
            f"(the other value is {_short(conflict.theirs)})",
            line_of(loaded.node, "conflicts", i),
            f"conflicts[{i}]",
            f"run 'papernotes resolve {paper.id}'",
        )
        for i, conflict in enumerate(paper.conflicts)
    ]


def _short(value: Any) -> str:
    text = "nothing" if value is None else repr(value if isinstance(value, str) else str(value))
    return text if len(text) <= 60 else text[:57] + "..."


def stored(
    loaded: Loaded, record: bool = True
) -> tuple[str | None, str | None, str | None, str | None, str | None, str]:
    """The read-model columns of one loaded file: id, record JSON (None without ``record``),
    digest JSON, the summary ``list`` reads (a JSON object of :data:`SUMMARY_KEYS` of the
    digest: 20,000 read in 18 ms, against 69 ms taken out of each digest), the facts
    ``validate`` checks, problems."""
    problems = json.dumps([p.to_dict() for p in loaded.problems], ensure_ascii=False)
    paper = loaded.paper
    if paper is None:
        return None, None, None, None, None, problems
    from papernotes.store.records import record_data

    data = None
    if record:
        data = json.dumps(
            record_data(paper), ensure_ascii=False, separators=(",", ":"), default=str
        )
    checks = json.dumps(facts(loaded), ensure_ascii=False, separators=(",", ":"))
    listed = digest(paper)
    summary = json.dumps(
        {k: listed[k] for k in SUMMARY_KEYS}, ensure_ascii=False, separators=(",", ":")
    )
    return paper.id, data, json.dumps(listed, ensure_ascii=False), summary, checks, problems


def content_hash(raw: bytes | None) -> str | None:
    """A digest of a file's bytes: a file read again with the same bytes needs no parse."""
    if raw is None:
        return None
    import hashlib

    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@dataclass
class Entries:
    """Like :class:`papernotes.store.kb.Collection`, with rows of the index for papers."""

    papers: dict[str, Any] = field(default_factory=dict)  # id -> digest or record data
    problems: list[Problem] = field(default_factory=list)
    taxonomy: Any = None  # the index's copy of tags.yaml (read_fields), if it had no problems


def _first_wins(out: Entries, rows) -> tuple[dict[str, str], set[str]]:
    """Go through ``(name, rid, problems)`` rows in name order as a YAML load of every file
    would: collect the problems in ``out``, and say which file holds each id and which
    files are duplicates (the file named for the id is the record, and a copy beside it
    ('X copy.yaml' sorts first) the duplicate, whatever the order)."""
    from papernotes.index.store import decoded

    by_id: dict[str, str] = {}
    dropped: set[str] = set()
    for name, rid, problems in rows:
        shown = f"papers/{name}"
        if problems != "[]":
            out.problems.extend(Problem(**p) for p in decoded(problems))
        if rid is None:
            continue
        if rid in by_id:
            keep, extra = by_id[rid], shown
            if name == _filename_for(rid) and by_id[rid] != shown:
                keep, extra = shown, by_id[rid]
                by_id[rid] = shown
            dropped.add(extra[len("papers/") :])
            out.problems.append(Problem(extra, f"duplicate id {rid!r} (also in {keep})", 1, "id"))
            continue
        by_id[rid] = shown
    return by_id, dropped


def _filename_for(rid: str) -> str:
    # papernotes.model.ids.filename_for, without its check (the id loaded) and its import
    from urllib.parse import quote

    return quote(rid, safe="") + ".yaml"


def entries(conn: sqlite3.Connection, column: str = "digest", raw: bool = False) -> Entries:
    """Every loadable record's ``digest`` (or ``record`` data), keyed by id, and every
    problem, exactly as a YAML load of every file would give them; ``raw``: as JSON text."""
    rows = conn.execute(f"SELECT name, rid, {column}, problems FROM files ORDER BY name")
    return collected(rows, raw)


def collected(rows, raw: bool = False) -> Entries:
    """:func:`entries` of ``(name, id, data, problems)`` rows in name order."""
    from papernotes.index.store import decoded

    out = Entries()
    data: dict[str, str] = {}
    by_id, _ = _first_wins(out, _keeping(rows, data))
    kept = [data[shown[len("papers/") :]] for shown in by_id.values()]
    # one JSON text for all of them: a call per row costs more than the parsing
    if raw:
        values = kept
    else:
        values = decoded("[" + ",".join(kept) + "]") if kept else []
    out.papers = dict(zip(by_id, values, strict=True))
    return out


def _keeping(rows, data: dict[str, str]):
    """``(name, rid, problems)`` of ``(name, rid, value, problems)`` rows, keeping each
    loaded file's value in ``data``."""
    for name, rid, value, problems in rows:
        if rid is not None:
            data[name] = value
        yield name, rid, problems


def _exceptions(conn: sqlite3.Connection, out: Entries) -> tuple[dict[str, str], set[str]]:
    """:func:`_first_wins` over the files whose problems or ids need looking at: few (none
    in a clean knowledge base)."""
    # two indexed queries (files_problems, files_rid): 3 ms at 20,000 files, where one
    # query with OR scanned the table (27 ms)
    return _first_wins(
        out,
        conn.execute(
            "SELECT name, rid, problems FROM files WHERE problems != '[]' UNION "
            "SELECT name, rid, problems FROM files WHERE rid IN "
            "(SELECT rid FROM files WHERE rid IS NOT NULL GROUP BY rid HAVING count(*) > 1) "
            "ORDER BY name"
        ),
    )


class Group(NamedTuple):
    """Papers alike in all that ``stats`` counts (:data:`COUNTED_KEYS`): how many, and how
    many related papers they name in all."""

    tags: list[str]
    decision: str | None
    note_langs: list[list]  # [lang, has zh, has en] of each note
    status: str | None
    marks: list[str]
    papers: int
    related: int


def groups(conn: sqlite3.Connection) -> tuple[list[Group], list[Problem]]:
    """The loadable papers in :class:`Group` s, grouped by SQLite, and every problem, as
    :func:`entries` gives them: only the different values are decoded (at 20,000 papers,
    a few hundred where each digest used to be)."""
    from papernotes.index.store import IndexDamaged, decoded

    out = Entries()
    _, dropped = _exceptions(conn, out)
    columns = ", ".join(f"counted_{k}" for k in COUNTED_KEYS)
    # '+rid': a scan of the table, not a look-up of each row from the index files_rid
    # (27 against 110 ms at 20,000 papers)
    rows = conn.execute(
        f"SELECT {columns}, count(*), sum(counted_related) FROM files "
        "WHERE +rid IS NOT NULL AND name NOT IN (SELECT value FROM json_each(?)) "
        f"GROUP BY {columns}",
        (json.dumps(sorted(dropped)),),
    )
    seen: dict[str, Any] = {}

    def listed(text: str) -> Any:
        value = seen.get(text)
        if value is None:
            value = seen[text] = decoded(text)
            if not isinstance(value, list):
                raise IndexDamaged("a digest in the index is malformed")
        return value

    found = [
        Group(listed(tags), decision, listed(langs), status, listed(marks), papers, related)
        for tags, decision, langs, status, marks, papers, related in rows
    ]
    return found, out.problems


def read_groups(kb: KnowledgeBase) -> tuple[list[Group], list[Problem], Any]:
    """:func:`groups` of a fresh index of ``kb``, and its taxonomy (None when tags.yaml has
    problems: the file tells them). From the files themselves, a group per paper and no
    taxonomy, when the index cannot be used."""
    from papernotes.errors import WriteError
    from papernotes.index.store import Index

    try:
        with Index(kb) as index:
            index.refresh()
            found, problems = index.read(groups)
            return found, problems, index.taxonomy()
    except WriteError:  # no writable cache anywhere, or locked for too long
        coll = kb.load_all()
        one = []
        for paper in coll.papers.values():
            d = digest(paper)
            tags, decision, langs, status, marks = (d[k] for k in COUNTED_KEYS)
            one.append(Group(tags, decision, langs, status, marks, 1, d["related"]))
        return one, coll.problems, None


MAX_NEEDLES = 500  # tags a read looks for in SQL (each is a variable); more: all are read


def fields(conn: sqlite3.Connection, keys: tuple[str, ...], tags: Collection[str] = ()) -> Entries:
    """As :func:`entries` of the digests, with only these ``keys`` of each: SQLite takes
    them out of the JSON, so the rest of 20,000 digests is never decoded in Python.
    ``tags``: at least every paper carrying one of them is wanted; SQLite leaves out most
    of the others (those whose digest does not hold one of the names as JSON), so the
    caller picks the papers. Every problem is kept.

    The keys of ``list`` (:data:`SUMMARY_KEYS`) are read from their own column."""
    from papernotes.index.store import IndexDamaged, decoded

    out = Entries()
    by_id, dropped = _exceptions(conn, out)
    first = {rid: shown[len("papers/") :] for rid, shown in by_id.items()}
    # other keys: one json_extract of every path, so that SQLite parses each digest once
    # (an array of the values; '$.id' is added so that a single key is an array too)
    selected = "summary"
    if not keys:  # the ids alone: no digest is parsed
        selected = "NULL"
    elif keys != SUMMARY_KEYS:
        paths = ", ".join(f"'$.{k}'" for k in (*keys, "id"))
        selected = f"json_extract(digest, {paths})"
    where, needles = "rid IS NOT NULL", []
    if tags and len(tags) <= MAX_NEEDLES:
        # a digest is written with ensure_ascii=False: a tag there is written as here
        needles = [json.dumps(tag, ensure_ascii=False) for tag in sorted(tags)]
        where += " AND (" + " OR ".join(["instr(digest, ?)"] * len(needles)) + ")"
    if keys and not dropped:
        return _fields_of_all(conn, keys, selected, out, where, needles)
    rows = [
        row
        for row in conn.execute(
            f"SELECT name, rid, {selected} FROM files WHERE {where} ORDER BY name",
            needles,
        )
        if row[0] not in dropped
    ]
    if dropped:  # where the first file of a duplicated id was: as a load of every file
        rows.sort(key=lambda row: first.get(row[1], row[0]))
    if not keys:
        out.papers = {row[1]: {} for row in rows}
        return out
    ids = [row[1] for row in rows]
    text = "[" + ",".join(row[2] for row in rows) + "]"
    del rows  # the peak memory of 20,000 rows: not the fetched rows and their values at once
    values = decoded(text)
    del text
    try:
        if keys == SUMMARY_KEYS:  # already dicts
            out.papers = dict(zip(ids, values, strict=True))
            alike = all(value["id"] == pid for pid, value in out.papers.items())
        else:
            out.papers = {
                pid: dict(zip(keys, value, strict=False))
                for pid, value in zip(ids, values, strict=True)
            }
            alike = all(value[-1] == pid for pid, value in zip(ids, values, strict=True))
    except (TypeError, IndexError, KeyError):
        alike = False
    if not alike:
        raise IndexDamaged("a digest in the index is malformed")
    return out


def _fields_of_all(
    conn: sqlite3.Connection,
    keys: tuple[str, ...],
    selected: str,
    out: Entries,
    where: str,
    needles: list[str],
):
    """:func:`fields` when every file with an id counts: SQLite joins the values into one
    JSON text, so no row object is made per file (20,000 files: 9 MB and 20 ms less), and
    each dict is made as its list of values goes."""
    from papernotes.index.store import IndexDamaged, decoded

    (text,) = conn.execute(
        f"SELECT '[' || coalesce(group_concat(v, ','), '') || ']' FROM (SELECT "
        f"{selected} AS v FROM files WHERE {where} ORDER BY name)",
        needles,
    ).fetchone()
    values = decoded(text)
    del text
    papers = out.papers
    try:
        if keys == SUMMARY_KEYS:  # JSON objects: decoded as the dicts wanted
            out.papers = papers = {value["id"]: value for value in values}
        else:
            values.reverse()
            while values:
                value = values.pop()
                papers[value[-1]] = dict(zip(keys, value, strict=False))
    except (TypeError, IndexError, KeyError):
        raise IndexDamaged("a digest in the index is malformed") from None
    if None in papers:  # a digest without an id: it is JSON, but not a digest
        raise IndexDamaged("a digest in the index is malformed")
    return out


def read(kb: KnowledgeBase, column: str = "digest", raw: bool = False) -> Entries:
    """:func:`entries` of a fresh index of ``kb``."""
    from papernotes.index.store import Index

    with Index(kb) as index:
        index.refresh()
        return index.read(lambda conn: entries(conn, column, raw))


def read_taxonomy(kb: KnowledgeBase) -> Any:
    """The taxonomy of a fresh index of ``kb`` (no YAML, no pydantic); None when tags.yaml
    has problems or no index can be used: then read the file (``kb.taxonomy_checked()``)."""
    from papernotes.errors import WriteError
    from papernotes.index.store import Index

    try:
        with Index(kb) as index:
            index.refresh()
            return index.taxonomy()
    except WriteError:  # no writable cache anywhere, or locked for too long
        return None


def read_fields(
    kb: KnowledgeBase, keys: tuple[str, ...], wanted: Callable[[Any], Collection[str]] | None = None
) -> Entries:
    """:func:`fields` of a fresh index of ``kb``, with the index's taxonomy (read from the
    same fresh index: no pydantic, no second freshness check). ``wanted``: given that
    taxonomy, the tags of the papers asked for (as ``fields``' ``tags``)."""
    from papernotes.index.store import Index
    from papernotes.store.kb import gc_paused

    with Index(kb) as index:
        index.refresh()
        taxonomy = index.taxonomy()
        tags = wanted(taxonomy) if wanted is not None else ()
        with gc_paused():  # 20,000 dicts: no cycles
            found = index.read(lambda conn: fields(conn, keys, tags))
        found.taxonomy = taxonomy
        return found


def checked(kb: KnowledgeBase, full: bool = False) -> tuple[Entries, list[tuple[str, dict]]]:
    """For ``validate``: every record's problems and digest (as :func:`read`) with the
    index's taxonomy (as :func:`read_fields`), and the facts of every file that loaded,
    duplicates included, in file order. ``full``: read
    from the files themselves (in worker processes on a large knowledge base), not from
    the index."""
    from papernotes.index.store import Index, decoded

    if full:
        return _checked_files(kb)

    def query(conn: sqlite3.Connection):
        found = fields(conn, ())  # only the ids are needed
        rows = conn.execute("SELECT name, facts FROM files WHERE facts IS NOT NULL ORDER BY name")
        names, texts = zip(*rows, strict=True) if found.papers else ((), ())
        values = decoded("[" + ",".join(texts) + "]") if texts else []
        return found, [(f"papers/{n}", v) for n, v in zip(names, values, strict=True)]

    with Index(kb) as index:
        index.refresh()
        found, files = index.read(query)
        found.taxonomy = index.taxonomy()
        return found, files


def _checked_files(kb: KnowledgeBase) -> tuple[Entries, list[tuple[str, dict]]]:
    from papernotes.errors import WriteError
    from papernotes.index.store import WorkerFailed, decoded, load_rows, scan
    from papernotes.store.kb import gc_paused

    with gc_paused():
        try:
            rows = [
                row for chunk in load_rows(kb, sorted(scan(kb).files), {}, "check") for row in chunk
            ]
        except WorkerFailed as exc:
            raise WriteError(str(exc)) from None
        found = collected(
            ((name, rid, data, problems) for name, rid, data, _, problems in rows), raw=True
        )
        loaded = [(name, text) for name, _, _, text, _ in rows if text is not None]
        values = decoded("[" + ",".join(text for _, text in loaded) + "]") if loaded else []
        return found, [(f"papers/{name}", v) for (name, _), v in zip(loaded, values, strict=True)]


def fmt_rows(kb: KnowledgeBase) -> list[tuple[str, dict | None, str | None]]:
    """For ``fmt --check``: per record file in name order, its facts (None if it did not
    load) and its first problem."""
    from papernotes.index.store import Index, decoded

    def query(conn: sqlite3.Connection):
        out = []
        for name, text, problems in conn.execute(
            "SELECT name, facts, problems FROM files ORDER BY name"
        ):
            first = None
            if text is None:
                found = decoded(problems)
                first = str(Problem(**found[0])) if found else f"papers/{name}: cannot be loaded"
            out.append((name, decoded(text) if text else None, first))
        return out

    with Index(kb) as index:
        index.refresh()
        rows = index.read(query)
        unknown = [(name, facts) for name, facts, _ in rows if facts and facts["canonical"] is None]
        if unknown:
            _remember_canonical(kb, index.connection(), unknown)
    return [(f"papers/{name}", facts, first) for name, facts, first in rows]


def _remember_canonical(kb: KnowledgeBase, conn: sqlite3.Connection, rows: list) -> None:
    """Compare each file with its canonical form once, and keep the answer in the index
    (until the file changes and is read again)."""
    from papernotes.store.records import dump_record

    updates = []
    for name, facts in rows:
        loaded = kb.load_path(kb.papers_dir / name)
        if loaded.paper is None:
            facts["canonical"] = False  # changed since the refresh: say so, keep nothing
            continue
        facts["canonical"] = dump_record(loaded.paper).encode("utf-8") == loaded.raw
        updates.append((json.dumps(facts, ensure_ascii=False, separators=(",", ":")), name))
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("UPDATE files SET facts = ? WHERE name = ?", updates)
        conn.execute("COMMIT")
    except sqlite3.Error:  # a busy or read-only index: the answer is only not kept
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def papers(kb: KnowledgeBase):
    """What :meth:`KnowledgeBase.load_all` returns (papers and problems, no ``loaded``),
    rebuilt from the index's record data: no YAML is parsed for unchanged files. From
    the files themselves when the index cannot be used."""
    from papernotes.errors import WriteError
    from papernotes.model.record import Paper
    from papernotes.store.kb import Collection

    try:
        found = read(kb, "record", raw=True)
    except WriteError:  # no writable cache anywhere, or locked for too long
        return kb.load_all()
    out = Collection(problems=found.problems)
    validate = Paper.model_validate_json  # JSON mode: dates as ISO text
    out.papers = {pid: validate(data) for pid, data in found.papers.items()}
    return out


def views(kb: KnowledgeBase):
    """As :func:`papers`, with each paper as the index's ``RecordView`` of its stored data
    (the models' attributes, read from the JSON): no model is imported or validated. From
    the files themselves (papers) when the index cannot be used."""
    from papernotes.errors import WriteError
    from papernotes.index.reads import RecordView
    from papernotes.index.store import Index, IndexDamaged
    from papernotes.store.kb import Collection, gc_paused

    def query(conn: sqlite3.Connection) -> Entries:
        with gc_paused():  # many objects, no cycles
            found = entries(conn, "record")
            try:
                found.papers = {pid: RecordView(data) for pid, data in found.papers.items()}
                alike = all(view.id == pid for pid, view in found.papers.items())
            except (TypeError, KeyError, ValueError, AttributeError):
                alike = False
        if not alike:
            raise IndexDamaged("a record in the index is malformed")
        return found

    try:
        with Index(kb) as index:
            index.refresh()
            found = index.read(query)
    except WriteError:  # no writable cache anywhere, or locked for too long
        return kb.load_all()
    return Collection(papers=found.papers, problems=found.problems)
