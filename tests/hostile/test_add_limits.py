"""An endless note (`--note-file /dev/zero`, `--note - < /dev/zero`) is refused in one
line after reading at most the limit, under a memory cap, and nothing is written."""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest

from .conftest import child_env, no_traceback, nonblank, snapshot


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


@pytest.mark.parametrize("how", ["note-file", "stdin"])
def test_endless_note_is_refused(kb, how):
    args = ["--note-file", "/dev/zero"] if how == "note-file" else ["--note", "-"]
    before = snapshot(kb)
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run(
            [sys.executable, "-m", "papernotes", "--root", str(kb), "add", "abcd0012"]
            + ["--title", "t", "--no-fetch", *args],
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=120,
            env=child_env(),
            preexec_fn=_limit_memory,
        )
    no_traceback(done.stdout, done.stderr)
    assert done.returncode == 2, done.stderr
    assert len(nonblank(done.stderr)) == 1 and "too long" in done.stderr
    assert snapshot(kb) == before
