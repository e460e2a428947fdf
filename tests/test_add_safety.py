"""`papernotes add` under concurrency and crashes: every note lands, no file is ever broken."""

from __future__ import annotations

import subprocess
import sys

import yaml


def cli(kb, *args: str) -> list[str]:
    return [sys.executable, "-m", "papernotes", "--root", str(kb), *args]


def test_ten_processes_adding_to_the_same_paper(kb):
    procs = [
        subprocess.Popen(
            cli(kb, "add", "H1gEP6NFwr", "--note", f"concurrent note {i}", "--no-fetch"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(10)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, err))
    assert results == [(0, "")] * 10
    data = yaml.safe_load((kb / "papers" / "H1gEP6NFwr.yaml").read_text(encoding="utf-8"))
    texts = [note.get("en") for note in data["notes"]]
    assert sorted(t for t in texts if t and t.startswith("concurrent")) == sorted(
        f"concurrent note {i}" for i in range(10)
    )
    assert data["notes"][0]["zh"].startswith("略神奇")  # the original note is still first
    check = subprocess.run(cli(kb, "validate"), capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr


def test_two_processes_creating_the_same_new_record(kb):
    procs = [
        subprocess.Popen(
            cli(kb, "add", "rkgNKkHtvB", "--note", f"first look {i}", "--no-fetch"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(2)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    data = yaml.safe_load((kb / "papers" / "rkgNKkHtvB.yaml").read_text(encoding="utf-8"))
    assert sorted(n["en"] for n in data["notes"]) == ["first look 0", "first look 1"]


CRASH = """
import os, sys
from papernotes.cli import main

def crash(src, dst, *args, **kwargs):
    os._exit(9)  # killed between writing the temp file and renaming it

os.replace = crash
sys.argv = ["papernotes"] + sys.argv[1:]
main()
"""


def test_killed_mid_write_leaves_the_old_file(kb):
    path = kb / "papers" / "H1gEP6NFwr.yaml"
    before = path.read_bytes()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            CRASH,
            "--root",
            str(kb),
            "add",
            "H1gEP6NFwr",
            "--note",
            "lost",
            "--no-fetch",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 9
    assert path.read_bytes() == before
    leftovers = [p.name for p in (kb / "papers").iterdir() if p.name.endswith(".tmp")]
    assert leftovers and all(name.startswith(".H1gEP6NFwr.yaml.") for name in leftovers)
    check = subprocess.run(cli(kb, "validate"), capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    # The next add works normally and the lock was released by the dead process.
    again = subprocess.run(
        cli(kb, "add", "H1gEP6NFwr", "--note", "kept", "--no-fetch"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0, again.stderr
    assert "kept" in path.read_text(encoding="utf-8")


DISK_FULL = """
import errno, os, sys
from papernotes.cli import main

def full(fd):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

os.fsync = full
sys.argv = ["papernotes"] + sys.argv[1:]
main()
"""


def test_disk_full_says_why_and_keeps_the_old_file(kb):
    path = kb / "papers" / "H1gEP6NFwr.yaml"
    before = path.read_bytes()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            DISK_FULL,
            "--root",
            str(kb),
            "add",
            "H1gEP6NFwr",
            "--note",
            "x",
            "--no-fetch",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 5
    assert proc.stderr.strip() == (
        "Error: cannot write papers/H1gEP6NFwr.yaml: No space left on device"
    )
    assert path.read_bytes() == before
    assert not [p for p in (kb / "papers").iterdir() if p.name.endswith(".tmp")]
