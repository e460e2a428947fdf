"""Relevance of search on the repository's own knowledge base (the imported seed notes).

The labelled queries are in tests/data/search/relevance.yaml. Run this file directly to
print recall and precision per query:

    .venv/bin/python tests/test_search_relevance.py
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
LABELS = Path(__file__).resolve().parent / "data" / "search" / "relevance.yaml"
QUERIES = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["queries"]


def copy_repo_kb(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copytree(REPO / "papers", target / "papers")
    shutil.copyfile(REPO / "tags.yaml", target / "tags.yaml")
    (target / "notes").mkdir()
    return target


def evaluate(kb) -> list[dict]:
    """Per query: what came back, recall and precision against the labels."""
    from papernotes.index import select

    rows = []
    for item in QUERIES:
        got = select(kb, item["query"])
        labelled = set(item["must"]) | set(item["relevant"])
        hits = [paper for paper in got if paper in labelled]
        top = got[: len(item["must"])]
        rows.append(
            {
                "query": item["query"],
                "kind": item["kind"],
                "returned": got,
                "missing": sorted(set(item["must"]) - set(got)),
                "labelled": len(labelled),
                "correct": len(hits),
                "recall": len(hits) / len(labelled),
                "precision": len(hits) / len(got) if got else 0.0,
                "precision_at_must": sum(p in labelled for p in top) / len(top) if top else 1.0,
            }
        )
    return rows


@pytest.fixture(scope="module")
def repo_root(tmp_path_factory) -> Path:
    return copy_repo_kb(tmp_path_factory.mktemp("repo") / "kb")


@pytest.fixture
def kb(repo_root, monkeypatch):
    from papernotes.store.kb import KnowledgeBase

    # one index for the whole module, not one per test
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(repo_root.parent / "cache"))
    return KnowledgeBase(repo_root)


@pytest.fixture(scope="module")
def figures(repo_root) -> list[dict]:
    from papernotes.store.kb import KnowledgeBase

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAPERNOTES_CACHE_DIR", str(repo_root.parent / "cache"))
        return evaluate(KnowledgeBase(repo_root))


def test_the_labels_name_real_records(repo_root):
    present = {p.name.removesuffix(".yaml") for p in (repo_root / "papers").iterdir()}
    assert len(QUERIES) >= 15
    for item in QUERIES:
        assert set(item["must"]) | set(item["relevant"]) <= present, item["query"]
        assert item["must"], item["query"]


@pytest.mark.parametrize("index", range(len(QUERIES)), ids=[q["query"] for q in QUERIES])
def test_every_paper_naming_the_topic_is_found(figures, index):
    row = figures[index]
    assert row["missing"] == [], row


@pytest.mark.parametrize("index", range(len(QUERIES)), ids=[q["query"] for q in QUERIES])
def test_nothing_unrelated_at_the_top(figures, index):
    row = figures[index]
    assert row["precision_at_must"] == 1.0, row


def test_overall_recall_and_precision(figures):
    correct = sum(r["correct"] for r in figures)
    assert correct / sum(r["labelled"] for r in figures) >= 0.9
    assert correct / sum(len(r["returned"]) for r in figures) >= 0.8


@pytest.mark.usefixtures("kb")
def test_search_ntk_on_the_repository(repo_root):
    """Done when: every paper whose notes or title talk about the NTK, best first."""
    from papernotes.cli import cli

    result = CliRunner().invoke(cli, ["--root", str(repo_root), "search", "ntk", "--json"])
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    must = next(q for q in QUERIES if q["query"] == "ntk")["must"]
    assert {h["id"] for h in hits[: len(must) + 1]} >= set(must)
    assert all("NTK" in h["tags"] for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert any("«CNTK»" in h["snippet"] for h in hits)


@pytest.mark.usefixtures("kb")
def test_search_shoulian_on_the_repository(repo_root):
    """Done when: 收敛 finds the notes that discuss convergence."""
    from papernotes.cli import cli

    result = CliRunner().invoke(cli, ["--root", str(repo_root), "search", "收敛"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    convergence_notes = [
        p.name.removesuffix(".yaml")
        for p in (repo_root / "papers").iterdir()
        if "收敛" in p.read_text(encoding="utf-8")
    ]
    assert convergence_notes
    found = [line.split("\t")[0] for line in lines]
    assert set(convergence_notes) <= set(found)
    assert all("«收敛" in line for line in lines if line.split("\t")[0] in convergence_notes)


def main() -> None:
    import os
    import tempfile

    from papernotes.store.kb import KnowledgeBase

    with tempfile.TemporaryDirectory() as tmp:
        root = copy_repo_kb(Path(tmp) / "kb")
        os.environ["PAPERNOTES_CACHE_DIR"] = str(Path(tmp) / "cache")
        rows = evaluate(KnowledgeBase(root))
    print("| query | kind | labelled | returned | correct | recall | precision | missed |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| `{r['query']}` | {r['kind']} | {r['labelled']} | {len(r['returned'])} "
            f"| {r['correct']} | {r['recall']:.2f} | {r['precision']:.2f} "
            f"| {', '.join(r['missing']) or '–'} |"
        )
    correct = sum(r["correct"] for r in rows)
    labelled = sum(r["labelled"] for r in rows)
    returned = sum(len(r["returned"]) for r in rows)
    print(
        f"\nOverall (micro): recall {correct / labelled:.2f}, precision {correct / returned:.2f}; "
        f"mean per query: recall {sum(r['recall'] for r in rows) / len(rows):.2f}, "
        f"precision {sum(r['precision'] for r in rows) / len(rows):.2f}."
    )


if __name__ == "__main__":
    main()
