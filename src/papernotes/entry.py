"""The ``papernotes`` console script: ``--version`` answers before click is imported, and a
read command's freshness check starts in a child process before the command is loaded
(:mod:`papernotes.index.prescan`)."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]) and sys.stdout is not None:
        from papernotes import __version__

        sys.stdout.write(f"papernotes {__version__}\n")
        return
    from papernotes.index import prescan

    prescan.start(sys.argv[1:])
    from papernotes.cli import main as cli_main

    cli_main()
