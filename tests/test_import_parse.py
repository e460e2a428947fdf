"""The pure parts of the importer: parsing notes text, titles, tag suggestions, decoding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.errors import UsageError
from papernotes.importers.parse import parse_notes
from papernotes.importers.resolve import (
    acronym_spellings,
    fix_acronyms,
    normalize_title,
    note_language,
    resolve,
)
from papernotes.importers.source import decode_notes
from papernotes.importers.tagging import Tagger
from papernotes.model.taxonomy import Tag, Taxonomy


def parse(text: str):
    return parse_notes(text, "notes.md")


def notes(text: str) -> dict[str, str]:
    return {e.paper_id: e.note for e in parse(text).entries}


def test_url_forms_and_list_markers():
    text = (
        "- https://openreview.net/forum?id=AAAAaaaa01\n"
        "* http://www.openreview.net/pdf?id=BBBBbbbb02 note two\n"
        "+ openreview.net/forum?id=CCCCcccc03, note three\n"
        "1. www.openreview.net/pdf?id=DDDDdddd04: note four\n"
        "2) [Title five](openreview.net/forum?id=EEEEeeee05) - note five\n"
        "https://openreview.net/forum?id=FFFFffff06&noteId=FFFFffff06.\n"
    )
    assert notes(text) == {
        "AAAAaaaa01": "",
        "BBBBbbbb02": "note two",
        "CCCCcccc03": "note three",
        "DDDDdddd04": "note four",
        "EEEEeeee05": "note five",
        "FFFFffff06": "",
    }


def test_title_before_the_link_in_a_list_item():
    [entry] = parse("- Deep Double Descent: https://openreview.net/forum?id=B1g5sA4twr\n").entries
    assert entry.title_hint == "Deep Double Descent" and entry.note == ""
    # not a title: a relation phrase, or a link in the middle of a plain line
    parsed = parse(
        "- https://openreview.net/forum?id=B1g5sA4twr\n"
        "  see also: https://openreview.net/forum?id=H1gBsgBYwH\n"
    )
    assert [e.paper_id for e in parsed.entries] == ["B1g5sA4twr"]
    assert parsed.entries[0].relations[0].target == "H1gBsgBYwH"


def test_multiline_link_text_and_headings_of_any_level():
    text = (
        "# Reading\n"
        "###### Deep\n"
        "1. [A LONG TITLE\n"
        "ON TWO LINES](https://openreview.net/pdf?id=AAAAaaaa01): first line\n"
        "   second line\n"
        "#### Next section\n"
        "Text under a heading belongs to no paper.\n"
        "**Bold** words inside a note stay.\n"
        "**Section in bold**\n"
        "https://openreview.net/pdf?id=BBBBbbbb02\n"
        "**not a heading** when inside a note\n"
        "---\n"
        "after a rule\n"
    )
    parsed = parse(text)
    first, second = parsed.entries
    assert first.title_hint == "A LONG TITLE ON TWO LINES"
    assert first.note == "first line\nsecond line"
    assert first.section == "Deep"
    assert second.section == "Section in bold"
    assert second.note == "**not a heading** when inside a note"
    assert [(w.line, w.message) for w in parsed.warnings] == [
        (
            7,
            "text outside any entry (lines 7-8); not imported (indent it under an entry, or put a paper link on its first line)",
        ),
        (
            13,
            "text outside any entry (line 13); not imported (indent it under an entry, or put a paper link on its first line)",
        ),
    ]


def test_nested_lists_stay_in_the_note_and_siblings_do_not():
    text = (
        "1. [A](https://openreview.net/pdf?id=AAAAaaaa01):\n"
        "   1. first point\n"
        "   2. second point\n"
        "2. a sibling item without a link\n"
        "   its continuation\n"
        "3. [B](https://openreview.net/pdf?id=BBBBbbbb02): b\n"
    )
    parsed = parse(text)
    assert notes(text) == {"AAAAaaaa01": "1. first point\n2. second point", "BBBBbbbb02": "b"}
    assert [(w.line, w.message) for w in parsed.warnings] == [
        (
            4,
            "list item has no paper link on its first line; not imported (put an OpenReview, arXiv or DOI link on that line)",
        )
    ]


def test_relations_previous_see_also_and_links():
    text = (
        "https://openreview.net/pdf?id=AAAAaaaa01\n"
        "first\n\n"
        "https://openreview.net/pdf?id=BBBBbbbb02\n"
        "和上面似乎类似. 另一句\n\n"
        "https://openreview.net/pdf?id=CCCCcccc03\n"
        "Nice. See also CCCCcccc04 for more.\n"
        "related work: [D](https://openreview.net/forum?id=DDDDdddd05); and [E](https://e.org/x)\n"
    )
    a, b, c = parse(text).entries
    assert a.relations == []
    assert [(r.target, r.why) for r in b.relations] == [(None, "和上面似乎类似.")]
    assert [(r.target, r.why, r.line) for r in c.relations] == [
        ("CCCCcccc04", "See also CCCCcccc04 for more.", 8),
        ("DDDDdddd05", "related work: D;", 9),
    ]
    assert [(m.url, m.label) for m in c.refs] == [("https://e.org/x", "E")]
    assert c.note.endswith("related work: D; and E")


def test_relation_phrases_that_are_not_links():
    text = (
        "https://openreview.net/pdf?id=AAAAaaaa01\n"
        "Other related works focus on something else.\n"
        "和slimmable network相关, 在CIFAR-10上面表现好\n"
    )
    assert parse(text).entries[0].relations == []


def test_first_entry_cannot_point_above():
    parsed = parse("https://openreview.net/pdf?id=AAAAaaaa01\nthe one above is similar\n")
    resolution = resolve([parsed], lambda _pid: None)
    assert resolution.links == []
    assert "refers to the entry above, but AAAAaaaa01 is the first entry" in str(
        resolution.warnings[0]
    )


def test_same_paper_twice_in_a_file_joins_the_notes():
    parsed = parse(
        "https://openreview.net/pdf?id=AAAAaaaa01\none\n\n"
        "https://openreview.net/pdf?id=AAAAaaaa01\ntwo\n"
    )
    resolution = resolve([parsed], lambda _pid: None)
    [note] = resolution.papers["AAAAaaaa01"].notes
    assert note.text == "one\n\ntwo"
    assert resolution.warnings[0].line == 4
    assert resolution.papers["AAAAaaaa01"].title == "AAAAaaaa01"


def test_titles_are_made_readable():
    spellings = acronym_spellings()
    assert normalize_title("GENERAL INCOMPRESSIBLE-FLOW NETWORKS (GIN)", spellings) == (
        "General Incompressible-Flow Networks (GIN)"
    )
    assert normalize_title("TRAINING GANS WITH SGD AND RELU", spellings) == (
        "Training GANs with SGD and ReLU"
    )
    assert normalize_title("BatchEnsemble: AN ALTERNATIVE APPROACH", spellings) == (
        "BatchEnsemble: An Alternative Approach"
    )
    assert normalize_title("LAMB", spellings) == "LAMB"
    assert normalize_title("Hamiltonian Generative Networks", spellings) == (
        "Hamiltonian Generative Networks"
    )
    assert fix_acronyms("Sgd Learns One-layer Networks in Wgans", spellings) == (
        "SGD Learns One-layer Networks in WGANs"
    )


def test_note_language_ignores_a_pasted_title():
    assert (
        note_language("A VERY LONG PASTED TITLE OF THE PAPER IN CAPITALS\n简单有效的方法") == "zh"
    )
    assert note_language("NESTED LEARNING FOR MULTI-GRANULAR TASKS") == "en"


def taxonomy() -> Taxonomy:
    def tag(en, zh, aliases=(), parent=None):
        return Tag(en=en, zh=zh, aliases=list(aliases), parent=parent, description="d")

    return Taxonomy(
        {
            "theory": tag("Deep learning theory", "深度学习理论"),
            "NTK": tag("Neural tangent kernel", "神经正切核", ["CNTK"], "theory"),
            "GAN": tag("Generative adversarial network", "生成对抗网络"),
            "min-max": tag("Min-max games", "极小极大", ["saddle point"]),
        }
    )


@pytest.mark.parametrize(
    "text, tags",
    [
        ("training GANs is hard", ["GAN"]),
        ("the organ of a GAN-based model", ["GAN"]),
        ("an organic result", []),
        ("NTK的spectra的分析", ["NTK"]),
        ("这是神经正切核的分析", ["NTK"]),
        ("a min max game, or a minmax one; saddle-point", ["min-max"]),
        ("deep learning theory, via the NTK", ["NTK"]),  # the parent is implied
        ("deep learning theory", ["theory"]),
        ("cntk wins", ["NTK"]),
    ],
)
def test_tag_suggestions(text, tags):
    assert Tagger(taxonomy()).suggest(text) == tags


def test_decoding():
    text = "https://openreview.net/pdf?id=AAAAaaaa01\n中文笔记\n"
    assert decode_notes(text.encode("gb18030"), "f") == (text, "GB18030")
    assert decode_notes(b"\xef\xbb\xbf" + text.encode(), "f") == (text, "UTF-8")
    assert decode_notes(b"\xfe\xff" + text.encode("utf-16-be"), "f") == (text, "UTF-16")
    with pytest.raises(UsageError, match="binary"):
        decode_notes(b"abc\x00def", "f")
    with pytest.raises(UsageError, match="binary"):
        decode_notes(b"abc\x1b[2Jdef", "f")


PIECES = [
    *'[]()#*-_ \n\t1.:"abAB中文',
    "https://openreview.net/pdf?id=AAAAaaaa01",
    "openreview.net/forum?id=",
    "[x](https://openreview.net/forum?id=BBBBbbbb02)",
    "https://arxiv.org/abs/1812.11118",
    "see also ",
    "the one above",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_any_text_parses_without_error(text):
    parsed = parse(text)
    for entry in parsed.entries:
        assert f"id={entry.paper_id}" in text or entry.paper_id.split(":")[-1] in text
        assert entry.note == entry.note.strip("\n")
    for warning in parsed.warnings:
        assert 1 <= warning.line <= text.count("\n") + 1


def test_relation_reason_has_no_list_marker_and_phrase_ids_link():
    text = (
        "- [A](https://openreview.net/forum?id=AAAAaaaa01): first\n"
        "- [B](https://openreview.net/forum?id=BBBBbbbb02): second\n"
        "  - the one above is close\n"
        "  - 另外一个相关的工作: CCCCcccc03\n"
    )
    _, b = parse(text).entries
    assert [(r.target, r.why) for r in b.relations] == [
        (None, "the one above is close"),
        ("CCCCcccc03", "另外一个相关的工作: CCCCcccc03"),
    ]


def test_refs_come_from_links_and_ids_but_never_from_code():
    [entry] = parse(
        "- [A](https://openreview.net/forum?id=AAAAaaaa01): cites doi:10.1038/nature14539,"
        " `https://example.org/in-code` and arXiv:1706.03762v2; [notes](./a.md)\n"
    ).entries
    assert [m.url for m in entry.refs] == ["doi:10.1038/nature14539", "arxiv:1706.03762v2"]
    assert entry.note.endswith("`https://example.org/in-code` and arXiv:1706.03762v2; notes")


def test_why_an_item_was_not_imported():
    parsed = parse(
        "- [A](https://openreview.net/forum?id=AAAAaaaa01): first\n"
        "- `https://openreview.net/forum?id=BBBBbbbb02` in code\n"
        "- see also https://openreview.net/forum?id=CCCCcccc03\n"
        "- [a blog](https://example.com/post)\n"
    )
    assert [(w.line, w.message) for w in parsed.warnings] == [
        (
            2,
            "list item's only link is inside `code`, which never counts; not imported "
            "(take the paper's link out of the backticks)",
        ),
        (
            3,
            "list item cites a paper after a relation phrase; not imported "
            "(start the item with the paper's own link)",
        ),
        (
            4,
            "list item links to no paper (OpenReview, arXiv or DOI); not imported "
            "(put an OpenReview, arXiv or DOI link on that line)",
        ),
    ]
