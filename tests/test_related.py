"""papernotes related, and the end of papernotes show: ranking, reasons, errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from papernotes.model.record import Paper
from papernotes.model.taxonomy import Taxonomy
from papernotes.relate.mentions import MentionIndex, title_aliases
from papernotes.relate.similarity import SimilarityIndex, terms
from tests.conftest import Runner, write
from tests.links_fixtures import make_links_kb, record


@pytest.fixture
def lkb(tmp_path):
    return make_links_kb(tmp_path / "lkb")


@pytest.fixture
def lrun(lkb):
    return Runner(lkb)


def ranked(lrun, pid, *extra):
    result = lrun("related", pid, "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_explicit_link_outranks_shared_tags_and_similar_content(lrun):
    rows = ranked(lrun, "TargetPaper1")
    ids = [r["id"] for r in rows]
    assert ids[0] == "LinkedPaper1"
    assert rows[0]["kinds"] == ["link"]
    assert rows[0]["reasons"][0]["text"] == "very related, also compares tuning effort"
    # SameTags001 shares both tags and most words, yet comes after the link.
    same = rows[ids.index("SameTags001")]
    assert {"tag", "similar"} <= set(same["kinds"])
    assert same["score"] < rows[0]["score"]


def test_link_counts_from_the_other_side_too(lrun):
    rows = ranked(lrun, "LinkedPaper1")
    assert rows[0]["id"] == "TargetPaper1"
    assert rows[0]["reasons"][0] == {
        "kind": "link",
        "text": "very related, also compares tuning effort",
        "direction": "in",
        "why": "very related, also compares tuning effort",
    }


def test_rare_shared_tag_outranks_common_one(lrun):
    ids = [r["id"] for r in ranked(lrun, "TargetPaper1", "--limit", "20")]
    assert ids.index("RarePaper01") < ids.index("CommonPaper1")
    rows = {r["id"]: r for r in ranked(lrun, "TargetPaper1", "--limit", "20")}
    assert rows["RarePaper01"]["reasons"][0]["text"] == "#NTK (3 papers)"
    assert rows["CommonPaper1"]["reasons"][0]["text"] == "#theory (6 papers)"
    assert rows["RarePaper01"]["score"] > rows["CommonPaper1"]["score"]


def test_similarity_reason_lists_shared_terms(lrun):
    rows = {r["id"]: r for r in ranked(lrun, "SpectralPap")}
    similar = [r for r in rows["EigenPaper1"]["reasons"] if r["kind"] == "similar"][0]
    assert {"eigenvalues", "spectrum"} <= set(similar["terms"])
    assert similar["text"].startswith("shared terms: ")
    assert 0 < similar["cosine"] <= 1


def test_mentions_by_id_and_alias(lrun):
    rows = {r["id"]: r for r in ranked(lrun, "EigenPaper1")}
    texts = [r["text"] for r in rows["SpectralPap"]["reasons"] if r["kind"] == "mention"]
    assert texts == ["this paper's note names it by id: SpectralPap"]
    texts = [r["text"] for r in rows["GraspPaper1"]["reasons"] if r["kind"] == "mention"]
    assert texts == ["this paper's note names it by alias: GraSP"]
    # ... and seen from the mentioned paper, the mention points back.
    back = {r["id"]: r for r in ranked(lrun, "GraspPaper1")}
    assert back["EigenPaper1"]["reasons"][0]["direction"] == "in"


def test_parent_or_child_tag_counts_a_little(lrun, lkb):
    write(lkb / "papers" / "OptimPaper1.yaml", record("OptimPaper1", "Zeta", ["optimization"]))
    rows = {r["id"]: r for r in ranked(lrun, "LinkedPaper1")}
    reason = rows["OptimPaper1"]["reasons"][0]
    assert reason["text"] == "#optimization is the parent of #optimizer-tuning"
    assert 0 < rows["OptimPaper1"]["score"] < 3.0 * 0.5


def test_limit_and_plain_output(lrun):
    result = lrun("related", "TargetPaper1", "-n", "2")
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [r[0] for r in rows] == ["LinkedPaper1", "SameTags001"]
    assert rows[0][2] == "link" and rows[0][4] == "link: very related, also compares tuning effort"


def test_rich_output_on_a_terminal(lrun, monkeypatch):
    monkeypatch.setattr("papernotes.cli.common.is_tty", lambda stderr=False: True)  # noqa: ARG005 - is_tty(stderr=...)
    out = lrun("related", "TargetPaper1", "-n", "3").stdout
    assert out.splitlines()[0] == "TargetPaper1  Wide network training dynamics"
    assert "1. LinkedPaper1 Budgets for optimizer search (10.00) link" in out
    assert "link: very related, also compares tuning effort" in out


def test_paper_without_neighbours(lrun, lkb):
    write(lkb / "papers" / "Lonely00001.yaml", record("Lonely00001", "Zzyzx"))
    assert lrun("related", "Lonely00001", "--json").stdout.strip() == "[]"
    result = lrun("related", "Lonely00001")
    assert result.stdout == "" and "no related papers" in result.stderr


def test_unknown_id_exits_3_with_close_matches(lrun):
    result = lrun("related", "TargetPaper2")
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: no paper 'TargetPaper2' (did you mean 'TargetPaper1'")
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == ""


def test_bad_id_is_a_usage_error(lrun):
    result = lrun("related", "../../etc/passwd")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_show_ends_with_backlinks_and_top_related(lrun):
    out = lrun("show", "TargetPaper1").stdout
    tail = out[out.index("Linked from notes/ (2)") :]
    assert "notes/wide.md:3 Wide networks and the NTK" in tail
    assert "The kernel view #NTK starts with [[TargetPaper1]]" in tail
    assert "notes/wide.md:14" in tail and "宽网络 #NTK 的论文：[[TargetPaper1]]。" in tail
    top = tail[tail.index("Top related") :]
    assert top.index("1. LinkedPaper1") < top.index("2. SameTags001")
    assert "5. " in top and "6. " not in top


def test_show_json_has_backlinks_and_top_related(lrun):
    data = json.loads(lrun("show", "TargetPaper1", "--json").stdout)
    assert data["backlinks"][0] == {
        "path": "notes/wide.md",
        "line": 3,
        "title": "Wide networks and the NTK",
        "text": "English. The kernel view #NTK starts with [[TargetPaper1]], which is linked to",
    }
    assert [n["id"] for n in data["top_related"]][:2] == ["LinkedPaper1", "SameTags001"]
    assert len(data["top_related"]) == 5


def test_show_still_works_when_another_record_is_broken(lrun, lkb):
    write(lkb / "papers" / "Broken00001.yaml", "id: Broken00001\ntitle: [unclosed\n")
    result = lrun("show", "TargetPaper1")
    assert result.exit_code == 0
    assert "Top related" in result.stdout


# -- core units ----------------------------------------------------------------------------
def paper(pid, title, note="", tags=()):
    notes = [{"lang": "zh", "zh": note, "source": "cli", "date": "2026-01-01"}] if note else []
    return Paper.model_validate(
        {"id": pid, "title": title, "tags": list(tags), "notes": notes}, strict=False
    )


def test_cjk_terms_are_bigrams_without_function_words():
    assert terms("我们，研究神经正切核") == ["研究", "究神", "神经", "经正", "正切", "切核"]
    assert terms("The networks are wide") == ["network", "wide"]


def test_chinese_notes_are_similar_and_shared_terms_are_not_fragments():
    papers = [
        paper("aaaa1", "x", "神经正切核的谱分析"),
        paper("bbbb1", "y", "神经正切核很有用"),
        paper("cccc1", "z", "对抗样本"),
        paper("dddd1", "w", "对抗训练"),
    ]
    index = SimilarityIndex(papers)
    scores = index.similar("aaaa1")
    assert set(scores) == {"bbbb1"}
    shared = index.shared_terms("aaaa1", "bbbb1")
    assert shared and all(len(set(a) & set(b)) == 0 for a in shared for b in shared if a != b)


def test_title_aliases():
    assert title_aliases("BackPACK: Packing more into backprop") == ["BackPACK"]
    assert title_aliases("Continual Learning with Adaptive Weights (CLAW)") == ["CLAW"]
    assert title_aliases("A very long prefix that is not a name: really") == []


def test_alias_needs_its_capitals_and_tag_names_are_no_aliases():
    taxonomy = Taxonomy.__new__(Taxonomy)
    Taxonomy.__init__(taxonomy, {})
    papers = {
        "ginpaper": paper("ginpaper", "General Incompressible-flow Networks (GIN)"),
        "drinker1": paper("drinker1", "t", "a gin and tonic"),
        "reader01": paper("reader01", "t", "GIN learns disentangled latents"),
    }
    index = MentionIndex(papers, taxonomy)
    assert index.mentions_in("drinker1") == []
    assert [m.how for m in index.mentions_in("reader01")] == ["alias"]


def test_link_weights_keep_a_link_above_everything_else():
    from papernotes.relate import related

    assert related.LINK > related.TAG + related.SIMILAR + related.MENTION


def test_a_link_to_a_missing_record_is_a_neighbour_without_a_record(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "kb"
    (root / "papers").mkdir(parents=True)
    write(root / "tags.yaml", "tags: {}\n")
    write(
        root / "papers" / "aaaa1.yaml",
        "id: aaaa1\ntitle: a\nrelated:\n- id: gone1\n  why: w\n",
    )
    result = Runner(root)("related", "aaaa1", "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(n["id"], n["title"], n["kinds"]) for n in rows] == [("gone1", "(no record)", ["link"])]


def test_links_core_imports_neither_click_nor_rich():
    code = (
        "import papernotes.relate.related, papernotes.export.graph, papernotes.views.topics, "
        "papernotes.views.stats, papernotes.store.notes\n"
        "import sys; print(' '.join(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    mods = set(out.stdout.split())
    assert "click" not in mods and "rich" not in mods
