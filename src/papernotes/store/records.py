"""Turning YAML files into Paper / Taxonomy models and back, with per-field problems."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from papernotes.errors import Problem
from papernotes.model.ids import filename_for, id_from_filename
from papernotes.model.record import Note, Paper
from papernotes.model.taxonomy import Tag, Taxonomy, TaxonomyFile
from papernotes.store.yamlio import YamlProblem, dump, line_of, read_yaml

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

NOTE_KEYS = ("lang", "zh", "en", "source", "date", "by", "id", "marks", "import_hash")


@dataclass
class Loaded:
    """The result of loading one record file: the paper if it is valid, and every problem."""

    path: Path
    shown: str
    paper: Paper | None = None
    problems: list[Problem] = field(default_factory=list)
    raw: bytes = b""
    node: Any = None


def field_path(loc: tuple) -> str:
    out = ""
    for step in loc:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else str(step)
    return out


def _message(err: ErrorDetails, model: type[BaseModel]) -> tuple[str, str | None]:
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        name = str(err["loc"][-1])
        known = _known_fields(model, err["loc"][:-1])
        close = difflib.get_close_matches(name, known, n=1)
        return f"unknown field {name!r}", (
            f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(known)}"
        )
    if kind == "missing":
        return "missing required field", None
    msg = msg.removeprefix("Value error, ")
    got = err.get("input")
    ctx = err.get("ctx") or {}
    if got is None and kind in ("list_type", "dict_type"):
        name = str(err["loc"][-1])
        empty = "[]" if kind == "list_type" else "{}"
        return f"is null: write '{name}: {empty}' or remove the line", None
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]} (got {type(got).__name__} {_short(got)})", None
    if kind == "string_pattern_mismatch" and "https?" in str(ctx.get("pattern")):
        # pydantic would show the regular expression: 'String should match pattern ...'
        return f"must be an http(s):// URL without spaces (got {_short(got)})", None
    if kind == "string_pattern_mismatch" and err["loc"] and err["loc"][-1] == "key":
        return (
            f"not a usable citation key (got {_short(got)})",
            "a letter, then letters, digits or '_', with - : . + / only between them",
        )
    if kind == "literal_error":
        return f"must be {ctx.get('expected')} (got {_short(got)})", None
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')} (got {_short(got)})", None
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')} (got {_short(got)})", None
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must have at least {least} characters", None
    return msg, None


# Our own words for pydantic's error types, so messages stay the same across its releases.
_DATE = "a date (YYYY-MM-DD)"
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "set_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "url_type": "a URL",
}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _known_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    current: Any = model
    for step in loc:
        if isinstance(step, int):
            continue
        if (
            current is None
            or not hasattr(current, "model_fields")
            or step not in current.model_fields
        ):
            return []
        annotation = current.model_fields[step].annotation
        current = _inner_model(annotation)
    return (
        list(current.model_fields)
        if current is not None and hasattr(current, "model_fields")
        else []
    )


def _inner_model(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", ())
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in args:
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def validation_problems(
    exc: ValidationError, shown: str, node: Any, model: type[BaseModel], prefix: tuple = ()
) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = prefix + tuple(err["loc"])
        message, hint = _message(err, model)
        problems.append(Problem(shown, message, line_of(node, *loc), field_path(loc) or None, hint))
    return problems


def load_record(path: Path, shown: str) -> Loaded:
    result = Loaded(path, shown)
    try:
        data, node, raw = read_yaml(path)
    except YamlProblem as exc:
        result.problems.append(Problem(shown, exc.message, exc.line))
        return result
    result.raw, result.node = raw, node
    if data is None:
        result.problems.append(
            Problem(shown, "empty file: a record needs at least 'id' and 'title'", 1)
        )
        return result
    if not isinstance(data, dict):
        result.problems.append(
            Problem(shown, f"expected a mapping of fields, got a {_yaml_type(data)}", line_of(node))
        )
        return result
    _empty_lists(data, node)
    try:
        paper = Paper.model_validate(data)
    except ValidationError as exc:
        result.problems.extend(validation_problems(exc, shown, node, Paper))
        return result
    expected = id_from_filename(path.name)
    if paper.id != expected:
        result.problems.append(
            Problem(
                shown,
                f"id {paper.id!r} does not match the file name (expected id {expected!r})",
                line_of(node, "id"),
                "id",
                "rename the file or fix the id",
            )
        )
    elif path.name != filename_for(paper.id):
        # 'arxiv:1805.08651.yaml' decodes to its id, but show/add look for the encoded name.
        result.problems.append(
            Problem(
                shown,
                "file name is not the one papernotes looks up for this id",
                line_of(node, "id"),
                "id",
                f"rename it to papers/{filename_for(paper.id)}",
            )
        )
    result.paper = paper
    return result


LIST_FIELDS = {
    name
    for name, f in Paper.model_fields.items()
    if getattr(f.annotation, "__origin__", None) in (list, dict)
}
NOTE_LIST_FIELDS = {
    name
    for name, f in Note.model_fields.items()
    if getattr(f.annotation, "__origin__", None) in (list, dict)
}


def _empty_lists(data: dict, node: Any) -> None:
    """A list or mapping field left empty (``tags:`` with nothing after it, as when the
    last tag is deleted by hand) is empty; an explicit ``null`` stays an error."""
    for name in LIST_FIELDS:
        if data.get(name, ...) is None and _blank(node, name):
            origin = getattr(Paper.model_fields[name].annotation, "__origin__", None)
            data[name] = [] if origin is list else {}
    notes = data.get("notes")
    if isinstance(notes, list):
        for n, note in enumerate(notes):
            if isinstance(note, dict):
                for name in NOTE_LIST_FIELDS:
                    if note.get(name, ...) is None and _blank(node, "notes", n, name):
                        note[name] = []


def _blank(node: Any, *loc: Any) -> bool:
    """Whether the YAML value at ``loc`` was written as nothing at all (not ``null`` or ``~``)."""
    import yaml

    current = node
    for step in loc:
        if isinstance(current, yaml.MappingNode):
            current = next((v for k, v in current.value if str(k.value) == str(step)), None)
        elif isinstance(current, yaml.SequenceNode) and isinstance(step, int):
            current = current.value[step] if step < len(current.value) else None
        else:
            return False
    return isinstance(current, yaml.ScalarNode) and current.value == ""


def _yaml_type(data: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(data), type(data).__name__
    )


def _clean(value: Any) -> Any:
    """Drop empty values so canonical files hold only what is known."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if v is None or v == "":
                continue
            if isinstance(v, dict | list):
                v = _clean(v)
                if not v:
                    continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [_clean(v) if isinstance(v, dict | list) else v for v in value]
    return value


def record_data(paper: Paper) -> dict:
    data = paper.model_dump(mode="python")
    data["links"] = paper.canonical_links()
    data["notes"] = [{k: n[k] for k in NOTE_KEYS if k in n} for n in data["notes"]]
    return _clean(data)


def dump_record(paper: Paper) -> str:
    return dump(record_data(paper))


def load_taxonomy(path: Path, shown: str) -> tuple[Taxonomy, list[Problem], bytes]:
    """The taxonomy and its problems; a missing file is an empty taxonomy with one problem."""
    if not path.exists():
        return (
            Taxonomy(),
            [Problem(shown, "taxonomy file is missing", None, None, "run 'papernotes init'")],
            b"",
        )
    try:
        data, node, raw = read_yaml(path)
    except YamlProblem as exc:
        return Taxonomy(), [Problem(shown, exc.message, exc.line)], b""
    if data is None:
        data = {"tags": {}}
    if not isinstance(data, dict):
        return (
            Taxonomy(),
            [Problem(shown, f"expected a mapping with a 'tags' key, got a {_yaml_type(data)}", 1)],
            raw,
        )
    if isinstance(data.get("tags"), dict):
        # Validate tag by tag so one bad tag does not hide the others.
        good: dict[str, Tag] = {}
        problems: list[Problem] = []
        for name, body in data["tags"].items():
            if not isinstance(name, str):
                problems.append(
                    Problem(shown, f"tag name {name!r} must be text", line_of(node, "tags", name))
                )
                continue
            try:
                good[name] = Tag.model_validate(body)
            except ValidationError as exc:
                problems.extend(validation_problems(exc, shown, node, Tag, ("tags", name)))
        problems.extend(_taxonomy_conflicts(data.get("conflicts"), shown, node))
        extra = [k for k in data if k not in ("tags", "conflicts")]
        for key in extra:
            problems.append(
                Problem(
                    shown,
                    f"unknown field {key!r}",
                    line_of(node, key),
                    None,
                    "the file holds only 'tags'",
                )
            )
        taxonomy = Taxonomy(good)
        problems.extend(taxonomy.check(shown, lambda *loc: line_of(node, *loc)))
        return taxonomy, problems, raw
    try:
        TaxonomyFile.model_validate(data)
    except ValidationError as exc:
        return Taxonomy(), validation_problems(exc, shown, node, TaxonomyFile), raw
    return Taxonomy(), [], raw


def _taxonomy_conflicts(conflicts: Any, shown: str, node: Any) -> list[Problem]:
    """Labels a merge found changed differently on both sides (see papernotes.share.merge)."""
    if conflicts is None:
        return []
    if not isinstance(conflicts, list):
        return [Problem(shown, "must be a list", line_of(node, "conflicts"), "conflicts")]
    problems = []
    for i, item in enumerate(conflicts):
        what = item.get("field") if isinstance(item, dict) else None
        theirs = item.get("theirs") if isinstance(item, dict) else None
        problems.append(
            Problem(
                shown,
                f"{what or '?'} was changed differently on both sides of a merge "
                f"(the other value is {theirs!r})",
                line_of(node, "conflicts", i),
                f"conflicts[{i}]",
                "keep one value in the tag and delete this entry",
            )
        )
    return problems


def dump_taxonomy(taxonomy: Taxonomy) -> str:
    tags = {name: _clean(tag.model_dump(mode="python")) for name, tag in taxonomy.tags.items()}
    return dump({"tags": tags})
