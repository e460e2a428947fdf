"""One way to print rows: JSON, tab-separated (piped) or a rich table (terminal).

A command describes its output once, as a list of :class:`Column`, and hands its rows to
:func:`emit`. ``--json`` prints the rows themselves (``[]`` when there are none), piped
output is one tab-separated line per row, and a terminal gets a table; rich is imported
only then. The shared options (``--json``, ``--output``, ``--tag``, ``--limit``) and the
writer of ``--output`` files live here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from papernotes.cli import common
from papernotes.cli.common import Env, console, emit_json, json_option, plain, safe_text

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "Column",
    "emit",
    "emit_changes",
    "format_option",
    "json_option",
    "limit_option",
    "output_option",
    "status_option",
    "write_output",
]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Column:
    """One field of a row: ``key`` in the row, how it reads piped and in the table.

    ``text`` turns the value into piped text (default: ``str``, nothing for None);
    ``markup`` into a table cell (default: the text, escaped; or a ``rich.text.Text``).
    ``piped`` / ``shown`` leave the column out of the tab-separated lines / the table;
    ``style``, ``ratio`` and ``overflow`` are rich's, for the table.
    """

    key: str
    header: str | None = None
    text: Callable[[Any], str] = _text
    markup: Callable[[Any], Any] | None = None
    piped: bool = True
    shown: bool = True
    justify: str = "left"
    no_wrap: bool = False
    style: str | None = None
    ratio: int | None = None
    overflow: str = "fold"

    def cell(self, value: Any) -> Any:
        if self.markup is not None:
            return self.markup(value)
        return safe_text(self.text(value))


def one_field(text: str) -> str:
    """A piped field that stays one field: tabs and line breaks inside it become spaces
    (control characters are shown by the caller, once for the whole output)."""
    if "\t" in text or "\n" in text:
        return text.replace("\t", " ").replace("\n", " ")
    return text


def _texts(values: Iterable[Any], text: Callable[[Any], str]) -> list[str]:
    """``text`` of each value; the default one inline (no call per value: 20,000 rows)."""
    if text is _text:
        return ["" if v is None else v if v.__class__ is str else str(v) for v in values]
    return list(map(text, values))


def _one_column(texts: list[str]) -> list[str]:
    """:func:`one_field` of each of ``texts``, looked at one by one only when one needs it."""
    joined = "".join(texts)
    if "\t" in joined or "\n" in joined:
        return list(map(one_field, texts))
    return texts


def squashed(text: str) -> str:
    """A piped field with its runs of white space made one space."""
    return " ".join(plain(text).split())


def tsv_text(rows: Iterable[dict], columns: list[Column], field: str = "one") -> tuple[str, int]:
    """The tab-separated lines of ``rows``, made safe to print, and how many there are.

    ``field``: ``one`` (tabs and line breaks in a value become spaces), ``squash`` (white
    space runs become one space), ``plain`` (the value as it is).
    """
    piped = [(c.key, c.text) for c in columns if c.piped]
    if field == "one":
        # column by column, and control characters shown once over the whole text: a
        # call per field costs more (20,000 rows of `list`)
        rows = rows if isinstance(rows, list) else list(rows)
        fields = [_one_column(_texts(map(itemgetter(key), rows), text)) for key, text in piped]
        lines = list(map("\t".join, zip(*fields, strict=True))) if fields else [""] * len(rows)
        return plain("\n".join(lines)), len(lines)
    clean = squashed if field == "squash" else plain
    lines = ["\t".join(clean(text(row[key])) for key, text in piped) for row in rows]
    return "\n".join(lines), len(lines)


def emit(
    env: Env,
    rows: Iterable[dict],
    columns: list[Column],
    *,
    as_json: bool = False,
    data: Any = None,
    field: str = "one",
    footer: Callable[[int], str] | None = None,
    empty: str | None = None,
    render: Callable[[Console, list[dict]], None] | None = None,
    text: Callable[[], None] | None = None,
    **table: Any,
) -> int:
    """Print ``rows`` (dicts) as JSON (``data`` instead, when given), tab-separated lines
    when stdout is not a terminal, else a rich table of ``columns`` (``table``: options of
    ``rich.table.Table``) or what ``render`` prints. Returns the number of rows.

    ``footer``: a line under the table, from the row count; ``empty``: said on stderr
    when piped output has no row; ``text``: prints piped output that is not one line per
    row (a page of sections).
    """
    if as_json:
        rows = list(rows)
        emit_json(rows if data is None else data)
        return len(rows)
    if not common.is_tty():  # looked up on each call: tests stand in a terminal
        if text is not None:
            text()
            return 0
        lines, count = tsv_text(rows, columns, field)
        if count:
            click.echo(lines)
        if not count and empty:
            click.echo(empty, err=True)
        return count
    rows = list(rows)
    out = console(env)
    if render is not None:
        render(out, rows)
        return len(rows)
    from rich.table import Table

    shown = [c for c in columns if c.shown]
    grid = Table(**{"header_style": "bold", **table})
    for c in shown:
        grid.add_column(
            c.key if c.header is None else c.header,
            overflow=c.overflow,  # type: ignore[arg-type]
            no_wrap=c.no_wrap,
            justify=c.justify,  # type: ignore[arg-type]
            style=c.style,
            ratio=c.ratio,
        )
    for row in rows:
        grid.add_row(*(c.cell(row[c.key]) for c in shown))
    out.print(grid)
    if footer is not None:
        out.print(footer(len(rows)))
    return len(rows)


def output_option(help: str, allow_dash: bool = True) -> Callable[[Callable], Callable]:
    """``--output FILE`` (``-o``): write to a file instead of stdout."""
    return click.option(
        "--output", "-o", type=click.Path(dir_okay=False, allow_dash=allow_dash), help=help
    )


def format_option(registry: dict, default: str) -> Callable[[Callable], Callable]:
    """``--format NAME`` (``-f``, as ``fmt``): one of a registry's entries, each with a
    ``help`` (the choices and the help come from the registry)."""
    return click.option(
        "--format",
        "-f",
        "fmt",
        type=click.Choice(list(registry)),
        default=default,
        show_default=True,
        help=", ".join(entry.help for entry in registry.values()) + ".",
    )


def limit_option(default: int, help: str = "Show at most N papers (0: all).") -> Callable:
    """``--limit N`` (``-n``): at most N rows (0: all)."""
    return click.option(
        "--limit",
        "-n",
        type=click.IntRange(min=0),
        default=default,
        show_default=True,
        metavar="N",
        help=help,
    )


def status_option(help: str) -> Callable:
    """``--status S`` (repeatable): reading statuses to keep."""
    from papernotes.reading import STATUSES

    return click.option(
        "--status", "statuses", multiple=True, type=click.Choice(STATUSES), help=help
    )


def emit_changes(changes: Iterable[Any], as_json: bool, line: Callable[[Any], str]) -> None:
    """Changes to records: their ``to_dict()`` as JSON, else ``line(change)`` for each."""
    if as_json:
        emit_json([c.to_dict() for c in changes])
        return
    for change in changes:
        click.echo(line(change))


def write_output(env: Env, output: str | None, text: str, summary: str, dash: bool = True) -> None:
    """``text`` to the ``--output`` file (atomically; never into papers/, notes/ or
    tags.yaml) with ``summary`` on stderr, or to stdout without a file (or for ``-``,
    when ``dash``)."""
    if not output or (dash and output == "-"):
        click.echo(text, nl=False)
        return
    env.kb().write_output(Path(output), text, output)
    click.echo(summary, err=True)
