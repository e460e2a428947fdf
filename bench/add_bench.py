"""How long ``papernotes add ID --no-fetch`` takes to file a new ICLR 2020 paper, and the
wheel's size: the offline catalog must stay small and quick.

    .venv/bin/python bench/add_bench.py [--runs 15] [--src DIR]

Copies this repository's knowledge base (papers/, tags.yaml) to a temporary folder, then
files one catalog paper the knowledge base does not have, removing it after each run, and
prints the median wall time (a real subprocess, Python start-up included). ``--src`` runs
another checkout's sources (PYTHONPATH) for a before/after comparison. The wheel is built
with pip into a temporary folder. Nothing here asserts: it measures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAPER = "ryeHuJBtPH"  # in the catalog, not in papers/


def time_add(src: Path, runs: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(src / "src"), "NO_COLOR": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        shutil.copytree(src / "papers", root / "papers")
        shutil.copy(src / "tags.yaml", root / "tags.yaml")
        argv = [sys.executable, "-m", "papernotes", "--root", str(root), "add", PAPER]
        argv += ["--no-fetch", "--note", "bench"]
        times = []
        for _ in range(runs + 1):  # the first run warms the page and bytecode caches
            record = root / "papers" / f"{PAPER}.yaml"
            record.unlink(missing_ok=True)
            started = time.perf_counter()
            subprocess.run(argv, env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL)
            times.append(time.perf_counter() - started)
        return times[1:]


def wheel_size(src: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
            + ["-w", tmp, str(src)],
            check=True,
            capture_output=True,
        )
        shutil.rmtree(src / "build", ignore_errors=True)
        return sum(p.stat().st_size for p in Path(tmp).glob("*.whl"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--src", type=Path, default=REPO, help="checkout to measure")
    args = parser.parse_args()
    times = time_add(args.src.resolve(), args.runs)
    size = wheel_size(args.src.resolve())
    print(f"add {PAPER} --no-fetch: median {statistics.median(times) * 1000:.0f} ms ", end="")
    print(f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, {len(times)} runs)")
    print(f"wheel: {size:,} bytes")


if __name__ == "__main__":
    main()
