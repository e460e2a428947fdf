"""What the index stores for a paper: pre-tokenized text columns, facet tokens, snippet texts.

Text is tokenized in Python with :func:`papernotes.text.tokenize` and stored as space-separated
tokens, so the FTS5 ``ascii`` tokenizer only has to split on spaces (it treats every non-ASCII
character as part of a token, and our tokens hold nothing but letters, digits and CJK).

Filters (``venue:``, ``year:``, ``decision:``, ``lang:``, ``status:``, ``mark:``, ``by:``) are
facet tokens in a column of weight 0; a tag's key token (for ``tag:``) sits in the ``tags`` column beside its names. Both
start with ``·`` (U+00B7), which :func:`tokenize` never emits, so a word typed by the user can
never match one.

The ``glossary`` column holds the other language's form of every glossary term the paper's
untranslated text uses (:mod:`papernotes.glossary`, :func:`untranslated`): a Chinese-only
note on 剪枝 gets ``pruning``, an English-only one on pruning gets 剪枝. Its weight is the lowest of the text columns, so a paper that says
the word itself ranks above one found through the glossary, and its tokens are facet tokens
(``·g·pruning``), so they leave the document frequencies of the papers' own words, and with
them the ranking of every other match, as they were. Terms are separated by a ``·`` token so
that a phrase never matches across two of them.
"""

from __future__ import annotations

from collections.abc import Callable

from papernotes.text import query_terms, tokenize

TEXT_COLUMNS = (
    "id",
    "title",
    "tags",
    "keywords",
    "notes",
    "related",
    "abstract",
    "authors",
    "glossary",
)
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
    "glossary": 1.0,
    "facets": 0.0,
}
ALL = "·all"
NOTHING = "·none"  # a token no document has
GLOSSARY_SEPARATOR = "·"
OWN_WORDS = ("title", "tags", "keywords", "notes", "related")  # a form found here is not added


def joined(*texts: str | None) -> str:
    tokens: list[str] = []
    for text in texts:
        if text:
            tokens += tokenize(text)
    return " ".join(tokens)


def facet(kind: str, token: str) -> str:
    return f"·{kind}·{token}"


def word_facet(value: str) -> str:
    """A status or mark (``to-read``) as one facet token: FTS5 would split it at '-'."""
    return "".join(c for c in value if c.isalnum())


def glossary_token(token: str) -> str:
    """A token of the glossary column: never one of a paper's own words."""
    return facet("g", token)


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


def untranslated(paper) -> dict[str, list[str]]:
    """The paper's own texts that have no translation, by the language to expand them into.

    A note with one language is expanded into the other, and so are the title and keywords
    (English, never translated); the TL;DR and the reasons on related links only when no note
    has text in the other language. Bilingual notes are left as they are: their translations
    hold the terms already, and a longer row would only shift the ranking (FTS5's BM25 weighs
    a match by the length of the whole row).
    """
    notes = paper.notes
    has = {lang: any(getattr(note, lang) for note in notes) for lang in ("zh", "en")}
    whys = [link.why for link in paper.related]
    out: dict[str, list[str]] = {"zh": [], "en": []}
    for note in notes:
        if note.en and not note.zh:
            out["zh"].append(note.en)
        if note.zh and not note.en:
            out["en"].append(note.zh)
    out["zh"] += [paper.title, *paper.keywords]  # never translated
    if not has["zh"]:
        out["zh"] += [paper.tldr or "", *whys]
    if not has["en"]:
        out["en"] += whys
    return out


def glossary_column(glossary, texts: dict[str, list[str]], columns: dict[str, str]) -> str:
    """Tokens of the other-language forms of the glossary terms ``texts`` use (by the
    language to give), leaving out forms whose tokens the paper's columns hold already."""
    if glossary is None:
        return ""
    terms = [term for lang, sources in texts.items() for term in glossary.expand(sources, lang)]
    if not terms:
        return ""
    present = {tok for c in OWN_WORDS for tok in columns[c].split()}
    out = []
    for term in terms:
        tokens = glossary.tokens(term)
        if tokens and not present.issuperset(tokens):
            out.append(" ".join(map(glossary_token, tokens)))
    return f" {GLOSSARY_SEPARATOR} ".join(out)


def paper_doc(paper, tags_text: Callable[[str], str], glossary=None) -> Doc:
    """The index document of a paper; ``tags_text`` gives the tokens of one tag, ``glossary``
    (a :class:`papernotes.glossary.Glossary`) the other-language forms of its terms."""
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
    if paper.status:
        facets.append(facet("s", word_facet(paper.status)))
    facets += sorted({facet("m", word_facet(m)) for note in paper.notes for m in note.marks})
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
    columns["glossary"] = glossary_column(glossary, untranslated(paper), columns)
    doc = Doc(paper.id, paper.title, list(paper.tags), paper.year, texts, columns)
    doc.links = [(link.id, link.why) for link in paper.related]
    return doc


class TagEntry:
    """A tag as queries see it: every name it answers to, and its parent (a filter includes
    the tags below it; queries expand the parent links, so the index stays linear in the
    taxonomy's size however deep it is)."""

    def __init__(self, name: str, names: list[str], parent: str | None, text: str):
        self.name, self.names, self.parent, self.text = name, names, parent, text


def tag_entries(taxonomy) -> tuple[list[TagEntry], dict[str, str]]:
    """Per-tag entries and the lookup from :func:`term_key` to canonical name.

    Owners come from ``Taxonomy.resolve`` so a name shared by two tags (an error that
    ``validate`` reports) goes where the rest of papernotes sends it.
    """
    entries: list[TagEntry] = []
    keys: dict[str, str] = {}
    for name, tag in taxonomy.tags.items():
        names = list(dict.fromkeys([name, tag.en, tag.zh, *tag.aliases]))
        entries.append(TagEntry(name, names, tag.parent, tag_text(name, tag)))
        for text in names:
            key = term_key(text)
            if key:
                keys.setdefault(key, taxonomy.resolve(text) or name)
    return entries, keys
