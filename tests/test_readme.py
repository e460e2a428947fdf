"""The README's command table and quick start stay true to the CLI."""

import re
from pathlib import Path

from click.testing import CliRunner

from papernotes.cli import cli

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _table_commands() -> set[str]:
    table = README.split("<!-- commands:start -->")[1].split("<!-- commands:end -->")[0]
    return set(re.findall(r"^\| `papernotes ([a-z-]+)", table, flags=re.M))


def test_command_table_lists_every_command():
    ctx = cli.make_context("papernotes", ["--help"], resilient_parsing=True)
    assert _table_commands() == set(cli.list_commands(ctx))


def test_every_documented_option_exists():
    """Each `--option` the table shows for a command is in that command's --help."""
    table = README.split("<!-- commands:start -->")[1].split("<!-- commands:end -->")[0]
    runner = CliRunner()
    for name, usage in re.findall(r"^\| `papernotes ([a-z-]+)([^`]*)`", table, flags=re.M):
        helptext = runner.invoke(cli, [name, "--help"]).stdout
        for option in re.findall(r"--[a-z-]+", usage):
            assert option in helptext, (name, option)


def test_quick_start_has_exactly_two_commands():
    quick = README.split("## Quick start")[1].split("\n## ")[0]
    blocks = re.findall(r"```sh\n(.*?)```", quick, flags=re.S)
    assert [b.strip() for b in blocks] == [
        "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/papernotes search ntk",
        "bash .ci/run",
    ]
