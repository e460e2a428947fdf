"""The documentation stays true to the program.

- ``docs/cli.md`` is every command's ``--help``, exactly as ``--help`` prints it.
- Every ```` ```console ```` block of the README and of ``docs/`` runs: each ``$ papernotes ...``
  line is run against a fresh copy of this repository's knowledge base (papers/, notes/,
  tags.yaml, seeds/), output piped and 80 columns wide, and must print exactly the lines below it
  (stdout and stderr as a terminal shows them). An HTML comment ``<!-- console: empty -->``
  just before a block runs it in an empty folder instead; ``$ cd DIR`` changes folder.
- Every ``papernotes`` command in a ```` ```sh ```` block (examples that need the network,
  a terminal or a git remote) names a command and options that exist.
- The pre-commit example names the hooks this repository ships.

After changing a command, regenerate both with one command (then read the diff)::

    PAPERNOTES_UPDATE_DOCS=1 python -m pytest tests/test_docs.py
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from papernotes.cli import cli, docgen

REPO = Path(__file__).parents[1]
UPDATE = os.environ.get("PAPERNOTES_UPDATE_DOCS") == "1"
SHIPPED = ("papers", "notes", "tags.yaml", "glossary.yaml", "seeds")
# Files whose console examples are run; docs/hostile.md has its own test.
EXAMPLE_FILES = ("README.md", "docs/reference.md", "docs/development.md")
# Examples that write a record show dates: today's date is printed as this one.
SHOWN_TODAY = "2026-12-01"
BLOCK = re.compile(r"(?:<!-- console: (?P<setup>[a-z]+) -->\n)?```console\n(?P<body>.*?)```", re.S)


def _blocks():
    for name in EXAMPLE_FILES:
        path = REPO / name
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start("body"))
            yield pytest.param(name, match.group(0), id=f"{name}:{line}")


def _steps(body: str) -> list[tuple[str, list[str]]]:
    """``[(command line, expected output lines)]`` of a console block."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"output before the first '$ ' line: {line!r}"
            steps[-1][1].append(line)
    return steps


def _normalised(output: str, folder: Path) -> list[str]:
    output = output.replace(dt.date.today().isoformat(), SHOWN_TODAY)
    output = output.replace(str(folder), "~")
    lines = [line.rstrip() for line in output.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _fresh_folder(tmp_path: Path, setup: str) -> Path:
    if setup == "empty":
        folder = tmp_path / "home"
        folder.mkdir()
        return folder
    assert setup == "shipped", f"unknown console setup {setup!r}"
    folder = tmp_path / "kb"
    folder.mkdir()
    for name in SHIPPED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        elif source.exists():
            shutil.copy2(source, folder / name)
    return folder


def _run(argv: list[str]):
    return CliRunner().invoke(cli, argv, prog_name="papernotes", catch_exceptions=False)


@pytest.mark.parametrize(("name", "block"), list(_blocks()))
def test_console_example(name, block, tmp_path, monkeypatch):
    match = BLOCK.fullmatch(block)
    home = _fresh_folder(tmp_path, match.group("setup") or "shipped")
    monkeypatch.chdir(home)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PAPERNOTES_AUTHOR", "Ada Lovelace")
    shown, problems = [], []
    for command, expected in _steps(match.group("body")):
        argv = shlex.split(command, comments=True)
        if argv[0] == "cd":
            monkeypatch.chdir(Path(os.path.expanduser(argv[1].replace("~", str(home), 1))))
            actual: list[str] = []
        else:
            assert argv[0] == "papernotes", f"only papernotes and cd run in examples: {command}"
            result = _run(argv[1:])
            actual = _normalised(result.output, home)
            fails = any(line.startswith("Error:") for line in expected)
            if (result.exit_code != 0) != fails:
                problems.append(f"$ {command}: exit code {result.exit_code}")
        shown += [f"$ {command}", *actual]
        if actual != [line.rstrip() for line in expected]:
            diff = difflib.unified_diff(expected, actual, "README", "actual", lineterm="")
            problems.append(f"$ {command}\n" + "\n".join(diff))
    if UPDATE:
        new = block.replace(match.group("body"), "\n".join(shown) + "\n", 1)
        path = REPO / name
        path.write_text(path.read_text(encoding="utf-8").replace(block, new, 1), encoding="utf-8")
        return
    assert not problems, "\n\n".join(problems)


def test_examples_are_found():
    """The README has console examples, so the test above cannot pass by finding none."""
    found = [p.values[0] for p in _blocks()]
    assert found.count("README.md") >= 5


def test_cli_reference_is_current():
    path = REPO / "docs" / "cli.md"
    expected = docgen.render()
    if UPDATE:
        path.write_text(expected, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == expected, (
        "docs/cli.md is out of date: run 'python -m papernotes.cli.docgen > docs/cli.md'"
    )


def test_cli_reference_is_what_help_prints(monkeypatch, capsys):
    """In a terminal of docgen.COLUMNS columns (CliRunner would force 80, so not through it)."""
    monkeypatch.setenv("COLUMNS", str(docgen.COLUMNS))
    pages = docgen.pages()
    ctx = cli.make_context("papernotes", ["--help"], resilient_parsing=True)
    assert {path.split()[1] for path, _ in pages[1:]} == set(cli.list_commands(ctx))
    assert "papernotes git init" in dict(pages)
    for path, text in pages:
        code = cli.main([*path.split()[1:], "--help"], "papernotes", standalone_mode=False)
        assert code == 0, path
        assert capsys.readouterr().out.rstrip() == text, path


def test_pre_commit_example_uses_the_shipped_hooks(tmp_path, monkeypatch):
    """The README's .pre-commit-config.yaml works without a published copy of papernotes:
    local hooks that run the installed command, with the shipped hooks' ids and files, and
    each passes on this repository's knowledge base."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = readme.split("### pre-commit")[1].split("```yaml\n")[1].split("```")[0]
    (repo,) = yaml.safe_load(example)["repos"]
    assert repo["repo"] == "local"
    shipped = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert [h["id"] for h in repo["hooks"]] == list(shipped)
    for hook in repo["hooks"]:
        want = shipped[hook["id"]]
        assert hook["entry"].startswith(want["entry"])
        assert hook["language"] == "system"
        for key in ("files", "pass_filenames"):
            assert hook[key] == want[key], (hook["id"], key)
    monkeypatch.chdir(_fresh_folder(tmp_path, "shipped"))
    for hook in repo["hooks"]:
        argv = shlex.split(hook["entry"])
        assert argv[0] == "papernotes"
        assert _run(argv[1:]).exit_code == 0, hook["entry"]


def _shell_examples():
    """``(file, command line)`` of every ``papernotes`` command in a ```` ```sh ```` block."""
    for name in EXAMPLE_FILES:
        path = REPO / name
        if not path.exists():
            continue
        for block in re.findall(r"```sh\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
            for line in block.splitlines():
                for part in re.split(r"&&|\||;|\$\(|>", line.split("  #")[0]):
                    words = part.split()
                    if words[:1] == ["papernotes"]:
                        yield name, words


def test_shell_examples_use_real_commands_and_options():
    """Examples that cannot run here (the network, a terminal, a git remote) still name
    commands and options that exist."""
    runner = CliRunner()
    helps: dict[tuple[str, ...], str] = {}
    checked = 0
    for name, words in _shell_examples():
        path = [w for w in words[1:3] if not w.startswith("-")][:1]
        if path == ["git"]:
            path = words[1:3]
        key = tuple(path)
        if key not in helps:
            result = runner.invoke(cli, [*path, "--help"], prog_name="papernotes")
            assert result.exit_code == 0, (name, " ".join(words))
            helps[key] = result.output + runner.invoke(cli, ["--help"]).output
        for option in re.findall(r"(?<![\w-])--?[a-zA-Z][\w-]*", " ".join(words[1:])):
            assert re.search(rf"(?<![\w-]){re.escape(option)}\b", helps[key]), (name, option)
        checked += 1
    assert checked >= 20
