"""The static site: index with offline search, a page per paper and per tag, the graph.

Every page links with relative paths (``../tags/NTK.html``), so the folder works from
``file://``, from any web server and under any sub-path. User text is HTML-escaped
everywhere; scripts are separate files allowed by a strict Content-Security-Policy.
The output is deterministic (no build time in it), so rebuilding an unchanged
knowledge base changes no file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from papernotes.errors import Problem, UsageError, WriteError
from papernotes.export.bibtex import arxiv_id, forum_url
from papernotes.export.graph import Evidence, build_graph
from papernotes.export.graph_html import to_html
from papernotes.model.record import Note, Paper
from papernotes.model.taxonomy import TAG_NAME, Taxonomy
from papernotes.site.html import esc, ext_link, href, linkify
from papernotes.store.kb import KnowledgeBase
from papernotes.store.notes import NoteFile, load_notes
from papernotes.store.notes import backlinks as note_backlinks
from papernotes.text import detect_lang

MARKER = ".papernotes-site"
ASSETS = ("style.css", "search.js", "page.js")
SAFE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
SNIPPET = 220
LANG_NAMES = {"zh": "中文", "en": "English"}
FALLBACK = {
    "zh": "尚无中文翻译，以下为原文",
    "en": "no English translation yet; the original follows",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; base-uri 'none'; form-action 'none'"
)


@dataclass
class SiteReport:
    out_dir: Path
    papers: int = 0
    tags: int = 0
    graph: bool = False
    files: int = 0  # files written because their bytes changed
    removed: int = 0
    problems: list[Problem] = field(default_factory=list)
    unranked: str | None = None  # why the pages show no similar papers


def paper_slug(paper_id: str) -> str:
    """File stem of a paper page: the id itself for OpenReview ids; prefixed ids get a
    dot (which no OpenReview id contains) and, when characters had to be replaced, a
    short hash so two ids never share a page."""
    if SAFE_SLUG.match(paper_id):
        return paper_id
    prefix, _, rest = paper_id.partition(":")
    clean = re.sub(r"[^A-Za-z0-9._-]", "-", rest).strip(".-") or "x"
    if clean == rest:
        return f"{prefix}.{clean}"
    return f"{prefix}.{clean[:80]}.{hashlib.sha1(paper_id.encode()).hexdigest()[:8]}"


def tag_slug(name: str) -> str:
    """Valid tag names are safe file names; anything else (a broken tags.yaml) is hashed."""
    if TAG_NAME.match(name):
        return name
    return "tag." + hashlib.sha1(name.encode()).hexdigest()[:12]


def _page(title: str, body: str, depth: int, scripts: tuple[str, ...] = ("page.js",)) -> str:
    up = "../" * depth
    tags = "".join(f'<script src="{up}assets/{s}" defer></script>' for s in scripts)
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" href="{up}assets/style.css">\n{tags}\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


class SiteBuilder:
    """Renders every page of one knowledge base into a dict of path -> text."""

    def __init__(
        self,
        papers: dict[str, Paper],
        taxonomy: Taxonomy,
        title: str,
        notes: list[NoteFile] | None = None,
        graph: bool = True,
        glossary=None,
        ranked=None,
        texts: dict[str, str] | None = None,
    ):
        self.glossary = glossary  # for search-data.js, as the search index uses it
        self.papers = dict(sorted(papers.items(), key=lambda kv: (kv[1].title.casefold(), kv[0])))
        self.taxonomy = taxonomy
        self.title = title
        self.notes = notes or []
        self.incoming: dict[str, list[tuple[str, str]]] = {}  # id -> (source, why) linking it
        for source, paper in self.papers.items():
            for link in paper.related:
                self.incoming.setdefault(link.id, []).append((source, link.why))
        self.graph = graph
        # (id, limit) -> the paper's neighbours as 'related ID' ranks them (from the
        # index, all at once); None: no index, no similar papers
        self.ranked = ranked
        self.texts = texts  # id -> the record as JSON: what a page's digest reads of it
        self._similar: dict[str, list] = {}

    # -- shared pieces -----------------------------------------------------------
    def nav(self, depth: int, switch: bool = True) -> str:
        up = "../" * depth
        items = [
            f'<a href="{up}index.html">Papers</a>',
            f'<a href="{up}tags.html">Tags</a>',
        ]
        if self.graph:
            items.append(f'<a href="{up}graph.html">Graph</a>')
        lang = ""
        if switch:
            lang = (
                '<div class="lang-switch" role="group" aria-label="Language of the notes">'
                '<button type="button" data-show="both" aria-pressed="true">中文 + English</button>'
                '<button type="button" data-show="zh" aria-pressed="false">中文</button>'
                '<button type="button" data-show="en" aria-pressed="false">English</button>'
                "</div>"
            )
        return (
            f'<header class="top"><a class="brand" href="{up}index.html">{esc(self.title)}</a>'
            f"<nav>{' '.join(items)}</nav>{lang}</header>"
        )

    def paper_href(self, pid: str, depth: int) -> str:
        return href(("../" * depth) + f"papers/{paper_slug(pid)}.html")

    def tag_href(self, name: str, depth: int) -> str:
        return href(("../" * depth) + f"tags/{tag_slug(name)}.html")

    def tag_chip(self, name: str, depth: int) -> str:
        info = self.taxonomy.tags.get(name)
        label = f"{info.en} · {info.zh}" if info else name
        if info is None:
            return f'<span class="tag unknown" title="not in tags.yaml">{esc(name)}</span>'
        return f'<a class="tag" href="{self.tag_href(name, depth)}" title="{esc(label)}">{esc(name)}</a>'

    def facts(self, paper: Paper) -> str:
        parts = [esc(x) for x in (paper.venue,) if x]
        if paper.year and not paper.venue:
            parts.append(esc(paper.year))
        if paper.decision:
            kind = (
                "accept"
                if paper.decision.startswith("Accept")
                else "reject"
                if paper.decision.startswith(("Reject", "Withdrawn", "Desk"))
                else "other"
            )
            parts.append(f'<span class="decision {kind}">{esc(paper.decision)}</span>')
        if paper.ratings:
            parts.append("ratings " + esc(" ".join(str(r) for r in paper.ratings)))
        if paper.status:
            priority = f" · priority {paper.priority}" if paper.priority else ""
            parts.append(
                f'<span class="status {esc(paper.status)}">{esc(paper.status)}{priority}</span>'
            )
        return " · ".join(parts)

    def paper_item(self, pid: str, depth: int, extra: str = "") -> str:
        paper = self.papers.get(pid)
        if paper is None:
            return f'<li class="missing"><code>{esc(pid)}</code> (no record){extra}</li>'
        return (
            f'<li><a href="{self.paper_href(pid, depth)}">{esc(paper.title)}</a> '
            f'<span class="meta">{self.facts(paper)}</span>{extra}</li>'
        )

    # -- notes ---------------------------------------------------------------------
    def note_html(self, note: Note) -> str:
        blocks = []
        for lang in ("zh", "en"):
            text = getattr(note, lang)
            if text:
                marker = "original" if lang == note.lang else "translation"
                cls = f"lang-{lang}"
                body = linkify(text)
            else:
                marker = FALLBACK[lang]
                cls = f"lang-{lang} fallback"
                body = linkify(note.text())
            blocks.append(
                f'<div class="{cls}" lang="{note.lang if "fallback" in cls else lang}">'
                f'<span class="which">{esc(LANG_NAMES[lang])} · {esc(marker)}</span>'
                f'<p class="text">{body}</p></div>'
            )
        who = f'<span class="by">{esc(note.by)}</span> · ' if note.by else ""
        marks = "".join(f' <span class="mark {esc(m)}">{esc(m)}</span>' for m in note.marks)
        foot = f"<footer>{who}{esc(note.source)} · {esc(note.date.isoformat())}{marks}</footer>"
        return f'<article class="note">{"".join(blocks)}{foot}</article>'

    def snippet(self, paper: Paper) -> str:
        """The first note, short: in its original language when both are shown, else in
        the language chosen (page.js sets it)."""
        if not paper.notes:
            text = paper.tldr or paper.abstract or ""
            if not text:
                return ""
            return f'<p class="snippet" lang="{detect_lang(text)}">{esc(_short(text))}</p>'

        note = paper.notes[0]
        spans = []
        for lang in ("zh", "en"):
            text = getattr(note, lang)
            cls = f"lang-{lang}" if text else f"lang-{lang} fallback"
            if lang == note.lang:
                cls += " orig"
            shown = lang if text else note.lang
            spans.append(
                f'<span class="{cls}" lang="{shown}">{esc(_short(text or note.text()))}</span>'
            )
        return f'<p class="snippet">{"".join(spans)}</p>'

    # -- pages ---------------------------------------------------------------------
    def index_page(self) -> str:
        items = []
        for pid, paper in self.papers.items():
            chips = " ".join(self.tag_chip(t, 0) for t in paper.tags)
            items.append(
                f'<li class="paper" data-id="{esc(pid)}">'
                f'<a class="title" href="{self.paper_href(pid, 0)}">{esc(paper.title)}</a>'
                f'<div class="meta"><code>{esc(pid)}</code> {self.facts(paper)}</div>'
                f'<div class="tags">{chips}</div>{self.snippet(paper)}</li>'
            )
        count = len(self.papers)
        body = (
            f"{self.nav(0)}<main>"
            f"<h1>{esc(self.title)}</h1>"
            '<form class="search" role="search" action="#">'
            '<label for="q" class="visually-hidden">Search</label>'
            '<input id="q" name="q" type="search" autocomplete="off" spellcheck="false" '
            'placeholder="Search titles, notes and tags (English or 中文)…"></form>'
            f'<p id="count" aria-live="polite">{count} paper(s)</p>'
            f'<ol id="results" class="papers">{"".join(items)}</ol>'
            '<p id="empty" hidden>No paper matches.</p>'
            "</main>"
        )
        return _page(self.title, body, 0, ("page.js", "search-data.js", "search.js"))

    def paper_page(self, pid: str) -> str:
        paper = self.papers[pid]
        parts = [self.nav(1), "<main>", f"<h1>{esc(paper.title)}</h1>"]
        parts += self._paper_head(pid, paper)
        parts += self._paper_notes(paper)
        parts += self._paper_links(pid, paper)
        parts += self._paper_further(pid, paper)
        dates = [
            f"added {paper.added}" if paper.added else "",
            f"updated {paper.updated}" if paper.updated else "",
        ]
        if any(dates):
            parts.append(f'<p class="dates">{esc(", ".join(d for d in dates if d))}</p>')
        parts.append("</main>")
        return _page(f"{paper.title} · {self.title}", "".join(parts), 1)

    def _paper_head(self, pid: str, paper: Paper) -> list[str]:
        """The id and facts, authors, links, tags, TL;DR, abstract and keywords."""
        parts = [f'<p class="meta"><code>{esc(pid)}</code> {self.facts(paper)}</p>']
        if paper.authors:
            parts.append(f'<p class="authors">{esc(", ".join(paper.authors))}</p>')
        links = _page_links(paper)
        if links:
            parts.append(
                '<p class="links">'
                + " · ".join(ext_link(url, name) for name, url in links.items())
                + "</p>"
            )
        if paper.tags:
            parts.append(f'<p class="tags">{" ".join(self.tag_chip(t, 1) for t in paper.tags)}</p>')
        if paper.tldr:
            parts.append(f'<p class="tldr"><strong>TL;DR</strong> {esc(paper.tldr)}</p>')
        if paper.abstract:
            parts.append(
                f'<details class="abstract"><summary>Abstract</summary><p>{esc(paper.abstract)}</p></details>'
            )
        if paper.keywords:
            parts.append(f'<p class="keywords">Keywords: {esc(", ".join(paper.keywords))}</p>')
        return parts

    def _paper_notes(self, paper: Paper) -> list[str]:
        """The notes section, with a line when there is none."""
        parts = [f'<section id="notes"><h2>Notes ({len(paper.notes)})</h2>']
        parts.extend(self.note_html(n) for n in paper.notes)
        if not paper.notes:
            parts.append('<p class="none">No notes yet.</p>')
        parts.append("</section>")
        return parts

    def _paper_links(self, pid: str, paper: Paper) -> list[str]:
        """Related papers, papers linking this one and long-form notes naming it."""
        parts: list[str] = []
        if paper.related:
            items = "".join(
                self.paper_item(link.id, 1, f'<div class="why">{esc(link.why)}</div>')
                for link in paper.related
            )
            parts.append(f'<section id="related"><h2>Related</h2><ul>{items}</ul></section>')
        back = self.incoming.get(pid, [])
        if back:
            items = "".join(
                self.paper_item(src, 1, f'<div class="why">{esc(why)}</div>') for src, why in back
            )
            parts.append(f'<section id="backlinks"><h2>Linked from</h2><ul>{items}</ul></section>')
        from_notes = note_backlinks(self.notes, pid)
        if from_notes:
            items = "".join(
                f"<li><code>{esc(b['path'])}:{esc(b['line'])}</code> {esc(b['title'])}"
                f'<div class="why">{esc(b["text"])}</div></li>'
                for b in from_notes
            )
            parts.append(
                f'<section id="note-backlinks"><h2>In long-form notes</h2><ul>{items}</ul></section>'
            )
        return parts

    def _paper_further(self, pid: str, paper: Paper) -> list[str]:
        """Similar papers and references."""
        parts: list[str] = []
        similar = self.similar(pid)
        if similar:
            items = "".join(
                self.paper_item(n.id, 1, f'<div class="why">{esc(_reasons(n))}</div>')
                for n in similar
            )
            parts.append(f'<section id="similar"><h2>Similar papers</h2><ul>{items}</ul></section>')
        if paper.refs:
            items = "".join(
                f"<li>{ext_link(_ref_url(ref.url), ref.label or ref.url)}</li>"
                for ref in paper.refs
            )
            parts.append(f'<section id="refs"><h2>References</h2><ul>{items}</ul></section>')
        return parts

    def rank_all(self, progress=None) -> None:
        """Rank the neighbours of every paper now, all at once where the ranking can."""
        many = getattr(self.ranked, "many", None)
        if many is not None:
            for pid, found in many(list(self.papers), 5, progress).items():
                self._similar[f"{pid}\0{5}"] = [
                    n for n in found if "link" not in n.kinds and n.id in self.papers
                ][:5]

    def ranked_all(self) -> bool:
        """Whether every paper's similar papers are known (no page then reads the index)."""
        return self.ranked is None or all(f"{pid}\0{5}" in self._similar for pid in self.papers)

    def similar(self, pid: str, limit: int = 5) -> list:
        """The best-ranked neighbours (as ``papernotes related ID`` ranks them) not linked
        explicitly, which the Related and Linked-from sections already show."""
        key = f"{pid}\0{limit}"
        if key not in self._similar:
            found = self.ranked(pid, limit) if self.ranked is not None else []
            self._similar[key] = [
                n for n in found if "link" not in n.kinds and n.id in self.papers
            ][:limit]
        return self._similar[key]

    def tag_papers_deep(self, name: str) -> list[str]:
        wanted = set(self.taxonomy.descendants(name))
        return [pid for pid, p in self.papers.items() if wanted & set(p.tags)]

    def tag_page(self, name: str) -> str:
        info = self.taxonomy.tags[name]
        parts = [self.nav(1, switch=False), "<main>"]
        parts.append(f'<h1>{esc(info.en)} <span class="zh" lang="zh">{esc(info.zh)}</span></h1>')
        parts.append(f'<p class="meta"><code>{esc(name)}</code></p>')
        parts.append(f'<p class="description">{esc(info.description)}</p>')
        if info.aliases:
            parts.append(f'<p class="aliases">Also called: {esc(", ".join(info.aliases))}</p>')
        chain = self.taxonomy.parent_chain(name)
        if chain:
            crumbs = " › ".join(self.tag_chip(t, 1) for t in reversed(chain))
            parts.append(f'<p class="parents">Under: {crumbs}</p>')
        children = self.taxonomy.children(name)
        if children:
            parts.append(
                f'<p class="children">Narrower: {" ".join(self.tag_chip(t, 1) for t in children)}</p>'
            )
        pids = self.tag_papers_deep(name)
        items = []
        for pid in pids:
            via = [
                t
                for t in self.papers[pid].tags
                if t != name and t in set(self.taxonomy.descendants(name))
            ]
            extra = (
                f' <span class="via">via {" ".join(self.tag_chip(t, 1) for t in via)}</span>'
                if name not in self.papers[pid].tags and via
                else ""
            )
            items.append(self.paper_item(pid, 1, extra))
        parts.append(f"<h2>Papers ({len(pids)})</h2>")
        parts.append(
            f'<ul class="papers">{"".join(items)}</ul>'
            if items
            else '<p class="none">No papers yet.</p>'
        )
        parts.append("</main>")
        return _page(f"{info.en} · {self.title}", "".join(parts), 1)

    def tags_index(self) -> str:
        def tree(names: list[str], seen: set[str]) -> str:
            items = []
            for name in names:
                if name in seen:
                    continue
                seen.add(name)
                count = len(self.tag_papers_deep(name))
                info = self.taxonomy.tags[name]
                sub = tree(self.taxonomy.children(name), seen)
                items.append(
                    f'<li><a href="{self.tag_href(name, 0)}">{esc(info.en)}</a> '
                    f'<span lang="zh">{esc(info.zh)}</span> <code>{esc(name)}</code> '
                    f'<span class="count">{count}</span>{sub}</li>'
                )
            return f"<ul>{''.join(items)}</ul>" if items else ""

        roots = [
            n
            for n, t in self.taxonomy.tags.items()
            if not t.parent or t.parent not in self.taxonomy
        ]
        seen: set[str] = set()
        body = tree(roots, seen)
        rest = [n for n in self.taxonomy.tags if n not in seen]  # parent cycles
        body += tree(rest, seen)
        parts = [
            self.nav(0, switch=False),
            "<main><h1>Tags</h1>",
            f'<div class="tag-tree">{body}</div>',
            "</main>",
        ]
        return _page(f"Tags · {self.title}", "".join(parts), 0)

    def graph_page(self) -> str:
        """The site's frame around the interactive map drawn by papernotes.export.graph."""
        body = (
            f"{self.nav(0, switch=False)}"
            '<iframe class="graph-frame" src="graph-map.html" title="Graph of papers and topics">'
            "</iframe>"
        )
        return _page(f"Graph · {self.title}", body, 0)

    def search_data(self) -> str:
        """The client-side index, made like the search index (see :mod:`.search_data`)."""
        from papernotes.site.search_data import search_data_js

        return search_data_js(self.papers, self.taxonomy, self.glossary)

    def page_names(self) -> list[str]:
        """The files :meth:`pages` makes, in its order."""
        names = ["index.html", "assets/search-data.js"]
        names += [f"papers/{paper_slug(pid)}.html" for pid in self.papers]
        names.append("tags.html")  # not tags/index.html: 'index' is a valid tag
        names += [f"tags/{tag_slug(name)}.html" for name in self.taxonomy.tags]
        if self.graph:
            names += ["graph.html", "graph-map.html"]
        names += [f"assets/{asset}" for asset in ASSETS]
        return names

    def pages(self) -> Iterator[tuple[str, str]]:
        """(file name, text) of every file, one at a time."""
        for rel in self.page_names():
            yield rel, self.render(rel)

    def _makers(self) -> dict[str, tuple]:
        """File name -> (what makes it, what it is made from), in :meth:`page_names` order."""
        if getattr(self, "_made", None) is None:
            made: dict[str, tuple] = {
                "index.html": ("index", None),
                "assets/search-data.js": ("search", None),
            }
            for pid in self.papers:
                made[f"papers/{paper_slug(pid)}.html"] = ("paper", pid)
            made["tags.html"] = ("tags", None)
            for name in self.taxonomy.tags:
                made[f"tags/{tag_slug(name)}.html"] = ("tag", name)
            if self.graph:
                made["graph.html"] = ("frame", None)
                made["graph-map.html"] = ("graph", None)
            for asset in ASSETS:
                made[f"assets/{asset}"] = ("asset", asset)
            self._made = made
        return self._made

    def render(self, rel: str) -> str:
        """The text of one file the site holds (a name from :meth:`page_names`)."""
        kind, arg = self._makers()[rel]
        if kind == "index":
            return self.index_page()
        if kind == "search":
            return self.search_data()
        if kind == "paper":
            return self.paper_page(arg)
        if kind == "tags":
            return self.tags_index()
        if kind == "tag":
            return self.tag_page(arg)
        if kind == "frame":
            return self.graph_page()
        if kind == "graph":
            evidence = Evidence(self.papers, self.taxonomy)
            return to_html(build_graph(evidence), title=f"{self.title}: graph")
        return _asset(arg)

    # -- what each file is made from (a second run re-renders a file when it changed) --
    def digest(self, rel: str, everything: str) -> str:
        """A digest of everything the file ``rel`` shows; ``everything``: the digest of
        the whole knowledge base (the pages that list every paper)."""
        kind, arg = self._makers()[rel]
        if kind == "paper":
            parts = self._paper_inputs(arg)
        elif kind == "tag":
            parts = [
                (pid, self._item(pid), self.papers[pid].tags) for pid in self.tag_papers_deep(arg)
            ]
        elif kind == "tags":
            parts = sorted((pid, paper.tags) for pid, paper in self.papers.items())
        elif kind == "frame":
            parts = []
        elif kind == "asset":
            parts = [_asset(arg)]
        else:  # the index, the search data and the graph: every record
            parts = [everything]
        return _hash(self._common(), kind, arg, parts)

    def _common(self) -> str:
        if getattr(self, "_common_digest", None) is None:
            tags = [(name, tag.model_dump()) for name, tag in self.taxonomy.tags.items()]
            self._common_digest = _hash(self.title, self.graph, tags)
        return self._common_digest

    def _item(self, pid: str):
        """What :meth:`paper_item` shows of a paper."""
        paper = self.papers.get(pid)
        if paper is None:
            return None
        return [
            paper.title,
            paper.venue,
            paper.year,
            paper.decision,
            list(paper.ratings),
            paper.status,
            paper.priority,
        ]

    def _paper_inputs(self, pid: str) -> list:
        paper = self.papers[pid]
        record = self.texts.get(pid) if self.texts is not None else None
        links = [(link.id, self._item(link.id)) for link in paper.related]
        back = [(src, why, self._item(src)) for src, why in self.incoming.get(pid, [])]
        similar = [(n.id, _reasons(n), self._item(n.id)) for n in self.similar(pid)]
        return [record or repr(paper), links, back, note_backlinks(self.notes, pid), similar]


def _asset(name: str) -> str:
    return resources.files("papernotes.site").joinpath("static", name).read_text(encoding="utf-8")


def _hash(*parts) -> str:
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1].rstrip() + "…"


def _page_links(paper: Paper) -> dict[str, str]:
    """The record's links, plus the ones its id implies (forum, arXiv, DOI) when missing."""
    links = paper.canonical_links()
    implied = {}
    if forum_url(paper) and "forum" not in links:
        implied["forum"] = forum_url(paper) or ""
    arxiv = arxiv_id(paper)
    if arxiv and "arxiv" not in links:
        implied["arxiv"] = f"https://arxiv.org/abs/{arxiv}"
    if paper.id.startswith("doi:") and "doi" not in links:
        implied["doi"] = "https://doi.org/" + paper.id[len("doi:") :]
    return {**implied, **links}


def _ref_url(url: str) -> str:
    if url.startswith("arxiv:"):
        return "https://arxiv.org/abs/" + url[len("arxiv:") :]
    if url.startswith("doi:"):
        return "https://doi.org/" + url[len("doi:") :]
    return url


def _reasons(neighbour) -> str:
    return " · ".join(r.text for r in neighbour.reasons if r.kind != "link")


def build_site(
    kb: KnowledgeBase, out_dir: Path, title: str | None = None, progress=None
) -> SiteReport:
    """Write the site into ``out_dir`` (created if needed). A folder that is neither
    empty nor an earlier papernotes site is refused, so no one's files get mixed in;
    pages of papers that no longer exist are removed on rebuild.

    The marker is written before the first page, naming every page this run or the
    previous one wrote, so a run that is killed midway leaves a folder the next run
    takes up. Pages are written atomically (temp file, rename) and only when their bytes
    changed; nothing is written or deleted through a symbolic link or outside ``out_dir``.

    A second run renders only the files whose inputs changed: beside the search index,
    a digest of what each file was made from is kept with the file's size, times and
    inode as written (a file changed since is made again). ``progress(done, total)`` is called as
    files are made.
    """
    out_dir = Path(out_dir)
    marker = out_dir / MARKER
    if out_dir.exists():
        if not out_dir.is_dir():
            raise UsageError(f"{out_dir} is a file, not a folder")
        if any(out_dir.iterdir()) and not marker.is_file():
            raise UsageError(
                f"{out_dir} is not empty and was not made by 'papernotes site'; choose an empty or new folder"
            )
    from papernotes.site.source import opened

    with opened(kb) as source:
        return _build(kb, out_dir, title, progress, source)


def _build(kb: KnowledgeBase, out_dir: Path, title, progress, source) -> SiteReport:
    marker = out_dir / MARKER
    builder = _site_builder(kb, title, source)
    names = builder.page_names()
    report = SiteReport(out_dir, len(source.papers), len(builder.taxonomy.tags), builder.graph)
    report.problems = source.problems
    report.unranked = source.unranked
    everything = _site_digest(kb, builder, source)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        inside = out_dir.resolve()
        previous = _previous_pages(marker)
        state = _inputs_path(source.folder, inside)
        before = _read_inputs(state)
        _write_page(inside, MARKER, _marker_text(previous | set(names)))
        made = _write_pages(inside, builder, names, everything, before, report, progress)
        _remove_stale(inside, previous, names, report)
        _write_page(inside, MARKER, _marker_text(set(names)))
        if state is not None:
            inputs = {"all": everything, "code": _code_digest(), "pages": made}
            _keep_inputs(state, json.dumps(inputs, sort_keys=True) + "\n")
    except OSError as exc:
        raise WriteError(f"cannot write the site into {out_dir}: {exc.strerror or exc}") from None
    return report


def _site_builder(kb: KnowledgeBase, title, source) -> SiteBuilder:
    """The page maker over the records, tags, notes and glossary read."""
    from papernotes.store.glossary import kb_glossary

    taxonomy = kb.taxonomy()
    glossary = kb_glossary(kb)
    return SiteBuilder(
        source.papers,
        taxonomy,
        title or "Reading notes",
        load_notes(kb, taxonomy),
        glossary=glossary,
        ranked=source.ranked,
        texts=source.texts,
    )


def _site_digest(kb: KnowledgeBase, builder: SiteBuilder, source) -> str:
    """One digest of every input: when it is unchanged and every page is kept, nothing is made."""
    return _hash(
        _code_digest(),
        builder._common(),
        [(pid, source.texts.get(pid)) for pid in builder.papers],
        source.signature,
        _glossary_digest(kb),
        [
            (n.shown, n.title, [(x.kind, x.target, x.line, x.text) for x in n.links])
            for n in builder.notes
        ],
    )


def _previous_pages(marker: Path) -> set[str]:
    """The pages the last build made, as its marker lists them."""
    previous: set[str] = set()
    if marker.is_file() and not marker.is_symlink():
        previous = {rel for rel in marker.read_text(encoding="utf-8").split("\n") if _safe_rel(rel)}
    return previous


def _write_pages(
    inside: Path,
    builder: SiteBuilder,
    names: list[str],
    everything: str,
    before: dict,
    report: SiteReport,
    progress,
) -> dict[str, list]:
    """Write every page whose inputs changed; the digest and stamp of every page."""
    made: dict[str, list] = {}
    if before.get("all") == everything and all(
        _kept(inside, rel, before["pages"].get(rel)) for rel in names
    ):
        made = {rel: before["pages"][rel] for rel in names}  # nothing changed
    else:
        kept = before.get("pages", {}) if before.get("code") == _code_digest() else {}
        ranking = len(builder.papers) if hasattr(builder.ranked, "many") else 0
        total = ranking + len(names)
        with _PageMaker(inside, builder, names, everything, kept) as pages:
            builder.rank_all(progress and (lambda done, _: progress(done, total)))
            done = ranking
            for part in pages.parts():
                for rel, entry, wrote in part:
                    made[rel] = entry
                    report.files += wrote
                done += len(part)
                if progress:
                    progress(done, total)
        made = {rel: made[rel] for rel in names}  # as listed, whichever worker was first
    return made


PARALLEL_FROM = 1000  # files: below this the pages are made in this process alone
PAGES_PER_TASK = 100
_SHARED: list = []  # what a forked worker inherits: (inside, builder, everything, kept)


class _PageMaker:
    """Makes the site's files (:func:`_make_page`). With many files and a spare core,
    forked workers share them: they inherit the builder, with every paper ranked, so none
    reads the index. The files that need no ranking (the graph, which takes about as long
    as a thousand pages, then the index, the search data and the tag pages) start first,
    in a worker of their own, while this process ranks the papers."""

    def __init__(
        self, inside: Path, builder: SiteBuilder, names: list[str], everything: str, kept: dict
    ):
        from papernotes.site import ranking

        self.ranking = ranking
        self.job = (inside, builder, everything, kept)  # as _make_pages_task takes it
        self.builder = builder
        self.workers = min(os.cpu_count() or 1, 4)
        self.parallel = len(names) >= PARALLEL_FROM and self.workers >= 2 and ranking._can_fork()
        kinds = {rel: builder._makers()[rel][0] for rel in names}
        # the graph first (the longest), then the other files that need no ranking
        first = sorted(
            (rel for rel in names if kinds[rel] != "paper"), key=lambda rel: kinds[rel] != "graph"
        )
        self.first = first if self.parallel else []
        self.rest = [rel for rel in names if kinds[rel] == "paper" or not self.parallel]
        self._pool: Any = None
        self._first: Any = None  # the files of self.first, as they will be made

    def __enter__(self) -> _PageMaker:
        if self.first:
            _SHARED[:] = [self.job]
            pool = self._pool = self.ranking.multiprocessing_pool(1)
            self._first = pool.apply_async(pages_task, (self.first,))
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
        _SHARED.clear()

    def parts(self) -> Iterator[list[tuple[str, list, bool]]]:
        """Every file's name, digest and stamp, and whether it was written, in parts as
        they are done."""
        if not (self.parallel and self.builder.ranked_all()):
            inside, builder, everything, kept = self.job
            for rel in self.rest:
                yield [_make_page(inside, builder, rel, everything, kept)]
        else:
            rest = self.rest
            tasks = [rest[i : i + PAGES_PER_TASK] for i in range(0, len(rest), PAGES_PER_TASK)]
            _SHARED[:] = [self.job]  # the builder now holds every paper's neighbours
            with self.ranking.multiprocessing_pool(self.workers) as pool:
                yield from pool.imap_unordered(pages_task, tasks)
        if self._first is not None:
            yield self._first.get()


def _make_pages_task(rels: list[str]) -> list[tuple[str, list, bool]]:
    inside, builder, everything, kept = _SHARED[0]
    return [_make_page(inside, builder, rel, everything, kept) for rel in rels]


pages_task = _make_pages_task  # what a worker runs (a name the pool can send)


def _make_page(
    inside: Path, builder: SiteBuilder, rel: str, everything: str, kept: dict
) -> tuple[str, list, bool]:
    """One file: kept when made from the same inputs and untouched since, else rendered
    and written when its bytes changed. Its name, digest and stamp, and whether it was
    written."""
    digest = builder.digest(rel, everything)
    entry = kept.get(rel)
    if entry and entry[0] == digest and _kept(inside, rel, entry):
        return rel, entry, False
    wrote = _write_page(inside, rel, builder.render(rel))
    return rel, [digest, *_stamp(inside, rel)], wrote


def _remove_stale(inside: Path, previous: set[str], names: list[str], report: SiteReport) -> None:
    """Remove the pages the last build made that this one does not."""
    for rel in sorted(previous - set(names)):
        stale = _target(inside, rel)
        if stale is not None and (stale.is_symlink() or stale.is_file()):
            stale.unlink()
            report.removed += 1


def _inputs_path(folder: Path | None, inside: Path) -> Path | None:
    """Where the digests of the site in ``inside`` are kept: beside the search index (the
    site itself stays as it is made, with no time or state in it)."""
    if folder is None:
        return None
    key = hashlib.sha256(str(inside).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return folder / f"site-{key}.json"


def _keep_inputs(path: Path, text: str) -> None:
    """Write the digests atomically; a cache that cannot be written only costs the next
    run the time of rendering every page."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        pass


def _read_inputs(path: Path | None) -> dict:
    """The digests a previous run kept (empty when missing, unreadable or not its own)."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("pages"), dict):
        return {}
    pages = {
        rel: entry
        for rel, entry in data["pages"].items()
        if isinstance(entry, list) and len(entry) == 5 and _safe_rel(rel)
    }
    return {"all": data.get("all"), "code": data.get("code"), "pages": pages}


def _stamp(inside: Path, rel: str) -> list:
    """Size, modification and change time and inode of a file the site holds (None if it
    is not a plain file)."""
    try:
        st = (inside / rel).lstat()
    except OSError:
        return [None] * 4
    if not stat.S_ISREG(st.st_mode):
        return [None] * 4
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _kept(inside: Path, rel: str, entry) -> bool:
    """Whether the file is as the run that recorded ``entry`` left it."""
    return bool(entry) and entry[1] is not None and _stamp(inside, rel) == entry[1:]


_CODE: str | None = None


def _code_digest() -> str:
    """Changes with the code that makes the pages (a new version renders every page)."""
    global _CODE
    if _CODE is None:
        import papernotes
        from papernotes.glossary import shipped_digest

        digest = hashlib.sha256(f"{papernotes.__version__}\0{shipped_digest()}".encode())
        root = Path(papernotes.__file__).parent
        try:
            for path in sorted(root.rglob("*")):
                if path.suffix in (".py", ".js", ".css", ".html") and path.is_file():
                    digest.update(path.relative_to(root).as_posix().encode())
                    digest.update(path.read_bytes())
        except OSError:
            pass
        _CODE = digest.hexdigest()[:32]
    return _CODE


def _glossary_digest(kb: KnowledgeBase) -> str:
    from papernotes.store.glossary import GLOSSARY_NAME

    try:
        return hashlib.sha256((kb.root / GLOSSARY_NAME).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _marker_text(names: set[str]) -> str:
    return "\n".join(sorted(names)) + "\n"


def _safe_rel(rel: str) -> bool:
    """A page name as the site writes them: relative, no '..', no empty parts."""
    if not rel or rel.startswith("/") or "\\" in rel or "\0" in rel:
        return False
    parts = rel.split("/")
    return all(part not in ("", ".", "..") for part in parts)


def _target(inside: Path, rel: str) -> Path | None:
    """``inside/rel`` when its folder is a real folder inside ``inside`` (no symbolic link
    on the way out), else None."""
    if not _safe_rel(rel):
        return None
    path = inside / rel
    folder = path.parent
    if folder != inside and folder.resolve() != folder:
        return None  # a symbolic link (or one on the way) would lead elsewhere
    if folder != inside and inside not in folder.parents:
        return None
    return path


def _write_page(inside: Path, rel: str, text: str) -> bool:
    """Write one file atomically unless it already holds these bytes (False then); a
    symbolic link in its place is replaced, never written through."""
    data = text.encode("utf-8")
    path = inside / rel
    folder = path.parent
    for part in reversed([folder, *folder.parents]):
        if part == inside or inside not in part.parents:
            continue
        if part.is_symlink() or (part.exists() and not part.is_dir()):
            raise WriteError(
                f"cannot write the site: {part} is a symbolic link or a file, not a folder; "
                "remove it and run again"
            )
        part.mkdir(exist_ok=True)
    if not path.is_symlink() and path.is_file():
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return False
        except OSError:
            pass
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return True
