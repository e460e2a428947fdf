import click

from papernotes.cli.common import emit_json, json_option, pass_env


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
    from papernotes.store.notes import load_notes

    kb = env.kb()
    notes = load_notes(kb)
    if paper is not None:
        from papernotes.model.ids import parse_paper_ref

        pid = parse_paper_ref(paper)
        kb.get(pid)  # unknown paper: exit 3 with close ids
        notes = [n for n in notes if pid in n.papers]
    if tag is not None:
        from papernotes.store.tags import resolve_tag

        name = resolve_tag(kb, tag)
        notes = [n for n in notes if name in n.tags]
    rows = [n.summary() for n in notes]
    if as_json:
        emit_json(rows)
        return
    from papernotes.cli.common import console, is_tty, plain, safe_text, warn

    for note in notes:
        for problem in note.problems:
            warn(str(problem))
    if not is_tty():
        for row in rows:
            click.echo(
                "\t".join(
                    " ".join(plain(str(x)).split())
                    for x in (
                        row["path"],
                        row["title"],
                        ",".join(row["papers"]),
                        ",".join(row["tags"]),
                    )
                )
            )
        if not rows:
            click.echo("no notes in notes/", err=True)
        return
    out = console(env)
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
