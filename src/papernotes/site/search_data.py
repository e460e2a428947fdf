"""The site's search data, made by the code that makes the search index's documents.

Each paper's columns are the token strings :func:`papernotes.index.documents.paper_doc`
gives the index (same tokenizer, the tags' names and keys, the glossary column), and the
tags' lookup is :func:`papernotes.index.documents.tag_entries`. ``search.js`` only splits a
query (as :func:`papernotes.text.query_terms` does), looks its words up and ranks, so the site
finds the papers ``papernotes search`` finds for words, phrases, ``-word`` and ``OR``.
"""

from __future__ import annotations

from papernotes.index.documents import (
    TEXT_COLUMNS,
    WEIGHTS,
    glossary_token,
    joined,
    paper_doc,
    tag_entries,
    tag_facet,
)
from papernotes.index.query import FIELDS, MAX_TAG_WORDS, OPERATORS, UNTAGGED
from papernotes.site.html import script_json
from papernotes.text import CJK_RANGES, query_terms


def search_index(papers: dict, taxonomy, glossary) -> dict:
    """The data ``search.js`` reads: columns per paper, tags by every name, the query rules."""
    entries, keys = tag_entries(taxonomy)
    texts = {entry.name: entry.text for entry in entries}

    def tag_text(name: str) -> str:
        return texts.get(name) or joined(name)

    rows = []
    for paper_id, paper in papers.items():
        doc = paper_doc(paper, tag_text, glossary)
        rows.append({"id": paper_id, "c": [doc.columns[c] for c in TEXT_COLUMNS]})
    tags = {
        entry.name: {
            "key": tag_facet(entry.name),
            "names": [groups for groups in map(query_terms, entry.names) if groups],
        }
        for entry in entries
    }
    return {
        "cjk": [list(r) for r in CJK_RANGES],
        "columns": list(TEXT_COLUMNS),
        "weights": [WEIGHTS[c] for c in TEXT_COLUMNS],
        "untagged": list(UNTAGGED),
        "glossaryToken": glossary_token(""),
        "fields": sorted(FIELDS),
        "operators": OPERATORS,
        "maxTagWords": MAX_TAG_WORDS,
        "tagKeys": dict(sorted(keys.items())),
        "tags": tags,
        "papers": rows,
    }


def search_data_js(papers: dict, taxonomy, glossary) -> str:
    data = search_index(papers, taxonomy, glossary)
    return f"window.PAPERNOTES_INDEX = {script_json(data)};\n"
