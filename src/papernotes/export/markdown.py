"""A reading list in Markdown, grouped by tag, with the notes in one language.

Made to paste into a blog: every piece of user text is escaped so a note can never
turn into HTML or a broken link; each paper appears once in full, under its first
tag, and as a "see also" link under its other tags. Anchors are the citation keys.
"""

from __future__ import annotations

import re
from typing import Any

from papernotes.export.bibtex import paper_url
from papernotes.model.record import Paper
from papernotes.model.taxonomy import Taxonomy

LABELS: dict[str, dict[str, Any]] = {  # "lang_name" maps a language to its name
    "en": {
        "title": "Reading list",
        "count": "{n} paper(s)",
        "none": "No papers.",
        "untagged": "Untagged",
        "also": "Also under this tag",
        "related": "Related",
        "authors": "Authors",
        "ratings": "ratings",
        "untranslated": "not yet translated; original in {lang}",
        "lang_name": {"zh": "Chinese", "en": "English"},
    },
    "zh": {
        "title": "阅读清单",
        "count": "共 {n} 篇",
        "none": "没有论文。",
        "untagged": "未分类",
        "also": "本标签下的其他论文",
        "related": "相关论文",
        "authors": "作者",
        "ratings": "评分",
        "untranslated": "尚无译文，原文为{lang}",
        "lang_name": {"zh": "中文", "en": "英文"},
    },
}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")


def md_escape(text: str) -> str:
    """Markdown-inert text: the characters that start emphasis, links, HTML, entities
    or tables are backslash-escaped (CommonMark renders them literally)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_url(url: str) -> str:
    return (
        url.replace(" ", "%20")
        .replace("(", "%28")
        .replace(")", "%29")
        .replace("<", "%3C")
        .replace(">", "%3E")
    )


def _tag_label(taxonomy: Taxonomy, name: str, lang: str) -> str:
    tag = taxonomy.tags.get(name)
    if tag is None:
        return name
    label = tag.zh if lang == "zh" else tag.en
    return label if label.casefold() == name.casefold() else f"{label} ({name})"


def _note_block(note, lang: str, labels: dict) -> list[str]:
    text = note.text(lang)
    out = []
    if not getattr(note, lang):
        out.append(
            f"> _{md_escape(labels['untranslated'].format(lang=labels['lang_name'][note.lang]))}_"
        )
        out.append(">")
    paragraphs = [line.strip() for line in text.splitlines()]
    for i, line in enumerate(paragraphs):
        if line:
            out.append("> " + md_escape(line))
        if i + 1 < len(paragraphs) and line:
            out.append(">")
    return out


def _paper_block(
    paper: Paper, key: str, keys: dict[str, str], everything: dict[str, Paper], lang: str
) -> list[str]:
    labels = LABELS[lang]
    url = paper_url(paper)
    title = md_escape(paper.title)
    heading = f"[{title}](<{md_url(url)}>)" if url else title
    out = [f'<a id="{key}"></a>', "", f"### {heading}", ""]
    facts = [md_escape(x) for x in (paper.venue, paper.decision) if x]
    if paper.year and not paper.venue:
        facts.insert(0, str(paper.year))
    if paper.ratings:
        facts.append(f"{labels['ratings']} {' '.join(str(r) for r in paper.ratings)}")
    facts.append(f"`{paper.id}`")
    out.append(" · ".join(facts))
    if paper.authors:
        out += ["", f"{labels['authors']}: " + md_escape(", ".join(paper.authors))]
    for note in paper.notes:
        out.append("")
        out += _note_block(note, lang, labels)
    if paper.related:
        out += ["", f"{labels['related']}:", ""]
        for link in paper.related:
            other = everything.get(link.id)
            name = md_escape(other.title) if other else f"`{link.id}`"
            if link.id in keys and other is not None:
                target = f"[{name}](#{keys[link.id]})"
            elif other is not None and paper_url(other):
                target = f"[{name}](<{md_url(paper_url(other) or '')}>)"
            else:
                target = name
            out.append(f"- {target}: {md_escape(link.why)}")
    out.append("")
    return out


def reading_list(
    papers: list[Paper],
    taxonomy: Taxonomy,
    keys: dict[str, str],
    everything: dict[str, Paper],
    lang: str = "en",
    within: list[str] | None = None,
) -> str:
    """The Markdown document. ``within`` limits the sections to these tags (a --tag
    export groups by the chosen tag and its children)."""
    labels = LABELS[lang]
    lines = [f"# {labels['title']}", ""]
    if not papers:
        return "\n".join([*lines, labels["none"], ""])
    lines += [labels["count"].format(n=len(papers)), ""]
    allowed = set(within) if within else None
    order = {name: i for i, name in enumerate(taxonomy.tags)}
    exported_keys = {p.id: keys[p.id] for p in papers}
    primary: dict[str, list[Paper]] = {}
    secondary: dict[str, list[Paper]] = {}
    for paper in papers:
        tags = [t for t in paper.tags if allowed is None or t in allowed]
        first = tags[0] if tags else ""
        primary.setdefault(first, []).append(paper)
        for tag in tags[1:]:
            secondary.setdefault(tag, []).append(paper)
    sections = sorted(
        set(primary) | set(secondary),
        key=lambda t: (t == "", order.get(t, len(order)), t),
    )
    for tag in sections:
        heading = _tag_label(taxonomy, tag, lang) if tag else labels["untagged"]
        lines += [f"## {md_escape(heading)}", ""]
        info = taxonomy.tags.get(tag)
        if info and lang == "en":
            lines += [f"_{md_escape(info.description)}_", ""]
        for paper in primary.get(tag, []):
            lines += _paper_block(paper, keys[paper.id], exported_keys, everything, lang)
        if secondary.get(tag):
            lines += [f"{labels['also']}:", ""]
            lines += [f"- [{md_escape(p.title)}](#{keys[p.id]})" for p in secondary[tag]]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def export(job) -> str:
    """``papernotes export -f markdown`` (see papernotes.export.EXPORTERS)."""
    selection = job.selection
    return reading_list(
        job.papers,
        job.kb.taxonomy(),
        job.keys,
        selection.everything,
        job.lang,
        within=selection.tags,
    )
