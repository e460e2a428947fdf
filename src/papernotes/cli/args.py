"""Command-line words that click does not sort out by itself.

``search`` and ``tag`` take words that look like options (``-gan``, ``+NTK``, ``-TAG``):
:func:`split_words` puts the real options first and everything else after ``--``, so
click sees the words as arguments (:class:`SearchCommand` also tells an unknown
``--option`` from a word). :func:`paper_command` is a command over one paper.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from papernotes.cli.complete import complete_paper_ids


def split_words(args: list[str], width: Callable[[str, bool], int]) -> list[str]:
    """``args`` as ``[*options, "--", *words]``. ``width(arg, has_next)`` tells how many
    arguments from ``arg`` on are one option (0: ``arg`` is a word; it may raise a
    UsageError); everything after a ``--`` is words."""
    options: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(args):
        if args[i] == "--":
            words.extend(args[i + 1 :])
            break
        taken = width(args[i], i + 1 < len(args))
        if taken:
            options.extend(args[i : i + taken])
            i += taken
        else:
            words.append(args[i])
            i += 1
    return [*options, "--", *words]


def paper_command(func: Callable) -> Callable:
    """A command whose argument is one paper (an id or a URL, completed from the records)."""
    return click.command()(click.argument("paper", shell_complete=complete_paper_ids)(func))


class SearchCommand(click.Command):
    """Options are read by hand so that a query word starting with '-' (``-gan``: without
    'gan') stays a word, while an unknown ``--option`` is an error, never a query word."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        valued, flags = {}, set()
        for param in self.params:
            if isinstance(param, click.Option):
                for name in param.opts:
                    if param.is_flag:
                        flags.add(name)
                    else:
                        valued[name] = param

        def width(arg: str, has_next: bool) -> int:
            name = arg.split("=", 1)[0]
            if arg in flags or arg in ctx.help_option_names:
                return 1
            if name in valued and name.startswith("--") and "=" in arg:
                return 1
            if arg[:2] in valued and not arg.startswith("--") and arg[2:].isdigit():
                return 1  # -n3
            if arg in valued:
                if not has_next:
                    raise click.UsageError(f"Option '{arg}' requires an argument.", ctx)
                return 2
            if arg.startswith("--") and len(arg) > 2:
                raise no_such_option(ctx, name, sorted({*valued, *flags, *ctx.help_option_names}))
            return 0

        return super().parse_args(ctx, split_words(args, width))


def no_such_option(ctx: click.Context, name: str, known: list[str]) -> click.UsageError:
    import difflib

    close = difflib.get_close_matches(name, [k for k in known if k.startswith("--")], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return click.UsageError(
        f"No such option {name!r}{hint} (a query word starting with '-' goes after '--')",
        ctx,
    )
