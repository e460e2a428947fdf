"""Importer figures over the entry-style corpus in tests/data/import_corpus/.

Run from the repository root:

    .venv/bin/python bench/import_corpus.py            # the corpus
    .venv/bin/python bench/import_corpus.py a.md b.txt # also files of your own (no expectations)

Each corpus file is imported into a fresh temporary knowledge base through the real
importer; its ``.expected.yaml`` says which papers it holds and their notes. Prints, per
file and in total: entries present, entries imported with their own note, and notes
attached to the wrong paper (a note that is not the paper's own and equals, or holds, another
entry's note). Nothing here asserts.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import yaml

from papernotes.importers.run import import_files
from papernotes.store.init import init_kb
from papernotes.store.kb import KnowledgeBase

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "import_corpus"


def measure(path: Path, expected: dict | None) -> tuple[int, int, int, int]:
    """(present, imported with the right note, wrong-paper notes, warnings)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        init_kb(root, "empty")
        shutil.copy(path, root / path.name)
        kb = KnowledgeBase(root)
        report = import_files(kb, [root / path.name])
        records = {}
        for file in (root / "papers").glob("*.yaml"):
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
            records[data["id"]] = [n[n["lang"]] for n in data.get("notes", [])]
    if expected is None:
        return sum(f.entries for f in report.files), len(records), 0, len(report.warnings)
    wanted = {r["id"]: r["notes"] for r in expected["records"]}
    right = sum(1 for pid, notes in wanted.items() if records.get(pid) == notes)
    wrong = 0  # notes that are not the paper's own but hold another entry's note
    for pid, notes in records.items():
        others = [n for other, ns in wanted.items() if other != pid for n in ns]
        for note in notes:
            if note in wanted.get(pid, []):
                continue
            wrong += any(o == note or (len(o) >= 20 and o in note) for o in others)
    return len(wanted), right, wrong, len(report.warnings)


def main(argv: list[str]) -> None:
    rows = []
    for path in sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".expected.yaml")):
        stem = path.name.rsplit(".", 1)[0]
        expected = yaml.safe_load((CORPUS / f"{stem}.expected.yaml").read_text(encoding="utf-8"))
        rows.append((path.name, *measure(path, expected)))
    print("| file | entries present | imported with their note | notes on the wrong paper |")
    print("|---|---:|---:|---:|")
    for name, present, right, wrong, _ in rows:
        print(f"| {name} | {present} | {right} | {wrong} |")
    present = sum(r[1] for r in rows)
    right = sum(r[2] for r in rows)
    wrong = sum(r[3] for r in rows)
    print(f"| **{len(rows)} files** | **{present}** | **{right}** | **{wrong}** |")
    print(f"\nEntries imported / entries present: {right}/{present}; wrong-paper notes: {wrong}")
    for extra in argv:
        path = Path(extra)
        entries, records, _, warnings = measure(path, None)
        print(f"{path}: {entries} entries, {records} records, {warnings} warnings")


if __name__ == "__main__":
    main(sys.argv[1:])
