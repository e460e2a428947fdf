"""arXiv, DOI and other-year OpenReview entries become records; the summary counts them by
kind and ends with the exact `refresh` command, or `--fetch` fetches their metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from .conftest import Runner, write

NOTES = """\
# Reading

1. [A Placeholder Paper](https://openreview.net/forum?id=Pv2Accept1): an ICLR 2024 paper
2. Deep double descent https://openreview.net/forum?id=B1g5sA4twr: ICLR 2020

Optimizer benchmarking (https://arxiv.org/abs/1910.11758) tuning matters

- https://doi.org/10.1000/xyz123 A DOI Paper: no metadata source for DOIs
"""


@pytest.fixture
def run(empty_kb, monkeypatch) -> Runner:
    monkeypatch.chdir(empty_kb)
    write(empty_kb / "reading.md", NOTES)
    return Runner(empty_kb)


def record(kb: Path, name: str) -> dict:
    return yaml.safe_load((kb / "papers" / f"{name}.yaml").read_text(encoding="utf-8"))


def test_every_kind_becomes_a_record_and_the_summary_says_how_to_fetch(run, empty_kb):
    result = run("import", "reading.md")
    assert result.exit_code == 0, result.stderr
    err = result.stderr.splitlines()
    assert err[0] == "1 file, 4 entries (2 OpenReview, 1 arXiv, 1 DOI)"
    assert err[-2:] == [
        "2 new records have only what the notes say; fetch their metadata with:",
        "  papernotes refresh Pv2Accept1 arxiv:1910.11758",
    ]
    assert (
        "Warning: reading.md:3: Pv2Accept1 is not in the offline ICLR 2020 catalog (another "
        "year?); its record has only what the notes say until `papernotes refresh Pv2Accept1` "
        "fetches the metadata"
    ) in err
    arxiv = record(empty_kb, "arxiv%3A1910.11758")
    assert arxiv["title"] == "Optimizer benchmarking"
    assert arxiv["links"] == {
        "pdf": "https://arxiv.org/pdf/1910.11758",
        "arxiv": "https://arxiv.org/abs/1910.11758",
    }
    assert arxiv["notes"][0]["en"] == "tuning matters"
    doi = record(empty_kb, "doi%3A10.1000%2Fxyz123")
    assert doi["title"] == "A DOI Paper"
    assert doi["links"] == {"doi": "https://doi.org/10.1000/xyz123"}
    assert record(empty_kb, "Pv2Accept1")["title"] == "A Placeholder Paper"
    assert record(empty_kb, "B1g5sA4twr")["venue"] == "ICLR 2020"
    assert Runner(empty_kb)("validate").exit_code == 0


def test_fetch_fills_the_new_records_from_the_servers(run, empty_kb, server):
    result = run("import", "reading.md", "--fetch", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["needs_metadata"] == ["Pv2Accept1", "arxiv:1910.11758"]
    assert [(f["id"], f["status"]) for f in report["fetched"]] == [
        ("Pv2Accept1", "updated"),
        ("arxiv:1910.11758", "updated"),
    ]
    assert "Fetched metadata for 2 of 2 new records" in result.stderr
    assert "papernotes refresh" not in result.stderr.splitlines()[-1]
    paper = record(empty_kb, "Pv2Accept1")
    assert paper["title"] == "A Placeholder Paper Accepted at ICLR 2024"
    assert paper["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert paper["notes"][0]["en"] == "an ICLR 2024 paper"
    arxiv = record(empty_kb, "arxiv%3A1910.11758")
    assert arxiv["title"] == "Optimizer Benchmarking Needs to Account for Hyperparameter Tuning"
    assert server.count() >= 2


def test_singular_counts(empty_kb, monkeypatch):
    monkeypatch.chdir(empty_kb)
    write(empty_kb / "one.md", "- https://arxiv.org/abs/1910.11758 one paper\n")
    result = Runner(empty_kb)("import", "one.md")
    err = result.stderr.splitlines()
    assert err[0] == "1 file, 1 entry (1 arXiv)"
    assert err[-2] == "1 new record has only what the notes say; fetch their metadata with:"
    assert "entries" not in err[0] and "(s)" not in result.stderr
