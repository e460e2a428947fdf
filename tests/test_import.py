"""``papernotes import``: the two seed files, a third style, re-import, edits, encodings, errors."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from .conftest import Runner, write

SEEDS = Path(__file__).parents[1] / "seeds"
SEED0 = "000_316735fe26adea45.txt"
SEED1 = "001_c995a4e83e42e614.txt"
DATA = Path(__file__).parent / "data"

# A small taxonomy of our own, so these tests do not depend on the repository's tags.yaml.
TAGS = """\
tags:
  deep-learning-theory:
    en: Deep learning theory
    zh: 深度学习理论
    description: Why deep networks train and generalise.
  NTK:
    en: Neural tangent kernel
    zh: 神经正切核
    aliases:
    - CNTK
    parent: deep-learning-theory
    description: Infinite-width limit of training.
  GAN:
    en: Generative adversarial networks
    zh: 生成对抗网络
    description: Generator against discriminator.
  double-descent:
    en: Double descent
    zh: 双下降
    parent: deep-learning-theory
    description: Test error that falls, rises and falls again.
  LTH:
    en: Lottery ticket hypothesis
    zh: 彩票假设
    aliases:
    - lottery ticket
    - winning tickets
    description: Sparse trainable subnetworks.
"""


@pytest.fixture
def kb(empty_kb) -> Path:
    write(empty_kb / "tags.yaml", TAGS)
    shutil.copytree(SEEDS, empty_kb / "seeds")
    return empty_kb


@pytest.fixture
def run(kb, monkeypatch) -> Runner:
    """Commands run from the knowledge base's folder, as a user would type them."""
    monkeypatch.chdir(kb)
    return Runner(kb)


def record(kb: Path, paper_id: str) -> dict:
    return yaml.safe_load((kb / "papers" / f"{paper_id}.yaml").read_text(encoding="utf-8"))


def note_texts(kb: Path, paper_id: str) -> list[str]:
    return [n.get(n["lang"]) for n in record(kb, paper_id).get("notes", [])]


def seed_ids(name: str) -> set[str]:
    return set(re.findall(r"id=([A-Za-z0-9_-]+)", (SEEDS / name).read_text(encoding="utf-8")))


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def ids_in(kb: Path) -> set[str]:
    return {p.stem for p in (kb / "papers").glob("*.yaml")}


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# -- the seed files ------------------------------------------------------------------


def test_plain_text_seed(run, kb):
    result = run("import", f"seeds/{SEED0}", "--json")
    assert result.exit_code == 0, result.stderr
    assert len(seed_ids(SEED0)) == 66
    assert ids_in(kb) == seed_ids(SEED0)
    report = json.loads(result.stdout)
    assert len(report["created"]) == 66 and report["warnings"] == []
    assert note_texts(kb, "H1eArT4tPH") == ["finite width neural-nets; 有人做了"]
    assert note_texts(kb, "rkeO-lrYwr") == ["把LTH和 mode connectivity结合起来，有人做了"]
    # Trailing spaces go; a leading space inside the note stays.
    assert note_texts(kb, "B1g5sA4twr") == [
        "Deep double descent\n做了更多试验验证 deep nn 还有double descent现象"
    ]
    assert note_texts(kb, "HylsTT4FvB") == [
        "steeribility of GANs.\n 讨论为什么GAN不能表示out-of-sample data; 同时解释为什么可能可以"
        "generate new data, 如果使用某些技巧的话"
    ]
    assert note_texts(kb, "HyxLRTVKPH") == [
        "BUDGETED TRAINING: RETHINKING DEEP NEURAL NETWORK TRAINING UNDER RESOURCE CONSTRAINTS\n"
        "learning rate schedule, 给定epochs数目，如何选择learning rate decay?\n"
        "有意思。可以作为收敛理论分析的Motivation, 说明应该采用Linear decay, 只是斜率不同."
    ]
    assert note_texts(kb, "SkliR1SKDS") == [
        "RETHINKING DATA AUGMENTATION: SELF-SUPERVISION AND SELF-DISTILLATION"
    ]
    # The last entry before a heading keeps its note; the heading is not note text.
    assert note_texts(kb, "BkgXHTNtvS") == [
        "另外一个相关的工作，也是证明ReLU network 有strict local min"
    ]
    tunability = record(kb, "H1gEP6NFwr")
    assert tunability["title"] == "On the Tunability of Optimizers in Deep Learning"
    assert (tunability["venue"], tunability["year"], tunability["decision"]) == (
        "ICLR 2020",
        2020,
        "Reject",
    )
    assert tunability["ratings"] == [3, 3]
    assert tunability["links"] == {
        "forum": "https://openreview.net/forum?id=H1gEP6NFwr",
        "pdf": "https://openreview.net/pdf?id=H1gEP6NFwr",
    }
    note = tunability["notes"][0]
    assert note["lang"] == "zh" and note["source"] == f"seeds/{SEED0}"
    assert note["zh"].startswith("略神奇. 如何比较”easy to tune”?")
    # A pasted upper-case title does not make a Chinese note English.
    assert record(kb, "HkxedlrFwB")["notes"][0]["lang"] == "zh"
    assert record(kb, "rkl8sJBYvH")["notes"][0]["lang"] == "en"


def test_plain_text_seed_relations_go_both_ways(run, kb):
    run("import", f"seeds/{SEED0}")
    very = "非常相关的工作，也是说明如何比较”tuning effort”,也说明Adam比SGD更好"
    assert record(kb, "H1gEP6NFwr")["related"] == [{"id": "HygrAR4tPS", "why": very}]
    assert record(kb, "HygrAR4tPS")["related"] == [{"id": "H1gEP6NFwr", "why": very}]
    assert record(kb, "ByeSYa4KPS")["related"] == [{"id": "SkgsACVKPH", "why": "和上面似乎类似"}]
    assert record(kb, "SkgsACVKPH")["related"] == [{"id": "ByeSYa4KPS", "why": "和上面似乎类似"}]
    another = "另外一个相关的工作，也是证明ReLU network 有strict local min"
    assert record(kb, "BkgXHTNtvS")["related"] == [{"id": "SygD31HFvB", "why": another}]
    assert record(kb, "SygD31HFvB")["related"] == [{"id": "BkgXHTNtvS", "why": another}]
    linked = [pid for pid in ids_in(kb) if record(kb, pid).get("related")]
    assert len(linked) == 6


def test_titles_from_catalog_and_title_lines(run, kb):
    run("import", f"seeds/{SEED0}")
    # accepted-list titles win over the pasted upper-case line
    assert record(kb, "SJlVY04FwH")["title"] == (
        "Convergence of Gradient Methods on Bilinear Zero-Sum Games"
    )
    # otherwise the upper-case title line, in readable case
    assert record(kb, "B1xw9n4Kwr")["title"] == (
        "Model Architecture Controls Gradient Descent Dynamics: A Combinatorial Path-Based Formula"
    )
    assert record(kb, "Skeh-xBYDH")["title"] == "On Symmetry and Initialization for Neural Networks"
    # else the catalog listing, with acronyms repaired
    assert record(kb, "rJePwgSYwB")["title"] == "SGD Learns One-layer Networks in WGANs"
    assert record(kb, "HylsTT4FvB")["title"] == (
        'On the "steerability" of generative adversarial networks'
    )


def test_markdown_seed(run, kb):
    result = run("import", f"seeds/{SEED1}")
    assert result.exit_code == 0
    assert len(seed_ids(SEED1)) == 21 and ids_in(kb) == seed_ids(SEED1)
    # the trailing "2. " item has no link: reported with its line, not dropped silently
    assert (
        f"Warning: seeds/{SEED1}:66: list item has no paper link on its first line; not imported (put an OpenReview, arXiv or DOI link on that line)"
        in (result.stderr)
    )
    assert note_texts(kb, "HygpthEtvr") == [
        "adjusted gradients for L1 norm to get more accurate 0 weights."
    ]
    assert note_texts(kb, "Byg9A24tvB") == [
        "demonstrates that softmax cross-entropy loss (and its variants) convey unexpected "
        "supervisory signals on the training points, which make the learned features tend to "
        "spread over the space sparsely, proposes  Max-Mahalanobis center (MMC) loss which can "
        "explicitly control the inter-class dispersion by a single hyperparameter (pre-selected "
        "class centers) and further concentrate on improving intra-class compactness in the "
        "training procedure to induce high-density regions.\n"
        "Other related works focus on intra-class compactness without controlling inter-class "
        "dispersion, such as constrative loss, triplet loss, center loss."
    ]
    assert note_texts(kb, "B1g8VkHFPH") == [
        "1).Optimal hyperparameters for fine-tuning are not only dataset dependent, but are also "
        "dependent on the similarity between the source and target domains, e.g. zero momentum "
        "sometimes work better for fine-tuning on tasks that are similar with the source domain, "
        "while nonzero momentum works better for target domains that are different from the "
        "source domain;\n\n"
        "2). Regularization methods that were designed to keep models close to the initial model "
        "does not necessarily work for “dissimilar” datasets, especially for nets with Batch "
        "Normalization."
    ]
    assert note_texts(kb, "SylzhkBtDB") == [
        "(\nthis paper used multi-head setting for training multiple tasks at the same time):\n\n"
        "    1). show that capacity of shared module (i.e. the output dimension of shared module "
        "$r$) determines whether or not there is information transfer between tasks: If the "
        "shared module is too small, then tasks may interfere negatively with each other. But if "
        "it is too large, then there may be no transfer between tasks. For linear models, "
        "$r \\ge k$ results in no transfer, where $k$ is number of tasks;\n"
        "    2). show that more similar two tasks are less samples from the source task are "
        "required for positive transfer, proposed  **covariance similarity score** for measuring "
        "similarity between two tasks (only needs data);\n\n"
        "    [The condition number of the matrix measures the ratio of the maximum relative "
        "stretching to the maximum relative shrinking that matrix does to any non zero vectors.]"
    ]
    assert note_texts(kb, "Hklso24Kwr")[0].startswith("using 3 extra parameters")
    assert "HyevIJStwH" in ids_in(kb) and "notes" not in record(kb, "HyevIJStwH")
    assert "notes" not in record(kb, "BJgd81SYwr")
    assert record(kb, "rygeHgSFDH")["refs"] == [
        {
            "url": "https://arxiv.org/pdf/1805.08651.pdf",
            "label": "Nonlinear ICA Using Auxiliary Variables and Generalized Contrastive Learning",
        }
    ]
    assert record(kb, "rkgfdeBYvH")["refs"] == [
        {
            "url": "http://proceedings.mlr.press/v97/allen-zhu19a.html",
            "label": "A Convergence Theory for Deep Learning via Over-Parameterization",
        },
        {
            "url": "http://papers.nips.cc/paper/8076-neural-tangent-kernel-convergence-and-"
            "generalization-in-neural-networks.pdf",
            "label": "Neural Tangent Kernel",
        },
    ]
    # link markup is gone from the note, the link text stays
    assert (
        "A Convergence Theory for Deep Learning via Over-Parameterization, Neural Tangent"
        in (note_texts(kb, "rkgfdeBYvH")[0])
    )
    assert "](" not in "".join(t for pid in ids_in(kb) for t in note_texts(kb, pid))
    assert record(kb, "HygpthEtvr")["title"] == (
        "ProxSGD: Training Structured Neural Networks under Regularization and Constraints"
    )


def test_both_seeds_one_record_per_paper(run, kb):
    result = run("import", f"seeds/{SEED0}", f"seeds/{SEED1}", "--json")
    assert result.exit_code == 0
    assert len(seed_ids(SEED0) | seed_ids(SEED1)) == 83 and ids_in(kb) == seed_ids(
        SEED0
    ) | seed_ids(SEED1)
    report = json.loads(result.stdout)
    assert len(report["created"]) == 83
    assert report["notes_added"] == 66 + 19
    assert (report["related_found"], report["related_added"]) == (3, 3)
    assert (report["refs_found"], report["refs_added"]) == (4, 4)
    both = [pid for pid in ids_in(kb) if len(record(kb, pid).get("notes", [])) == 2]
    assert sorted(both) == ["Byg9A24tvB", "HyxyIgHFvr", "SkgsACVKPH", "rkgfdeBYvH"]
    sources = [n["source"] for n in record(kb, "SkgsACVKPH")["notes"]]
    assert sources == [f"seeds/{SEED0}", f"seeds/{SEED1}"]
    assert Runner(kb)("validate").exit_code == 0
    assert Runner(kb)("fmt", "--check").exit_code == 0
    # --strict asks for translations, but never doubts the language import chose
    strict = Runner(kb)("validate", "--strict")
    assert strict.exit_code == 1
    assert "no English text" in strict.stderr + strict.stdout
    assert ".lang:" not in strict.stderr + strict.stdout


def test_heading_is_a_hint_not_a_tag(run, kb):
    result = run("import", f"seeds/{SEED0}", "--json")
    papers = {p["id"]: p for p in json.loads(result.stdout)["papers"]}
    assert papers["B1x3EgHtwB"]["sections"] == ["GANS"]
    assert "GAN" not in record(kb, "B1x3EgHtwB").get("tags", [])
    assert "GAN" in record(kb, "HylsTT4FvB")["tags"]  # "GANs" in its own note
    assert "NTK" in record(kb, "BkgNqkHFPr")["tags"]  # alias CNTK
    assert "LTH" in record(kb, "rkeO-lrYwr")["tags"]
    assert "double-descent" in record(kb, "H1gBsgBYwH")["tags"]
    assert "Tags suggested:" in result.stderr


# -- re-import and edits ----------------------------------------------------------------


def test_reimport_is_byte_identical(run, kb):
    run("import", f"seeds/{SEED0}", f"seeds/{SEED1}")
    before = digest(kb / "papers")
    result = run("import", f"seeds/{SEED0}", f"seeds/{SEED1}", "--json")
    assert result.exit_code == 0
    assert digest(kb / "papers") == before
    report = json.loads(result.stdout)
    assert report["created"] == [] and report["updated"] == []
    assert len(report["unchanged"]) == 83 and report["notes_added"] == 0


def test_user_edits_survive_reimport(run, kb):
    run("import", f"seeds/{SEED0}")
    path = kb / "papers" / "H1gEP6NFwr.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("title: On the Tunability", "title: My title for On the Tunability")
    text = text.replace("略神奇.", "非常神奇.")
    text = text.replace("  why: 非常相关的工作", "  why: 我写的理由，非常相关的工作", 1)
    path.write_text(text, encoding="utf-8")
    edited = path.read_bytes()
    result = run("import", f"seeds/{SEED0}")
    assert result.exit_code == 0
    assert path.read_bytes() == edited
    decisions = json.loads(run("import", f"seeds/{SEED0}", "--json").stdout)["papers"]
    [tunability] = [p for p in decisions if p["id"] == "H1gEP6NFwr"]
    assert tunability["decisions"] == [
        f"note from seeds/{SEED0}: unchanged in the file; the record's edited copy is kept"
    ]


def test_removed_tag_and_link_do_not_come_back(run, kb):
    run("import", f"seeds/{SEED0}")
    path = kb / "papers" / "ByeSYa4KPS.yaml"
    data = record(kb, "ByeSYa4KPS")
    assert data["related"]
    path.write_text(
        path.read_text(encoding="utf-8").split("related:")[0]
        + "added: "
        + str(data["added"])
        + "\n",
        encoding="utf-8",
    )
    edited = path.read_bytes()
    run("import", f"seeds/{SEED0}")
    assert path.read_bytes() == edited


def test_second_file_adds_notes_to_existing_records(run, kb):
    run("import", f"seeds/{SEED0}")
    before = {pid: (kb / "papers" / f"{pid}.yaml").read_bytes() for pid in ids_in(kb)}
    result = run("import", f"seeds/{SEED1}", "--json")
    report = json.loads(result.stdout)
    assert sorted(report["updated"]) == ["Byg9A24tvB", "HyxyIgHFvr", "SkgsACVKPH", "rkgfdeBYvH"]
    assert len(report["created"]) == 17
    unchanged_66 = [pid for pid in before if pid not in report["updated"]]
    assert all((kb / "papers" / f"{p}.yaml").read_bytes() == before[p] for p in unchanged_66)
    notes = record(kb, "rkgfdeBYvH")["notes"]
    assert [n["lang"] for n in notes] == ["zh", "en"]
    assert notes[0]["zh"].endswith("两层的网络分析，神经元对网络的影响")


# -- another style -------------------------------------------------------------------


def test_third_style_reading_list(run, kb):
    shutil.copy(DATA / "reading_list.md", kb / "reading_list.md")
    result = run("import", "reading_list.md", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["warnings"] == []
    assert ids_in(kb) == {
        "H1gEP6NFwr",
        "HygrAR4tPS",
        "B1g5sA4twr",
        "H1gBsgBYwH",
        "SJxSDxrKDr",
        "SJgwzCEKwH",
    }
    assert note_texts(kb, "H1gEP6NFwr") == [
        "Defines tunability as the best score expected from a budget of random-search trials.\n"
        "Adam is the easiest to tune on most of the tasks they tried."
    ]
    assert note_texts(kb, "HygrAR4tPS") == [
        "Same question from the other side. See also www.openreview.net/forum?id=H1gEP6NFwr, "
        "which\nuses a different tuning protocol.\n"
        "- tuning the learning rate schedule matters more than the optimizer\n"
        "- every optimizer gets the same budget"
    ]
    assert note_texts(kb, "B1g5sA4twr") == [
        "Test error peaks at the interpolation threshold, in model size and in epochs.\n"
        "Background: https://arxiv.org/abs/1812.11118 and Reconciling modern machine learning "
        "practice and the bias-variance trade-off."
    ]
    assert record(kb, "B1g5sA4twr")["refs"] == [
        {"url": "https://arxiv.org/abs/1812.11118"},
        {
            "url": "https://www.pnas.org/doi/10.1073/pnas.1903070116",
            "label": "Reconciling modern machine learning practice and the bias-variance trade-off",
        },
    ]
    assert record(kb, "HygrAR4tPS")["related"] == [
        {
            "id": "H1gEP6NFwr",
            "why": "See also www.openreview.net/forum?id=H1gEP6NFwr, which uses a different "
            "tuning protocol.",
        }
    ]
    assert record(kb, "H1gBsgBYwH")["related"] == [
        {"id": "B1g5sA4twr", "why": "the one above shows it in practice."}
    ]
    assert record(kb, "SJgwzCEKwH")["related"][0]["id"] == "SJxSDxrKDr"
    assert "notes" not in record(kb, "SJgwzCEKwH")
    assert record(kb, "SJxSDxrKDr")["title"] == (
        "Adversarial Training and Provable Defenses: Bridging the Gap"
    )
    assert record(kb, "H1gEP6NFwr")["notes"][0]["source"] == "reading_list.md"
    assert Runner(kb)("validate").exit_code == 0


def test_third_style_merges_with_the_seeds(run, kb):
    shutil.copy(DATA / "reading_list.md", kb / "seeds" / "reading_list.md")
    result = run("import", f"seeds/{SEED0}", "seeds/reading_list.md", "--json")
    report = json.loads(result.stdout)
    assert len(report["created"]) == 66  # every paper of the list is also in the seed
    assert report["notes_added"] == 66 + 5
    data = record(kb, "H1gEP6NFwr")
    assert [n["source"] for n in data["notes"]] == [f"seeds/{SEED0}", "seeds/reading_list.md"]
    assert [n["lang"] for n in data["notes"]] == ["zh", "en"]
    assert [link["id"] for link in data["related"]] == ["HygrAR4tPS"]


# -- problems ------------------------------------------------------------------------

BROKEN = """\
## Papers
1. [Double descent](https://openreview.net/forum?id=B1g5sA4twr): fine
2. A paper I have no link for yet
   with a second line
3. [Bad id](https://openreview.net/forum?id=ab!cd): broken
4. https://openreview.net/forum?id=
5. [Two layers](https://openreview.net/pdf?id=H1gBsgBYwH): the one above
"""


def test_unparseable_entries_are_reported_with_lines(run, kb):
    write(kb / "broken.md", BROKEN)
    result = run("import", "broken.md", "--json")
    assert result.exit_code == 0
    assert ids_in(kb) == {"B1g5sA4twr", "H1gBsgBYwH"}
    assert note_texts(kb, "B1g5sA4twr") == ["fine"]
    assert "related" not in record(kb, "H1gBsgBYwH")  # "the one above" was unreadable
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warnings == [
        "Warning: broken.md:3: list item has no paper link on its first line; not imported "
        "(put an OpenReview, arXiv or DOI link on that line)",
        "Warning: broken.md:5: OpenReview link without a valid paper id (invalid OpenReview id "
        "'ab!cd'); not imported (use the paper's forum?id= or pdf?id= link)",
        "Warning: broken.md:6: OpenReview link without a valid paper id (no id= in "
        "'https://openreview.net/forum?id='); not imported (use the paper's forum?id= or "
        "pdf?id= link)",
        "Warning: broken.md:7: 'the one above' refers to the entry above, which could not be "
        "read; no link made",
    ]
    report = json.loads(result.stdout)
    assert [(w["path"], w["line"]) for w in report["warnings"]] == [
        ("broken.md", 3),
        ("broken.md", 5),
        ("broken.md", 6),
        ("broken.md", 7),
    ]


def test_text_outside_entries_and_links_to_unknown_papers(run, kb):
    write(
        kb / "notes.md",
        """\
        My reading notes, not about any one paper.

        - https://openreview.net/forum?id=B1g5sA4twr
          see also https://openreview.net/forum?id=rkeO-lrYwr and cf. BatchNormXY
        """,
    )
    result = run("import", "notes.md")
    assert result.exit_code == 0
    assert (
        "Warning: notes.md:1: text outside any entry (line 1); not imported (indent it under an entry, or put a paper link on its first line)"
        in result.stderr
    )
    assert "rkeO-lrYwr, which has no record; kept as a reference" in result.stderr
    assert ids_in(kb) == {"B1g5sA4twr"}
    data = record(kb, "B1g5sA4twr")
    assert data["refs"] == [{"url": "https://openreview.net/forum?id=rkeO-lrYwr"}]
    assert "related" not in data
    assert Runner(kb)("validate").exit_code == 0


def test_broken_record_is_skipped_not_overwritten(run, kb):
    bad = kb / "papers" / "H1gEP6NFwr.yaml"
    write(bad, "id: H1gEP6NFwr\ntitle: [unclosed\n")
    result = run("import", f"seeds/{SEED0}")
    assert result.exit_code == 0
    assert bad.read_text(encoding="utf-8") == "id: H1gEP6NFwr\ntitle: [unclosed\n"
    assert "H1gEP6NFwr: its record cannot be loaded" in result.stderr
    assert "HygrAR4tPS links to H1gEP6NFwr, whose record cannot be loaded" in result.stderr
    assert len(ids_in(kb)) == 66


# -- encodings and line ends -----------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, bom",
    [("gb18030", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe")],
)
def test_other_encodings_give_the_same_records(tmp_path, kb, encoding, bom):
    reference = Runner(kb)
    reference("import", str(kb / "seeds" / SEED0))
    expected = {pid: note_texts(kb, pid) for pid in ids_in(kb)}
    other = tmp_path / "other"
    shutil.copytree(kb, other, ignore=shutil.ignore_patterns("papers"))
    (other / "papers").mkdir()
    text = (SEEDS / SEED0).read_text(encoding="utf-8")
    (other / "seeds" / SEED0).write_bytes(bom + text.encode(encoding))
    result = Runner(other)("import", str(other / "seeds" / SEED0), "--json")
    assert result.exit_code == 0, result.stderr
    assert {pid: note_texts(other, pid) for pid in ids_in(other)} == expected
    label = {"gb18030": "GB18030", "utf-8": "UTF-8", "utf-16-le": "UTF-16"}[encoding]
    assert json.loads(result.stdout)["files"][0]["encoding"] == label


def test_windows_line_endings(tmp_path, kb):
    Runner(kb)("import", str(kb / "seeds" / SEED1))
    expected = {pid: note_texts(kb, pid) for pid in ids_in(kb)}
    other = tmp_path / "crlf"
    shutil.copytree(kb, other, ignore=shutil.ignore_patterns("papers"))
    (other / "papers").mkdir()
    raw = (SEEDS / SEED1).read_bytes().replace(b"\n", b"\r\n")
    (other / "seeds" / SEED1).write_bytes(raw)
    result = Runner(other)("import", str(other / "seeds" / SEED1))
    assert result.exit_code == 0
    assert {pid: note_texts(other, pid) for pid in ids_in(other)} == expected
    written = [(other / "papers" / f"{pid}.yaml").read_bytes() for pid in ids_in(other)]
    assert not any(b"\r" in raw for raw in written)
    assert f"{SEED1}:66: list item has no paper link on its first line" in result.stderr


@pytest.mark.parametrize(
    "make, code, message",
    [
        (lambda _p: None, 3, "Error: missing.md: no such file"),
        (
            lambda p: p.mkdir(),
            2,
            "Error: missing.md is a directory; give the notes files inside it",
        ),
        (
            lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            2,
            "Error: missing.md looks like a binary file, not a text file of notes",
        ),
        (
            lambda p: p.write_bytes(b"https://openreview.net/forum?id=B1g5sA4twr\n\xff\xfe\xff"),
            2,
            "Error: missing.md:2: not UTF-8 or GB18030 text (byte 0xff); save the file as UTF-8",
        ),
    ],
)
def test_unreadable_files_are_one_line_errors(run, kb, make, code, message):
    make(kb / "missing.md")
    result = run("import", f"seeds/{SEED0}", "missing.md")
    assert result.exit_code == code
    assert lines(result.stderr) == [message]
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert ids_in(kb) == set()  # nothing is written when one file cannot be read


# -- dry run, JSON, output -----------------------------------------------------------------


def test_dry_run_writes_nothing(run, kb):
    result = run("import", f"seeds/{SEED0}", f"seeds/{SEED1}", "--dry-run")
    assert result.exit_code == 0
    assert ids_in(kb) == set()
    out = lines(result.stdout)
    assert len(out) == 83
    assert any(line.startswith("would create\tH1gEP6NFwr  On the Tunability") for line in out)
    assert "Papers would be created: 83, updated: 0, unchanged: 0" in result.stderr
    assert result.stderr.rstrip().endswith("Dry run: nothing was written.")
    json_run = run("import", f"seeds/{SEED0}", "--dry-run", "--json")
    report = json.loads(json_run.stdout)
    assert report["dry_run"] is True and len(report["created"]) == 66
    assert ids_in(kb) == set()


@pytest.mark.usefixtures("kb")
def test_json_report_shape(run):
    result = run("import", f"seeds/{SEED1}", "--json")
    report = json.loads(result.stdout)
    assert set(report) >= {
        "dry_run",
        "files",
        "created",
        "updated",
        "unchanged",
        "notes_added",
        "related_found",
        "refs_found",
        "tags_suggested",
        "warnings",
        "papers",
    }
    assert report["files"] == [
        {
            "path": f"seeds/{SEED1}",
            "source": f"seeds/{SEED1}",
            "encoding": "UTF-8",
            "entries": 21,
            "notes": 19,
            "kinds": {"openreview": 21},
        }
    ]
    assert report["warnings"] == [
        {
            "path": f"seeds/{SEED1}",
            "line": 66,
            "field": None,
            "message": "list item has no paper link on its first line; not imported (put an OpenReview, arXiv or DOI link on that line)",
            "hint": None,
        }
    ]
    paper = next(p for p in report["papers"] if p["id"] == "rygeHgSFDH")
    assert paper["action"] == "created"
    assert paper["refs_added"] == ["https://arxiv.org/pdf/1805.08651.pdf"]


@pytest.mark.usefixtures("kb")
def test_summary_and_changes_output(run):
    result = run("import", f"seeds/{SEED0}")
    out = lines(result.stdout)
    assert len(out) == 66 and all(line.startswith("created\t") for line in out)
    err = result.stderr
    assert "1 file, 66 entries (66 OpenReview)" in err
    assert "Papers created: 66, updated: 0, unchanged: 0" in err
    assert "Notes added: 66; related links found: 3 (3 added" in err
    again = run("import", f"seeds/{SEED0}")
    assert again.stdout == ""
    assert "Papers created: 0, updated: 0, unchanged: 66" in again.stderr


def test_source_outside_the_knowledge_base_is_its_absolute_path(run, kb, tmp_path):
    outside = tmp_path / "elsewhere" / "mine.md"
    write(outside, "- https://openreview.net/forum?id=B1g5sA4twr\n  bigger is worse, then better\n")
    result = run("import", str(outside))
    assert result.exit_code == 0
    assert record(kb, "B1g5sA4twr")["notes"][0]["source"] == outside.resolve().as_posix()


def test_progress_bar_on_a_terminal(run, kb, monkeypatch):
    from papernotes.cli import indexing

    monkeypatch.setattr(indexing, "is_tty", lambda stderr=False: stderr)
    result = run("import", f"seeds/{SEED0}", f"seeds/{SEED1}")
    assert result.exit_code == 0
    assert len(ids_in(kb)) == 83
