"""Did you mean …: corrections for words the index has never seen, and --fuzzy."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from papernotes.cli import cli
from papernotes.index.spelling import _distance
from tests.test_search_support import make_kb, write_record


@pytest.fixture
def root(tmp_path):
    root = make_kb(tmp_path / "kb")
    write_record(
        root,
        "AdvPaper07",
        {"title": "Adversarial Examples", "notes": [{"lang": "zh", "zh": "对抗训练的收敛很慢"}]},
    )
    return root


def search(root, *args: str):
    result = CliRunner().invoke(cli, ["--root", str(root), "search", *args])
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def ids(result) -> list[str]:
    return [line.split("\t")[0] for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("adverserial", "adversarial"), ("ticekts", "tickets"), ("convergance", "convergence")],
)
def test_a_misspelt_word_gets_did_you_mean_on_stderr(root, typed, meant):
    result = search(root, typed)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"Did you mean: '{typed}' -> {meant}? (--fuzzy searches with them)"
    assert lines[1] == f"No paper matches '{typed}'."


def test_chinese_is_corrected_by_shared_characters(root):
    result = search(root, "收练")
    assert result.stderr.startswith("Did you mean: '收练' -> ")
    assert "收敛" in result.stderr.splitlines()[0]


def test_fuzzy_searches_with_the_corrections(root):
    result = search(root, "adverserial", "--fuzzy")
    assert ids(result)[0] == "AdvPaper07"  # then the GAN paper, by its tag's name
    assert result.stderr == "Searching with corrections: 'adverserial' -> adversarial.\n"
    result = search(root, "收练", "--fuzzy", "--json")
    assert "AdvPaper07" in [h["id"] for h in json.loads(result.stdout)]


def test_the_known_words_of_a_query_are_kept(root):
    result = search(root, "adverserial", "examples", "--fuzzy")
    assert ids(result) == ["AdvPaper07"]
    assert ids(search(root, "adverserial", "zyzzyva", "--fuzzy")) == []  # no correction for it


def test_known_words_negations_and_prefixes_get_no_suggestion(root):
    for query in (["convergence"], ["-adverserial"], ["adverse*"], ['"adverserial"'], ["ab"]):
        result = search(root, *query)
        assert "Did you mean" not in result.stderr, query
    assert search(root, "tickets").stderr == ""  # a plural the index knows as 'tickets'


def test_suggestions_go_to_stderr_with_json(root):
    result = search(root, "adverserial", "--json")
    assert json.loads(result.stdout) == []
    assert "Did you mean" in result.stderr


def test_edit_distance():
    assert _distance("lotery", "lottery", 2) == 1
    assert _distance("ticekts", "tickets", 2) == 1  # neighbours swapped
    assert _distance("kitten", "sitting", 2) == 3  # stops past the limit
    assert _distance("same", "same", 1) == 0


def test_a_long_query_of_unknown_words_corrects_a_few(root):
    typos = ["adverserial", "convergance", "ticekts", "optimzers", "spectal", "dualty", "netwroks"]
    result = search(root, *typos)
    assert result.stderr.splitlines()[0].count(" -> ") == 5  # the first five
    assert "'adverserial' -> adversarial" in result.stderr and "netwroks" not in result.stderr
