"""The ``papernotes`` command: a root group that loads each command module on demand.

Each module in ``papernotes.cli.commands`` defines ``command`` (a click command);
its file name is the command name (``import_.py`` -> ``import``, ``merge_file.py`` ->
``merge-file``). Only click is
imported at start-up, so ``papernotes --help`` and ``--version`` stay fast.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import pkgutil
import sys

import click

from papernotes import __version__
from papernotes.cli.common import Env, one_line_usage, run_safely

COMMANDS_PACKAGE = "papernotes.cli.commands"
GLOBAL_FLAGS = {"--no-color", "--debug"}
GLOBAL_VALUED = {"--root"}


def _exit_codes() -> str:
    """The help's closing paragraph, from the one table of exit codes."""
    import textwrap

    from papernotes.errors import EXIT_MEANINGS

    words = ", ".join(f"{int(code)} {short}" for code, (short, _) in EXIT_MEANINGS.items())
    return "\b\n" + textwrap.fill(f"Exit codes: {words}.", 75, break_on_hyphens=False) + "\n"


EXIT_CODES = _exit_codes()


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
    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002 - click's signature
        return sorted(_modules())

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:  # noqa: ARG002
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

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self._hoist_globals(ctx, args))

    def _hoist_globals(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Global options given after the command move before it (``show X --debug``);
        ``--json`` given before the command moves after it, where the command has it."""
        at = 0
        while at < len(args) and args[at] != "--" and args[at].startswith("-"):
            at += 2 if args[at] in GLOBAL_VALUED else 1
        if at >= len(args) or args[at] == "--":
            return args
        name = args[at]
        command = self.get_command(ctx, name)
        if command is None:
            return args
        own = {o for p in command.params for o in getattr(p, "opts", [])}
        valued = {
            o
            for p in command.params
            if isinstance(p, click.Option) and not p.is_flag and not p.count
            for o in p.opts
        }
        front: list[str] = []
        rest: list[str] = []
        for arg in args[:at]:
            (rest if arg == "--json" else front).append(arg)
        if "--json" in rest and "--json" not in own:
            raise one_line_usage(click.UsageError(f"--json does not apply to '{name}'", ctx))
        tail = args[at + 1 :]
        i = 0
        while i < len(tail):
            arg = tail[i]
            if arg == "--":
                rest.extend(tail[i:])
                break
            if arg in own and arg in valued:
                rest.extend(tail[i : i + 2])
                i += 2
                continue
            if arg in GLOBAL_FLAGS and arg not in own:
                front.append(arg)
            elif arg in GLOBAL_VALUED and arg not in own:
                if i + 1 >= len(tail):
                    raise one_line_usage(
                        click.UsageError(f"Option '{arg}' requires an argument.", ctx)
                    )
                front.extend(tail[i : i + 2])
                i += 1
            elif arg.split("=", 1)[0] in GLOBAL_VALUED and "=" in arg and arg not in own:
                front.append(arg)
            else:
                rest.append(arg)
            i += 1
        return [*front, name, *rest]

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        # Errors in the global options (before any command runs) are one line too.
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise one_line_usage(exc) from None
        except KeyboardInterrupt:  # click would print 'Aborted!' and exit 1
            click.echo("\nInterrupted", err=True)
            sys.exit(130)


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
    help="Knowledge-base folder. Default: $PAPERNOTES_ROOT, else the nearest parent of the "
    "current folder holding papers/ and tags.yaml, else 'root' in the config file "
    "(see 'papernotes config').",
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
    ctx.obj = Env(root=root, no_color=no_color, debug=debug)


def run() -> int | str | None:
    """Run the command line; returns what ``sys.exit`` takes (:func:`main` exits with it)."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:  # started with the stream closed: `papernotes list >&-`
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    try:
        try:
            cli.main(prog_name="papernotes")
        except SystemExit as exc:
            code = exc.code
        else:
            code = 0
        sys.stdout.flush()
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted\n")
        code = 130
    except BrokenPipeError:
        code = 0
        # The reader went away (`| head`): no second error when Python flushes at exit.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


def main() -> None:
    sys.exit(run())
