"""What ``papernotes search`` prints: hits piped or as a table, and its messages."""

from __future__ import annotations

import click

from papernotes.cli.emit import Column


def print_hits(env, found, text, fixes, fuzzy, total, as_json) -> None:
    """The hits (JSON, piped or a table), with did-you-mean and how many were left out."""
    from papernotes.cli.emit import emit

    if fixes:
        click.echo(did_you_mean(fixes, fuzzy), err=True)
    if not found and not as_json:
        click.echo(f"No paper matches {quoted(text)}.", err=True)
        return
    rows = [{"id": h.id, "title": h.title, "tags": h.tags, "snippet": h} for h in found]
    emit(env, rows, COLUMNS, as_json=as_json, data=[h.to_dict() for h in found], field="squash")
    if not as_json and total is not None and total > len(found):
        click.echo(
            f"{len(found)} of {total} papers shown; use --limit {min(total, 1000)} for more.",
            err=True,
        )


def did_you_mean(fixes: dict[str, list[tuple[str, int]]], fuzzy: bool) -> str:
    """One line on stderr: the corrections of each unknown word, closest first."""
    from papernotes.cli.common import message_line

    parts = []
    for typed, ranked in fixes.items():
        best = min(d for _, d in ranked)
        words = [w for w, d in ranked if d == best]
        parts.append(f"{quoted(typed)} -> {' or '.join(message_line(w) for w in words)}")
    if fuzzy:
        return f"Searching with corrections: {'; '.join(parts)}."
    return f"Did you mean: {'; '.join(parts)}? (--fuzzy searches with them)"


def quoted(text: str) -> str:
    from papernotes.cli.common import message_line

    text = message_line(text)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def snippet_cell(hit):
    """The snippet with its matches highlighted (the marks « » are for piped output)."""
    from rich.text import Text

    snippet = Text(visible(hit.snippet_text))
    for start, end in hit.spans:
        snippet.stylize("bold yellow", start, end)
    return snippet


def _tags_cell(tags: list[str]) -> str:
    from papernotes.cli.common import safe_text

    return safe_text(", ".join(tags))


COLUMNS = [
    Column("id", no_wrap=True, style="cyan", overflow="ellipsis"),
    Column("title", ratio=3),
    Column("tags", text=",".join, markup=_tags_cell, ratio=1, style="magenta"),
    Column("snippet", text=lambda hit: hit.snippet, markup=snippet_cell, ratio=5),
]


def visible(text: str) -> str:
    """Control characters replaced one for one, so highlight offsets stay right."""
    return "".join(c if c.isprintable() or c == " " else "\ufffd" for c in text)
