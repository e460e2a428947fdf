"""Long output through a pager."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from papernotes.cli.common import Env, text_console


def print_paged(env: Env, pager: bool | None, draw: Callable[[Any], None]) -> None:
    """What ``draw(out)`` prints, through the pager when ``pager`` says so or (None) on
    a terminal when it is taller than the screen ($PAGER or the config's pager, else less)."""
    out = text_console(env)
    if pager is False or not out.is_terminal:
        draw(out)
        return
    with out.capture() as captured:
        draw(out)
    text = captured.get()
    if pager or text.count("\n") >= out.size.height:
        import os

        configured = env.settings().get("pager")
        if configured.source != "default":  # the config file's pager, or $PAGER
            os.environ["PAGER"] = configured.value
        click.echo_via_pager(text)
    else:
        click.echo(text, nl=False)
