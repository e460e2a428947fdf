"""User settings: the one place that reads the config file and the environment for them.

Each setting comes from, in order: the command line, a ``PAPERNOTES_*`` environment
variable, the user config file ``$XDG_CONFIG_HOME/papernotes/config.toml``
(``~/.config/...`` when unset; ``$PAPERNOTES_CONFIG`` names another file), a general
variable meant for every program (``$PAGER``, ``$VISUAL``, ``$EDITOR``, ``$BROWSER``), else
a built-in default. ``papernotes config``
shows every value and where it came from.

:data:`VARIABLES` declares every ``PAPERNOTES_*`` variable, and :func:`variable` is how
any module reads one: a name that is not declared there cannot be read (KeyError), and
the README's table of variables is checked against this one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from papernotes.errors import PapernotesError

CONFIG_ENV = "PAPERNOTES_CONFIG"
ROOT_ENV = "PAPERNOTES_ROOT"
MAX_CONFIG_BYTES = 1_000_000


class Variable:
    """One environment variable: its name, its default (as the README shows it) and what
    it sets."""

    __slots__ = ("name", "default", "meaning")

    def __init__(self, name: str, default: str, meaning: str):
        self.name, self.default, self.meaning = name, default, meaning


VARIABLES = (
    Variable(
        ROOT_ENV,
        "the nearest parent folder with `papers/` and `tags.yaml`, else `root` in the config file",
        "the knowledge base (as `--root DIR`)",
    ),
    Variable(CONFIG_ENV, "`$XDG_CONFIG_HOME/papernotes/config.toml`", "the config file to read"),
    Variable(
        "PAPERNOTES_CACHE_DIR",
        "`.papernotes/` in the knowledge base (`~/.cache/papernotes/<hash>/` when it is read-only)",
        "where the search index and the HTTP cache live",
    ),
    Variable(
        "PAPERNOTES_AUTHOR",
        "`author` in the config file, else git's `user.name`",
        "your name on the notes you add",
    ),
    Variable(
        "PAPERNOTES_INDEX_TIMEOUT", "60", "seconds a command waits for the search index's lock"
    ),
    Variable(
        "PAPERNOTES_OPENREVIEW_TOKEN",
        "none",
        "OpenReview API token, sent as `Authorization: Bearer`",
    ),
    Variable(
        "PAPERNOTES_OPENREVIEW_API_V2",
        "`https://api2.openreview.net`",
        "OpenReview API v2 base URL",
    ),
    Variable(
        "PAPERNOTES_OPENREVIEW_API_V1", "`https://api.openreview.net`", "OpenReview API v1 base URL"
    ),
    Variable(
        "PAPERNOTES_ARXIV_API",
        "`https://export.arxiv.org/api`",
        "arXiv API base URL (`/query` is appended)",
    ),
    Variable(
        "PAPERNOTES_HTTP_TIMEOUT",
        "`5,20`",
        "`CONNECT,READ` seconds of each HTTP request (or one number for both)",
    ),
    Variable(
        "PAPERNOTES_HTTP_RETRY_BUDGET", "30", "seconds after which no new HTTP attempt starts"
    ),
    Variable(
        "PAPERNOTES_HTTP_BACKOFF", "1", "seconds of the first wait before a retry (it doubles)"
    ),
    Variable("PAPERNOTES_HTTP_CACHE_TTL", "86400", "seconds a cached HTTP answer stays fresh"),
)
_VARIABLE_NAMES = frozenset(v.name for v in VARIABLES)


def variable(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The value of the declared variable ``name`` (None when unset or empty), from
    ``environ`` (default: the process environment)."""
    if name not in _VARIABLE_NAMES:
        raise KeyError(f"{name} is not declared in papernotes.settings.VARIABLES")
    env = os.environ if environ is None else environ
    return env.get(name) or None


class ConfigError(PapernotesError):
    """The config file cannot be used (exit 2, like any other bad input)."""


class Spec:
    """One setting: its type, the variables that set it, its help and default. (A plain
    class: dataclasses cost start-up time on every command.)"""

    __slots__ = ("name", "kind", "env", "help", "default")

    def __init__(self, name: str, kind: type, env: tuple[str, ...], help: str, default=None):
        self.name, self.kind, self.env, self.help, self.default = name, kind, env, help, default


SPECS = (
    Spec(
        "root",
        str,
        (ROOT_ENV,),
        "Default knowledge base, used outside any knowledge-base folder.",
    ),
    Spec("pager", str, ("PAGER",), "Pager for long output of 'show'.", "less"),
    Spec("editor", str, ("VISUAL", "EDITOR"), "Editor for 'edit' and 'add --edit'.", None),
    Spec("author", str, ("PAPERNOTES_AUTHOR",), "Your name, recorded as the author of notes."),
    Spec("color", bool, (), "false: never use colours (as --no-color or NO_COLOR).", True),
    Spec("browser", str, ("BROWSER",), "Browser command for 'open' (default: the system's)."),
)
BY_NAME = {spec.name: spec for spec in SPECS}


class Setting:
    """A setting's value and where it came from: "--root", "environment PAPERNOTES_ROOT",
    "config file PATH" or "default"."""

    __slots__ = ("name", "value", "source", "help")

    def __init__(self, name: str, value: Any, source: str, help: str):
        self.name, self.value, self.source, self.help = name, value, source, help

    def to_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "source": self.source, "help": self.help}


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    given = variable(CONFIG_ENV, env)
    if given:
        return Path(given).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "papernotes" / "config.toml"


def env_root() -> str | None:
    """``$PAPERNOTES_ROOT``, for finding the knowledge base."""
    return variable(ROOT_ENV)


class Settings:
    def __init__(
        self,
        options: dict[str, Any] | None = None,
        environ: dict[str, str] | None = None,
        path: Path | None = None,
    ):
        self.environ = dict(os.environ if environ is None else environ)
        self.path = path or config_path(self.environ)
        self.options = {k: v for k, v in (options or {}).items() if v is not None}
        self.file = read_config(self.path)
        self._cache: dict[str, Setting] = {}

    def variable(self, name: str) -> str | None:
        """A declared ``PAPERNOTES_*`` variable from this object's environment."""
        return variable(name, self.environ)

    def get(self, name: str) -> Setting:
        if name not in self._cache:
            self._cache[name] = self._find(BY_NAME[name])
        return self._cache[name]

    def value(self, name: str) -> Any:
        return self.get(name).value

    def rows(self) -> list[Setting]:
        return [self.get(spec.name) for spec in SPECS]

    def _find(self, spec: Spec) -> Setting:
        if spec.name in self.options:
            return Setting(spec.name, self.options[spec.name], f"--{spec.name}", spec.help)
        own = [v for v in spec.env if v.startswith("PAPERNOTES_")]
        general = [v for v in spec.env if v not in own]
        for var in own:
            if variable(var, self.environ):
                return Setting(spec.name, self.environ[var], f"environment {var}", spec.help)
        if spec.name in self.file:
            return Setting(spec.name, self.file[spec.name], f"config file {self.path}", spec.help)
        for var in general:  # $PAGER, $EDITOR...: for every program, so the file wins
            if self.environ.get(var):
                return Setting(spec.name, self.environ[var], f"environment {var}", spec.help)
        return Setting(spec.name, spec.default, "default", spec.help)


def read_config(path: Path) -> dict[str, Any]:
    """The settings in the config file ({} when there is none), checked: unknown keys
    and wrong types are one-line errors naming the file (and line, for TOML syntax)."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except PermissionError:
        if not os.access(path.parent, os.X_OK):
            return {}  # a folder this user cannot enter holds no config of theirs
        raise ConfigError(f"cannot read config file {path}: permission denied") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a directory") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config file {path} is too large")
    import tomllib  # only when there is a file: most commands start without it

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    out: dict[str, Any] = {}
    for key, value in data.items():
        spec = BY_NAME.get(key)
        if spec is None:
            import difflib

            close = difflib.get_close_matches(key, list(BY_NAME), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(BY_NAME)}"
            raise ConfigError(f"{path}: unknown setting {key!r} ({hint})")
        if not isinstance(value, spec.kind) or (isinstance(value, str) and not value.strip()):
            kind = "true or false" if spec.kind is bool else "a non-empty string"
            raise ConfigError(f"{path}: {key} must be {kind}, not {value!r}")
        out[key] = value
    if "root" in out:
        root = Path(out["root"]).expanduser()
        out["root"] = str(root if root.is_absolute() else path.parent / root)
    return out
