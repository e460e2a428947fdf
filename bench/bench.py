"""Search benchmark: papernotes against grep and ripgrep on synthetic knowledge bases.

Run from the repository root:

    .venv/bin/python bench/bench.py                 # 2,594 and 50,000 papers, 5 runs each
    .venv/bin/python bench/bench.py --sizes 50000 --runs 7

Builds knowledge bases from the ICLR 2020 catalog (see synth.py) in a temporary folder, runs
every command as a real subprocess (the installed ``papernotes`` next to this Python) and
prints medians as a Markdown table. Nothing here asserts: it measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402

PAPERNOTES = str(Path(sys.executable).with_name("papernotes"))
# (label, papernotes query, word for grep/rg)
QUERIES = [
    ("rare word", "hypergraphs", "hypergraphs"),
    ("common word", "network", "network"),
    ("Chinese", "收敛", "收敛"),
    ("tag filter", "tag:NTK", "NTK"),
]
TARGETS = {
    "search": 0.3,
    "reindex after one edit": 0.3,
    "cold index build": 60.0,
    "--version": 0.15,
    "peak memory (MB)": 100.0,
}


TIME = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
RSS_FILE = Path(tempfile.gettempdir()) / f"papernotes-bench-rss-{os.getpid()}"
# As an installed package runs: Python may cache compiled modules (__pycache__).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit code of one subprocess, output discarded.

    The peak RSS comes from GNU time when installed: a child forked from this (large)
    Python process would report this process's memory as its own.
    """
    if TIME:
        argv = [TIME, "-f", "%M", "-o", str(RSS_FILE), *argv]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV)
    proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    peak_kb = usage.ru_maxrss
    if TIME:
        try:
            peak_kb = int(RSS_FILE.read_text().split()[-1])
        except (OSError, ValueError, IndexError):
            pass
    return elapsed, peak_kb / 1024, os.waitstatus_to_exitcode(status)


def median_run(argv: list[str], runs: int, before=None) -> tuple[float, float, int]:
    times, peaks, code = [], [], 0
    for i in range(runs):
        if before:
            before(i)
        seconds, peak, code = run(argv)
        times.append(seconds)
        peaks.append(peak)
    return statistics.median(times), max(peaks), code


def papernotes(root: Path, *args: str) -> list[str]:
    return [PAPERNOTES, "--root", str(root), *args]


def edit_one(root: Path, paper_id: str):
    """A function that edits one record in place (as an editor would) before each run."""
    path = root / "papers" / f"{paper_id}.yaml"
    original = path.read_text(encoding="utf-8")

    def before(i: int) -> None:
        path.write_text(
            original.replace("  source: cli\n", f"  source: cli-edit-{i}\n", 1), encoding="utf-8"
        )

    return before


def bench_size(count: int, runs: int, base: dict[str, str], work: Path) -> list[tuple]:
    root = synth.build_kb(work / f"kb{count}", count, base)
    env_note = f"{count:,} papers"
    rows: list[tuple] = []
    size_mb = sum(p.stat().st_size for p in (root / "papers").iterdir()) / 1e6
    print(f"# {env_note}: papers/ holds {size_mb:.0f} MB", file=sys.stderr)

    build_runs = max(1, min(runs, 3)) if count > 10000 else runs
    seconds, peak, code = median_run(papernotes(root, "reindex"), build_runs)
    rows.append(("cold index build (reindex)", seconds, None, None, peak, code))
    index = root / ".papernotes" / "index.sqlite"
    with sqlite3.connect(index) as conn:
        indexed = conn.execute("SELECT count(*) FROM docs").fetchone()[0]
    print(f"# indexed {indexed} papers, index {index.stat().st_size / 1e6:.0f} MB", file=sys.stderr)

    run(papernotes(root, "search", "warm-up"))
    rg = shutil.which("rg")
    for label, query, word in QUERIES:
        # interleaved, so a burst of load elsewhere hits all three alike
        argvs = [papernotes(root, "search", query), ["grep", "-ril", word, str(root / "papers")]]
        if rg:
            argvs.append([rg, "-il", word, str(root / "papers")])
        results: list[list[tuple[float, float, int]]] = [[] for _ in argvs]
        for _ in range(runs):
            for argv, out in zip(argvs, results, strict=True):
                out.append(run(argv))
        seconds, g = (statistics.median(t for t, _, _ in out) for out in results[:2])
        r = statistics.median(t for t, _, _ in results[2]) if rg else None
        peak = max(p for _, p, _ in results[0])
        code = max(c for _, _, c in results[0])
        rows.append((f"search: {label} ({query})", seconds, g, r, peak, code))

    first = sorted((root / "papers").iterdir())[len(base) // 2].name.removesuffix(".yaml")
    seconds, peak, code = median_run(
        papernotes(root, "search", "hypergraphs"), runs, before=edit_one(root, first)
    )
    rows.append(("reindex after one edit (+ search)", seconds, None, None, peak, code))
    seconds, peak, code = median_run(papernotes(root, "show", first), runs)
    rows.append((f"show {first}", seconds, None, None, peak, code))
    seconds, peak, code = median_run(papernotes(root, "related", first), runs)
    rows.append((f"related {first}", seconds, None, None, peak, code))
    seconds, peak, code = median_run([PAPERNOTES, "--version"], runs)
    rows.append(("--version", seconds, None, None, peak, code))
    return [(env_note, *row) for row in rows]


def fmt(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "–"
    return f"{value:.3f} {unit}" if unit == "s" else f"{value:.0f} {unit}"


def ratio(a: float, b: float | None) -> str:
    return f"{a / b:.2f}" if b else "–"


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rg = shutil.which("rg")
    rg_version = (
        subprocess.run([rg, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        if rg
        else "not installed"
    )
    grep_version = subprocess.run(
        ["grep", "--version"], capture_output=True, text=True
    ).stdout.split("\n")[0]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{dt.date.today().isoformat()}, {platform.system()} {platform.release()}, {cpu}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}, {grep_version}, {rg_version}, load average {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2594,50000", help="comma-separated paper counts")
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (median)")
    parser.add_argument("--keep", action="store_true", help="keep the knowledge bases")
    args = parser.parse_args()
    if not Path(PAPERNOTES).exists():
        raise SystemExit(f"{PAPERNOTES} not found: install papernotes in this environment")
    if not shutil.which("rg"):
        print("# ripgrep (rg) is not installed: its column stays empty", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="papernotes-bench-"))
    started = time.perf_counter()
    try:
        base = synth.base_records()
        rows = []
        for count in [int(s) for s in args.sizes.split(",")]:
            rows += bench_size(count, args.runs, base, work)
    finally:
        RSS_FILE.unlink(missing_ok=True)
        if args.keep:
            print(f"# knowledge bases kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"Machine: {machine()}. Medians of {args.runs} runs ", end="")
    print(f"(cold build above 10,000 papers: {min(args.runs, 3)} runs).\n")
    print(
        "| papers | measurement | papernotes | grep -ril | rg -il | papernotes / grep "
        "| papernotes / rg | peak RSS | exit |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for size, label, seconds, g, r, peak, code in rows:
        print(
            f"| {size} | {label} | {fmt(seconds)} | {fmt(g)} | {fmt(r)} | {ratio(seconds, g)} "
            f"| {ratio(seconds, r)} | {fmt(peak, 'MB')} | {code} |"
        )
    print(f"\nTotal benchmark time {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
