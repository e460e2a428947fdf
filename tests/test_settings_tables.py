"""The README's tables of environment variables and exit codes are the code's tables.

The tables may sit anywhere in README.md or docs/*.md: each is found by its header row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from papernotes import settings
from papernotes.errors import EXIT_MEANINGS, ExitCode

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src" / "papernotes"


def _docs() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _tables(header: list[str]) -> list[tuple[str, list[list[str]]]]:
    """Every Markdown table whose header row is ``header``: (where, its body rows)."""
    found = []
    for path in _docs():
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines):
            if line.startswith("|") and _cells(line) == header:
                rows = []
                for body in lines[n + 2 :]:
                    if not body.startswith("|"):
                        break
                    rows.append(_cells(body))
                found.append((f"{path.relative_to(REPO)}:{n + 1}", rows))
    return found


def _one_table(header: list[str], expected: list[list[str]]) -> None:
    tables = _tables(header)
    table = "\n".join("| " + " | ".join(row) + " |" for row in [header, *expected])
    assert len(tables) == 1, f"want one table headed {header} in README.md or docs/:\n{table}"
    where, rows = tables[0]
    assert rows == expected, f"{where}: the table should read\n{table}"


def test_readme_lists_every_environment_variable_as_declared():
    _one_table(
        ["variable", "default", "meaning"],
        [[f"`{v.name}`", v.default, v.meaning] for v in settings.VARIABLES],
    )


def test_readme_lists_every_exit_code_as_declared():
    assert set(EXIT_MEANINGS) == set(ExitCode)
    _one_table(
        ["code", "meaning"],
        [[str(int(code)), EXIT_MEANINGS[code][1]] for code in ExitCode],
    )


def test_the_help_names_every_exit_code():
    from papernotes.cli import EXIT_CODES

    text = " ".join(EXIT_CODES.split())
    for code, (short, _) in EXIT_MEANINGS.items():
        assert f" {int(code)} {short}" in text


def test_every_variable_the_code_names_is_declared():
    named = set()
    for path in SRC.rglob("*.py"):
        named |= set(re.findall(r"[\"'](PAPERNOTES_[A-Z0-9_]+)[\"']", path.read_text("utf-8")))
    declared = {v.name for v in settings.VARIABLES}
    assert named == declared


def test_an_undeclared_variable_cannot_be_read():
    with pytest.raises(KeyError):
        settings.variable("PAPERNOTES_NO_SUCH_THING", {"PAPERNOTES_NO_SUCH_THING": "x"})
    assert settings.variable("PAPERNOTES_AUTHOR", {"PAPERNOTES_AUTHOR": "Ada"}) == "Ada"
    assert settings.variable("PAPERNOTES_AUTHOR", {"PAPERNOTES_AUTHOR": ""}) is None
    assert settings.Settings(environ={"PAPERNOTES_AUTHOR": "Ada"}).variable(
        "PAPERNOTES_AUTHOR"
    ) == ("Ada")


def test_declared_defaults_are_the_code_defaults():
    from papernotes.index.store import DEFAULT_TIMEOUT
    from papernotes.metadata import arxiv, openreview
    from papernotes.metadata.http import HttpSettings

    http = HttpSettings()
    default = {v.name: v.default.strip("`") for v in settings.VARIABLES}

    def number(value: float) -> str:
        return f"{value:g}"

    assert default["PAPERNOTES_OPENREVIEW_API_V2"] == openreview.V2_DEFAULT
    assert default["PAPERNOTES_OPENREVIEW_API_V1"] == openreview.V1_DEFAULT
    assert default["PAPERNOTES_ARXIV_API"] == arxiv.ARXIV_DEFAULT
    assert default["PAPERNOTES_INDEX_TIMEOUT"] == number(DEFAULT_TIMEOUT)
    assert default["PAPERNOTES_HTTP_TIMEOUT"] == (
        f"{number(http.connect_timeout)},{number(http.read_timeout)}"
    )
    assert default["PAPERNOTES_HTTP_RETRY_BUDGET"] == number(http.retry_budget)
    assert default["PAPERNOTES_HTTP_BACKOFF"] == number(http.backoff)
    assert default["PAPERNOTES_HTTP_CACHE_TTL"] == number(http.cache_ttl)


def test_validate_and_fmt_exit_with_the_problems_code(run, kb):
    (kb / "papers" / "H1gEP6NFwr.yaml").write_text("id: H1gEP6NFwr\n", encoding="utf-8")
    assert run("validate").exit_code == ExitCode.PROBLEMS == 1
    assert run("fmt", "--check").exit_code == ExitCode.PROBLEMS


def test_the_settings_built_once_are_the_ones_read_below(tmp_path, monkeypatch):
    """The command line builds one Settings; the knowledge base carries it to the cache, the
    index and the metadata fetcher, whatever the process environment says meanwhile."""
    from papernotes.index.store import Index
    from papernotes.metadata.sources import MetadataFetcher
    from papernotes.store.kb import KnowledgeBase

    (tmp_path / "kb" / "papers").mkdir(parents=True)
    environ = {
        "PAPERNOTES_CACHE_DIR": str(tmp_path / "cache-from-settings"),
        "PAPERNOTES_INDEX_TIMEOUT": "7",
        "PAPERNOTES_ARXIV_API": "http://127.0.0.1:9/arxiv",
        "PAPERNOTES_OPENREVIEW_TOKEN": " secret ",
        "PAPERNOTES_HTTP_TIMEOUT": "2,3",
    }
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache-from-process"))
    monkeypatch.setenv("PAPERNOTES_INDEX_TIMEOUT", "99")
    kb = KnowledgeBase(tmp_path / "kb", settings.Settings(environ=environ, path=tmp_path / "none"))
    assert kb.cache_location() == tmp_path / "cache-from-settings"
    assert Index(kb).timeout == 7.0
    fetcher = MetadataFetcher(kb.cache_dir(), environ=kb.environ)
    assert fetcher.endpoints.arxiv == "http://127.0.0.1:9/arxiv" and fetcher.token == "secret"
    assert (fetcher.client.settings.connect_timeout, fetcher.client.settings.read_timeout) == (2, 3)
    bare = KnowledgeBase(tmp_path / "kb")  # no settings given: the process environment
    assert bare.cache_location() == tmp_path / "cache-from-process"
    assert Index(bare).timeout == 99.0
