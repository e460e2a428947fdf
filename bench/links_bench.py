"""How long `related`, `topic` and `graph` take on a knowledge base of a few thousand papers.

Builds a synthetic knowledge base from the offline ICLR 2020 catalog (real titles,
decisions and ratings; tags from the repository's tags.yaml picked by title words; a
bilingual note per paper; some explicit links), then times the commands through the
CLI. Prints figures; asserts nothing.

    .venv/bin/python bench/links_bench.py [--papers 2594] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from papernotes.metadata.catalog import display_title, load_catalog
from papernotes.model.record import Paper
from papernotes.model.taxonomy import fold
from papernotes.store.records import dump_record, load_taxonomy

REPO = Path(__file__).resolve().parents[1]


def build(root: Path, count: int) -> list[str]:
    taxonomy, _, _ = load_taxonomy(REPO / "tags.yaml", "tags.yaml")
    keys = sorted(
        (
            (fold(k), name)
            for name, tag in taxonomy.tags.items()
            for k in (name, tag.en, *tag.aliases)
            if k.isascii() and len(k) > 2
        ),
        key=lambda kv: -len(kv[0]),
    )
    names = list(taxonomy.tags)
    catalog = load_catalog()
    entries = [catalog[i] for i in sorted(catalog)]
    (root / "papers").mkdir(parents=True)
    (root / "notes").mkdir()
    shutil.copy(REPO / "tags.yaml", root / "tags.yaml")
    ids = []
    for n in range(count):
        entry = entries[n % len(entries)]
        pid = entry.id if n < len(entries) else f"{entry.id}_{n // len(entries)}"
        ids.append(pid)
        rng = random.Random(pid)
        title = display_title(entry)
        folded = fold(title)
        tags = list(dict.fromkeys(name for key, name in keys if key in folded))[:3]
        tags = tags or [rng.choice(names)]
        labels = [taxonomy.tags[t] for t in tags]
        data = {
            "id": pid,
            "title": title,
            "decision": entry.decision,
            "ratings": list(entry.ratings),
            "abstract": f"We study {title}. Our analysis covers {labels[0].en.lower()}.",
            "tags": tags,
            "notes": [
                {
                    "lang": "zh",
                    "zh": f"这篇文章研究{labels[0].zh}：{title}。值得再读。",
                    "en": f"This paper studies {labels[0].en.lower()}: {title}. Worth a re-read.",
                    "source": "cli",
                    "date": dt.date(2026, 11, 22),
                }
            ],
            "added": dt.date(2026, 11, 22),
        }
        if n and rng.random() < 0.2:
            data["related"] = [{"id": ids[rng.randrange(n)], "why": "相关的工作"}]
        text = dump_record(Paper.model_validate(data))
        (root / "papers" / f"{pid}.yaml").write_text(text, encoding="utf-8")
    return ids


def timed(args: list[str], root: Path, runs: int = 3) -> tuple[float, str]:
    cli = [sys.executable, "-m", "papernotes", "--root", str(root)]
    times = []
    out = ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cli + args, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode:
            raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()}")
        out = done.stdout
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=2594)
    parser.add_argument("--keep", type=Path, help="Build the knowledge base here and keep it.")
    opts = parser.parse_args()
    root = opts.keep or Path(tempfile.mkdtemp(prefix="papernotes-bench-")) / "kb"
    if root.exists():
        shutil.rmtree(root)
    start = time.perf_counter()
    ids = build(root, opts.papers)
    print(f"built {len(ids)} records in {time.perf_counter() - start:.1f} s ({root})")
    target = ids[len(ids) // 2]
    for label, args in (
        ("list (load every record)", ["list", "--json"]),
        (f"related {target}", ["related", target, "--json"]),
        (f"show {target}", ["show", target, "--json"]),
        ("topic NTK", ["topic", "NTK", "--json"]),
        ("stats", ["stats", "--json"]),
        ("graph --format json (whole KB)", ["graph", "--format", "json"]),
    ):
        seconds, out = timed(args, root, runs=1 if label.startswith("graph") else 3)
        print(f"{label:40s} {seconds:6.2f} s  ({len(out) / 1e3:.0f} kB out)")
    if not opts.keep:
        shutil.rmtree(root.parent)


if __name__ == "__main__":
    main()
