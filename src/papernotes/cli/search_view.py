"""What ``papernotes search`` prints: hits piped or as a table, and its messages."""

from __future__ import annotations

import click


def print_hits(env, found, text, fixes, fuzzy, total, as_json) -> None:
    """The hits (JSON, piped or a table), with did-you-mean and how many were left out."""
    from papernotes.cli.common import emit_json, is_tty

    if fixes:
        click.echo(did_you_mean(fixes, fuzzy), err=True)
    if as_json:
        emit_json([hit.to_dict() for hit in found])
        return
    if not found:
        click.echo(f"No paper matches {quoted(text)}.", err=True)
        return
    if not is_tty():
        print_plain(found)
    else:
        print_table(env, found)
    if total is not None and total > len(found):
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


def cell(text: str) -> str:
    from papernotes.cli.common import plain

    return plain(" ".join(text.split()))


def print_plain(found) -> None:
    for hit in found:
        click.echo(
            "\t".join([cell(hit.id), cell(hit.title), cell(",".join(hit.tags)), cell(hit.snippet)])
        )


def print_table(env, found) -> None:
    from rich.table import Table
    from rich.text import Text

    from papernotes.cli.common import console, safe_text

    table = Table(header_style="bold", show_lines=False)
    table.add_column("id", no_wrap=True, style="cyan")
    table.add_column("title", ratio=3, overflow="fold")
    table.add_column("tags", ratio=1, overflow="fold", style="magenta")
    table.add_column("snippet", ratio=5, overflow="fold")
    for hit in found:
        snippet = Text(visible(hit.snippet_text))
        for start, end in hit.spans:
            snippet.stylize("bold yellow", start, end)
        table.add_row(
            safe_text(hit.id), safe_text(hit.title), safe_text(", ".join(hit.tags)), snippet
        )
    console(env).print(table)


def visible(text: str) -> str:
    """Control characters replaced one for one, so highlight offsets stay right."""
    return "".join(c if c.isprintable() or c == " " else "\ufffd" for c in text)
