"""A new knowledge base works from its first minute: the starter taxonomy and next steps."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from .conftest import Runner, write

REPO = Path(__file__).parents[1]


def test_init_writes_the_starter_taxonomy_and_the_next_commands(tmp_path):
    target = tmp_path / "new"
    result = Runner(None)("init", str(target), root=False)
    assert result.exit_code == 0, result.stderr
    assert "tags.yaml (starter taxonomy)" in result.stdout
    tags = yaml.safe_load((target / "tags.yaml").read_text(encoding="utf-8"))["tags"]
    assert len(tags) >= 50
    assert all(tag["en"] and tag["zh"] for tag in tags.values())
    assert Runner(target)("validate").exit_code == 0
    steps = [line.strip() for line in result.stderr.splitlines()]
    assert steps[0] == "Next:"
    assert [step.split()[0:2] for step in steps[1:4]] == [
        ["cd", str(target)],
        ["papernotes", "add"],
        ["papernotes", "search"],
    ]
    assert "papernotes import" in steps[1]


def test_the_starter_taxonomy_is_the_repository_taxonomy():
    shipped = REPO / "src" / "papernotes" / "data" / "starter-tags.yaml"
    ours = yaml.safe_load((REPO / "tags.yaml").read_text(encoding="utf-8"))["tags"]
    assert list(yaml.safe_load(shipped.read_text(encoding="utf-8"))["tags"]) == list(ours)


def test_empty_taxonomy_on_request(tmp_path):
    target = tmp_path / "bare"
    result = Runner(None)("init", str(target), "--taxonomy", "empty", root=False)
    assert result.exit_code == 0
    assert (target / "tags.yaml").read_text(encoding="utf-8") == "tags: {}\n"
    bad = Runner(None)("init", str(tmp_path / "x"), "--taxonomy", "mine", root=False)
    assert bad.exit_code == 2 and "Traceback" not in bad.stderr


def test_import_into_a_new_knowledge_base_suggests_tags(tmp_path, monkeypatch):
    target = tmp_path / "kb"
    Runner(None)("init", str(target), root=False)
    write(
        target / "reading.md",
        "- https://openreview.net/forum?id=B1g5sA4twr\n  double descent in the NTK regime\n",
    )
    monkeypatch.chdir(target)
    result = Runner(target)("import", "reading.md", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["tags_suggested"]["B1g5sA4twr"]
