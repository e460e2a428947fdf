"""Rebuild the package's offline metadata file from a JSON-lines table.

    .venv/bin/python scripts/pack_catalog.py iclr2020-metadata.jsonl

Each input line is one paper: {"id", "authors", "keywords", "abstract", "tldr"} (see
src/papernotes/data/README.md). Every id must be in the catalog's TSV, and every TSV id
must have a line. Writes src/papernotes/data/iclr2020-metadata.bin and prints its size.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from papernotes.metadata.catalog import METADATA_FILE, load_catalog, pack_metadata

OUT = Path(__file__).resolve().parent.parent / "src" / "papernotes" / "data" / METADATA_FILE


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: pack_catalog.py METADATA.jsonl")
    rows = [json.loads(line) for line in Path(sys.argv[1]).read_text("utf-8").splitlines() if line]
    ids = {row["id"] for row in rows}
    known = set(load_catalog())
    if ids != known or len(ids) != len(rows):
        sys.exit(
            f"ids differ from the catalog: {len(ids - known)} unknown, "
            f"{len(known - ids)} missing, {len(rows) - len(ids)} repeated"
        )
    data = pack_metadata(rows)
    OUT.write_bytes(data)
    raw = sum(len(line.encode()) for line in Path(sys.argv[1]).read_text("utf-8").splitlines())
    print(f"{OUT.name}: {len(rows)} papers, {len(data):,} bytes (input {raw:,} bytes)")


if __name__ == "__main__":
    main()
