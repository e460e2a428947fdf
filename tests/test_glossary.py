"""The bilingual glossary: the shipped pairs, glossary.yaml, and search across languages."""

from __future__ import annotations

import json
import os
import re

import pytest
from click.testing import CliRunner

from papernotes.cli import cli
from papernotes.glossary import Glossary, is_en_term, is_zh_term, shipped_pairs, taxonomy_pairs
from tests.test_search_support import make_kb, write_record

ONE_LANGUAGE = {
    "ZhOnlyNote": {
        "title": "Rewind and Retrain",
        "notes": [{"lang": "zh", "zh": "剪枝之后再训练, 收敛更快。"}],
    },
    "EnOnlyNote": {
        "title": "Saliency at Initialization",
        "notes": [{"lang": "en", "en": "Pruning at initialization keeps the gradient flow."}],
    },
    "EnOwnWord1": {
        "title": "Schedules",
        "notes": [
            {
                "lang": "en",
                "en": "A long discussion of how the learning rate schedule interacts with "
                "warm restarts, batch size and the number of epochs in very long runs.",
            }
        ],
    },
    "ZhLearnRate": {
        "title": "Step sizes",
        "notes": [{"lang": "zh", "zh": "学习率。"}],
    },
}


@pytest.fixture
def root(tmp_path):
    return make_kb(tmp_path / "kb", ONE_LANGUAGE)


def search(root, *args: str):
    result = CliRunner().invoke(cli, ["--root", str(root), "search", "--json", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def ids(root, query: str) -> list[str]:
    return [hit["id"] for hit in search(root, query)]


# -- the shipped glossary ---------------------------------------------------------------
def test_the_shipped_glossary_has_600_clean_pairs():
    pairs = shipped_pairs()
    assert len(set(pairs)) == len(pairs) >= 600
    for zh, en in pairs:
        assert is_zh_term(zh), zh
        assert is_en_term(en) and en == en.strip(), en
        assert not re.search(r"\s{2}", en), en
    zh_terms = {zh for zh, _ in pairs}
    for term in (
        "收敛",
        "剪枝",
        "泛化",
        "对抗",
        "过参数化",
        "学习率",
        "宽网络",
        "损失曲面",
        "彩票",
    ):
        assert term in zh_terms
    assert ("损失曲面", "loss landscape") in pairs and ("彩票", "lottery ticket") in pairs


def test_terms_are_found_longest_first_and_as_whole_words():
    glossary = Glossary([("彩票", "lottery ticket"), ("彩票假设", "lottery ticket hypothesis")])
    glossary = Glossary([*glossary.pairs, ("假设", "assumption"), ("剪枝", "pruning")])
    assert glossary.found("彩票假设很有趣，剪枝") == ["彩票假设", "剪枝"]
    assert glossary.expand(["The lottery tickets of pruned nets"]) == ["彩票"]  # plural
    assert glossary.expand(["prun", "unpruning", "pruningx"]) == []  # whole words only
    assert glossary.expand(["Pruning."]) == ["剪枝"]


def test_taxonomy_pairs_join_labels_and_their_spellings():
    from papernotes.model.taxonomy import Tag, Taxonomy

    tags = {
        "pruning": Tag(
            en="Pruning and sparsity",
            zh="剪枝与稀疏",
            aliases=["sparse training", "稀疏训练", "剪技与稀疏"],
            description="x",
        ),
        "wide-networks": Tag(
            en="Wide networks", zh="宽网络", aliases=["无限宽网络"], description="x"
        ),
        "flows": Tag(
            en="Normalizing flows",
            zh="标准化流",
            aliases=["normalising flows", "NF"],
            description="x",
        ),
    }
    assert set(taxonomy_pairs(Taxonomy(tags=tags))) == {
        ("剪枝与稀疏", "Pruning and sparsity"),
        ("剪枝与稀疏", "pruning"),  # the tag's name
        ("剪技与稀疏", "Pruning and sparsity"),  # one character apart
        ("宽网络", "Wide networks"),
        ("宽网络", "wide-networks"),
        ("标准化流", "Normalizing flows"),
        ("标准化流", "flows"),
        ("标准化流", "normalising flows"),  # the label, spelt the British way
    }  # 'sparse training', 稀疏训练 and 无限宽网络 name the topic; they do not translate it


# -- search across languages -------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "paper"),
    [
        ("pruning", "ZhOnlyNote"),
        ("convergence", "ZhOnlyNote"),
        ("converge", "ZhOnlyNote"),
        ("剪枝", "EnOnlyNote"),
        ("初始化时剪枝", "EnOnlyNote"),
        ("梯度流", "EnOnlyNote"),
        ('"learning rate"', "ZhLearnRate"),
    ],
)
def test_a_one_language_note_is_found_from_the_other_language(root, query, paper):
    assert paper in ids(root, query)


def test_the_snippet_shows_the_notes_own_words_marked(root):
    hit = next(h for h in search(root, "pruning") if h["id"] == "ZhOnlyNote")
    assert hit["snippet"] == "«剪枝»之后再训练, 收敛更快。"
    hit = next(h for h in search(root, "剪枝") if h["id"] == "EnOnlyNote")
    assert "«Pruning at initialization»" in hit["snippet"]


def test_a_match_in_the_papers_own_words_ranks_higher(root):
    # the short note that only has 学习率 would win on length alone
    assert ids(root, "learning rate")[:2] == ["EnOwnWord1", "ZhLearnRate"]
    assert ids(root, "学习率")[:2] == ["ZhLearnRate", "EnOwnWord1"]


def test_a_bilingual_note_gets_no_glossary_copy(tmp_path):
    import datetime

    from papernotes.index.documents import paper_doc
    from papernotes.model.record import Paper
    from papernotes.store.glossary import kb_glossary
    from papernotes.store.kb import KnowledgeBase

    kb = KnowledgeBase(make_kb(tmp_path / "kb", {}))
    note = {"lang": "zh", "zh": "剪枝", "en": "pruning", "source": "x"}
    note["date"] = datetime.date(2026, 11, 22)
    paper = Paper.model_validate({"id": "BothLangs1", "title": "T", "notes": [note]})
    assert paper_doc(paper, lambda t: t, kb_glossary(kb)).columns["glossary"] == ""
    paper = Paper.model_validate({"id": "OneLang001", "title": "Pruning"})
    assert (
        paper_doc(paper, lambda t: t, kb_glossary(kb)).columns["glossary"] == "·g·剪 ·g·剪枝 ·g·枝"
    )


# -- glossary.yaml -------------------------------------------------------------------------
def test_glossary_yaml_adds_pairs_and_the_index_follows_it(root):
    write_record(
        root, "ZebraNote1", {"title": "Stripes", "notes": [{"lang": "zh", "zh": "斑马线"}]}
    )
    assert ids(root, "zebra") == []
    glossary = root / "glossary.yaml"
    glossary.write_text("terms:\n- zh: 斑马\n  en: [zebra, zebras]\n", encoding="utf-8")
    hits = search(root, "zebras")
    assert [h["id"] for h in hits] == ["ZebraNote1"] and hits[0]["snippet"] == "«斑马»线"
    glossary.write_text("terms: []\n", encoding="utf-8")
    os.utime(glossary, ns=(1, 1))  # same size as never before, other time
    assert ids(root, "zebra") == []


def test_a_changed_tag_label_reindexes_the_papers_it_names(root):
    tags = root / "tags.yaml"
    tags.write_text(
        tags.read_text(encoding="utf-8")
        + "  saliency:\n    en: Saliency\n    zh: 显著性\n    description: x.\n",
        encoding="utf-8",
    )
    assert "EnOnlyNote" in ids(root, "显著性")  # its title says Saliency


def test_validate_reports_bad_glossary_entries(root):
    (root / "glossary.yaml").write_text(
        "terms:\n- zh: 斑马\n  en: 斑马\n- zh: zebra\n  en: zebra\n- en: pruning\n"
        "- zh: 剪枝\n  en: pruning\n  note: x\nextra: 1\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--root", str(root), "validate"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "glossary.yaml" in line]
    assert "glossary.yaml:3: terms[0].en: must be English words" in "\n".join(lines)
    assert "glossary.yaml:4: terms[1].zh: must be two or more Chinese characters" in "\n".join(
        lines
    )
    assert any("terms[2].zh: missing required field" in line for line in lines)
    assert any("glossary.yaml:9: terms[3]: unknown field 'note'" in line for line in lines)
    assert any("glossary.yaml:10: unknown field 'extra'" in line for line in lines)


def test_a_glossary_that_is_not_yaml_is_one_problem(root):
    (root / "glossary.yaml").write_text("terms: [\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(root), "validate"])
    assert result.exit_code == 1
    assert "glossary.yaml:" in result.output and "Traceback" not in result.output
    assert ids(root, "pruning")  # search still works with the shipped glossary
