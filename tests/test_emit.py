"""emit(): one column spec, three outputs (JSON, tab-separated when piped, a rich table)."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from papernotes.cli.common import Env, safe_text
from papernotes.cli.emit import Column, emit, write_output

COLUMNS = [
    Column("id", no_wrap=True),
    Column("title"),
    Column("tags", text=",".join, markup=lambda tags: safe_text(", ".join(tags))),
    Column("notes", justify="right", piped=False),
]
ROWS = [
    {"id": "a1", "title": "First\tpaper\nsplit", "tags": ["NTK", "GAN"], "notes": 2},
    {"id": "b2", "title": "Bell \x07 [bold]x[/bold]", "tags": [], "notes": 0},
]


def printed(rows, tty=False, monkeypatch=None, **options):
    """What emit prints for ``rows`` (stdout, stderr) and the count it returns."""
    monkeypatch.setattr("papernotes.cli.common.is_tty", lambda stderr=False: tty)  # noqa: ARG005 - is_tty(stderr=...)
    counted = []

    @click.command()
    def command():
        counted.append(emit(Env(no_color=True), rows, COLUMNS, **options))

    result = CliRunner().invoke(command, [], catch_exceptions=False)
    return result.stdout, result.stderr, counted[0]


def test_json_prints_the_rows_themselves(monkeypatch):
    out, _, count = printed(iter(ROWS), monkeypatch=monkeypatch, as_json=True)
    assert json.loads(out) == ROWS and count == 2


def test_json_of_no_rows_is_an_empty_list(monkeypatch):
    out, err, count = printed([], monkeypatch=monkeypatch, as_json=True, empty="nothing")
    assert out == "[]\n" and err == "" and count == 0


def test_json_prints_data_instead_when_given(monkeypatch):
    out, _, _ = printed(ROWS, monkeypatch=monkeypatch, as_json=True, data={"papers": 2})
    assert json.loads(out) == {"papers": 2}


def test_piped_rows_are_one_line_each_with_control_characters_shown(monkeypatch):
    out, err, count = printed(iter(ROWS), monkeypatch=monkeypatch)
    assert out.splitlines() == [
        "a1\tFirst paper split\tNTK,GAN",  # a tab or line break inside a field: a space
        "b2\tBell \\x07 [bold]x[/bold]\t",  # shown, never sent; no markup when piped
    ]
    assert err == "" and count == 2


def test_piped_fields_can_be_squashed_or_left_as_they_are(monkeypatch):
    row = [{"id": "a1", "title": "  two   words \x1b ", "tags": [], "notes": 0}]
    squashed, _, _ = printed(row, monkeypatch=monkeypatch, field="squash")
    assert squashed == "a1\ttwo words \\x1b\t\n"
    kept, _, _ = printed(row, monkeypatch=monkeypatch, field="plain")
    assert kept == "a1\t  two   words \\x1b \t\n"


def test_no_piped_rows_print_nothing_and_may_say_so_on_stderr(monkeypatch):
    assert printed([], monkeypatch=monkeypatch)[:2] == ("", "")
    out, err, count = printed([], monkeypatch=monkeypatch, empty="no papers")
    assert (out, err, count) == ("", "no papers\n", 0)


def test_a_terminal_gets_a_table_of_the_shown_columns(monkeypatch):
    out, _, count = printed(
        ROWS, tty=True, monkeypatch=monkeypatch, footer=lambda n: f"{n} paper(s)"
    )
    lines = out.splitlines()
    header = next(line for line in lines if "title" in line)
    assert all(name in header for name in ("id", "title", "tags", "notes"))
    assert any("NTK, GAN" in line for line in lines)
    assert "[bold]x[/bold]" in out  # user text is escaped, not styled
    assert "\x07" not in out and "\\x07" in out
    assert lines[-1] == "2 paper(s)" and count == 2


def test_a_terminal_table_of_no_rows_still_has_its_headers(monkeypatch):
    out, _, count = printed([], tty=True, monkeypatch=monkeypatch)
    assert "title" in out and count == 0


def test_render_replaces_the_table_and_text_the_piped_lines(monkeypatch):
    seen = []
    out, _, _ = printed(
        ROWS, tty=True, monkeypatch=monkeypatch, render=lambda _out, rows: seen.append(rows)
    )
    assert out == "" and seen == [ROWS]
    out, _, _ = printed(ROWS, monkeypatch=monkeypatch, text=lambda: click.echo("a page"))
    assert out == "a page\n"


@pytest.mark.parametrize("output", [None, "-"])
def test_write_output_to_stdout(output):
    @click.command()
    def command():
        write_output(Env(), output, "text\n", "wrote it")

    result = CliRunner().invoke(command, [])
    assert result.stdout == "text\n" and result.stderr == ""


def test_write_output_to_a_file(kb, tmp_path):
    target = tmp_path / "out.txt"

    @click.command()
    def command():
        write_output(Env(root=str(kb)), str(target), "text\n", f"wrote {target.name}")

    result = CliRunner().invoke(command, [])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == "text\n"
    assert result.stdout == "" and result.stderr == "wrote out.txt\n"


def test_one_progress_bar_with_stages_and_a_threshold(monkeypatch):
    from papernotes.cli import indexing

    monkeypatch.setattr(indexing, "is_tty", lambda stderr=False: True)  # noqa: ARG005
    with indexing.LazyProgress(Env(no_color=True), "Refreshing", show_after=0, min_total=2) as bar:
        bar(0, 3)
        bar(1, 3, "H1gEP6NFwr")
        bar(2, 3, label="Writing records")
        assert bar.bar is not None and list(bar.tasks) == ["Refreshing", "Writing records"]
    assert bar.bar is None  # closed with the block
    small = indexing.LazyProgress(Env(no_color=True), "Reading files", show_after=0, min_total=50)
    small(1, 10)
    assert small.bar is None
