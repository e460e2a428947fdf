"""How long `papernotes sync` takes when 100 papers changed, with and without merges.

Builds a synthetic knowledge base from the offline ICLR 2020 catalog (see synth.py), puts it
in a bare git repository with two clones set up by `papernotes git init`, then times, through
the CLI:

1. Ann syncs 100 papers she added a note to (commit and push; nothing comes in);
2. Bob syncs 100 papers he changed (a note and a tag each), the same 100: his commit is
   put on top of Ann's with the 100 records merged in one process;
3. Ann syncs again: 100 papers come in (a fast-forward and the one-line-per-paper report);
4. Carol, who changed the same 100 papers before both syncs, runs plain `git pull --rebase`:
   git starts `papernotes merge-file` once per record (what sync avoids).

Prints figures; asserts nothing.

    .venv/bin/python bench/sync_bench.py [--papers 2594] [--changed 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402

PAPERNOTES = str(Path(sys.executable).with_name("papernotes"))


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def papernotes(cwd: Path, *args: str, author: str) -> float:
    env = {**os.environ, "PAPERNOTES_AUTHOR": author}
    started = time.perf_counter()
    done = subprocess.run([PAPERNOTES, *args], cwd=cwd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"papernotes {' '.join(args)} failed: {done.stderr.strip()}")
    return seconds


def change(clone: Path, ids: list[str], who: str, tag: str | None) -> None:
    """Append a note (and a tag) to each record, as `add` would write it."""
    for n, pid in enumerate(ids):
        path = clone / "papers" / f"{pid}.yaml"
        text = path.read_text(encoding="utf-8")
        note = (
            f"- lang: en\n  en: {who}'s note {n}\n  source: cli\n  date: 2026-12-01\n"
            f"  by: {who}\n  id: '{hashlib.sha1((who + pid).encode()).hexdigest()[:8]}'\n"
        )
        if "\nnotes:\n" in text:
            head, tail = text.split("\nnotes:\n", 1)
            rest = tail.split("\n", 1)
            # insert the note right after the notes: key (order does not matter here)
            text = head + "\nnotes:\n" + note + rest[0] + "\n" + (rest[1] if len(rest) > 1 else "")
        else:
            text += "notes:\n" + note
        if tag and "\ntags:\n" in text and f"- {tag}\n" not in text:
            text = text.replace("\ntags:\n", f"\ntags:\n- {tag}\n", 1)
        path.write_text(text, encoding="utf-8")


def one_run(work: Path, count: int, changed: int, base: dict[str, str]) -> tuple[float, ...]:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    git(work, "init", "-q", "--bare", "-b", "main", "remote.git")
    ann = work / "ann"
    synth.build_kb(ann, count, base)
    git(ann, "init", "-q", "-b", "main")
    git(ann, "config", "user.name", "Ann")
    git(ann, "config", "user.email", "ann@example.org")
    git(ann, "remote", "add", "origin", "../remote.git")
    papernotes(ann, "git", "init", author="Ann")
    git(ann, "add", "-A")
    git(ann, "commit", "-q", "-m", "start")
    git(ann, "push", "-q", "-u", "origin", "main")
    git(work, "clone", "-q", "remote.git", "bob")
    bob = work / "bob"
    git(bob, "config", "user.name", "Bob")
    git(bob, "config", "user.email", "bob@example.org")
    papernotes(bob, "git", "init", author="Bob")
    papernotes(ann, "reindex", author="Ann")
    papernotes(bob, "reindex", author="Bob")
    ids = sorted(p.name[:-5] for p in (ann / "papers").glob("*.yaml"))[:changed]
    change(ann, ids, "Ann", None)
    push = papernotes(ann, "sync", author="Ann")
    change(bob, ids, "Bob", "NTK")
    merge = papernotes(bob, "sync", author="Bob")
    pull = papernotes(ann, "sync", author="Ann")
    # The same merge done by git itself: `git pull --rebase` starts the driver per record.
    git(work, "clone", "-q", "remote.git", "carol")
    carol = work / "carol"
    git(carol, "config", "user.name", "Carol")
    git(carol, "config", "user.email", "carol@example.org")
    papernotes(carol, "git", "init", author="Carol")
    git(carol, "reset", "-q", "--hard", "HEAD~2")  # before Ann's and Bob's syncs
    change(carol, ids, "Carol", "LTH")
    git(carol, "commit", "-qam", "Carol")
    started = time.perf_counter()
    git(carol, "pull", "-q", "--rebase")
    driver = time.perf_counter() - started
    return push, merge, pull, driver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=2594)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="papernotes-sync-bench-"))
    try:
        base = synth.base_records()
        runs = [one_run(work / "kb", args.papers, args.changed, base) for _ in range(args.runs)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    labels = (
        f"sync, {args.changed} papers changed here, nothing incoming (commit + push)",
        f"sync, {args.changed} papers changed on both sides ({args.changed} merges in-process)",
        f"sync, {args.changed} papers incoming (fast-forward, report, re-index)",
        f"git pull --rebase, {args.changed} papers changed on both sides (driver per record)",
    )
    print(f"{args.papers} papers, medians of {args.runs} runs:\n")
    print("| measurement | seconds |")
    print("|---|---:|")
    for i, label in enumerate(labels):
        print(f"| {label} | {statistics.median(r[i] for r in runs):.2f} |")


if __name__ == "__main__":
    main()
