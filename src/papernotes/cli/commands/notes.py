import click

from papernotes.cli.common import pass_env, safe_text, warn
from papernotes.cli.emit import Column, emit, json_option

COLUMNS = [
    Column("path"),
    Column("title"),
    Column("papers", text=",".join),
    Column("tags", text=",".join),
]
EMPTY = "no notes in notes/"


@click.command()
@click.option("--paper", help="Only notes that link this paper (an id or URL).")
@click.option("--tag", help="Only notes that link this tag (name, alias or label).")
@json_option
@pass_env
def command(env, paper: str | None, tag: str | None, as_json: bool) -> None:
    """List the long-form notes in notes/: title, and the papers and tags they link.

    In a note, [[H1gEP6NFwr]] links a paper and #NTK a tag; 'papernotes show ID'
    lists the notes that link a paper, 'papernotes validate' reports links to
    papers or tags that do not exist.

    \b
    Examples:
      papernotes notes
      papernotes notes --tag ntk --json | jq -r '.[].path'
    """
    from papernotes.index.records import read_taxonomy
    from papernotes.store.notes import load_notes

    kb = env.kb()
    indexed = read_taxonomy(kb)  # the index's copy of tags.yaml: no models to import
    notes = load_notes(kb, kb.taxonomy(indexed))
    if paper is not None:
        from papernotes.model.ids import parse_paper_ref

        pid = parse_paper_ref(paper)
        kb.get(pid)  # unknown paper: exit 3 with close ids
        notes = [n for n in notes if pid in n.papers]
    if tag is not None:
        from papernotes.store.tags import resolve_tag

        name = resolve_tag(kb, tag, indexed)
        notes = [n for n in notes if name in n.tags]
    if not as_json:
        for note in notes:
            for problem in note.problems:
                warn(str(problem))
    rows = [n.summary() for n in notes]
    emit(env, rows, COLUMNS, as_json=as_json, field="squash", empty=EMPTY, render=_render)


def _render(out, rows: list[dict]) -> None:
    if not rows:
        hint = safe_text("No notes in notes/ (write Markdown there; link papers with [[ID]]).")
        out.print(f"[dim]{hint}[/]")
        return
    for row in rows:
        out.print(f"[bold]{safe_text(row['title'])}[/]  [cyan]{safe_text(row['path'])}[/]")
        out.print(
            f"  [dim]{len(row['papers'])} paper(s):[/] " + safe_text(", ".join(row["papers"]))
        )
        tags = ", ".join(f"#{t}" for t in row["tags"])
        out.print(f"  [dim]{len(row['tags'])} tag(s):[/] [magenta]{safe_text(tags)}[/]")
    out.print(f"[dim]{len(rows)} note(s)[/]")
