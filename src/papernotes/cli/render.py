"""Rich views of records, shared by show and friends. User text is always escaped."""

from __future__ import annotations

import click

from papernotes.cli.common import Env, plain, safe_text, text_console
from papernotes.views.decisions import decision_kind

LANG_NAMES = {"zh": "中文", "en": "English"}


def print_indented(out, indent: int, markup: str) -> None:
    """Indented text whose wrapped lines keep the indent on a terminal; one line when piped."""
    if out.is_terminal:
        from rich.padding import Padding
        from rich.text import Text

        out.print(Padding(Text.from_markup(markup, emoji=False), (0, 0, 0, indent)))
    else:
        out.print(" " * indent + markup)


def decision_style(decision: str | None) -> str:
    """The colour of a decision (see papernotes.views.decisions)."""
    kind = decision_kind(decision)
    return {"none": "dim", "accept": "green", "reject": "red", "withdrawn": "red"}.get(
        kind, "yellow"
    )


def render_paper(
    env: Env,
    paper,
    taxonomy,
    related_titles: dict,
    backlinks: list[dict] | None = None,
    neighbours: list | None = None,
    out=None,
) -> None:
    out = out or text_console(env)
    _print_paper_head(out, paper)
    _print_paper_topics(out, paper, taxonomy)
    _print_paper_notes(out, paper)
    _print_paper_links(out, paper, related_titles)
    _print_paper_tail(out, paper, backlinks, neighbours)


def _print_paper_head(out, paper) -> None:
    """The id and title, venue and decision, reading state, authors and links."""
    out.print(f"[bold cyan]{safe_text(paper.id)}[/]  [bold]{safe_text(paper.title)}[/]")
    facts = [
        safe_text(x)
        for x in (paper.venue, str(paper.year) if paper.year and not paper.venue else None)
        if x
    ]
    if paper.decision:
        facts.append(f"[{decision_style(paper.decision)}]{safe_text(paper.decision)}[/]")
    if paper.ratings:
        facts.append("ratings " + " ".join(str(r) for r in paper.ratings))
    if facts:
        out.print(" · ".join(facts))
    if paper.status or paper.priority:
        reading = paper.status or "no status"
        since = paper.status_dates.get(paper.status) if paper.status else None
        reading += f" since {since.isoformat()}" if since else ""
        reading += f" · priority {paper.priority}" if paper.priority else ""
        out.print(f"[dim]Reading:[/] {reading}")
    if paper.authors:
        out.print("[dim]Authors:[/] " + safe_text(", ".join(paper.authors)))
    for name, url in paper.canonical_links().items():
        out.print(f"[dim]{safe_text(name)}:[/] {safe_text(url)}", soft_wrap=True)


def _print_paper_topics(out, paper, taxonomy) -> None:
    """Tags (with their names), keywords, TL;DR and abstract."""
    if paper.tags:
        shown = []
        for tag in paper.tags:
            info = taxonomy.tags.get(tag)
            label = (
                f" ({safe_text(info.en)} / {safe_text(info.zh)})"
                if info
                else " [red](unknown tag)[/]"
            )
            shown.append(f"[magenta]{safe_text(tag)}[/]{label}")
        out.print("[dim]Tags:[/] " + ", ".join(shown))
    if paper.keywords:
        out.print("[dim]Keywords:[/] " + safe_text(", ".join(paper.keywords)))
    if paper.tldr:
        out.print("[dim]TL;DR:[/] " + safe_text(paper.tldr))
    if paper.abstract:
        out.print()
        out.print("[bold]Abstract[/]")
        out.print(safe_text(paper.abstract))


def _print_paper_notes(out, paper) -> None:
    """Each note: who and where, then its text in the original language first."""
    if paper.notes:
        out.print()
        out.print(f"[bold]Notes[/] ({len(paper.notes)})")
        for i, note in enumerate(paper.notes, 1):
            who = f"by {safe_text(note.by)} · " if note.by else ""
            marks = "".join(f" [bold red]{m}[/]" for m in note.marks)
            out.print(
                f"[dim]#{i} · {who}{safe_text(note.source)} · {note.date.isoformat()}[/]{marks}"
            )
            order = [note.lang] + [lang for lang in ("zh", "en") if lang != note.lang]
            for lang in order:
                text = getattr(note, lang)
                if not text:
                    continue
                tag = "original" if lang == note.lang else "translation"
                out.print(f"  [yellow]{LANG_NAMES[lang]}[/] [dim]({tag})[/]")
                for line in text.splitlines() or [""]:
                    print_indented(out, 4, safe_text(line))


def _print_paper_links(out, paper, related_titles: dict) -> None:
    """Related papers with why, then references."""
    if paper.related:
        out.print()
        out.print("[bold]Related[/]")
        for link in paper.related:
            title = related_titles.get(link.id)
            name = safe_text(title) if title else "[red](no record)[/]"
            out.print(f"  → [cyan]{safe_text(link.id)}[/] {name}")
            out.print(f"    [dim]why:[/] {safe_text(link.why)}")
    if paper.refs:
        out.print()
        out.print("[bold]References[/]")
        for ref in paper.refs:
            label = f"{safe_text(ref.label)} " if ref.label else ""
            out.print(f"  • {label}[dim]{safe_text(ref.url)}[/]", soft_wrap=True)


def _print_paper_tail(out, paper, backlinks: list[dict] | None, neighbours: list | None) -> None:
    """Dates, merge conflicts, notes linking the paper and its top related papers."""
    dates = [
        f"added {paper.added}" if paper.added else "",
        f"updated {paper.updated}" if paper.updated else "",
    ]
    if any(dates):
        out.print()
        out.print("[dim]" + ", ".join(d for d in dates if d) + "[/]")
    if paper.conflicts:
        fields = ", ".join(safe_text(c.field) for c in paper.conflicts)
        out.print(
            f"[red]Merge conflicts:[/] {fields} [dim](papernotes resolve {safe_text(paper.id)})[/]"
        )
    if backlinks:
        out.print()
        out.print(f"[bold]Linked from notes/[/] ({len(backlinks)})")
        print_backlinks(out, backlinks)
    if neighbours:
        out.print()
        out.print(f"[bold]Top related[/] [dim](papernotes related {safe_text(paper.id)})[/]")
        print_neighbours(out, neighbours)


def print_backlinks(out, backlinks: list[dict]) -> None:
    """Each note line that links the paper: where it is, then the line itself."""
    for link in backlinks:
        out.print(
            f"  [cyan]{safe_text(link['path'])}:{link['line']}[/] [dim]{safe_text(link['title'])}[/]"
        )
        print_indented(out, 4, safe_text(link["text"]))


KIND_STYLE = {"link": "green", "mention": "yellow", "tag": "magenta", "similar": "blue"}


def print_neighbours(out, neighbours: list) -> None:
    for rank, n in enumerate(neighbours, 1):
        kinds = " ".join(f"[{KIND_STYLE.get(k, 'white')}]{k}[/]" for k in n.kinds)
        out.print(
            f"  {rank:>2}. [cyan]{safe_text(n.id)}[/] {safe_text(n.title)}"
            f" [dim]({n.score:.2f})[/] {kinds}"
        )
        for reason in n.reasons:
            style = KIND_STYLE.get(reason.kind, "white")
            out.print(f"      [{style}]{reason.kind}:[/] {safe_text(reason.text)}")


def render_neighbours(env: Env, paper, neighbours: list) -> None:
    """``papernotes related``: the paper, then its ranked neighbours with their reasons."""
    out = text_console(env)
    out.print(f"[bold cyan]{safe_text(paper.id)}[/]  [bold]{safe_text(paper.title)}[/]")
    if not neighbours:
        out.print("[dim]No related papers: no links, shared tags, similar notes or mentions.[/]")
        return
    print_neighbours(out, neighbours)


BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(value: float, largest: float, width: int = 30) -> str:
    """A horizontal bar in eighths of a character, ``width`` characters for ``largest``."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    return "█" * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "")


def chart(out, title: str, rows: list[tuple[str, int, str]], color: str) -> None:
    """A titled bar chart: one row per name with its count, a bar and what follows it."""
    from rich.table import Table

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


def topic_page_text(page: dict) -> None:
    """``papernotes topic`` piped: the tag, then its sections, one tab-separated line each."""
    from papernotes.cli.emit import squashed

    def line(*parts) -> None:
        click.echo("\t".join(squashed(str(p)) for p in parts))

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


def topic_page_view(out, page: dict) -> None:
    """``papernotes topic`` on a terminal: the tag, a table of its papers, notes, neighbours."""
    _print_topic_head(out, page)
    out.print()
    _print_topic_papers(out, page)
    out.print()
    _print_topic_notes(out, page)


def _print_topic_head(out, page: dict) -> None:
    """The tag with its names, description, aliases, parents and children."""
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


def _print_topic_papers(out, page: dict) -> None:
    """The tag's papers as a table, or a line saying there are none."""
    from rich.table import Table

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


def _print_topic_notes(out, page: dict) -> None:
    """Notes linking the tag or its papers, then the tags often seen with it."""
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
