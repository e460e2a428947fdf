"""What the index stores for a paper: pre-tokenized text columns, facet tokens, snippet texts.

Text is tokenized in Python with :func:`papernotes.text.tokenize` and stored as space-separated
tokens, so the FTS5 ``ascii`` tokenizer only has to split on spaces (it treats every non-ASCII
character as part of a token, and our tokens hold nothing but letters, digits and CJK).

Filters (``venue:``, ``year:``, ``decision:``, ``lang:``, ``by:``) are facet tokens in a column of
weight 0; a tag's key token (for ``tag:``) sits in the ``tags`` column beside its names. Both
start with ``·`` (U+00B7), which :func:`tokenize` never emits, so a word typed by the user can
never match one.
"""

from __future__ import annotations

from collections.abc import Callable

from papernotes.text import query_terms, tokenize

TEXT_COLUMNS = ("id", "title", "tags", "keywords", "notes", "related", "abstract", "authors")
COLUMNS = (*TEXT_COLUMNS, "facets")
# BM25 weights: title and tags above notes, notes above the abstract (issue 4).
WEIGHTS = {
    "id": 10.0,
    "title": 10.0,
    "tags": 8.0,
    "keywords": 5.0,
    "notes": 4.0,
    "related": 3.0,
    "abstract": 2.0,
    "authors": 2.0,
    "facets": 0.0,
}
ALL = "·all"
NOTHING = "·none"  # a token no document has


def joined(*texts: str | None) -> str:
    return " ".join(tok for text in texts if text for tok in tokenize(text))


def facet(kind: str, token: str) -> str:
    return f"·{kind}·{token}"


def tag_facet(name: str) -> str:
    """The facet token of a canonical tag name; '-', '.', '+', '_' would split a token."""
    return facet("t", "".join(c if c.isalnum() else f"·{ord(c):x}·" for c in name.casefold()))


def term_key(text: str) -> str:
    """How a tag name, label or alias is looked up from query words: its query tokens."""
    return " ".join(tok for group in query_terms(text) for tok in group)


class Doc:
    """One paper as the index stores it."""

    def __init__(self, id, title, tags, year, texts, columns):
        self.id: str = id
        self.title: str = title
        self.tags: list[str] = tags
        self.year: int | None = year
        self.texts: list[tuple[str, str, str]] = texts  # (kind, lang, text), for snippets
        self.columns: dict[str, str] = columns
        self.links: list[tuple[str, str]] = []  # (id, why) of its ``related`` entries

    def row(self) -> tuple[str, ...]:
        return tuple(self.columns[c] for c in COLUMNS)


def tag_text(name: str, tag) -> str:
    """Tokens for the ``tags`` column of a paper carrying this tag: name, labels, aliases."""
    if tag is None:
        return joined(name)
    return joined(name, tag.en, tag.zh, *tag.aliases)


def tags_column(tags: list[str], tags_text: Callable[[str], str]) -> str:
    """Each tag's names, then its key: having a tag counts once more in the ranking."""
    return " ".join(f"{tags_text(t)} {tag_facet(t)}" for t in tags)


def paper_doc(paper, tags_text: Callable[[str], str]) -> Doc:
    """The index document of a paper; ``tags_text`` gives the tokens of one tag."""
    texts: list[tuple[str, str, str]] = []
    for note in paper.notes:
        for lang in (note.lang, "en" if note.lang == "zh" else "zh"):
            value = getattr(note, lang)
            if value:
                texts.append(("note", lang, value))
    texts.extend(("related", "", link.why) for link in paper.related)
    if paper.tldr:
        texts.append(("tldr", "", paper.tldr))
    if paper.abstract:
        texts.append(("abstract", "", paper.abstract))
    facets = [ALL]
    facets += [facet("v", tok) for tok in tokenize(paper.venue or "")]
    if paper.year is not None:
        facets.append(facet("y", str(paper.year)))
    facets += [facet("d", tok) for tok in tokenize(paper.decision or "")]
    facets += sorted({facet("l", note.lang) for note in paper.notes})
    for author in dict.fromkeys(note.by for note in paper.notes if note.by):
        facets += [facet("b", tok) for tok in tokenize(author)]
    columns = {
        "id": joined(paper.id),
        "title": joined(paper.title),
        "tags": tags_column(paper.tags, tags_text),
        "keywords": joined(*paper.keywords),
        "notes": joined(*(text for kind, _, text in texts if kind == "note")),
        "related": joined(
            *(link.why for link in paper.related), *(ref.label or "" for ref in paper.refs)
        ),
        "abstract": joined(paper.abstract, paper.tldr),
        "authors": joined(*paper.authors),
        "facets": " ".join(facets),
    }
    doc = Doc(paper.id, paper.title, list(paper.tags), paper.year, texts, columns)
    doc.links = [(link.id, link.why) for link in paper.related]
    return doc


class TagEntry:
    """A tag as queries see it: every name it answers to and the tags a filter includes."""

    def __init__(self, name: str, names: list[str], tree: list[str], text: str):
        self.name, self.names, self.tree, self.text = name, names, tree, text


def tag_entries(taxonomy) -> tuple[list[TagEntry], dict[str, str]]:
    """Per-tag entries and the lookup from :func:`term_key` to canonical name.

    Owners come from ``Taxonomy.resolve`` so a name shared by two tags (an error that
    ``validate`` reports) goes where the rest of papernotes sends it.
    """
    entries: list[TagEntry] = []
    keys: dict[str, str] = {}
    for name, tag in taxonomy.tags.items():
        names = list(dict.fromkeys([name, tag.en, tag.zh, *tag.aliases]))
        entries.append(TagEntry(name, names, taxonomy.descendants(name), tag_text(name, tag)))
        for text in names:
            key = term_key(text)
            if key:
                keys.setdefault(key, taxonomy.resolve(text) or name)
    return entries, keys
