"""`add` suggests tags from the title and note, and labels new tags in both languages."""

from __future__ import annotations

import pytest
import yaml


def record(kb, name: str) -> dict:
    return yaml.safe_load((kb / "papers" / f"{name}.yaml").read_text(encoding="utf-8"))


def taxonomy(kb) -> dict:
    return yaml.safe_load((kb / "tags.yaml").read_text(encoding="utf-8"))["tags"]


NOTE = "winning tickets found by pruning, and a neural tangent kernel view"


def test_suggestions_are_listed_when_not_on_a_terminal(run, kb):
    result = run("add", "rkgNKkHtvB", "--note", NOTE, "--no-fetch")
    assert result.exit_code == 0, result.stderr
    assert (
        "Hint: tags suggested by the title and note: NTK, LTH "
        "(add them with --tag-suggestions, or --tag NAME)"
    ) in result.stderr
    assert record(kb, "rkgNKkHtvB").get("tags") is None


def test_suggestions_applied_with_the_flag(run, kb):
    result = run("add", "rkgNKkHtvB", "--note", NOTE, "--no-fetch", "--tag-suggestions")
    assert result.exit_code == 0, result.stderr
    assert record(kb, "rkgNKkHtvB")["tags"] == ["NTK", "LTH"]
    assert "suggested" not in result.stderr


@pytest.mark.usefixtures("kb")
def test_suggestions_skip_tags_already_on_the_record(run):
    result = run("add", "H1gEP6NFwr", "--note", "optimization, with an NTK twist", "--no-fetch")
    assert result.exit_code == 0
    assert "tags suggested by the title and note: NTK (" in result.stderr


def test_on_a_terminal_suggestions_are_asked_yes(run, kb, monkeypatch):
    monkeypatch.setattr("papernotes.cli.commands.add._interactive", lambda: True)
    result = run("add", "rkgNKkHtvB", "--note", NOTE, "--no-fetch", input="y\n")
    assert result.exit_code == 0, result.stderr
    assert "Add suggested tags NTK, LTH?" in result.stderr
    assert record(kb, "rkgNKkHtvB")["tags"] == ["NTK", "LTH"]


def test_on_a_terminal_suggestions_default_to_no(run, kb, monkeypatch):
    monkeypatch.setattr("papernotes.cli.commands.add._interactive", lambda: True)
    result = run(
        "add", "rkgNKkHtvB", "--note", NOTE, "--no-fetch", "--tag", "optimization", input="\n"
    )
    assert result.exit_code == 0, result.stderr
    assert record(kb, "rkgNKkHtvB")["tags"] == ["optimization"]


def test_new_tag_with_english_and_chinese_labels(run, kb):
    result = run(
        "add",
        "H1gEP6NFwr",
        "--tag",
        "pruning",
        "--new-tag",
        "--en",
        "Network pruning",
        "--zh",
        "网络剪枝",
        "--no-fetch",
    )
    assert result.exit_code == 0, result.stderr
    assert taxonomy(kb)["pruning"] == {
        "en": "Network pruning",
        "zh": "网络剪枝",
        "description": "added by papernotes add",
    }
    assert "created tag 'pruning' in tags.yaml (en: 'Network pruning', zh: '网络剪枝')" in (
        result.stdout
    )
    assert run("validate").exit_code == 0


def test_new_tag_labels_are_asked_on_a_terminal(run, kb, monkeypatch):
    monkeypatch.setattr("papernotes.cli.commands.add._interactive", lambda: True)
    result = run(
        "add",
        "H1gEP6NFwr",
        "--tag",
        "pruning",
        "--new-tag",
        "--note",
        "n",
        "--no-fetch",
        input="Network pruning\n网络剪枝\n",
    )
    assert result.exit_code == 0, result.stderr
    assert "English label for new tag 'pruning'" in result.stderr
    assert (taxonomy(kb)["pruning"]["en"], taxonomy(kb)["pruning"]["zh"]) == (
        "Network pruning",
        "网络剪枝",
    )


def test_a_chinese_tag_name_is_refused_with_the_way_to_label_it(run, kb):
    before = (kb / "tags.yaml").read_bytes()
    result = run("add", "H1gEP6NFwr", "--tag", "剪枝", "--new-tag", "--no-fetch")
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        "Error: cannot create tag '剪枝': a tag name is ASCII; use an ASCII name with a "
        "Chinese label, e.g. --tag my-tag --new-tag --zh 剪枝"
    ]
    assert (kb / "tags.yaml").read_bytes() == before


@pytest.mark.usefixtures("kb")
def test_labels_need_new_tag_and_one_new_tag(run):
    result = run("add", "H1gEP6NFwr", "--zh", "网络剪枝", "--no-fetch")
    assert result.exit_code == 2 and "use them with --tag NAME --new-tag" in result.stderr
    result = run(
        "add", "H1gEP6NFwr", "--tag", "a1", "--tag", "b2", "--new-tag", "--zh", "x", "--no-fetch"
    )
    assert result.exit_code == 2 and "add them one at a time" in result.stderr
