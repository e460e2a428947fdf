"""Any query string is answered: a list of hits, or a UsageError, never anything else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papernotes.errors import UsageError
from papernotes.index import Hit, search, select
from papernotes.index.query import compile_query, lex, parse
from papernotes.index.snippet import find, matches
from papernotes.store.kb import KnowledgeBase
from papernotes.text import tokenize, word_spans
from tests.test_search_support import make_kb

FRAGMENTS = [
    '"',
    "(",
    ")",
    "*",
    "-",
    "+",
    "^",
    ":",
    "|",
    "NEAR",
    "NEAR/2",
    "AND",
    "OR",
    "NOT",
    "tag:",
    "tag:ntk",
    "tag:NTK",
    'tag:"neural tangent',
    "venue:",
    "venue:iclr",
    "year:",
    "year:2020",
    "year:..",
    "year:>=",
    "decision:accept",
    "lang:zh",
    "lang:",
    "ntk",
    "CNTK",
    "收敛",
    "宽网络",
    "基于NTK理论",
    "lottery",
    "ticket",
    "彩票假设",
    "'",
    "\\",
    "{",
    "}",
    "[",
    "]",
    "\x00",
    "\u3000",
    "ｎｔｋ",
    "\udcff",
    "conv*",
    "-gan",
    "--",
    "NOT(",
    "col:",
]
QUERIES = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(blacklist_categories=())),  # surrogates included
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=12).map(" ".join),
    st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join),
)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    root = make_kb(tmp_path_factory.mktemp("prop") / "kb")
    return root, root.parent / "cache"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=QUERIES)
def test_any_query_gives_hits_or_a_usage_error(shared, monkeypatch, query):
    root, cache = shared
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(cache))
    kb = KnowledgeBase(root)
    try:
        hits = search(kb, query)
    except UsageError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(hits, list) and all(isinstance(h, Hit) for h in hits)
    for hit in hits:
        for start, end in hit.spans:
            assert 0 <= start < end <= len(hit.snippet_text)
    assert select(kb, query) == [h.id for h in search(kb, query, limit=None)]


@settings(max_examples=300, deadline=None)
@given(query=QUERIES)
def test_the_parser_never_fails(query):
    lex(query)
    parse(query)


@settings(max_examples=300, deadline=None)
@given(text=st.text(), needle=st.text(min_size=1, max_size=4))
def test_highlights_stay_inside_the_text(text, needle):
    needles = {("text", " ".join(tokenize(needle, bigrams=False))), ("prefix", needle.lower())}
    for start, end, _ in find(text, needles):
        assert 0 <= start < end <= len(text)


ASCII_TEXT = st.text(alphabet=st.sampled_from("abcXYZ019 -_.,'\"\n"), max_size=40)


@settings(max_examples=500, deadline=None)
@given(text=ASCII_TEXT, words=st.lists(ASCII_TEXT | st.sampled_from(["收敛", "网络"]), max_size=3))
def test_ascii_text_is_matched_as_any_text_is(text, words):
    """ASCII text skips the needles whose runs it lacks before matching; what it finds is
    what the general way finds (the text made non-ASCII by a word after it)."""
    needles = {("text", " ".join(tokenize(w, bigrams=False))) for w in words}
    needles |= {("prefix", " ".join(tokenize(w, bigrams=False))) for w in words}
    general = [m for m in matches(text + " 中", needles) if m[1] <= len(text)]
    assert sorted(matches(text, needles)) == sorted(general)


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_word_spans_cover_what_tokenize_sees(text):
    runs = [norm for _, _, norm, _ in word_spans(text)]
    for start, end, _, _ in word_spans(text):
        assert 0 <= start < end <= len(text)
    if text.isascii():
        assert runs == tokenize(text)


def test_compile_needs_no_index():
    """The compiler is pure: a vocabulary in, an FTS5 expression out."""
    from papernotes.index.query import Vocabulary

    vocab = Vocabulary({"ntk": "NTK"}, {"NTK": ["NTK", "CNTK"]}, {"NTK": None}, [2020])
    compiled = compile_query(parse("ntk -gan year:2020"), vocab)
    assert '"ntk"' in compiled.match and '"cntk"' in compiled.match
    assert "NOT" in compiled.match and '"·y·2020"' in compiled.match
    assert ("text", "ntk") in compiled.typed
