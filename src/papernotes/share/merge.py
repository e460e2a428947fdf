"""Three-way merge of records and of the taxonomy, field by field, as a person would.

git gives the merge driver three versions of one file: the common ancestor (base), ours
and theirs. Each field of a record is merged by what it holds:

- ``notes``: a set of notes keyed by identity: the note's ``id`` (new notes get one), or,
  for notes written before ids, its language, original text, source, date and author.
  A note added on either side is kept, one removed on a side (and unchanged on the other)
  is removed; a note edited on one side takes the edit; a note edited differently on both
  sides is kept twice (ours keeps the id, theirs gets a derived one) and reported; a note
  edited on one side and removed on the other is kept, edited.
- ``tags``, ``keywords``: sets; additions from either side are kept, removals honoured.
- ``related`` (by paper id), ``refs`` (by url), ``links`` and ``status_dates`` (by name):
  keyed sets whose entries merge like scalars.
- ``added`` takes the earliest date, ``updated`` the latest.
- every other field (title, decision, and any field the model gains) is a scalar: the
  side that changed wins; when both changed it differently, ours is kept and theirs is
  recorded in ``conflicts:`` for ``validate`` to report and ``papernotes resolve`` to settle.

The result is always a valid, canonical record: never conflict markers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from pydantic import ValidationError

from papernotes.errors import ExitCode, PapernotesError
from papernotes.model.record import Paper
from papernotes.model.taxonomy import Tag
from papernotes.store.records import dump_record, record_data
from papernotes.store.yamlio import YamlProblem, decode, dump, parse

MISSING: Any = None  # an absent field and an empty one merge alike


class MergeError(PapernotesError):
    """A side cannot be read as a record: the file is left as ours for git to mark."""

    exit_code = ExitCode.BAD_DATA


@dataclass
class Merged:
    text: str
    conflicts: list[str] = field(default_factory=list)  # recorded in the file: exit 1
    reports: list[str] = field(default_factory=list)  # worth saying, nothing to settle


# -- generic pieces ------------------------------------------------------------------------
def _same(a: Any, b: Any) -> bool:
    return _empty(a) and _empty(b) or a == b


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


def scalar3(base: Any, ours: Any, theirs: Any) -> tuple[Any, bool]:
    """The merged value, and whether both sides changed it differently (ours is kept)."""
    if _same(ours, theirs) or _same(theirs, base):
        return ours, False
    if _same(ours, base):
        return theirs, False
    return ours, True


def set3(base: list, ours: list, theirs: list) -> list:
    """Items kept unless a side removed them; ours' order, then theirs' additions."""
    base_set, ours_set, theirs_set = (
        set(map(_key, base)),
        set(map(_key, ours)),
        set(map(_key, theirs)),
    )
    out, seen = [], set()
    for item in [*ours, *theirs]:
        k = _key(item)
        if k in seen:
            continue
        in_both = k in ours_set and k in theirs_set
        if in_both or k not in base_set:
            out.append(item)
            seen.add(k)
    return out


def _key(item: Any) -> str:
    return json.dumps(item, sort_keys=True, default=str, ensure_ascii=False)


def keyed3(
    base: list[dict],
    ours: list[dict],
    theirs: list[dict],
    key: Callable[[dict], str],
    merge_entry: Callable[[str, dict, dict, dict], dict],
) -> list[dict]:
    """A list of entries with an identity: added, removed and changed per entry.

    An entry changed on one side and removed on the other is kept (changed)."""
    b = {key(e): e for e in base}
    o = {key(e): e for e in ours}
    t = {key(e): e for e in theirs}
    out = []
    for k in dict.fromkeys([*o, *t]):
        if k in o and k in t:
            out.append(merge_entry(k, b.get(k, {}), o[k], t[k]))
        elif k in o:
            if k not in b or o[k] != b[k]:
                out.append(o[k])  # added on our side, or changed there and removed on theirs
        elif k not in b or t[k] != b[k]:
            out.append(t[k])
    return out


# -- records -------------------------------------------------------------------------------
SETS = {"tags", "keywords"}
EARLIEST, LATEST = {"added"}, {"updated"}
KEYED = {"related": "id", "refs": "url"}
MAPS = {"links", "status_dates"}
SPECIAL = SETS | EARLIEST | LATEST | set(KEYED) | MAPS | {"notes", "conflicts"}


def note_key(note: dict) -> str:
    """A note's identity: its id, or for notes written before ids, what never changes."""
    if note.get("id"):
        return note["id"]
    lang = note.get("lang")
    parts = [lang, note.get(lang), note.get("source"), str(note.get("date")), note.get("by")]
    return "fp:" + _key(parts)


def _notes_keyed(notes: list[dict]) -> list[tuple[str, dict]]:
    """Identity per note; identical old notes in one record count as #1, #2, ..."""
    seen: dict[str, int] = {}
    out = []
    for note in notes:
        k = note_key(note)
        seen[k] = seen.get(k, 0) + 1
        out.append((k if seen[k] == 1 else f"{k}#{seen[k]}", note))
    return out


def _theirs_copy(note: dict) -> dict:
    """Theirs' version of a note both sides edited, as a note of its own."""
    copy = dict(note)
    if note.get("id"):
        digest = hashlib.sha1(_key(note).encode("utf-8")).hexdigest()[:4]
        copy["id"] = f"{note['id']}-{digest}"
    return copy


def merge_notes(
    base: list[dict], ours: list[dict], theirs: list[dict], reports: list[str]
) -> list[dict]:
    b, o, t = dict(_notes_keyed(base)), dict(_notes_keyed(ours)), dict(_notes_keyed(theirs))
    out: list[dict] = []
    for k in dict.fromkeys([*o, *t]):
        if k in o and k in t:
            value, both = scalar3(b.get(k), o[k], t[k])
            out.append(value)
            if both:
                out.append(_theirs_copy(t[k]))
                reports.append(f"note {_note_name(o[k])} was edited on both sides: kept both")
            continue
        note = o[k] if k in o else t[k]  # on one side only: added there, or removed on the other
        if k not in b:
            out.append(note)
        elif note != b[k]:
            out.append(note)
            reports.append(
                f"note {_note_name(note)} was edited on one side, removed on the other: kept"
            )
    return out


def _note_name(note: dict) -> str:
    return note.get("id") or f"of {note.get('date')} ({note.get('source')})"


def _shown_value(value: Any) -> str:
    if _empty(value):
        return "(none)"
    text = value if isinstance(value, str) else _key(value)
    text = " ".join(text.split())
    return repr(text if len(text) <= 40 else text[:37] + "...")


def merge_record_data(
    base: dict, ours: dict, theirs: dict, reports: list[str]
) -> tuple[dict, list[dict]]:
    """The merged record's fields and the conflicts this merge found (field, theirs)."""
    found: list[dict] = []

    def scalar(name: str, b: Any, o: Any, t: Any) -> Any:
        value, both = scalar3(b, o, t)
        if both:
            found.append({"field": name, "theirs": t})
        return value

    out: dict[str, Any] = {}
    value: Any  # each field's merged value: a list, a dict, a date or text
    for name in Paper.model_fields:
        b, o, t = base.get(name), ours.get(name), theirs.get(name)
        if name == "conflicts":
            continue
        if name == "notes":
            value = merge_notes(b or [], o or [], t or [], reports)
        elif name in SETS:
            value = set3(b or [], o or [], t or [])
        elif name in EARLIEST or name in LATEST:
            dates = [d for d in (o, t) if d is not None]
            value = (min if name in EARLIEST else max)(dates) if dates else None
        elif name in KEYED:
            sub = "why" if name == "related" else "label"
            ident = KEYED[name]

            def entry(k: str, be: dict, oe: dict, te: dict, name=name, sub=sub, ident=ident):
                merged = dict(oe)
                merged[sub] = scalar(f"{name}[{k}].{sub}", be.get(sub), oe.get(sub), te.get(sub))
                merged[ident] = k
                return {f: merged[f] for f in (ident, sub) if not _empty(merged.get(f))}

            value = keyed3(b or [], o or [], t or [], itemgetter(ident), entry)
        elif name in MAPS:
            b, o, t = b or {}, o or {}, t or {}
            value = {}
            for k in dict.fromkeys([*o, *t, *b]):
                v = scalar(f"{name}.{k}", b.get(k), o.get(k), t.get(k))
                if not _empty(v):
                    value[k] = v
        else:
            value = scalar(name, b, o, t)
        if not _empty(value):
            out[name] = value
    # Conflicts already recorded merge as a keyed set; this merge's new ones replace them.
    recorded = keyed3(
        base.get("conflicts") or [],
        ours.get("conflicts") or [],
        theirs.get("conflicts") or [],
        lambda c: c["field"],
        lambda _k, _be, oe, _te: oe,
    )
    fresh = {c["field"] for c in found}
    conflicts = [c for c in recorded if c["field"] not in fresh] + found
    if conflicts:
        out["conflicts"] = [{k: v for k, v in c.items() if not _empty(v)} for c in conflicts]
    return out, found


def _three(read, base: str | None, ours: str, theirs: str, shown: str) -> tuple[dict, dict, dict]:
    """Base, ours and theirs read with ``read``; a broken base counts as empty."""
    o = read(ours, "our version", shown)
    t = read(theirs, "their version", shown)
    try:
        b = read(base, "the common version", shown)
    except MergeError:
        b = {}
    return b, o, t


def _yaml(text: str, side: str, shown: str):
    try:
        return parse(text)[0]
    except YamlProblem as exc:
        raise MergeError(f"{shown}: {side} is not valid YAML ({exc.message})") from None


def _record(text: str | None, side: str, shown: str) -> dict:
    if not text or not text.strip():
        return {}
    return record_data(_valid(_yaml(text, side, shown), f"{shown}: {side} is not a valid record"))


def _valid(data, failure: str) -> Paper:
    """The record ``data`` validated; MergeError ``failure (field: why)`` otherwise."""
    try:
        return Paper.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise MergeError(f"{failure} ({where}: {first['msg']})") from None


def merge_records(base: str | None, ours: str, theirs: str, shown: str = "record") -> Merged:
    """Merge three versions of one record file (text); ``MergeError`` if ours or theirs is
    unreadable (a broken base counts as empty)."""
    b, o, t = _three(_record, base, ours, theirs, shown)
    reports: list[str] = []
    data, found = merge_record_data(b, o, t, reports)
    paper = _valid(data, f"{shown}: the merged record is not valid")
    conflicts = [
        f"{c['field']}: changed on both sides; kept {_shown_value(get_path(data, c['field']))},"
        f" theirs {_shown_value(c['theirs'])} is recorded under conflicts:"
        for c in found
    ]
    return Merged(dump_record(paper), conflicts, reports)


# -- field paths used in conflicts: 'title', 'links.code', 'related[ID].why' ----------------
def get_path(data: dict, path: str) -> Any:
    name, key, sub = split_path(path)
    if key is None:
        return data.get(name)
    if name in MAPS:
        return (data.get(name) or {}).get(key)
    for entry in data.get(name) or []:
        if entry.get(KEYED.get(name, "")) == key:
            return entry.get(sub)
    return None


def set_path(data: dict, path: str, value: Any) -> None:
    name, key, sub = split_path(path)
    if key is None:
        data[name] = value
        return
    if name in MAPS:
        data.setdefault(name, {})[key] = value
        if _empty(value):
            del data[name][key]
        return
    ident = KEYED[name]
    entries = data.setdefault(name, [])
    for entry in entries:
        if entry.get(ident) == key:
            entry[sub] = value
            return
    entries.append({ident: key, sub: value})


def split_path(path: str) -> tuple[str, str | None, str | None]:
    if "[" in path and path.endswith("]." + path.rsplit("].", 1)[-1]):
        name, rest = path.split("[", 1)
        key, sub = rest.rsplit("].", 1)
        return name, key, sub
    if "." in path:
        name, key = path.split(".", 1)
        return name, key, None
    return path, None, None


# -- the taxonomy ----------------------------------------------------------------------------
def _taxonomy(text: str | None, side: str, shown: str) -> dict:
    if not text or not text.strip():
        return {}
    data = _yaml(text, side, shown)
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("tags") or {}, dict):
        raise MergeError(f"{shown}: {side} is not a taxonomy (a mapping with 'tags')")
    return data


def merge_taxonomies(base: str | None, ours: str, theirs: str, shown: str = "tags.yaml") -> Merged:
    """tags.yaml: tags merge by name; within a tag, aliases as a set, the rest as scalars.
    A label both sides changed keeps ours and records theirs under a top-level conflicts:."""
    b, o, t = _three(_taxonomy, base, ours, theirs, shown)
    found: list[dict] = []

    def tag3(name: str, bt: dict, ot: dict, tt: dict) -> dict:
        merged: dict[str, Any] = {}
        for fname in dict.fromkeys([*Tag.model_fields, *ot, *tt]):
            bv, ov, tv = bt.get(fname), ot.get(fname), tt.get(fname)
            if fname == "aliases":
                value = set3(bv or [], ov or [], tv or [])
            else:
                value, both = scalar3(bv, ov, tv)
                if both:
                    found.append({"field": f"tags.{name}.{fname}", "theirs": tv})
            if not _empty(value):
                merged[fname] = value
        return merged

    bt, ot, tt = (d.get("tags") or {} for d in (b, o, t))
    tags: dict[str, Any] = {}
    for name in dict.fromkeys([*ot, *tt]):
        if name in ot and name in tt:
            tags[name] = tag3(name, bt.get(name) or {}, ot[name] or {}, tt[name] or {})
        elif name in ot:
            if name not in bt or ot[name] != bt[name]:
                tags[name] = ot[name]
        elif name not in bt or tt[name] != bt[name]:
            tags[name] = tt[name]
    recorded = keyed3(
        b.get("conflicts") or [],
        o.get("conflicts") or [],
        t.get("conflicts") or [],
        lambda c: str(c.get("field")),
        lambda _k, _be, oe, _te: oe,
    )
    fresh = {c["field"] for c in found}
    conflicts = [c for c in recorded if c.get("field") not in fresh] + found
    out: dict[str, Any] = {"tags": tags}
    if conflicts:
        out["conflicts"] = conflicts
    # Keys besides tags/conflicts (not valid, but never dropped): ours, else theirs.
    for key in dict.fromkeys([*o, *t]):
        if key not in out:
            out[key] = o.get(key, t.get(key))
    lines = [
        f"{c['field']}: changed on both sides; kept ours, theirs {_shown_value(c['theirs'])} "
        "is recorded under conflicts:"
        for c in found
    ]
    return Merged(dump(out), lines)


def decode_bytes(raw: bytes) -> str:
    """File bytes as text, the same way records are read."""
    try:
        return decode(raw)
    except YamlProblem as exc:
        raise MergeError(exc.message) from None
