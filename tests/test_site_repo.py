"""The site of this repository's own knowledge base, end to end in headless Chromium."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from papernotes.site import build_site
from papernotes.store.kb import KnowledgeBase

from .test_site import Watched, browser, internal_links, serve, status, visible_ids

__all__ = ["browser"]  # the module-scoped Chromium fixture, shared with test_site

REPO = Path(__file__).resolve().parents[1]


def test_repository_site_in_chromium(browser, tmp_path):
    kb = KnowledgeBase(REPO)
    papers = kb.load_all().papers
    ntk = set(kb.taxonomy().descendants("NTK"))
    expected = {
        "ntk": {pid for pid, p in papers.items() if ntk & set(p.tags)},
        "收敛": {pid for pid, p in papers.items() if "收敛" in p.all_text()},
    }
    assert all(expected.values())
    out = tmp_path / "www" / "notes-site"
    report = build_site(kb, out)
    assert report.papers == len(papers) >= 50 and report.problems == []
    total = report.papers
    with serve(tmp_path / "www") as url:
        base = f"{url}/notes-site/"
        context = browser.new_context()
        watched = Watched(context)
        page = watched.page
        page.goto(base + "index.html")
        expect(page.locator("#count")).to_have_text(f"{total} paper(s)")
        links = internal_links(page, base)
        assert len(links) >= total
        for query, wanted in expected.items():
            page.locator("#q").fill("")
            page.locator("#q").press_sequentially(query)
            shown = visible_ids(page)
            assert wanted <= set(shown) and len(shown) < total, query
            expect(page.locator("#count")).to_have_text(f"{len(shown)} of {total} paper(s)")
        first = page.locator("#results > li:not([hidden]) a.title").first
        title = first.inner_text()
        first.click()
        page.wait_for_load_state()
        expect(page.locator("h1")).to_have_text(title)
        assert page.locator(".note").count() >= 1
        links |= internal_links(page, base)
        page.goto(base + "tags/NTK.html")
        expect(page.locator("h1")).to_contain_text("神经正切核")
        links |= internal_links(page, base)
        broken = {u: code for u in sorted(links) if (code := status(u)) != 200}
        assert broken == {}
        assert watched.errors == []
        context.close()
