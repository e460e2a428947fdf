"""Helpers for the hostile-input suite: snapshots of the knowledge base, one-line checks,
real subprocess runs (for signals, pipes, memory, other users and mount namespaces)."""

from __future__ import annotations

import functools
import hashlib
import os
import pty
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

SGR = re.compile(r"\x1b\[[0-9;]*m")


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under papers/ and of tags.yaml (hidden temp files included)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("papers/", "tags.yaml", "notes/")) and path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


class Frozen:
    """Call ``mark()`` once the test's files are in place; at teardown nothing may differ."""

    def __init__(self, root: Path):
        self.root = root
        self.before: dict[str, str] | None = None

    def mark(self) -> None:
        self.before = snapshot(self.root)

    def check(self) -> None:
        assert self.before is not None, "frozen.mark() was never called"
        assert snapshot(self.root) == self.before, "a file changed; the command must not write"


@pytest.fixture
def frozen(kb):
    guard = Frozen(kb)
    yield guard
    guard.check()


def no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text, text


def nonblank(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def one_error(stderr: str, *needles: str) -> str:
    """stderr is exactly one ``Error: ...`` line holding every needle; returns it."""
    lines = nonblank(stderr)
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: "), stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def problem_lines(stdout: str, shown: str) -> list[str]:
    """The validate lines about one file (``papers/x.yaml`` or ``papers/x.yaml:N``)."""
    return [line for line in nonblank(stdout) if line.startswith(shown + ":") or line == shown]


@dataclass
class Proc:
    returncode: int
    stdout: str
    stderr: str


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PAPERNOTES_ROOT", None)
    env.update(extra)
    return env


def pn(*args: str, root: Path | None = None, timeout: float = 60, env=None, **kw) -> Proc:
    """Run the real ``python -m papernotes`` (the installed entry point, same interpreter)."""
    argv = [sys.executable, "-m", "papernotes"]
    if root is not None:
        argv += ["--root", str(root)]
    done = subprocess.run(
        argv + list(args),
        capture_output=True,
        timeout=timeout,
        env=env or child_env(),
        **kw,
    )
    return Proc(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def pn_tty(*args: str, root: Path, columns: int = 160) -> Proc:
    """Run papernotes with stdout on a real pseudo-terminal, colours on (what a human sees)."""
    master, slave = pty.openpty()
    # PAGER=cat: show pages long output on a terminal; a real less would wait for keys.
    env = child_env(COLUMNS=str(columns), TERM="xterm-256color", PAGER="cat")
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "papernotes", "--root", str(root), *args],
        stdout=slave,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO once the child closed its side
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    stderr = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    proc.wait(timeout=60)
    return Proc(proc.returncode, b"".join(chunks).decode("utf-8", "replace"), stderr)


def terminal_controls(text: str) -> list[str]:
    """Control characters left once rich's own colour codes (SGR) are removed."""
    rest = SGR.sub("", text)
    return [c for c in rest if (ord(c) < 32 and c not in "\r\n\t") or 0x7F <= ord(c) <= 0x9F]


@functools.cache
def have_unshare() -> bool:
    """Whether this machine lets us make a private mount namespace with a tmpfs and a
    read-only bind mount (needs no privileges where user namespaces are enabled)."""
    if not shutil.which("unshare") or not shutil.which("mount"):
        return False
    probe = subprocess.run(
        [
            "unshare",
            "-rm",
            "sh",
            "-ec",
            'd=$(mktemp -d); mount -t tmpfs -o size=64k none "$d"; '
            'mount --bind -o ro "$d" "$d"; ! touch "$d/x" 2>/dev/null',
        ],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


def in_namespace(script: str, timeout: float = 120) -> Proc:
    """Run a shell script as root of a fresh user+mount namespace (no privileges needed)."""
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-euc", script],
        capture_output=True,
        timeout=timeout,
        env=child_env(),
    )
    return Proc(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def py_cmd(*args: str) -> str:
    """A shell-quoted ``python -m papernotes ARGS`` for in_namespace scripts."""
    import shlex

    return " ".join(shlex.quote(a) for a in (sys.executable, "-m", "papernotes", *args))


# Run papernotes as user 'nobody' (uid 65534) from a root process: the script is given to
# `python -c`, followed by the papernotes arguments.
AS_NOBODY = textwrap.dedent(
    """
    import contextlib, io, os, shutil, sys, tempfile
    from papernotes.cli import cli

    def run(argv):
        try:
            cli.main(argv, prog_name="papernotes")
        except SystemExit as exc:
            return exc.code or 0

    # First as root on a scratch copy, output thrown away: this imports every module the
    # command needs, since the interpreter's own files under /root are closed to 'nobody'.
    args = sys.argv[1:]
    root = args[args.index("--root") + 1]
    scratch = tempfile.mkdtemp()
    copy = os.path.join(scratch, "kb")
    shutil.copytree(root, copy, symlinks=True)
    cache = os.environ.get("PAPERNOTES_CACHE_DIR")
    os.environ["PAPERNOTES_CACHE_DIR"] = os.path.join(scratch, "cache")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        run([copy if a == root else a for a in args])
    if cache is None:
        del os.environ["PAPERNOTES_CACHE_DIR"]
    else:
        os.environ["PAPERNOTES_CACHE_DIR"] = cache
    shutil.rmtree(scratch, ignore_errors=True)
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
    sys.exit(run(args))
    """
)
