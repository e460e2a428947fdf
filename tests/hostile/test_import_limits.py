"""`import` of a device or an endless stream is refused after reading at most its limit
(st_size is 0 for a device, so the limit is enforced on bytes read); symlink loops are named."""

from __future__ import annotations

import resource
import subprocess
import sys

from .conftest import child_env, no_traceback, nonblank


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


def test_import_of_an_endless_device_is_refused(kb):
    done = subprocess.run(
        [sys.executable, "-m", "papernotes", "--root", str(kb), "import", "--dry-run", "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env(),
        preexec_fn=_limit_memory,
    )
    no_traceback(done.stdout, done.stderr)
    assert done.returncode == 2, done.stderr
    lines = nonblank(done.stderr)
    assert len(lines) == 1 and "/dev/zero" in lines[0]


def test_import_of_a_symlink_loop_says_so(kb, tmp_path):
    """Minor: a symlink loop is reported as 'no such file' (exit 3)."""
    (tmp_path / "a.md").symlink_to(tmp_path / "b.md")
    (tmp_path / "b.md").symlink_to(tmp_path / "a.md")
    done = subprocess.run(
        [sys.executable, "-m", "papernotes", "--root", str(kb), "import", str(tmp_path / "a.md")],
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(),
    )
    assert "no such file" not in done.stderr, done.stderr
