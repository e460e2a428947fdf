"""show pages long output only on a terminal: checked through a real pseudo-terminal."""

import json
import os
import pty
import subprocess
import sys


def _show_in_terminal(kb, tmp_path, *args, lines=10):
    marker = tmp_path / "paged.txt"
    pager = tmp_path / "pager.sh"
    pager.write_text(f"#!/bin/sh\ncat > '{marker}'\n", encoding="utf-8")
    pager.chmod(0o755)
    env = dict(os.environ)
    env.update(
        PAPERNOTES_ROOT=str(kb),
        PAGER=str(pager),
        LINES=str(lines),
        COLUMNS="80",
        NO_COLOR="1",
    )
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "papernotes", "show", "H1gEP6NFwr", *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        close_fds=True,
    )
    os.close(secondary)
    screen = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    assert proc.wait(timeout=60) == 0
    os.close(primary)
    paged = marker.read_text(encoding="utf-8") if marker.exists() else None
    return screen.decode("utf-8", "replace"), paged


def test_long_output_goes_through_the_pager(kb, tmp_path):
    screen, paged = _show_in_terminal(kb, tmp_path, lines=10)
    assert paged is not None and "On the Tunability of Optimizers" in paged
    assert "略神奇" in paged
    assert "On the Tunability" not in screen


def test_short_output_and_no_pager_print_directly(kb, tmp_path):
    screen, paged = _show_in_terminal(kb, tmp_path, lines=500)
    assert paged is None and "On the Tunability of Optimizers" in screen
    screen, paged = _show_in_terminal(kb, tmp_path, "--no-pager", lines=10)
    assert paged is None and "On the Tunability of Optimizers" in screen


def test_piped_output_is_never_paged(run):
    result = run("show", "H1gEP6NFwr", "--pager")
    assert result.exit_code == 0 and "On the Tunability" in result.stdout


def test_show_lists_top_related_from_the_index(run):
    result = run("show", "H1gEP6NFwr")
    assert result.exit_code == 0 and result.stderr == ""
    assert "Top related" in result.stdout
    top = json.loads(run("show", "H1gEP6NFwr", "--json").stdout)["top_related"]
    assert top[0]["id"] == "HygrAR4tPS" and "link" in top[0]["kinds"]
