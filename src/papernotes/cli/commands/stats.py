import click

from papernotes.cli.common import pass_env
from papernotes.cli.emit import Column, emit, json_option
from papernotes.cli.render import bar, chart

__all__ = ["bar", "command"]
COLUMNS = [Column("section"), Column("name"), Column("count")]


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
    tags = [t for t in data["tags"] if all_tags or t["with_children"]]
    rows = [dict(zip(("section", "name", "count"), row, strict=True)) for row in _rows(data, tags)]
    emit(
        env,
        rows,
        COLUMNS,
        as_json=as_json,
        data=data,
        field="plain",
        render=lambda out, _: _rich(out, data, tags),
    )


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


def _rich(out, data: dict, tags: list[dict]) -> None:
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
    chart(out, "Papers per tag", tag_rows, "magenta")
    chart(
        out,
        "Papers per decision",
        [(d["decision"], d["papers"], "") for d in data["decisions"]],
        "green",
    )
    chart(
        out,
        "Papers per reading status",
        [(s["status"], s["papers"], "") for s in data["statuses"]],
        "cyan",
    )
    if data["marks"]:
        chart(out, "Notes per mark", [(m["mark"], m["notes"], "") for m in data["marks"]], "red")
    names = {"zh": "中文 zh", "en": "English en"}
    chart(
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
