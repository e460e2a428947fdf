import click

from papernotes.cli.common import emit_json, json_option, pass_env


@click.command()
@click.argument("tag")
@click.option(
    "--sort",
    type=click.Choice(["decision", "rating", "added", "id"]),
    default="decision",
    show_default=True,
    help="Order of the papers: decision (orals first, then by mean rating), mean rating, "
    "date added (newest first) or id.",
)
@json_option
@pass_env
def command(env, tag: str, sort: str, as_json: bool) -> None:
    """Everything about one topic: labels, parent and children, papers, notes, neighbours.

    TAG is a tag name, alias or label in any case (ntk, CNTK, 神经正切核). Papers
    include those with a child tag; notes are the files in notes/ that link the tag
    (#TAG) or its papers ([[ID]]); the last list is the tags its papers also carry.

    \b
    Examples:
      papernotes topic ntk
      papernotes topic 彩票假设 --sort rating
      papernotes topic GAN --json | jq -r '.papers[].id'
    """
    from papernotes.store.tags import resolve_tag
    from papernotes.views.topics import topic_page

    kb = env.kb()
    page = topic_page(kb, resolve_tag(kb, tag), sort=sort)
    if as_json:
        emit_json(page)
        return
    from papernotes.cli.common import is_tty

    if is_tty():
        _rich(env, page)
    else:
        _plain(page)


def _plain(page: dict) -> None:
    from papernotes.cli.common import plain

    def line(*parts) -> None:
        click.echo("\t".join(" ".join(plain(str(p)).split()) for p in parts))

    click.echo(plain(f"{page['name']}: {page['en']} / {page['zh']}"))
    click.echo(plain(page["description"]))
    if page["aliases"]:
        click.echo(plain("aliases: " + ", ".join(page["aliases"])))
    if page["parent"]:
        click.echo(plain(f"parent: {page['parent']['name']}"))
    if page["children"]:
        kids = ", ".join(f"{c['name']} ({c['papers']})" for c in page["children"])
        click.echo(plain("children: " + kids))
    click.echo(f"\npapers ({len(page['papers'])}):")
    for p in page["papers"]:
        rating = "" if p["mean_rating"] is None else f"{p['mean_rating']:.1f}"
        line(p["id"], p["decision"] or "", rating, p["title"], ",".join(p["via"]))
    click.echo(f"\nnotes ({len(page['notes'])}):")
    for n in page["notes"]:
        line(f"{n['path']}:{n['line']}", n["title"], f"{len(n['papers'])} paper(s)")
    if page["cooccurring"]:
        click.echo("\nalso tagged:")
        for t in page["cooccurring"]:
            line(t["name"], t["papers"])


def _rich(env, page: dict) -> None:
    from rich.table import Table

    from papernotes.cli.common import console, safe_text
    from papernotes.cli.render import decision_style

    out = console(env)
    out.print(
        f"[bold magenta]#{safe_text(page['name'])}[/]  [bold]{safe_text(page['en'])}[/]"
        f" / {safe_text(page['zh'])}"
    )
    out.print(safe_text(page["description"]))
    if page["aliases"]:
        out.print("[dim]Also called:[/] " + safe_text(", ".join(page["aliases"])))
    if page["parent"]:
        chain = " › ".join(safe_text(t) for t in reversed(page["ancestors"]))
        out.print(f"[dim]Under:[/] [magenta]{chain}[/]")
    if page["children"]:
        kids = ", ".join(
            f"[magenta]{safe_text(c['name'])}[/] ({c['papers']})" for c in page["children"]
        )
        out.print("[dim]Children:[/] " + kids)
    out.print()
    if page["papers"]:
        table = Table(
            title=f"Papers ({len(page['papers'])}, by {page['sort']})",
            title_justify="left",
            header_style="bold",
        )
        for col in ("id", "title", "decision", "rating", "child tag"):
            table.add_column(
                col,
                overflow="fold",
                no_wrap=col == "id",
                justify="right" if col == "rating" else "left",
            )
        for p in page["papers"]:
            decision = p["decision"] or ""
            table.add_row(
                f"[cyan]{safe_text(p['id'])}[/]",
                safe_text(p["title"]),
                f"[{decision_style(p['decision'])}]{safe_text(decision)}[/]",
                "" if p["mean_rating"] is None else f"{p['mean_rating']:.1f}",
                safe_text(", ".join(t for t in p["via"] if t != page["name"])),
            )
        out.print(table)
    else:
        out.print("[dim]No paper has this tag yet.[/]")
    out.print()
    out.print(f"[bold]Notes[/] ({len(page['notes'])})")
    if not page["notes"]:
        out.print(f"  [dim]No note in notes/ links #{safe_text(page['name'])} or its papers.[/]")
    for n in page["notes"]:
        out.print(
            f"  [cyan]{safe_text(n['path'])}:{n['line']}[/] [bold]{safe_text(n['title'])}[/]"
            f" [dim]({n['tag_links']} tag link(s), {len(n['papers'])} of its papers)[/]"
        )
        out.print("    " + safe_text(n["text"]))
    if page["cooccurring"]:
        out.print()
        shown = ", ".join(
            f"[magenta]{safe_text(t['name'])}[/] ({t['papers']})" for t in page["cooccurring"]
        )
        out.print("[bold]Often together with[/] " + shown)
