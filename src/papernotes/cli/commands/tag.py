import click

from papernotes.cli.args import split_words
from papernotes.cli.common import json_option, pass_env
from papernotes.cli.emit import emit_changes


class TagCommand(click.Command):
    """``+TAG`` and ``-TAG`` are words, not options: they are sorted out before click parses."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        known = {o for p in self.params for o in getattr(p, "opts", [])}
        known |= set(ctx.help_option_names)

        def width(arg: str, has_next: bool) -> int:
            if arg.split("=", 1)[0] in known:
                return 2 if arg in ("--add", "--remove") and has_next else 1
            if arg.startswith("--") and len(arg) > 2:
                raise click.UsageError(f"No such option {arg.split('=', 1)[0]!r}", ctx)
            return 0

        return super().parse_args(ctx, split_words(args, width))


@click.command(cls=TagCommand)
@click.argument("items", nargs=-1, required=True, metavar="ID... [+TAG] [-TAG]")
@click.option("--add", "adds", multiple=True, metavar="TAG", help="Tag to add (repeatable).")
@click.option(
    "--remove", "removes", multiple=True, metavar="TAG", help="Tag to remove (repeatable)."
)
@json_option
@pass_env
def command(
    env, items: tuple[str, ...], adds: tuple[str, ...], removes: tuple[str, ...], as_json: bool
) -> None:
    """Add (+TAG) and remove (-TAG) tags on one or more papers.

    A tag is any name, alias or English/Chinese label from tags.yaml; a tag that
    tags.yaml does not know can still be removed by its exact name.

    \b
    Examples:
      papernotes tag H1gEP6NFwr +NTK -optimization
      papernotes tag H1gEP6NFwr HygrAR4tPS +彩票假设
      papernotes tag H1gEP6NFwr --remove 'lottery ticket'
    """
    from papernotes.edit.retag import retag
    from papernotes.errors import UsageError
    from papernotes.model.ids import parse_paper_ref

    ids, add, remove = [], list(adds), list(removes)
    for item in items:
        if item.startswith("+") and len(item) > 1:
            add.append(item[1:])
        elif item.startswith("-") and len(item) > 1:
            remove.append(item[1:])
        else:
            ids.append(parse_paper_ref(item))
    if not ids:
        raise UsageError("give at least one paper id before the tags")
    emit_changes(retag(env.kb(), ids, add, remove), as_json, _change_line)


def _change_line(change) -> str:
    if not change.changed:
        return f"unchanged {change.path}: tags {', '.join(change.tags) or 'none'}"
    diff = [f"+{t}" for t in change.added] + [f"-{t}" for t in change.removed]
    return f"updated {change.path}: tags {' '.join(diff)}"
