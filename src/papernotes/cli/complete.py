"""Shell-completion callbacks for paper ids, tags and search filters, and the scripts.

They run on every TAB press, so they only list ``papers/`` and read ``tags.yaml``
with PyYAML: no pydantic, no record loading. The knowledge base is found like
``--root`` / ``PAPERNOTES_ROOT`` / the nearest parent with papers/ and tags.yaml,
without the checks (a completion must never fail loudly).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote

import click
from click.shell_completion import CompletionItem

from papernotes.filters import QUERY_FILTERS

MAX_TITLES = 40  # read titles (shown by zsh and fish) only for short candidate lists
_TITLE = re.compile(r"^title:\s*(.+?)\s*$", re.MULTILINE)


def _root(ctx: click.Context) -> Path | None:
    from papernotes.settings import Settings, env_root

    given = ctx.find_root().params.get("root") or env_root()
    if given:
        root = Path(given).expanduser()
        return root if (root / "papers").is_dir() else None
    start = Path.cwd()
    for folder in (start, *start.parents):
        if (folder / "papers").is_dir() and (folder / "tags.yaml").is_file():
            return folder
    default = Settings().value("root")
    if default and (Path(default) / "papers").is_dir():
        return Path(default)
    return None


def _title(path: Path) -> str | None:
    try:
        with path.open(encoding="utf-8") as handle:
            head = handle.read(4096)
    except (OSError, UnicodeDecodeError):
        return None
    found = _TITLE.search(head)
    if not found:
        return None
    title = found.group(1)
    if title[:1] in "'\"" and title[-1:] == title[:1]:
        title = title[1:-1]
    return title


def paper_ids(root: Path) -> dict[str, Path]:
    """Id -> record path, from the file names alone."""
    try:
        entries = list(os.scandir(root / "papers"))
    except OSError:
        return {}
    return {
        unquote(e.name[: -len(".yaml")]): Path(e.path)
        for e in entries
        if e.name.endswith(".yaml") and not e.name.startswith(".")
    }


def _completion(candidates):
    """A click shell_complete callback from ``candidates(root, incomplete)``: finds the
    knowledge base, and answers nothing rather than ever breaking the shell."""

    def callback(
        ctx: click.Context, _param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        try:
            root = _root(ctx)
            return [] if root is None else candidates(root, incomplete)
        except Exception:  # noqa: BLE001 - a completion never breaks the shell
            return []

    callback.__doc__ = candidates.__doc__
    return callback


@_completion
def complete_paper_ids(root: Path, incomplete: str) -> list[CompletionItem]:
    """Ids starting with what was typed (case-sensitive first, then case-insensitive)."""
    ids = paper_ids(root)
    matches = sorted(i for i in ids if i.startswith(incomplete))
    if not matches:
        folded = incomplete.casefold()
        matches = sorted(i for i in ids if i.casefold().startswith(folded))
    with_titles = len(matches) <= MAX_TITLES
    return [CompletionItem(i, help=_title(ids[i]) if with_titles else None) for i in matches]


def tag_names(root: Path) -> dict[str, str]:
    """Canonical tag name -> 'English label / 中文'."""
    import yaml

    try:
        text = (root / "tags.yaml").read_text(encoding="utf-8")
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    tags = data.get("tags") if isinstance(data, dict) else None
    if not isinstance(tags, dict):
        return {}
    out = {}
    for name, body in tags.items():
        if isinstance(name, str):
            body = body if isinstance(body, dict) else {}
            labels = [str(body[k]) for k in ("en", "zh") if body.get(k)]
            out[name] = " / ".join(labels)
    return out


@_completion
def complete_tags(root: Path, incomplete: str) -> list[CompletionItem]:
    """Tag names starting with what was typed, in any case (``ntk`` -> ``NTK``)."""
    folded = incomplete.casefold()
    return [
        CompletionItem(name, help=label or None)
        for name, label in sorted(tag_names(root).items(), key=lambda kv: kv[0].casefold())
        if name.casefold().startswith(folded)
    ]


# -- search filters ----------------------------------------------------------------------
# The filters of the search language and where their values come from (None: open-ended).
FILTERS = {f.name: f.values for f in QUERY_FILTERS.values()}
FILTER_ALIASES = {alias: f.name for f in QUERY_FILTERS.values() for alias in f.aliases}


def complete_query(ctx: click.Context, param: click.Parameter, incomplete: str):
    """Filters inside a search query: ``tag:<TAB>`` completes tag names, ``decision:``
    and ``lang:`` their values, and a word that starts a filter's name (``ta``) the filter
    with its values. bash splits ``tag:NT`` at the colon; the words before say which filter."""
    try:
        previous = [str(w) for w in ctx.params.get(param.name) or ()]
        return _query_candidates(ctx, previous, incomplete)
    except Exception:  # noqa: BLE001 - a completion never breaks the shell
        return []


def _query_candidates(ctx, previous: list[str], incomplete: str) -> list[CompletionItem]:
    if incomplete == ":" and previous:  # bash: 'tag', ':' (the colon being completed)
        return _filter_values(ctx, previous[-1], "", ":")
    if previous[-1:] == [":"] and len(previous) >= 2:  # bash: 'tag', ':', 'NT'
        return _filter_values(ctx, previous[-2], incomplete, "")
    if ":" in incomplete:
        name, _, value = incomplete.partition(":")
        return _filter_values(ctx, name, value, f"{name}:")
    folded = incomplete.casefold()
    out: list[CompletionItem] = []
    for name in FILTERS if folded else ():
        if name.startswith(folded):
            out += _filter_values(ctx, name, "", f"{name}:")
    return out


def _filter_values(ctx, name: str, value: str, head: str) -> list[CompletionItem]:
    name = name.casefold()
    source = FILTERS.get(FILTER_ALIASES.get(name, name))
    folded = value.casefold()
    if source == "tags":
        root = _root(ctx)
        if root is None:
            return []
        return [
            CompletionItem(f"{head}{tag}", help=label or None)
            for tag, label in sorted(tag_names(root).items(), key=lambda kv: kv[0].casefold())
            if tag.casefold().startswith(folded)
        ]
    if isinstance(source, tuple):
        return [CompletionItem(f"{head}{v}") for v in source if v.startswith(folded)]
    return []


# -- the scripts -------------------------------------------------------------------------
# zsh: click's script passes -U, so zsh replaces the typed word by what the candidates have
# in common, which is nothing when they differ in case ('g' -> GAN, generalization); a
# case-insensitive matcher instead keeps what was typed.
_ZSH_MATCH = "-M 'm:{[:lower:][:upper:]}={[:upper:][:lower:]}'"
_ZSH_FIXES = (
    (
        "_describe -V unsorted completions_with_descriptions -U",
        f"_describe -V unsorted completions_with_descriptions {_ZSH_MATCH}",
    ),
    ("compadd -U -V unsorted -a completions", f"compadd -V unsorted {_ZSH_MATCH} -a completions"),
)
# fish: click's script splits 'plain,value<TAB>description' at every comma, so a description
# (or a value) stopped at its first comma; split once.
_FISH_FIXES = (('string split "," $completion', 'string split -m 1 "," $completion'),)


def completion_script(cli: click.Command, shell: str, prog_name: str, complete_var: str) -> str:
    """Click's completion script for ``shell``, with the zsh and fish fixes above."""
    from click.shell_completion import get_completion_class

    completion = get_completion_class(shell)
    if completion is None:  # pragma: no cover - click ships all three
        raise click.UsageError(f"unsupported shell {shell!r}")
    script = completion(cli, {}, prog_name, complete_var).source()
    for old, new in {"zsh": _ZSH_FIXES, "fish": _FISH_FIXES}.get(shell, ()):
        script = script.replace(old, new)
    return script
