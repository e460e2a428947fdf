from typing import Any

import click

from papernotes.cli.common import json_option, pass_env
from papernotes.cli.emit import Column, emit, status_option


@click.command()
@status_option("Only these statuses (repeatable). Default: reading, to-read, to-reread.")
@click.option("--limit", "-n", type=click.IntRange(min=0), default=0, help="At most N (0: all).")
@json_option
@pass_env
def command(env, statuses: tuple[str, ...], limit: int, as_json: bool) -> None:
    """What to read next: papers being read, then to read / to re-read by priority
    (1 first; none counts as 2), then the longest waiting.

    Set a status with 'papernotes status ID to-read --priority 1'; 'papernotes read
    ID' takes a paper off the queue.

    \b
    Examples:
      papernotes queue
      papernotes queue --status to-reread -n 5 --json | jq -r '.[].id'
    """
    from papernotes.cli.common import warn
    from papernotes.edit.reading import QUEUE_STATUSES, queue

    kb = env.kb()
    coll = kb.load_all()
    if coll.problems:
        warn(f"{len(coll.problems)} problem(s) in records; run 'papernotes validate'")
    papers = queue(list(coll.papers.values()), statuses or QUEUE_STATUSES)
    if limit:
        papers = papers[:limit]
    rows: list[dict[str, Any]] = [
        {
            "id": p.id,
            "title": p.title,
            "status": p.status,
            "priority": p.priority,
            "since": since.isoformat() if (since := p.status_since()) else None,
            "tags": list(p.tags),
        }
        for p in papers
    ]
    if not rows and not as_json:
        click.echo("The reading queue is empty.", err=True)
        return
    emit(env, rows, COLUMNS, as_json=as_json, field="plain")


COLUMNS = [
    Column("id", no_wrap=True),
    Column("status"),
    Column("priority", "prio", text=lambda p: str(p or "")),
    Column("since"),
    Column("title"),
]
