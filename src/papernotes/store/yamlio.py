"""Strict YAML in, canonical YAML out.

Loading rejects duplicate keys, aliases/anchors and custom tags, and keeps the
node tree so every problem can be reported with its line. Dumping gives one
canonical form: fixed key order, block style, UTF-8 text, multi-line strings as
literal blocks, so ``load -> dump`` of a canonical file gives back the same bytes.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import yaml

from papernotes.store.fsio import MAX_FILE_BYTES, NotText, utf8_text

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 64  # records and tags.yaml nest 4 levels at most
SAFE_COMPOSE_DEPTH = 1000  # libyaml's composer recurses in C; stay far below its stack


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_SCALAR_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp")}


class _Unusual(Exception):
    """A node :meth:`StrictLoader.construct_plain` leaves to the full constructor."""


class StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    def construct_mapping(self, node, deep=False):
        pairs = node.value
        # the usual mapping: plain text keys, all different (seen from the nodes alone)
        names = {k.value for k, _ in pairs if k.tag == _STR_TAG and type(k) is yaml.ScalarNode}
        if len(names) == len(pairs):
            return super().construct_mapping(node, deep=deep)
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise YamlProblem(
                    "a mapping key must be a plain value", key_node.start_mark.line + 1
                ) from None
            if key in seen:
                raise YamlProblem(
                    f"duplicate key {key!r} (first at line {seen[key]})",
                    key_node.start_mark.line + 1,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_plain(self, node: yaml.Node) -> Any:
        """What ``construct_document`` builds of a tree without aliases, quicker: text,
        lists, mappings with distinct text keys, and scalars through their own
        constructors. Anything else (a custom tag, a duplicate key, a value that does not
        construct) raises :class:`_Unusual`, and ``construct_document`` decides."""
        kind = type(node)
        if kind is yaml.ScalarNode:
            tag = node.tag
            if tag == _STR_TAG:
                return node.value
            if tag not in _SCALAR_TAGS:
                raise _Unusual
            try:
                return self.yaml_constructors[tag](self, node)
            except Exception:
                raise _Unusual from None
        if kind is yaml.SequenceNode and node.tag == _SEQ_TAG:
            return [self.construct_plain(item) for item in node.value]
        if kind is yaml.MappingNode and node.tag == _MAP_TAG:
            pairs = node.value
            keys = {k.value for k, _ in pairs if type(k) is yaml.ScalarNode and k.tag == _STR_TAG}
            if len(keys) == len(pairs):
                return {k.value: self.construct_plain(v) for k, v in pairs}
        raise _Unusual


def _guarded(construct):
    """A scalar constructor whose ValueError (2026-13-45, a 5,000-digit int) becomes a problem."""

    def wrapper(loader, node):
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as exc:
            reason = str(exc).split(";")[0]
            raise YamlProblem(
                f"invalid value {_short(node.value)}: {reason}", node.start_mark.line + 1
            ) from None

    return wrapper


def _short(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


for _tag in ("timestamp", "int", "float"):
    _full = f"tag:yaml.org,2002:{_tag}"
    StrictLoader.add_constructor(_full, _guarded(StrictLoader.yaml_constructors[_full]))


def _reject_aliases(root: yaml.Node, aliases: bool = True) -> None:
    """A node reached twice came from an alias: refuse it (no billion laughs).

    Also refuses nesting deeper than MAX_DEPTH, which no record needs and which
    would make pydantic and repr() recurse until RecursionError. ``aliases`` False (the
    text has no '*', without which YAML writes no alias): only the nesting is checked,
    and only collections are visited.
    """
    if not aliases:
        _check_nesting(root)
        return
    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise YamlProblem("YAML anchors and aliases are not allowed", node.start_mark.line + 1)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and depth > MAX_DEPTH:
            raise YamlProblem(_too_deep(), node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend(((key, depth + 1), (value, depth + 1)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


def _check_nesting(root: yaml.Node) -> None:
    scalar = yaml.ScalarNode
    mapping = yaml.MappingNode
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise YamlProblem(_too_deep(), node.start_mark.line + 1)
        if type(node) is mapping:
            for key, value in node.value:
                if type(key) is not scalar:
                    stack.append((key, depth + 1))
                if type(value) is not scalar:
                    stack.append((value, depth + 1))
        elif type(node) is not scalar:
            stack.extend((item, depth + 1) for item in node.value if type(item) is not scalar)


def _check_depth(text: str) -> None:
    """Refuse deep nesting from the event stream, before libyaml's recursive composer
    sees it: 50,000 '[' (a 100 kB file) overflow its C stack and kill the process.

    Newer libyaml builds stop deep flow nesting in their scanner, which reads ahead of
    the events, with an error of their own. So when the fast event stream fails, the
    pure-Python one (no such limit; slower, and only on this error path) decides
    whether the text nests too deep, and the library's error stands otherwise.
    """
    try:
        _event_depth(StrictLoader(text))
    except YamlProblem:
        raise
    except yaml.YAMLError:
        if _BaseLoader is yaml.SafeLoader:
            raise
        try:
            _event_depth(yaml.SafeLoader(text))
        except yaml.YAMLError:
            pass
        raise


def _event_depth(loader: Any) -> None:
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise YamlProblem(_too_deep(), mark.line + 1 if mark else None)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def _too_deep() -> str:
    return f"YAML nesting is too deep (more than {MAX_DEPTH} levels)"


def decode(raw: bytes) -> str:
    """UTF-8 text (a BOM is accepted and dropped); invalid bytes are a problem with a line."""
    try:
        return utf8_text(raw)
    except NotText as exc:
        raise YamlProblem(exc.message, exc.line) from None


def parse(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML document strictly; returns (data, node tree)."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise YamlProblem("contains a NUL byte", line)
    loader = StrictLoader(text)
    try:
        # Every nested collection starts at one of these characters, so a text with
        # fewer of them cannot nest deeper than that: skip the extra pass (most files).
        if sum(map(text.count, "[{:-?")) > SAFE_COMPOSE_DEPTH:
            _check_depth(text)
        node = loader.get_single_node()
        if node is None:
            return None, None
        if "*" in text:  # perhaps an alias
            _reject_aliases(node)
            return loader.construct_document(node), node
        _reject_aliases(node, aliases=False)
        try:
            return loader.construct_plain(node), node
        except _Unusual:
            return loader.construct_document(node), node
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor" in what:
            tag = what.split("tag ", 1)[-1]
            if tag == "'tag:yaml.org,2002:merge'":
                what = "merge keys ('<<') are not allowed"
            else:
                what = f"custom YAML tags are not allowed ({tag})"
        elif exc.context and exc.problem and exc.problem.startswith("but "):
            what = f"{exc.context} {exc.problem}"  # "expected a single document ... but found"
        raise YamlProblem(f"YAML syntax error: {what}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML error: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise YamlProblem(_too_deep()) from None
    finally:
        loader.dispose()


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None, bytes]:
    """Read and parse a file; raises YamlProblem (with a line where known)."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise YamlProblem("is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            # Opening a FIFO blocks forever and /dev/zero never ends: never read them.
            raise YamlProblem("is not a regular file (a pipe, socket or device); not read")
        if info.st_size > MAX_FILE_BYTES:
            raise YamlProblem(_too_large(info.st_size))
        with path.open("rb") as handle:
            # the size stat() gave (a buffer of the limit's size costs more than the read)
            raw = handle.read(info.st_size + 1)
            if len(raw) > info.st_size:  # it grew after stat(): read on, up to the limit
                raw += handle.read(MAX_FILE_BYTES + 1 - len(raw))
        if len(raw) > MAX_FILE_BYTES:  # it grew after stat()
            raise YamlProblem(_too_large(len(raw)))
    except YamlProblem:
        raise
    except PermissionError:
        raise YamlProblem("cannot read the file: permission denied") from None
    except IsADirectoryError:
        raise YamlProblem("is a directory, not a file") from None
    except FileNotFoundError:
        if path.is_symlink():
            raise YamlProblem("is a symbolic link to a missing file") from None
        raise YamlProblem("cannot read the file: it no longer exists") from None
    except OSError as exc:
        raise YamlProblem(f"cannot read the file: {exc.strerror or exc}") from None
    data, node = parse(decode(raw))
    return data, node, raw


def has_comments(text: str) -> bool:
    """Whether ``text`` holds a YAML comment: a '#' outside every scalar (in YAML a '#'
    is either part of a scalar or starts a comment)."""
    if "#" not in text:
        return False
    import bisect

    starts: list[int] = []
    ends: list[int] = []
    loader = _BaseLoader(text)
    try:
        while loader.check_token():
            token = loader.get_token()
            if isinstance(token, yaml.ScalarToken):
                starts.append(token.start_mark.index)
                ends.append(token.end_mark.index)
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()
    for found in re.finditer("#", text):
        i = bisect.bisect_right(starts, found.start()) - 1
        if i < 0 or found.start() >= ends[i]:
            return True
    return False


def _too_large(size: int) -> str:
    return f"file is too large ({size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MiB)"


def item_lines(node: yaml.Node | None, key: str, count: int, sub: str | None = None) -> list:
    """``[line_of(node, key, i) for i in range(count)]`` (or of ``sub`` inside each item),
    with ``key`` looked up once."""
    if node is None:
        return [None] * count
    line = node.start_mark.line + 1
    value = None
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if str(k.value) == key:
                line, value = k.start_mark.line + 1, v
                break
    if not isinstance(value, yaml.SequenceNode):
        return [line] * count
    items = value.value
    out: list = []
    for i in range(count):
        if i >= len(items):
            out.append(line)
        elif sub is None:
            out.append(items[i].start_mark.line + 1)
        else:
            out.append(line_of(items[i], sub))
    return out


def line_of(node: yaml.Node | None, *loc: Any) -> int | None:
    """Line (1-based) of the value at ``loc`` inside ``node``; nearest parent if absent."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    current = node
    for step in loc:
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if str(key.value) == str(step):
                    line = key.start_mark.line + 1
                    current = value
                    break
            else:
                return line
        elif (
            isinstance(current, yaml.SequenceNode)
            and isinstance(step, int)
            and 0 <= step < len(current.value)
        ):
            current = current.value[step]
            line = current.start_mark.line + 1
        else:
            return line
    return line


class PythonDumper(yaml.SafeDumper):
    """Block style, literal blocks for multi-line text, no line folding, no aliases."""

    def ignore_aliases(self, data: Any) -> bool:  # noqa: ARG002 - PyYAML's signature
        return True


class CanonicalDumper(getattr(yaml, "CSafeDumper", PythonDumper)):  # type: ignore[misc]
    """The same, with libyaml's emitter when PyYAML has it: ten times faster, and the same
    bytes except for characters beyond U+FFFF, which libyaml escapes (\\U...) and PyYAML's
    own emitter writes as they are, and a '...' line libyaml adds after a last text ending
    in a line break; :func:`dump` leaves such texts to the latter, so no file changes (tests/test_store.py compares the two emitters)."""

    def ignore_aliases(self, data: Any) -> bool:  # noqa: ARG002 - PyYAML's signature
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML writes NEL (U+0085) raw in plain, quoted and literal styles, where the
    # reader takes it for a line break; only double quotes escape it (as \N).
    if "\x85" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


CanonicalDumper.add_representer(str, _str)
PythonDumper.add_representer(str, _str)


def dump(data: Any) -> str:
    options: dict[str, Any] = {
        "allow_unicode": True,
        "sort_keys": False,
        "default_flow_style": False,
        "width": 1_000_000,
        "indent": 2,
    }
    text = yaml.dump(data, Dumper=CanonicalDumper, **options)
    # an escape in a double-quoted scalar, or libyaml's document-end marker after a text
    # that ends in line breaks: the two emitters may differ there
    if ('"' in text and "\\" in text) or text.endswith("\n...\n"):
        text = yaml.dump(data, Dumper=PythonDumper, **options)
    return text
