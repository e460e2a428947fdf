"""Regenerate docs/site.png: the repository's knowledge base as a site, searched in Chromium.

    .venv/bin/python docs/site_screenshot.py [QUERY]

Needs Debian's chromium and a CJK font (fonts-wqy-microhei or fonts-noto-cjk) so the
Chinese notes are legible; Playwright drives the system browser (no download).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from papernotes.site import build_site
from papernotes.store.kb import KnowledgeBase

REPO = Path(__file__).resolve().parents[1]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main(query: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        report = build_site(KnowledgeBase(REPO), out)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=ARGS
            )
            page = browser.new_page(viewport={"width": 1100, "height": 820})
            page.goto((out / "index.html").as_uri())
            page.locator("#q").press_sequentially(query, delay=30)
            page.screenshot(path=str(REPO / "docs" / "site.png"))
            shown = page.locator("#count").inner_text()
            browser.close()
    print(f"docs/site.png: query {query!r}, {shown} ({report.papers} papers in the site)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "收敛")
