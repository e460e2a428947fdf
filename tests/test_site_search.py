"""One search everywhere: the site's search (search.js in headless Chromium) finds the papers
`papernotes search` finds, on the repository's knowledge base plus one-language notes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from papernotes.index import select
from papernotes.site import build_site
from papernotes.store.kb import KnowledgeBase

from .browser import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[1]
ONE_LANGUAGE = Path(__file__).resolve().parent / "data" / "search" / "one-language"

QUERIES = [
    "ntk",
    "CNTK",
    "神经正切核",
    '"neural tangent kernel"',
    "收敛",
    "convergence",
    "lottery ticket",
    "彩票假设",
    "值得一读",
    "worth reading",
    "宽网络",
    "double descent",
    "双下降",
    "pruning",
    "剪枝",
    "对抗训练",
    "adversarial training",
    "learning rate",
    "学习率",
    "infinite width",
    "sparse training from scratch",
    "泛化",
    "generalization -ntk",
    "gan OR vae",
    "模式崩溃",
    "knowledge distillation",
    "损失曲面",
    "-gan -ntk",
    "过参数化",
    "batch normalization",
    "Adam SGD",
    "conv*",
    "NOT 收敛 剪枝",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("parity")
    root = base / "kb"
    shutil.copytree(REPO / "papers", root / "papers")
    shutil.copyfile(REPO / "tags.yaml", root / "tags.yaml")
    (root / "notes").mkdir()
    for record in ONE_LANGUAGE.glob("*.yaml"):
        shutil.copyfile(record, root / "papers" / record.name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAPERNOTES_CACHE_DIR", str(base / "cache"))
        kb = KnowledgeBase(root)
        build_site(kb, base / "site")
        expected = {query: select(kb, query) for query in QUERIES}
    return base / "site", expected


@pytest.fixture(scope="module")
def page(site):
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto((site[0] / "index.html").as_uri())
        yield page
        browser.close()


def test_thirty_queries_find_the_same_papers_in_the_site_and_the_cli(site, page):
    _, expected = site
    assert len(QUERIES) >= 30
    differ = {}
    for query in QUERIES:
        got = page.evaluate("q => window.papernotesSearch(q)", query)
        if set(got) != set(expected[query]):
            differ[query] = (
                sorted(set(expected[query]) - set(got)),
                sorted(set(got) - set(expected[query])),
            )
    assert differ == {}
    # the queries are not trivial: most find some papers, and not all of them
    sizes = [len(expected[q]) for q in QUERIES]
    assert sum(0 < n < 60 for n in sizes) >= 28


def test_the_search_box_shows_those_papers(site, page):
    _, expected = site
    page.locator("#q").fill("剪枝")
    page.locator("#q").press("Enter")
    shown = page.eval_on_selector_all(
        "#results > li:not([hidden])", "items => items.map(li => li.dataset.id)"
    )
    assert set(shown) == set(expected["剪枝"])
    assert "ZhOnly0001" in shown and "EnOnly0001" in shown  # one-language notes, both ways


def test_cross_language_and_tag_expansion_reach_the_site(site, page):
    assert "ZhOnly0001" in page.evaluate("q => window.papernotesSearch(q)", "pruning")
    assert "EnOnly0006" in page.evaluate("q => window.papernotesSearch(q)", "神经正切核")
    # 收敛: the tag's other names too (the site used to miss one such paper)
    _, expected = site
    assert set(page.evaluate("q => window.papernotesSearch(q)", "收敛")) == set(expected["收敛"])
