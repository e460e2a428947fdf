"""The ``papernotes`` command: a root group that loads each command module on demand.

Each module in ``papernotes.cli.commands`` defines ``command`` (a click command);
its file name is the command name (``import_.py`` -> ``import``, ``merge_file.py`` ->
``merge-file``). Only click is
imported at start-up, so ``papernotes --help`` and ``--version`` stay fast.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
import sys

import click

from papernotes import __version__
from papernotes.cli.common import Env, one_line_usage, run_safely

COMMANDS_PACKAGE = "papernotes.cli.commands"

EXIT_CODES = """\b
Exit codes: 0 ok, 1 problems found (validate, fmt --check), 2 usage error,
3 not found, 4 network failure, 5 cannot write, 6 invalid knowledge-base
data, 70 internal error, 130 interrupted.
"""


@functools.cache
def _modules() -> dict[str, str]:
    """Command name -> module name (a trailing '_' avoids clashing with Python keywords).
    Read once per process: the group asks for it several times per invocation."""
    from papernotes.cli import commands

    return {
        m.name.rstrip("_").replace("_", "-"): m.name
        for m in pkgutil.iter_modules(commands.__path__)
        if not m.name.startswith("_")
    }


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_modules())

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module_name = _modules().get(name)
        if module_name is None:
            return None
        module = importlib.import_module(f"{COMMANDS_PACKAGE}.{module_name}")
        return module.command

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=2, cutoff=0.6)
            if close:
                hint = " or ".join(repr(c) for c in close)
                ctx.fail(f"No such command {name!r}; did you mean {hint}?")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context):
        return run_safely(ctx, lambda: super(LazyGroup, self).invoke(ctx))

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        # Errors in the global options (before any command runs) are one line too.
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise one_line_usage(exc) from None


@click.group(
    cls=LazyGroup,
    epilog=EXIT_CODES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(
    __version__, "--version", "-V", prog_name="papernotes", message="%(prog)s %(version)s"
)
@click.option(
    "--root",
    metavar="DIR",
    envvar="PAPERNOTES_ROOT",
    show_envvar=True,
    help="Knowledge-base folder. Default: the nearest parent of the current folder holding papers/ and tags.yaml.",
)
@click.option(
    "--no-color", is_flag=True, help="No colours (also when NO_COLOR is set or output is piped)."
)
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
@click.pass_context
def cli(ctx: click.Context, root: str | None, no_color: bool, debug: bool) -> None:
    """Keep, find and connect your reading notes on research papers.

    \b
    Examples:
      papernotes search ntk            find papers about the neural tangent kernel
      papernotes show H1gEP6NFwr       one paper, its notes in both languages
      papernotes validate              check every record and the taxonomy
    """
    ctx.obj = Env(root=root, no_color=no_color or bool(os.environ.get("NO_COLOR")), debug=debug)


def main() -> None:
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:  # started with the stream closed: `papernotes list >&-`
            setattr(sys, name, open(os.devnull, "w"))  # noqa: SIM115
    try:
        cli.main(prog_name="papernotes")
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted\n")
        sys.exit(130)
