"""Property tests: open-ended input never raises; records round-trip byte for byte."""

from __future__ import annotations

import datetime as dt
import io
import string

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from papernotes.cli import cli
from papernotes.cli.common import plain, safe_text
from papernotes.errors import UsageError
from papernotes.model.ids import check_id, filename_for, parse_paper_ref
from papernotes.model.record import LINK_KEY, Note, Paper, Ref, Related
from papernotes.store.records import dump_record, load_record, load_taxonomy

from .conftest import no_traceback, nonblank

FAST = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# -- strategies -----------------------------------------------------------------------------

anything = st.characters(blacklist_categories=("Cs",))  # every code point but surrogates
text = st.text(anything, min_size=1, max_size=60)
# title, venue, decision: one line, none of the control characters the model refuses
line = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(map(chr, [*range(0, 32), 127])),
    ),
    min_size=1,
    max_size=60,
)
openreview_id = st.from_regex(r"\A[A-Za-z0-9_][A-Za-z0-9_-]{3,20}\Z")
paper_id = st.one_of(
    openreview_id,
    st.from_regex(r"\A\d{4}\.\d{4,5}\Z").map(lambda s: "arxiv:" + s),
    st.from_regex(r"\A10\.\d{4,9}/[a-z0-9._;()/:-]{1,30}\Z")
    .filter(lambda s: ".." not in s.split("/"))
    .map(lambda s: "doi:" + s),
    st.from_regex(r"\A[a-z0-9][a-z0-9._-]{0,30}\Z").map(lambda s: "url:" + s),
).filter(lambda s: _valid(s))
url = st.from_regex(r"\Ahttps?://[!-~]{1,40}\Z")
date = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))


def _valid(pid: str) -> bool:
    try:
        check_id(pid)
    except ValueError:
        return False
    return True


@st.composite
def notes(draw) -> Note:
    lang = draw(st.sampled_from(["zh", "en"]))
    other = draw(st.one_of(st.none(), text))
    return Note(
        lang=lang,
        zh=draw(text) if lang == "zh" else other,
        en=draw(text) if lang == "en" else other,
        source=draw(text),
        date=draw(date),
    )


@st.composite
def papers(draw) -> Paper:
    pid = draw(paper_id)
    related_ids = draw(st.lists(paper_id.filter(lambda r: r != pid), max_size=3, unique=True))
    return Paper(
        id=pid,
        title=draw(line),
        authors=draw(st.lists(text, max_size=4)),
        venue=draw(st.one_of(st.none(), line)),
        year=draw(st.one_of(st.none(), st.integers(1900, 2100))),
        decision=draw(st.one_of(st.none(), line)),
        ratings=draw(st.lists(st.integers(-(10**6), 10**6), max_size=5)),
        abstract=draw(st.one_of(st.none(), text)),
        tldr=draw(st.one_of(st.none(), text)),
        keywords=draw(st.lists(text, max_size=4)),
        links=draw(st.dictionaries(st.from_regex(LINK_KEY, fullmatch=True), url, max_size=4)),
        tags=draw(st.lists(text, max_size=4, unique=True)),
        notes=draw(st.lists(notes(), max_size=3)),
        related=[Related(id=r, why=draw(text)) for r in related_ids],
        refs=draw(st.lists(st.builds(Ref, url=url, label=st.one_of(st.none(), text)), max_size=3)),
        bibtex=draw(st.one_of(st.none(), text)),
        added=draw(st.one_of(st.none(), date)),
        updated=draw(st.one_of(st.none(), date)),
    )


# -- records --------------------------------------------------------------------------------


@FAST
@given(paper=papers())
@example(
    paper=Paper(
        id="abcdEFGH12",
        title="t",
        notes=[Note(lang="en", en="\x85", source="a\x85b\n\x85", date=dt.date(2026, 1, 2))],
    )
)
def test_every_field_round_trips_byte_for_byte(tmp_path_factory, paper):
    """dump -> load -> dump, over every field of a record, with any Unicode text."""
    folder = tmp_path_factory.mktemp("rt")
    path = folder / filename_for(paper.id)
    first = dump_record(paper)
    path.write_bytes(first.encode("utf-8"))
    loaded = load_record(path, "p")
    assert loaded.problems == [], loaded.problems
    assert loaded.paper == paper
    assert dump_record(loaded.paper) == first
    assert loaded.raw == first.encode("utf-8")


YAML_TOKENS = [*": -[]{}!&*?|>'\"#%@`,\n\t\r\\中\x85", "id", "title", "<<", "!!", "---"]
yamlish = st.lists(st.sampled_from(YAML_TOKENS) | anything, max_size=120).map("".join)


@FAST
@given(data=st.one_of(st.binary(max_size=300), yamlish.map(lambda s: s.encode("utf-8"))))
@example(data=b"id: x\ntitle: t\nadded: 2026-02-30\n")
@example(data=b"[" * 3000 + b"]" * 3000)
@example(data=b"\xef\xbb\xbf\xef\xbb\xbfid: x\n")
def test_any_bytes_as_a_record_load_or_report(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("bytes")
    path = folder / "abcdEFGH12.yaml"
    path.write_bytes(data)
    loaded = load_record(path, "papers/abcdEFGH12.yaml")  # must not raise
    assert loaded.paper is not None or loaded.problems
    for problem in loaded.problems:
        assert problem.path == "papers/abcdEFGH12.yaml"
        assert "\n" not in str(problem) and "\r" not in str(problem)
    _, problems, _ = load_taxonomy(path, "tags.yaml")  # must not raise either
    for problem in problems:
        assert problem.path == "tags.yaml"
        assert "\n" not in str(problem) and "\r" not in str(problem)


# -- arguments ----------------------------------------------------------------------------


@FAST
@given(arg=st.text(anything, max_size=80))
@example(arg="[bold]x")
@example(arg="https://[::1]/")
@example(arg="https://openreview.net/forum?id=")
@example(arg="doi:10.1000/" + "a" * 300)
def test_any_paper_argument_is_an_id_or_a_usage_error(arg):
    try:
        pid = parse_paper_ref(arg)
    except UsageError as exc:
        assert str(exc)
        return
    check_id(pid)
    assert "/" not in filename_for(pid) and not filename_for(pid).startswith(".")


@pytest.fixture(scope="module")
def module_kb(tmp_path_factory):
    from ..conftest import RECORD, RELATED, TAGS

    root = tmp_path_factory.mktemp("kbprop")
    (root / "papers").mkdir()
    (root / "papers" / "H1gEP6NFwr.yaml").write_text(RECORD, encoding="utf-8")
    (root / "papers" / "HygrAR4tPS.yaml").write_text(RELATED, encoding="utf-8")
    (root / "tags.yaml").write_text(TAGS, encoding="utf-8")
    return root


@settings(max_examples=80, deadline=None)
@given(arg=st.text(anything, max_size=60).filter(lambda s: not s.startswith("-")))
def test_show_and_list_answer_any_argument_in_one_line(module_kb, arg):
    runner = CliRunner()
    # An empty or blank tag is a usage error (2); any other unknown tag is not found (3).
    tag_codes = {2} if not arg.strip() else {0, 3}
    for args, codes in ((["show", arg], {0, 2, 3}), (["list", "--tag", arg], tag_codes)):
        result = runner.invoke(cli, ["--root", str(module_kb), *args], catch_exceptions=False)
        no_traceback(result.stdout, result.stderr)
        assert result.exit_code in codes, (args, result.stderr)
        if result.exit_code:
            assert len(nonblank(result.stderr)) == 1
            assert nonblank(result.stderr)[0].startswith("Error: ")


# -- terminal output ----------------------------------------------------------------------


def _render(markup: str) -> str:
    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=10_000, no_color=True, highlight=False, emoji=False).print(
        markup, end=""
    )
    return out.getvalue()


markupish = st.lists(
    st.sampled_from(list("[]/\\ab @#=:") + ["bold", "red", "link"]) | anything, max_size=40
).map("".join)


@settings(max_examples=300, deadline=None)
@given(value=markupish)
@example(value="x\\")
@example(value="\\[bold]")
@example(value="[/]")
@example(value="a\\\\")
def test_safe_text_prints_exactly_what_was_typed(value):
    value = value.replace("\n", " ").replace("\r", " ").replace("\t", " ")  # rich expands tabs
    want = plain(value)
    for template in ("{}", "[bold]{}[/]", "[dim]{}[/dim] tail", "x{}[red]y[/red]"):
        got = _render(template.format(safe_text(value)))
        assert got == template.replace("[bold]", "").replace("[/]", "").replace(
            "[dim]", ""
        ).replace("[/dim]", "").replace("[red]", "").replace("[/red]", "").format(want)
    assert not any(ord(c) < 32 and c not in "\t" or 0x7F <= ord(c) <= 0x9F for c in want)


# -- import --------------------------------------------------------------------------------

note_line = st.one_of(
    st.sampled_from(
        [
            "https://openreview.net/forum?id=H1gEP6NFwr",
            "https://openreview.net/pdf?id=HygrAR4tPS",
            "- https://openreview.net/forum?id=abcdEFGH12 ",
            "* [A title](https://openreview.net/forum?id=zyxwVUTS98)",
            "https://openreview.net/forum?id=",
            "https://openreview.net/forum?id=../../etc",
            "https://arxiv.org/abs/1805.08651",
            "see also https://openreview.net/forum?id=H1gEP6NFwr",
            "和上面似乎类似",
            "the one above",
            "# Heading",
            "",
            "\t",
            '略神奇. 如何比较"easy to tune"?',
            "[bold red]x[/bold red] \x1b[2J",
        ]
    ),
    st.text(anything, max_size=60),
    st.text(st.sampled_from(list(string.printable)), max_size=60),
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(note_line, max_size=12), crlf=st.booleans())
def test_any_notes_file_imports_or_reports_lines(kb, tmp_path_factory, lines, crlf):
    """import --dry-run then import: exit 0 (with file:line warnings) or a one-line error;
    never a traceback, and whatever was written is valid."""
    folder = tmp_path_factory.mktemp("notes")
    path = folder / "reading.md"
    body = "\n".join(lines) + "\n"
    path.write_bytes(body.replace("\n", "\r\n").encode("utf-8") if crlf else body.encode())
    runner = CliRunner()
    for args in (["import", "--dry-run", str(path)], ["import", str(path)]):
        result = runner.invoke(cli, ["--root", str(kb), *args], catch_exceptions=False)
        no_traceback(result.stdout, result.stderr)
        assert result.exit_code in (0, 2), result.stderr
        if result.exit_code == 2:
            assert len(nonblank(result.stderr)) == 1
        for warning in [w for w in nonblank(result.stderr) if w.startswith("Warning")]:
            assert str(path) in warning or "reading.md" in warning
    check = runner.invoke(cli, ["--root", str(kb), "validate"], catch_exceptions=False)
    assert "Traceback" not in check.stdout
    bad = [x for x in nonblank(check.stdout) if "has no record" not in x]
    assert bad == [], bad
