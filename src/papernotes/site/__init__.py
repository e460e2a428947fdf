"""The static website of a knowledge base (``papernotes site OUT_DIR``)."""

from papernotes.site.builder import SiteReport, build_site, paper_slug, tag_slug

__all__ = ["SiteReport", "build_site", "paper_slug", "tag_slug"]
