import click

from papernotes.cli.common import emit_json, json_option, pass_env


class TagCommand(click.Command):
    """``+TAG`` and ``-TAG`` are words, not options: they are sorted out before click parses."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        known = {o for p in self.params for o in getattr(p, "opts", [])}
        known |= set(ctx.help_option_names)
        out, words = [], []
        i = 0
        while i < len(args):
            arg = args[i]
            if arg == "--":
                words.extend(args[i + 1 :])
                break
            if arg.split("=", 1)[0] in known:
                out.append(arg)
                if arg in ("--add", "--remove") and i + 1 < len(args):
                    out.append(args[i + 1])
                    i += 1
            elif arg.startswith("--") and len(arg) > 2:
                raise click.UsageError(f"No such option {arg.split('=', 1)[0]!r}", ctx)
            else:
                words.append(arg)
            i += 1
        return super().parse_args(ctx, [*out, "--", *words])


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
    changes = retag(env.kb(), ids, add, remove)
    if as_json:
        emit_json([c.to_dict() for c in changes])
        return
    for change in changes:
        if not change.changed:
            click.echo(f"unchanged {change.path}: tags {', '.join(change.tags) or 'none'}")
            continue
        diff = [f"+{t}" for t in change.added] + [f"-{t}" for t in change.removed]
        click.echo(f"updated {change.path}: tags {' '.join(diff)}")
