"""Search relevance figures: recall and top-k precision on the labelled query sets.

Run from the repository root:

    .venv/bin/python bench/relevance.py            # both sets, summary and per-query table
    .venv/bin/python bench/relevance.py --summary  # the summary only

The sets are tests/data/search/relevance.yaml (the repository's knowledge base) and
tests/data/search/crosslang.yaml (the same plus the one-language notes of
tests/data/search/one-language/: queries across languages, synonyms and typos). Queries of
kind 'typo' run with the corrections `search --fuzzy` uses, when this papernotes has them.
Per query: recall = labelled papers found / labelled; P@k = share of the first k results that
are labelled, k = the number of 'must' papers; P@10 likewise for the first 10. Nothing here
asserts (tests/test_search_crosslang.py does): it measures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "search"
SETS = {"relevance": "relevance.yaml", "crosslang": "crosslang.yaml"}


def make_kb(target: Path, one_language: bool) -> Path:
    target.mkdir(parents=True)
    shutil.copytree(REPO / "papers", target / "papers")
    shutil.copyfile(REPO / "tags.yaml", target / "tags.yaml")
    (target / "notes").mkdir()
    if one_language:
        for record in (DATA / "one-language").glob("*.yaml"):
            shutil.copyfile(record, target / "papers" / record.name)
    return target


def run_query(kb, query: str, fuzzy: bool) -> list[str]:
    from papernotes.index import Index, select

    if not fuzzy:
        return select(kb, query)
    try:
        from papernotes.index import corrected, hits, parse_query, suggest
    except ImportError:  # a papernotes without corrections searches as typed
        return select(kb, query)
    tree = parse_query(query)
    with Index(kb) as index:
        index.refresh()
        fixes = suggest(index, tree)
        if fixes:
            tree = corrected(tree, fixes)
        return [hit.id for hit in hits(index, tree, None)]


def evaluate(kb, queries: list[dict]) -> list[dict]:
    rows = []
    for item in queries:
        got = run_query(kb, item["query"], "typo" in item["kind"])
        labelled = set(item["must"]) | set(item["relevant"])
        k = len(item["must"])
        rows.append(
            {
                "query": item["query"],
                "kind": item["kind"],
                "returned": len(got),
                "labelled": len(labelled),
                "found": len(labelled & set(got)),
                "missing": sorted(labelled - set(got)),
                "recall": len(labelled & set(got)) / len(labelled),
                "p_k": sum(p in labelled for p in got[:k]) / k,
                "p_10": sum(p in labelled for p in got[:10]) / min(10, max(1, len(got))),
            }
        )
    return rows


def summary(name: str, rows: list[dict]) -> list[str]:
    groups = {"all": rows}
    for label in ("glossary", "synonym", "typo"):
        chosen = [r for r in rows if r["kind"].startswith(label)]
        if chosen:
            groups[label] = chosen
    out = []
    for label, chosen in groups.items():
        n = len(chosen)
        found = sum(r["found"] for r in chosen)
        labelled = sum(r["labelled"] for r in chosen)
        perfect = sum(r["recall"] == 1.0 for r in chosen)
        out.append(
            f"| {name} | {label} | {n} | {found}/{labelled} = {found / labelled:.3f} "
            f"| {sum(r['recall'] for r in chosen) / n:.3f} | {perfect}/{n} "
            f"| {sum(r['p_k'] for r in chosen) / n:.3f} | {sum(r['p_10'] for r in chosen) / n:.3f} |"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--summary", action="store_true", help="print the summary only")
    args = parser.parse_args()
    from papernotes.store.kb import KnowledgeBase

    tables: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, file in SETS.items():
            queries = yaml.safe_load((DATA / file).read_text(encoding="utf-8"))["queries"]
            root = make_kb(Path(tmp) / name, one_language=name == "crosslang")
            os.environ["PAPERNOTES_CACHE_DIR"] = str(Path(tmp) / f"cache-{name}")
            tables[name] = evaluate(KnowledgeBase(root), queries)
    print("| set | queries | n | micro recall | mean recall | recall 1.0 | mean P@k | mean P@10 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, rows in tables.items():
        print("\n".join(summary(name, rows)))
    if args.summary:
        return
    for name, rows in tables.items():
        print(f"\n{name}:\n")
        print("| query | kind | returned | found/labelled | recall | P@k | P@10 | missed |")
        print("|---|---|---:|---:|---:|---:|---:|---|")
        for r in rows:
            print(
                f"| `{r['query']}` | {r['kind']} | {r['returned']} | {r['found']}/{r['labelled']} "
                f"| {r['recall']:.2f} | {r['p_k']:.2f} | {r['p_10']:.2f} "
                f"| {', '.join(r['missing']) or '–'} |"
            )


if __name__ == "__main__":
    sys.exit(main())
