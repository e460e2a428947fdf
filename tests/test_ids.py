import pytest

from papernotes.errors import UsageError
from papernotes.model.ids import check_id, filename_for, id_from_filename, parse_paper_ref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H1gEP6NFwr", "H1gEP6NFwr"),
        ("https://openreview.net/forum?id=H1gEP6NFwr", "H1gEP6NFwr"),
        ("https://openreview.net/pdf?id=H1gEP6NFwr", "H1gEP6NFwr"),
        ("http://www.openreview.net/pdf?id=Skey4eBYPS", "Skey4eBYPS"),
        ("openreview.net/forum?id=rkeO-lrYwr&noteId=x", "rkeO-lrYwr"),
        ("arxiv:1805.08651", "arxiv:1805.08651"),
        ("arXiv:1805.08651v2", "arxiv:1805.08651"),
        ("1805.08651", "arxiv:1805.08651"),
        ("https://arxiv.org/abs/1805.08651v2", "arxiv:1805.08651"),
        ("https://arxiv.org/pdf/1805.08651.pdf", "arxiv:1805.08651"),
        ("doi:10.1000/XYZ.1", "doi:10.1000/xyz.1"),
        ("https://doi.org/10.1000/abc", "doi:10.1000/abc"),
        ("url:my-notes", "url:my-notes"),
    ],
)
def test_parse_paper_ref(text, expected):
    assert parse_paper_ref(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "../../etc/passwd",
        "/etc/passwd",
        "a\x00b",
        "id\x1b[2J",
        "x" * 400,
        "https://example.com/paper",
        "doi:10.1000/../../x",
        "arxiv:nope",
        "ab",
    ],
)
def test_parse_paper_ref_rejects(text):
    with pytest.raises(UsageError):
        parse_paper_ref(text)


@pytest.mark.parametrize(
    "pid", ["H1gEP6NFwr", "arxiv:1805.08651", "doi:10.1000/a/b", "url:slug", "rkeO-lrYwr"]
)
def test_filename_round_trip(pid):
    name = filename_for(pid)
    assert "/" not in name and ":" not in name
    assert id_from_filename(name) == pid


def test_check_id_rejects_leading_dash():
    with pytest.raises(ValueError):
        check_id("-rf-everything")
