"""papernotes site: the pages on disk, then the site end to end in headless Chromium.

The browser part serves the site from a threaded http.server on 127.0.0.1 under a
sub-path (so only relative links work) and also opens it from file://. Chromium is
Debian's ``chromium`` driven by Playwright (no browser download).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from papernotes.site import build_site, paper_slug, tag_slug
from papernotes.store.kb import KnowledgeBase
from papernotes.text import query_terms, tokenize

from .browser import CHROMIUM, CHROMIUM_ARGS
from .conftest import RECORD, RELATED, TAGS, Runner, write
from .external import require

REPO = Path(__file__).resolve().parents[1]
EVIL_NOTE = '收敛很快 <script>window.__pwned = 1; alert("x")</script> <img src=x onerror="window.__pwned=2">'

EXTRA_TAGS = """\
  graph+nets:
    en: Graph networks
    zh: 图网络
    description: Message passing <b>and</b> friends.
"""

PAPERS = {
    "S1gNTK0001.yaml": """\
id: S1gNTK0001
title: Wide Networks Converge Like Kernels
authors:
- Ada Lovelace
venue: ICLR 2020
year: 2020
decision: Accept (Poster)
tags:
- NTK
notes:
- lang: zh
  zh: 证明了梯度下降的收敛性，宽度趋于无穷
  en: Proves convergence of gradient descent as the width goes to infinity
  source: cli
  date: 2026-01-02
related:
- id: H1gEP6NFwr
  why: both about training dynamics
""",
    "S1gNTK0002.yaml": f"""\
id: S1gNTK0002
title: "Finite Width <img src=x onerror=alert(1)> Corrections"
tags:
- NTK
- graph+nets
notes:
- lang: zh
  zh: '{EVIL_NOTE}'
  source: cli
  date: 2026-01-03
""",
    "arxiv%3A1805.08651.yaml": """\
id: arxiv:1805.08651
title: Lottery Tickets in Graph Nets
tags:
- LTH
- graph+nets
notes:
- lang: en
  en: |-
    Winning tickets exist; see https://example.org/paper?a=1&b=2 for details.
  source: cli
  date: 2026-01-04
""",
    "doi%3A10.1000%2Fxyz.yaml": """\
id: doi:10.1000/xyz
title: A Journal Paper
tags:
- optimization
""",
}


def make_kb(root: Path) -> Path:
    (root / "papers").mkdir(parents=True)
    (root / "notes").mkdir()
    write(root / "tags.yaml", TAGS + EXTRA_TAGS)
    write(root / "papers" / "H1gEP6NFwr.yaml", RECORD)
    write(root / "papers" / "HygrAR4tPS.yaml", RELATED)
    for name, text in PAPERS.items():
        write(root / "papers" / name, text)
    write(
        root / "notes" / "kernels.md",
        "# Kernel regime <reading>\n\nStart with [[S1gNTK0001]], then #NTK papers.\n",
    )
    return root


# -- pages on disk ---------------------------------------------------------------------


@pytest.fixture
def skb(tmp_path) -> Path:
    return make_kb(tmp_path / "skb")


def test_site_command_writes_every_page(skb, tmp_path):
    out = tmp_path / "site"
    result = Runner(skb)("site", str(out))
    assert result.exit_code == 0, result.stderr
    assert "Wrote 6 paper page(s), 5 tag page(s) and the graph" in result.stderr
    assert result.stdout == ""
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {
        "index.html",
        "tags.html",
        "papers/H1gEP6NFwr.html",
        "papers/arxiv.1805.08651.html",
        f"papers/{paper_slug('doi:10.1000/xyz')}.html",
        "tags/graph+nets.html",
        "assets/search.js",
        "assets/search-data.js",
        "assets/style.css",
        "assets/page.js",
    } <= names
    arxiv = (out / "papers" / "arxiv.1805.08651.html").read_text(encoding="utf-8")
    assert 'href="https://arxiv.org/abs/1805.08651"' in arxiv
    doi = (out / "papers" / f"{paper_slug('doi:10.1000/xyz')}.html").read_text(encoding="utf-8")
    assert 'href="https://doi.org/10.1000/xyz"' in doi


def test_rebuild_is_identical_and_drops_removed_papers(skb, tmp_path):
    out = tmp_path / "site"
    run = Runner(skb)
    run("site", str(out))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert run("site", str(out)).exit_code == 0
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    (skb / "papers" / "HygrAR4tPS.yaml").unlink()
    assert run("site", str(out)).exit_code == 0
    assert not (out / "papers" / "HygrAR4tPS.html").exists()
    assert "HygrAR4tPS.html" not in (out / "index.html").read_text(encoding="utf-8")


def test_site_refuses_a_folder_it_did_not_make(skb, tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious", encoding="utf-8")
    result = Runner(skb)("site", str(foreign))
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert "not empty" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in foreign.iterdir()] == ["thesis.tex"]
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    result = Runner(skb)("site", str(afile))
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_user_text_is_escaped_in_the_html(skb, tmp_path):
    out = tmp_path / "site"
    build_site(KnowledgeBase(skb), out)
    page = (out / "papers" / "S1gNTK0002.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned = 1; alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<img" not in page and "<script>" not in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="../assets/page.js" defer>']
    tag_page = (out / "tags" / "graph+nets.html").read_text(encoding="utf-8")
    assert "Message passing &lt;b&gt;and&lt;/b&gt; friends." in tag_page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Finite Width &lt;img src=x onerror=alert(1)&gt; Corrections" in index
    data = (out / "assets" / "search-data.js").read_text(encoding="utf-8")
    assert "<" not in data and ">" not in data  # even JSON strings cannot close a script


def test_paper_pages_show_links_backlinks_and_similar_papers(skb, tmp_path):
    out = tmp_path / "site"
    build_site(KnowledgeBase(skb), out)
    page = (out / "papers" / "S1gNTK0001.html").read_text(encoding="utf-8")
    related = page.split('<section id="related">')[1].split("</section>")[0]
    assert "On the Tunability of Optimizers in Deep Learning" in related
    assert "both about training dynamics" in related
    notes = page.split('<section id="note-backlinks">')[1].split("</section>")[0]
    assert "notes/kernels.md:3" in notes and "Kernel regime &lt;reading&gt;" in notes
    similar = page.split('<section id="similar">')[1].split("</section>")[0]
    assert 'href="../papers/S1gNTK0002.html"' in similar and "#NTK" in similar
    target = (out / "papers" / "H1gEP6NFwr.html").read_text(encoding="utf-8")
    backlinks = target.split('<section id="backlinks">')[1].split("</section>")[0]
    assert "Wide Networks Converge Like Kernels" in backlinks


def test_search_data_uses_the_python_tokenizer(skb, tmp_path):
    out = tmp_path / "site"
    build_site(KnowledgeBase(skb), out)
    text = (out / "assets" / "search-data.js").read_text(encoding="utf-8")
    data = json.loads(text.removeprefix("window.PAPERNOTES_INDEX = ").rstrip().rstrip(";"))
    entry = next(e for e in data["papers"] if e["id"] == "S1gNTK0001")
    columns = dict(zip(data["columns"], entry["c"], strict=True))
    assert columns["title"].split() == tokenize("Wide Networks Converge Like Kernels")
    assert {"收敛", "收", "正切", "切"} <= set(columns["notes"].split() + columns["tags"].split())
    assert data["tagKeys"]["ntk"] == "NTK" and data["tagKeys"]["神经 经正 正切 切核"] == "NTK"
    assert [0x4E00, 0x9FFF] in data["cjk"]


def test_chinese_snippets_say_they_are_chinese(skb, tmp_path):
    out = tmp_path / "site"
    build_site(KnowledgeBase(skb), out)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<span class="lang-zh orig" lang="zh">证明了梯度下降的收敛性' in index
    assert '<span class="lang-en" lang="en">Proves convergence' in index


def test_slugs_are_safe_and_distinct():
    assert paper_slug("H1gEP6NFwr") == "H1gEP6NFwr"
    assert paper_slug("arxiv:1805.08651") == "arxiv.1805.08651"
    doi = paper_slug("doi:10.1000/xyz")
    assert re.fullmatch(r"doi\.10\.1000-xyz\.[0-9a-f]{8}", doi)
    assert paper_slug("doi:10.1000/xyz") != paper_slug("doi:10.1000-xyz")
    assert tag_slug("graph+nets") == "graph+nets"


# -- in the browser --------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@contextlib.contextmanager
def serve(directory: Path):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        path = require(CHROMIUM, "chromium")
        chromium = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The temp KB's site, served under /some/sub/path/ to prove links are relative."""
    base = tmp_path_factory.mktemp("served")
    root = make_kb(base / "kb")
    out = base / "www" / "some" / "sub" / "path"
    build_site(KnowledgeBase(root), out)
    with serve(base / "www") as url:
        yield f"{url}/some/sub/path/", out


class Watched:
    """A page with its console errors, page errors and dialogs recorded."""

    def __init__(self, context):
        self.page = context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))


def visible_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "#results > li:not([hidden])", "items => items.map(li => li.dataset.id)"
    )


def internal_links(page, base: str) -> set[str]:
    urls = page.eval_on_selector_all(
        "a[href], link[href], script[src]", "els => els.map(e => e.href || e.src)"
    )
    return {u.split("#")[0] for u in urls if u.startswith(base)}


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_index_search_and_paper_page_in_chromium(browser, served):
    base, _ = served
    context = browser.new_context()
    watched = Watched(context)
    page = watched.page
    page.goto(base + "index.html")
    expect(page.locator("#count")).to_have_text("6 paper(s)")
    assert len(visible_ids(page)) == 6
    links = internal_links(page, base)

    page.locator("#q").press_sequentially("ntk")
    expect(page.locator("#count")).to_have_text("2 of 6 paper(s)")
    assert set(visible_ids(page)) == {"S1gNTK0001", "S1gNTK0002"}

    page.locator("#q").fill("收敛")
    expect(page.locator("#count")).to_have_text("2 of 6 paper(s)")
    assert set(visible_ids(page)) == {"S1gNTK0001", "S1gNTK0002"}  # both notes say 收敛
    page.locator("#q").fill("收敛 wide")
    assert visible_ids(page) == ["S1gNTK0001"]
    page.locator("#q").fill("彩票")  # a tag's Chinese label
    assert visible_ids(page) == ["arxiv:1805.08651"]
    page.locator("#q").fill("qqqzzz")
    expect(page.locator("#empty")).to_be_visible()
    page.locator("#q").fill("")
    assert len(visible_ids(page)) == 6

    page.locator("#q").fill("tun")  # a word prefix while typing
    assert set(visible_ids(page)) == {"H1gEP6NFwr", "HygrAR4tPS"}
    page.locator("#results > li:not([hidden]) a.title").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(base + "papers/")
    expect(page.locator("h1")).to_have_text(
        re.compile(
            r"On the Tunability of Optimizers in Deep Learning|How Much Tuning Do Optimizers Need\?"
        )
    )
    links |= internal_links(page, base)

    # The language switch hides the other language and is remembered.
    page.goto(base + "papers/H1gEP6NFwr.html")
    zh, en = page.locator(".note .lang-zh").first, page.locator(".note .lang-en").first
    expect(zh).to_be_visible()
    expect(en).to_be_visible()
    page.get_by_role("button", name="English", exact=True).click()
    expect(zh).to_be_hidden()
    expect(en).to_contain_text("Rather remarkable")
    page.goto(base + "papers/S1gNTK0001.html")
    expect(page.locator(".note .lang-zh").first).to_be_hidden()
    expect(page.locator("#related")).to_contain_text("On the Tunability of Optimizers")
    links |= internal_links(page, base)
    page.goto(base + "papers/H1gEP6NFwr.html")
    expect(page.locator("#backlinks")).to_contain_text("Wide Networks Converge Like Kernels")

    for url in [base + "tags.html", base + "tags/NTK.html"]:
        page.goto(url)
        links |= internal_links(page, base)
    # The graph page frames the interactive map of papernotes.export.graph.
    page.goto(base + "graph.html")
    links |= internal_links(page, base)
    frame = page.frame_locator("iframe.graph-frame")
    expect(frame.locator("svg g.node").first).to_be_attached()
    assert frame.locator("svg g.node").count() >= 6
    assert page.evaluate("document.querySelector('iframe').src") == base + "graph-map.html"
    links.add(base + "graph-map.html")
    broken = {url: code for url in sorted(links) if (code := status(url)) != 200}
    assert broken == {}
    assert len(links) > 15
    assert watched.errors == []
    context.close()


def test_script_in_a_note_is_text_not_code(browser, served):
    base, _ = served
    context = browser.new_context()
    watched = Watched(context)
    page = watched.page
    page.goto(base + "papers/S1gNTK0002.html")
    expect(page.locator(".note .lang-zh .text")).to_have_text(EVIL_NOTE)
    expect(page.locator("h1")).to_have_text("Finite Width <img src=x onerror=alert(1)> Corrections")
    page.goto(base + "index.html")
    page.locator("#q").fill("finite")
    expect(page.locator("#results > li:not([hidden]) .snippet").first).to_contain_text(
        "<script>window.__pwned"
    )
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img").count() == 0
    assert watched.dialogs == []
    assert watched.errors == []
    # Links inside notes are real links, with the query string intact.
    page.goto(base + "papers/arxiv.1805.08651.html")
    link = page.locator(".note .lang-en a.ext")
    expect(link).to_have_attribute("href", "https://example.org/paper?a=1&b=2")
    context.close()


QUERIES = [
    "NTK收敛性",
    "基于NTK理论",
    "ＮＴＫ　收敛",
    "Émile Brontë",
    "ランダム行列",
    "d_x·y",
    "한국어 x²",
]


def test_javascript_splits_queries_like_text_query_terms(browser, served):
    _, out = served
    page = browser.new_page()
    page.goto((out / "index.html").as_uri())
    for query in QUERIES:
        got = page.evaluate("q => window.papernotesQueryTerms(q)", query)
        assert got == query_terms(query), query
    page.close()


def test_site_works_from_file_urls(browser, served):
    _, out = served
    context = browser.new_context()
    watched = Watched(context)
    page = watched.page
    page.goto((out / "index.html").as_uri() + "?q=ntk")
    expect(page.locator("#count")).to_have_text("2 of 6 paper(s)")
    page.locator("#results > li:not([hidden]) a.title").first.click()
    page.wait_for_load_state()
    assert page.url.startswith((out / "papers").as_uri())
    expect(page.locator(".tags a.tag").first).to_have_text("NTK")
    page.locator(".tags a.tag").first.click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("Neural tangent kernel")
    page.get_by_role("link", name="Graph", exact=True).click()
    page.wait_for_load_state()
    assert page.url == (out / "graph.html").as_uri()
    expect(page.frame_locator("iframe.graph-frame").locator("svg g.node").first).to_be_attached()
    assert watched.errors == []
    context.close()
