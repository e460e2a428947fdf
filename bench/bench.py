"""Benchmark: every command a user waits for, each beside a reference from the same run.

Run from the repository root:

    .venv/bin/python bench/bench.py                 # 2,594 and 20,000 papers, 5 runs each
    .venv/bin/python bench/bench.py --sizes 50000 --runs 3

Builds knowledge bases from the ICLR 2020 catalog (see synth.py) in a temporary folder, runs
every command as a real subprocess (the installed ``papernotes`` next to this Python, or
``--papernotes``) and prints medians as a Markdown table, with the reference (rg, a bare
libyaml load of every file, ``cat``, ``python -c pass``), the ratio and the target. Nothing
here asserts: it measures.
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


LIBYAML_FLOOR = """
import sys, os, yaml
folder = sys.argv[1]
for name in os.listdir(folder):
    if name.endswith(".yaml"):
        with open(os.path.join(folder, name), "rb") as handle:
            yaml.load(handle, Loader=yaml.CSafeLoader)
"""

# The freshness check every command makes, alone and in one process (no start-up), beside
# one os.stat of every record file from Python: milliseconds, medians of many runs.
FRESHNESS = """
import os, statistics, sys, time
from pathlib import Path
from papernotes.index.store import Index
from papernotes.store.kb import KnowledgeBase
kb = KnowledgeBase(Path(sys.argv[1]))
folder = str(kb.papers_dir)
ours, bare = [], []
with Index(kb) as index:
    index.refresh()
    for _ in range(int(sys.argv[2])):
        started = time.perf_counter()
        index.refresh()
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        for entry in os.scandir(folder):
            os.stat(entry.path)
        bare.append(time.perf_counter() - started)
print(statistics.median(ours), statistics.median(bare))
"""

# The targets of the read model (seconds; or a factor of the reference when the label says x).
TARGETS_20K = {
    "show": (0.10, None),
    "show --json": (0.10, None),
    "related": (0.15, None),
    "add --note": (0.15, None),
    "list": (0.30, None),
    "list --tag NTK": (0.30, None),
    "topic NTK": (0.30, None),
    "tags": (0.30, None),
    "stats": (0.30, None),
    "notes": (0.30, None),
    "validate (unchanged)": (0.50, None),
    "validate --full": (None, 2.0),
    "fmt --check": (None, 2.0),
    "export -f bibtex (all)": (2.0, None),
    "cold index build (reindex)": (None, 2.0),
    "search: rare word (hypergraphs)": (None, 1.0),
    "search: common word (network)": (None, 1.0),
    "search: Chinese (收敛)": (None, 1.0),
    "search: tag filter (tag:NTK)": (None, 1.0),
    "--version": (0.03, None),
    "site (first build)": (10.0, None),
    "site (second run, nothing changed)": (2.0, None),
}


def timed(argv: list[str], runs: int, before=None, budget: float = 30.0):
    """Median over ``runs`` runs, stopping early once ``budget`` seconds are spent (slow
    commands then count one or two runs: say so in the table)."""
    times, peaks, code = [], [], 0
    spent = 0.0
    for i in range(runs):
        if before:
            before(i)
        seconds, peak, status = run(argv)
        times.append(seconds)
        peaks.append(peak)
        code = max(code, status)
        spent += seconds
        if spent > budget:
            break
    return statistics.median(times), max(peaks), code, len(times)


def bench_size(count: int, runs: int, base: dict[str, str], work: Path, site: bool) -> list[tuple]:
    root = synth.build_kb(work / f"kb{count}", count, base)
    papers_dir = root / "papers"
    env_note = f"{count:,}"
    rows: list[tuple] = []
    size_mb = sum(p.stat().st_size for p in papers_dir.iterdir()) / 1e6
    print(f"# {env_note} papers: papers/ holds {size_mb:.0f} MB", file=sys.stderr)

    def add(label, result, ref_label=None, ref=None):
        seconds, peak, code, n = result
        rows.append((env_note, label, seconds, peak, code, n, ref_label, ref))
        print(f"#   {label}: {seconds:.3f} s ({n} runs)", file=sys.stderr)

    python_pass = timed([sys.executable, "-c", "pass"], runs)[0]
    floor_label = "libyaml load of every file"
    # the floor and the build interleaved, so a slow spell of a shared machine hits both
    floors, builds = [], []
    for _ in range(min(runs, 3)):
        floors.append(run([sys.executable, "-c", LIBYAML_FLOOR, str(papers_dir)]))
        builds.append(run(papernotes(root, "reindex")))
    floor = statistics.median(t for t, _, _ in floors)
    add(
        "cold index build (reindex)",
        (
            statistics.median(t for t, _, _ in builds),
            max(p for _, p, _ in builds),
            max(c for _, _, c in builds),
            len(builds),
        ),
        floor_label,
        floor,
    )
    index = root / ".papernotes" / "index.sqlite"
    with sqlite3.connect(index) as conn:
        indexed = conn.execute("SELECT count(*) FROM docs").fetchone()[0]
    print(f"# indexed {indexed} papers, index {index.stat().st_size / 1e6:.0f} MB", file=sys.stderr)

    run(papernotes(root, "search", "warm-up"))
    rg = shutil.which("rg")
    for label, query, word in QUERIES:
        # interleaved, so a burst of load elsewhere hits both alike
        ours, theirs = [], []
        for _ in range(runs):
            ours.append(run(papernotes(root, "search", query)))
            if rg:
                theirs.append(run([rg, "-il", word, str(papers_dir)]))
        seconds = statistics.median(t for t, _, _ in ours)
        r = statistics.median(t for t, _, _ in theirs) if rg else None
        peak = max(p for _, p, _ in ours)
        code = max(c for _, _, c in ours)
        add(f"search: {label} ({query})", (seconds, peak, code, runs), "rg -il", r)

    out = subprocess.run(
        [sys.executable, "-c", FRESHNESS, str(root), str(max(runs, 11))],
        capture_output=True,
        text=True,
        env=ENV,
    )
    try:
        ours_s, bare_s = map(float, out.stdout.split())
        add(
            "freshness check (in process)",
            (ours_s, None, out.returncode, max(runs, 11)),
            "os.stat of every file",
            bare_s,
        )
    except ValueError:
        print(f"# freshness check failed: {out.stderr.strip()[-300:]}", file=sys.stderr)

    first = sorted(papers_dir.iterdir())[len(base) // 2].name.removesuffix(".yaml")
    add(
        "reindex after one edit (+ search)",
        timed(papernotes(root, "search", "hypergraphs"), runs, before=edit_one(root, first)),
    )
    # a file edited less than two seconds ago is racy: every command reads it again (its
    # bytes, compared with the indexed ones); the warm reads are of a settled knowledge base
    time.sleep(2.1)
    cat = timed(["cat", str(papers_dir / f"{first}.yaml")], runs)[0]
    add("show", timed(papernotes(root, "show", first), runs), "cat of the record", cat)
    add("show --json", timed(papernotes(root, "show", first, "--json"), runs), "cat", cat)
    add("related", timed(papernotes(root, "related", first), runs), "python -c pass", python_pass)
    # the ranking is kept in the index until a record changes: the first show after another
    # record's edit ranks again (no target: the targets are of a command run again)
    other = sorted(papers_dir.iterdir())[len(base) // 3].name.removesuffix(".yaml")
    add(
        "show, first after another record's edit",
        timed(papernotes(root, "show", first), runs, before=edit_one(root, other)),
        "cat of the record",
        cat,
    )
    time.sleep(2.1)
    for label, args in [
        ("list", ["list"]),
        ("list --tag NTK", ["list", "--tag", "NTK"]),
        ("topic NTK", ["topic", "NTK"]),
        ("tags", ["tags"]),
        ("stats", ["stats"]),
        ("notes", ["notes"]),
        ("export -f bibtex (all)", ["export", "-f", "bibtex"]),
    ]:
        add(label, timed(papernotes(root, *args), runs), "python -c pass", python_pass)
    run(papernotes(root, "validate"))
    add(
        "validate (unchanged)",
        timed(papernotes(root, "validate"), runs),
        "python -c pass",
        python_pass,
    )
    add("validate --full", timed(papernotes(root, "validate", "--full"), runs), floor_label, floor)
    add("fmt --check", timed(papernotes(root, "fmt", "--check"), runs), floor_label, floor)
    note = iter(range(10**6))
    add(
        "add --note",
        timed(
            papernotes(root, "add", first, "--no-fetch", "--note", "bench note"),
            runs,
            before=lambda _i: next(note),
        ),
        "python -c pass",
        python_pass,
    )
    add("--version", timed([PAPERNOTES, "--version"], runs), "python -c pass", python_pass)
    add("--help", timed([PAPERNOTES, "--help"], runs), "python -c pass", python_pass)
    if site:
        out = work / f"site{count}"
        add("site (first build)", timed(papernotes(root, "site", str(out)), 1))
        add("site (second run, nothing changed)", timed(papernotes(root, "site", str(out)), runs))
    return rows


def fmt(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "–"
    return f"{value:.3f} {unit}" if unit == "s" else f"{value:.0f} {unit}"


def ratio(a: float, b: float | None) -> str:
    return f"{a / b:.2f}" if b else "–"


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
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
    global PAPERNOTES  # noqa: PLW0603 - one setting for the whole run
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2594,20000", help="comma-separated paper counts")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--keep", action="store_true", help="keep the knowledge bases")
    parser.add_argument(
        "--site-max", type=int, default=3000, help="build the site only up to this many papers"
    )
    parser.add_argument("--papernotes", default=None, help="the papernotes command to measure")
    args = parser.parse_args()
    PAPERNOTES = args.papernotes or PAPERNOTES
    if not shutil.which(PAPERNOTES):
        raise SystemExit(f"{PAPERNOTES} not found: install papernotes in this environment")
    if not shutil.which("rg"):
        print("# ripgrep (rg) is not installed: its column stays empty", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="papernotes-bench-"))
    started = time.perf_counter()
    try:
        base = synth.base_records()
        rows = []
        for count in [int(s) for s in args.sizes.split(",")]:
            rows += bench_size(count, args.runs, base, work, count <= args.site_max)
    finally:
        RSS_FILE.unlink(missing_ok=True)
        if args.keep:
            print(f"# knowledge bases kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"Machine: {machine()}. Medians of up to {args.runs} runs (fewer for slow commands: ")
    print("the runs column).\n")
    print(
        "| papers | measurement | papernotes | runs | peak RSS | exit | reference | reference "
        "time | ratio | target (20,000) | met |"
    )
    print("|---|---|---:|---:|---:|---:|---|---:|---:|---|---|")
    for size, label, seconds, peak, code, n, ref_label, ref in rows:
        target = TARGETS_20K.get(label)
        want, met = "–", "–"
        if target and (size == "20,000" or label.startswith("site")):
            limit, factor = target
            if limit is not None:
                want, ok = f"≤ {limit:g} s", seconds <= limit
            elif ref:
                want, ok = f"≤ {factor:g} × reference", seconds <= factor * ref
            else:
                want, ok = f"≤ {factor:g} × reference", False
            if label in ("list", "list --tag NTK", "topic NTK", "tags", "stats", "notes"):
                want += ", ≤ 60 MB"
                ok = ok and peak <= 60
            met = "yes" if ok and code == 0 else "**no**"
        print(
            f"| {size} | {label} | {fmt(seconds)} | {n} | {fmt(peak, 'MB')} | {code} "
            f"| {ref_label or '–'} | {fmt(ref)} | {ratio(seconds, ref)} | {want} | {met} |"
        )
    print(f"\nTotal benchmark time {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
