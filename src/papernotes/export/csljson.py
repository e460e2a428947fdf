"""CSL-JSON for Pandoc, Zotero and every citation processor that speaks CSL.

Item ids are the BibTeX citation keys, so ``[@sivaprasad2020tunability]`` works
with either file.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from papernotes.export.bibtex import (
    arxiv_id,
    booktitle,
    decision_text,
    entry_kind,
    name_parts,
    paper_url,
    submitted_to,
)
from papernotes.text import is_cjk

if TYPE_CHECKING:
    from papernotes.model.record import Paper


def csl_name(author: str) -> dict[str, str]:
    """'Prabhu Teja Sivaprasad' -> family/given; names we cannot split stay literal."""
    name = " ".join(author.split())
    parts = name_parts(name)
    if parts is not None:
        given, family, suffix = parts
        out = {"family": family, "given": given}
        return {**out, "suffix": suffix} if suffix else out
    words = name.split(" ")
    if len(words) < 2 or any(is_cjk(c) for c in name):
        return {"literal": name}
    return {"family": words[-1], "given": " ".join(words[:-1])}


def item(paper: Paper, key: str) -> dict:
    kind = entry_kind(paper)
    data: dict = {"id": key, "type": "article", "title": paper.title}
    if paper.authors:
        data["author"] = [csl_name(a) for a in paper.authors]
    if paper.year:
        data["issued"] = {"date-parts": [[paper.year]]}
    if kind == "conference":
        data["type"] = "paper-conference"
        data["container-title"] = booktitle(paper.venue or "")
        data["event-title"] = paper.venue
    elif kind == "submission":
        # A manuscript submitted to the venue: no container title. Styles that print the
        # genre of a manuscript (Chicago, Pandoc's default) show where it was submitted.
        data["type"] = "manuscript"
        data["genre"] = submitted_to(paper)
        data["status"] = submitted_to(paper)
    elif kind == "journal":
        data["type"] = "article-journal"
        data["container-title"] = paper.venue
    arxiv = arxiv_id(paper)
    if kind == "arxiv" and arxiv:
        data["number"] = f"arXiv:{arxiv}"
        data["publisher"] = "arXiv"
    if paper.id.startswith("doi:"):
        data["DOI"] = paper.id[len("doi:") :]
    url = paper_url(paper)
    if url:
        data["URL"] = url
    decision = decision_text(paper)
    if decision:
        data["annote"] = decision  # data for readers, not printed by citation styles
    if paper.abstract:
        data["abstract"] = paper.abstract
    if paper.tags:
        data["keyword"] = ", ".join(paper.tags)
    return data


def to_csl(papers: list[Paper], keys: dict[str, str]) -> list[dict]:
    return [item(p, keys[p.id]) for p in papers]


def export(job) -> str:
    """``papernotes export -f csljson`` (see papernotes.export.EXPORTERS)."""
    return json.dumps(to_csl(job.papers, job.keys), ensure_ascii=False, indent=2) + "\n"
