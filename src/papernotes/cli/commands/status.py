import click

from papernotes.cli.common import json_option, pass_env
from papernotes.cli.emit import emit_changes


@click.command()
@click.argument("items", nargs=-1, required=True, metavar="ID... STATUS")
@click.option(
    "--priority",
    "-p",
    type=click.IntRange(0, 3),
    help="Reading priority: 1 (read first), 2, 3 (some day); 0 removes it.",
)
@json_option
@pass_env
def command(env, items: tuple[str, ...], priority: int | None, as_json: bool) -> None:
    """Set the reading status of papers: to-read, reading, read, to-reread, skimmed.

    The last word is the status ('none' removes it); the date of the change is kept
    in the record (status_dates). With only ids and --priority, the status stays.

    \b
    Examples:
      papernotes status H1gEP6NFwr reading
      papernotes status H1gEP6NFwr HygrAR4tPS to-read --priority 1
      papernotes status H1gEP6NFwr --priority 3
    """
    from papernotes.edit.reading import is_status_word, status_word
    from papernotes.errors import UsageError

    words = list(items)
    status = None
    if priority is None or (len(words) > 1 and is_status_word(words[-1])):
        if len(words) < 2:
            raise UsageError("give the paper id(s), then the status (e.g. 'reading')")
        status = status_word(words.pop())
    apply_status(env, words, status, priority, as_json)


def apply_status(env, papers: list[str], status, priority, as_json: bool) -> None:
    """Set and report a status change (shared with 'papernotes read')."""
    from papernotes.edit.reading import set_status
    from papernotes.model.ids import parse_paper_ref

    changes = set_status(env.kb(), [parse_paper_ref(p) for p in papers], status, priority)
    emit_changes(changes, as_json, _change_line)


def _change_line(c) -> str:
    if not c.changed:
        return f"unchanged {c.path}: {describe(c.status, c.priority)}"
    before = describe(c.old_status, c.old_priority)
    return f"updated {c.path}: {before} -> {describe(c.status, c.priority)}"


def describe(status: str | None, priority: int | None) -> str:
    text = status or "no status"
    return f"{text}, priority {priority}" if priority else text
