"""Rich views of records, shared by show and friends. User text is always escaped."""

from __future__ import annotations

from papernotes.cli.common import Env, console, safe_text
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
    out = out or console(env)
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
    out = console(env)
    out.print(f"[bold cyan]{safe_text(paper.id)}[/]  [bold]{safe_text(paper.title)}[/]")
    if not neighbours:
        out.print("[dim]No related papers: no links, shared tags, similar notes or mentions.[/]")
        return
    print_neighbours(out, neighbours)
