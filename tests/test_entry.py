"""The console script's way out: a read command leaves without the interpreter's clean-up,
with its output whole and its exit code; anything still to run at exit (a thread, an atexit
function) makes it leave the usual way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from papernotes.index import prescan
from tests.conftest import write


@pytest.fixture
def kb(tmp_path) -> Path:
    root = tmp_path / "kb"
    (root / "papers").mkdir(parents=True)
    write(root / "tags.yaml", "tags: {}\n")
    for i in range(300):
        pid = f"Paper{i:04d}x"
        write(root / "papers" / f"{pid}.yaml", f"id: {pid}\ntitle: Quokka widths {i}\n")
    return root


def _script(kb: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAPERNOTES_CACHE_DIR": str(kb.parent / "cache")}
    return subprocess.run(
        [sys.executable, "-m", "papernotes", "--root", str(kb), *args],
        capture_output=True,
        timeout=60,
        env=env,
        **kwargs,
    )


def test_a_read_commands_output_is_whole_when_it_leaves_early(kb):
    found = _script(kb, "search", "quokka", "-n", "0", "--json")
    assert found.returncode == 0, found.stderr
    assert len(json.loads(found.stdout)) == 300  # some 60 kB, all of it flushed
    listed = _script(kb, "list")
    assert listed.returncode == 0
    assert len(listed.stdout.decode().splitlines()) == 300


def test_a_read_command_keeps_its_exit_code_and_its_one_line_error(kb):
    missing = _script(kb, "show", "Nope0000x")
    assert missing.returncode == 3
    assert missing.stdout == b""
    lines = missing.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    usage = _script(kb, "search", "quokka", "--limt", "3")
    assert usage.returncode == 2
    assert len(usage.stderr.decode().splitlines()) == 1


def test_a_closed_pipe_ends_a_read_command_quietly(kb):
    proc = subprocess.Popen(
        [sys.executable, "-m", "papernotes", "--root", str(kb), "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PAPERNOTES_CACHE_DIR": str(kb.parent / "cache")},
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # as `| head -c 10` does
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0
    assert b"Traceback" not in err and b"Error" not in err


@pytest.mark.parametrize(
    ("setup", "leaves_early"),
    [
        ("", True),
        ("atexit.register(lambda: print('at exit', flush=True))", False),
        ("threading.Thread(target=time.sleep, args=(0.3,)).start()", False),
    ],
)
def test_it_leaves_early_only_when_nothing_waits_for_the_exit(setup, leaves_early):
    program = textwrap.dedent(
        f"""
        import atexit, sys, threading, time
        from papernotes import entry
        {setup}
        print("the output", end="")  # buffered: leave() must flush it
        entry.leave(4)
        print(" and the usual exit")
        sys.exit(4)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 4
    if leaves_early:
        assert done.stdout == "the output"
    else:
        assert done.stdout.startswith("the output and the usual exit")
    if "atexit" in setup:
        assert done.stdout.rstrip().endswith("at exit")


def test_a_code_that_is_not_a_number_leaves_the_usual_way():
    program = (
        "from papernotes import entry\nentry.leave('a message')\nraise SystemExit('a message')"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "a message"


@pytest.mark.parametrize(
    ("args", "reader"),
    [
        (["search", "ntk"], True),
        (["--root", "x", "show", "X"], True),
        (["--no-color", "list"], True),
        (["add", "X", "--note", "n"], False),
        (["fmt"], False),
        (["show", "X", "--help"], False),
        (["--version"], False),
        ([], False),
    ],
)
def test_which_command_lines_are_readers(args, reader):
    assert prescan.is_reader(args) is reader
