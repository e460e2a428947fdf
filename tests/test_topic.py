"""papernotes topic: a tag's page by name, alias or Chinese label."""

from __future__ import annotations

import json

import pytest

from papernotes.views.decisions import decision_rank
from tests.conftest import Runner
from tests.links_fixtures import make_links_kb


@pytest.fixture
def lrun(tmp_path):
    return Runner(make_links_kb(tmp_path / "lkb"))


def page(lrun, *args):
    result = lrun("topic", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("spelling", ["NTK", "ntk", "cntk", "Neural Tangent Kernel", "神经正切核"])
def test_topic_by_name_alias_or_chinese_label(lrun, spelling):
    data = page(lrun, spelling)
    assert data["name"] == "NTK"
    assert (data["en"], data["zh"]) == ("Neural tangent kernel", "神经正切核")
    assert data["parent"] == {"name": "theory", "en": "Deep learning theory", "zh": "深度学习理论"}
    assert [p["id"] for p in data["papers"]] == ["SameTags001", "TargetPaper1", "RarePaper01"]
    assert data["notes"][0]["path"] == "notes/wide.md"
    assert data["notes"][0]["tag_links"] == 2
    assert data["notes"][0]["papers"] == ["TargetPaper1", "SameTags001"]
    assert data["cooccurring"] == [
        {"name": "theory", "en": "Deep learning theory", "zh": "深度学习理论", "papers": 2}
    ]


def test_parent_topic_includes_child_tag_papers(lrun):
    data = page(lrun, "theory")
    assert data["children"] == [
        {"name": "NTK", "en": "Neural tangent kernel", "zh": "神经正切核", "papers": 3}
    ]
    via = {p["id"]: p["via"] for p in data["papers"]}
    assert via["RarePaper01"] == ["NTK"]
    assert via["TargetPaper1"] == ["NTK", "theory"]
    assert len(data["papers"]) == 7


def test_sort_orders(lrun):
    by_decision = [p["id"] for p in page(lrun, "ntk")["papers"]]
    assert by_decision == ["SameTags001", "TargetPaper1", "RarePaper01"]
    by_added = [p["id"] for p in page(lrun, "ntk", "--sort", "added")["papers"]]
    assert by_added == ["SameTags001", "TargetPaper1", "RarePaper01"]
    by_rating = page(lrun, "optimization", "--sort", "rating")["papers"]
    assert [(p["id"], p["mean_rating"]) for p in by_rating] == [("LinkedPaper1", 3.0)]
    by_id = [p["id"] for p in page(lrun, "ntk", "--sort", "id")["papers"]]
    assert by_id == sorted(by_id)


def test_decision_rank():
    ranks = [
        decision_rank(d)
        for d in ("Accept (Oral)", "Accept (Spotlight)", "Accept (Poster)", None, "Reject")
    ]
    assert ranks == sorted(ranks) and len(set(ranks)) == 5
    assert decision_rank("Withdrawn") > decision_rank("Reject")


def test_topic_plain_output(lrun):
    out = lrun("topic", "ntk").stdout
    assert out.splitlines()[0] == "NTK: Neural tangent kernel / 神经正切核"
    assert "SameTags001\tAccept (Oral)\t8.0\tKernel regime of wide network training\tNTK" in out
    assert "notes/wide.md:3\tWide networks and the NTK\t2 paper(s)" in out


def test_topic_rich_output(lrun, monkeypatch):
    monkeypatch.setattr("papernotes.cli.common.is_tty", lambda stderr=False: True)  # noqa: ARG005 - is_tty(stderr=...)
    out = lrun("topic", "ntk").stdout
    assert out.splitlines()[0] == "#NTK  Neural tangent kernel / 神经正切核"
    assert "Under: theory" in out
    assert "Papers (3, by decision)" in out
    assert "notes/wide.md:3 Wide networks and the NTK" in out
    assert "Often together with theory (2)" in out


def test_topic_without_papers_or_notes(lrun, monkeypatch):
    data = page(lrun, "GAN")
    assert [p["id"] for p in data["papers"]] == ["Filler00003"]
    assert data["notes"] == []
    monkeypatch.setattr("papernotes.cli.common.is_tty", lambda stderr=False: True)  # noqa: ARG005 - is_tty(stderr=...)
    empty = lrun("topic", "GAN").stdout
    assert "No note in notes/ links #GAN or its papers." in empty
    linked_only = page(lrun, "optimization")["notes"]
    assert [(n["tag_links"], n["papers"]) for n in linked_only] == [(0, ["LinkedPaper1"])]


def test_unknown_tag_exits_3_with_one_line(lrun):
    result = lrun("topic", "ntk2")
    assert result.exit_code == 3
    assert result.stderr == "Error: unknown tag 'ntk2' (did you mean 'NTK'?)\n"
    assert result.stdout == ""


def test_a_paper_whose_text_names_the_tag_is_not_among_its_papers(tmp_path):
    """The index picks a tag's papers out of their digests by the tag's name; a paper
    whose title or notes are that name, without the tag, stays out (of the page, the
    children's counts and ``list --tag``)."""
    root = make_links_kb(tmp_path / "lkb")
    (root / "papers" / "NamesNTK01.yaml").write_text(
        'id: NamesNTK01\ntitle: NTK\ntags:\n- optimization\nnotes:\n- lang: en\n  en: "NTK"\n'
        "  source: cli\n  date: 2026-01-02\n",
        encoding="utf-8",
    )
    run = Runner(root)
    data = page(run, "ntk")
    assert [p["id"] for p in data["papers"]] == ["SameTags001", "TargetPaper1", "RarePaper01"]
    assert {t["name"]: t["papers"] for t in page(run, "theory")["children"]} == {"NTK": 3}
    listed = run("list", "--tag", "NTK", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert sorted(p["id"] for p in json.loads(listed.stdout)) == [
        "RarePaper01",
        "SameTags001",
        "TargetPaper1",
    ]
    assert "NamesNTK01" in {p["id"] for p in page(run, "optimization")["papers"]}
