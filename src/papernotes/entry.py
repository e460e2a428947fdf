"""The ``papernotes`` console script: ``--version`` answers before click is imported, a
read command's freshness check starts in a child process before the command is loaded
(:mod:`papernotes.index.prescan`), and a read command ends without the interpreter's
clean-up of every module."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]) and sys.stdout is not None:
        from papernotes import __version__

        sys.stdout.write(f"papernotes {__version__}\n")
        return
    import gc

    # Start-up makes no cyclic garbage: no collection while the modules load (each would
    # walk every object loaded so far), and none of them is walked again afterwards.
    gc.disable()
    from papernotes.index import prescan

    args = sys.argv[1:]
    prescan.start(args)
    from papernotes.cli import run

    gc.freeze()
    gc.enable()
    code = run()
    if prescan.is_reader(args):
        leave(code)
    sys.exit(code)


def leave(code: int | str | None) -> None:
    """Exit with ``code`` at once, without the interpreter's clean-up of every module and
    object (10-15 ms of a 100 ms command), when nothing is left for that clean-up to do:
    the standard streams flush, no other thread runs and nothing waits to run at exit.
    Otherwise it returns, and the caller exits as usual."""
    import atexit
    import os
    import threading

    if not isinstance(code, int) or threading.active_count() != 1:
        return
    pending = getattr(atexit, "_ncallbacks", None)
    if pending is None or pending():
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # the usual exit reports it, or stays quiet (BrokenPipeError) as it would
    os._exit(code)
