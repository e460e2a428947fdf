import click

from papernotes.cli.common import emit_json, json_option, pass_env


@click.command()
@click.option(
    "--all-tags",
    is_flag=True,
    help="Also list tags no paper carries (hidden from the chart by default).",
)
@json_option
@pass_env
def command(env, all_tags: bool, as_json: bool) -> None:
    """Counts as bar charts: papers per tag and per decision, notes per language.

    A tag counts the papers that carry it; '+N' shows papers that carry one of its
    child tags only. Piped, each row is tab-separated: SECTION, NAME, COUNT.

    \b
    Examples:
      papernotes stats
      papernotes stats --json | jq '.decisions'
    """
    from papernotes.views.stats import kb_stats

    data = kb_stats(env.kb())
    if as_json:
        emit_json(data)
        return
    from papernotes.cli.common import is_tty

    tags = [t for t in data["tags"] if all_tags or t["with_children"]]
    if is_tty():
        _rich(env, data, tags)
    else:
        _plain(data, tags)


def _rows(data: dict, tags: list[dict]) -> list[tuple[str, str, int]]:
    rows = [("tag", t["tag"], t["papers"]) for t in tags]
    rows += [("decision", d["decision"], d["papers"]) for d in data["decisions"]]
    rows += [("status", s["status"], s["papers"]) for s in data["statuses"]]
    rows += [("mark", m["mark"], m["notes"]) for m in data["marks"]]
    for lang in data["notes"]["languages"]:
        rows.append(("note-language", lang["lang"], lang["original"]))
    rows.append(("notes", "bilingual", data["notes"]["bilingual"]))
    rows.append(("notes", "total", data["notes"]["total"]))
    for lang, count in sorted(data["notes_md"]["languages"].items()):
        rows.append(("notes-md-language", lang, count))
    rows.append(("notes-md", "files", data["notes_md"]["files"]))
    rows.append(("notes-md", "paper-links", data["notes_md"]["paper_links"]))
    rows.append(("notes-md", "tag-links", data["notes_md"]["tag_links"]))
    rows.append(("papers", "total", data["papers"]))
    rows.append(("papers", "untagged", data["untagged"]))
    rows.append(("papers", "explicit-links", data["links"]))
    return rows


def _plain(data: dict, tags: list[dict]) -> None:
    from papernotes.cli.common import plain

    for section, name, count in _rows(data, tags):
        click.echo(f"{section}\t{plain(name)}\t{count}")


BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(value: float, largest: float, width: int = 30) -> str:
    """A horizontal bar in eighths of a character, ``width`` characters for ``largest``."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    return "█" * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "")


def _chart(out, title: str, rows: list[tuple[str, int, str]], color: str) -> None:
    from rich.table import Table

    from papernotes.cli.common import safe_text

    table = Table(title=title, title_justify="left", box=None, show_header=False, pad_edge=False)
    table.add_column("name", no_wrap=True)
    table.add_column("count", justify="right")
    table.add_column("bar", no_wrap=True)
    largest = max((count for _, count, _ in rows), default=0)
    for name, count, extra in rows:
        table.add_row(
            safe_text(name), str(count), f"[{color}]{bar(count, largest)}[/]{safe_text(extra)}"
        )
    out.print(table)
    out.print()


def _rich(env, data: dict, tags: list[dict]) -> None:
    from papernotes.cli.common import console

    out = console(env)
    notes = data["notes"]
    out.print(
        f"[bold]{data['papers']}[/] papers, [bold]{notes['total']}[/] notes "
        f"({notes['bilingual']} in both languages), [bold]{data['links']}[/] explicit links, "
        f"[bold]{data['notes_md']['files']}[/] long-form notes in notes/"
    )
    out.print()
    tag_rows = []
    for t in tags:
        more = t["with_children"] - t["papers"]
        tag_rows.append((t["tag"], t["papers"], f" +{more}" if more > 0 else ""))
    _chart(out, "Papers per tag", tag_rows, "magenta")
    _chart(
        out,
        "Papers per decision",
        [(d["decision"], d["papers"], "") for d in data["decisions"]],
        "green",
    )
    _chart(
        out,
        "Papers per reading status",
        [(s["status"], s["papers"], "") for s in data["statuses"]],
        "cyan",
    )
    if data["marks"]:
        _chart(out, "Notes per mark", [(m["mark"], m["notes"], "") for m in data["marks"]], "red")
    names = {"zh": "中文 zh", "en": "English en"}
    _chart(
        out,
        "Notes per language (written in)",
        [(names[x["lang"]], x["original"], "") for x in notes["languages"]],
        "yellow",
    )
    if data["untagged"] or data["unloadable"]:
        out.print(
            f"[dim]{data['untagged']} untagged paper(s), {data['unloadable']} record(s) "
            "that do not load (run 'papernotes validate')[/]"
        )
