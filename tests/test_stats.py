"""papernotes stats: counts as JSON, tab-separated rows, and bar charts on a terminal."""

from __future__ import annotations

import json

import pytest

from papernotes.cli.commands.stats import bar
from tests.conftest import Runner, write
from tests.links_fixtures import make_links_kb


@pytest.fixture
def lrun(tmp_path):
    return Runner(make_links_kb(tmp_path / "lkb"))


def test_stats_json(lrun):
    data = json.loads(lrun("stats", "--json").stdout)
    assert data["papers"] == 11 and data["untagged"] == 1 and data["links"] == 1
    tags = {t["tag"]: (t["papers"], t["with_children"]) for t in data["tags"]}
    assert tags["theory"] == (6, 7)
    assert tags["NTK"] == (3, 3)
    assert tags["optimization"] == (0, 1)
    assert data["tags"][0]["tag"] == "theory"
    assert data["decisions"] == [
        {"decision": "Accept (Oral)", "papers": 1},
        {"decision": "Accept (Poster)", "papers": 1},
        {"decision": "(none)", "papers": 8},
        {"decision": "Reject", "papers": 1},
    ]
    assert data["notes"] == {
        "total": 11,
        "bilingual": 0,
        "languages": [
            {"lang": "zh", "original": 0, "with_text": 0},
            {"lang": "en", "original": 11, "with_text": 11},
        ],
    }
    assert data["notes_md"] == {
        "files": 1,
        "paper_links": 4,
        "tag_links": 2,
        "languages": {"zh+en": 1},
    }


@pytest.mark.usefixtures("kb")
def test_stats_counts_bilingual_notes(run):
    data = json.loads(run("stats", "--json").stdout)
    assert data["notes"]["bilingual"] == 1
    assert data["notes"]["languages"][0] == {"lang": "zh", "original": 1, "with_text": 1}


def test_stats_plain_rows(lrun):
    rows = [line.split("\t") for line in lrun("stats").stdout.splitlines()]
    assert ["tag", "theory", "6"] in rows
    assert ["decision", "Reject", "1"] in rows
    assert ["note-language", "en", "11"] in rows
    assert ["notes-md-language", "zh+en", "1"] in rows
    assert all(len(r) == 3 for r in rows)
    assert ["tag", "GAN", "1"] in rows


def test_stats_bar_charts_on_a_terminal(lrun, monkeypatch):
    monkeypatch.setattr("papernotes.cli.common.is_tty", lambda stderr=False: True)  # noqa: ARG005 - is_tty(stderr=...)
    out = lrun("stats").stdout
    assert "Papers per tag" in out and "Papers per decision" in out
    line = next(x for x in out.splitlines() if x.startswith("theory"))
    assert "█" * 30 in line and line.rstrip().endswith("+1")
    assert "English en" in out


def test_unused_tags_only_with_all_tags(lrun):
    assert "tag\toptimization\t0" in lrun("stats").stdout  # a child tag has papers
    root = lrun.root
    write(
        root / "tags.yaml",
        (root / "tags.yaml").read_text(encoding="utf-8")
        + "  unused:\n    en: Unused\n    zh: 未用\n    description: No paper.\n",
    )
    assert "unused" not in lrun("stats").stdout
    assert "tag\tunused\t0" in lrun("stats", "--all-tags").stdout


def test_stats_on_an_empty_knowledge_base(run_empty):
    data = json.loads(run_empty("stats", "--json").stdout)
    assert data["papers"] == 0 and data["decisions"] == [] and data["notes"]["total"] == 0


def test_bar_lengths():
    assert bar(10, 10, 4) == "████"
    assert bar(0, 10) == ""
    assert bar(1, 10, 4) == "▍"
    assert bar(5, 0) == ""
