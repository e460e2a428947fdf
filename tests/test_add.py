"""`papernotes add`: new records, appended notes, tags, links, failures, prompts, the editor."""

from __future__ import annotations

import json
import re
import sys

import pytest
import yaml

from .conftest import write
from .openreview_server import running_server


def record(kb, name: str) -> dict:
    return yaml.safe_load((kb / "papers" / f"{name}.yaml").read_text(encoding="utf-8"))


def one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# -- metadata from the server -------------------------------------------------------------------
@pytest.mark.usefixtures("server")
def test_v2_paper_added_with_authors_and_abstract(run, kb):
    result = run("add", "https://openreview.net/forum?id=Pv2Accept1", "--note", "Worth a read.")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "Created papers/Pv2Accept1.yaml: A Placeholder Paper Accepted at ICLR 2024\n"
    )
    assert "  - metadata from OpenReview API v2: authors, venue, year, decision" in result.stdout
    assert "  - note 1 added (en)" in result.stdout
    data = record(kb, "Pv2Accept1")
    assert data["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert data["abstract"] == "PLACEHOLDER abstract of an accepted v2 paper."
    assert data["venue"] == "ICLR 2024" and data["decision"] == "Accept (poster)"
    note_id = data["notes"][0].pop("id")  # random, for merges (see test_share_merge.py)
    assert re.fullmatch(r"[0-9a-f]{8}", note_id)
    assert data["notes"] == [
        {"lang": "en", "en": "Worth a read.", "source": "cli", "date": data["added"]}
    ]
    assert result.stderr == ""
    assert run("validate").exit_code == 0


def test_v1_paper_added_with_authors_abstract_and_catalog_ratings(run, kb, server):
    result = run("add", "ryxz8CVYDH", "--tag", "optimization", "--note", "零阶优化的L2L")
    assert result.exit_code == 0, result.stderr
    data = record(kb, "ryxz8CVYDH")
    assert data["title"] == "Learning to Learn by Zeroth-Order Oracle"
    assert data["authors"][:2] == ["Yangjun Ruan", "Yuanhao Xiong"]
    assert data["abstract"].startswith("In the learning to learn (L2L) framework")
    assert data["ratings"] == [6, 8, 6] and data["decision"] == "Accept (Poster)"
    assert data["links"]["code"] == "https://github.com/RYoungJ/ZO-L2L"
    assert data["tags"] == ["optimization"]
    assert data["notes"][0]["lang"] == "zh" and data["notes"][0]["zh"] == "零阶优化的L2L"
    assert data["bibtex"].startswith("@inproceedings{")
    assert server.count("/v2/notes") == 1 and server.count("/v1/notes") == 1


def test_second_add_of_the_same_id_makes_no_request(run, kb, server):
    assert run("add", "SkgsACVKPH", "--note", "first").exit_code == 0
    # Drop the authors so the second add wants metadata again: it must come from the cache.
    path = kb / "papers" / "SkgsACVKPH.yaml"
    data = record(kb, "SkgsACVKPH")
    del data["authors"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    asked = server.count()
    result = run("add", "SkgsACVKPH", "--note", "second")
    assert result.exit_code == 0
    assert server.count() == asked
    assert record(kb, "SkgsACVKPH")["authors"] == ["Chaoqi Wang", "Guodong Zhang", "Roger Grosse"]


@pytest.mark.usefixtures("server")
def test_done_when_appends_to_an_existing_record_with_an_alias_tag(run, kb):
    write(
        kb / "papers" / "SkgsACVKPH.yaml",
        """\
        id: SkgsACVKPH
        title: Picking Winning Tickets Before Training by Preserving Gradient Flow
        tags:
        - optimization
        notes:
        - lang: zh
          zh: 原来的笔记
          source: seeds/a.txt
          date: 2026-01-01
        added: 2026-01-01
        """,
    )
    before = (kb / "papers" / "SkgsACVKPH.yaml").read_text(encoding="utf-8")
    result = run(
        "add",
        "https://openreview.net/forum?id=SkgsACVKPH",
        "--tag",
        "lth",
        "--note",
        "GraSP prunes at init.",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("Updated papers/SkgsACVKPH.yaml: Picking")
    assert "  - tags: +LTH" in result.stdout and "  - note 2 added (en)" in result.stdout
    data = record(kb, "SkgsACVKPH")
    assert data["tags"] == ["optimization", "LTH"]
    assert data["notes"][0] == yaml.safe_load(before)["notes"][0]  # untouched
    assert data["notes"][1]["en"] == "GraSP prunes at init."
    assert data["authors"] == ["Chaoqi Wang", "Guodong Zhang", "Roger Grosse"]  # filled in
    assert data["added"] == yaml.safe_load(before)["added"]
    assert run("validate").exit_code == 0


@pytest.mark.usefixtures("server")
def test_existing_values_are_not_overwritten_by_add(run, kb):
    result = run("add", "H1gEP6NFwr", "--note", "again")
    assert result.exit_code == 0
    data = record(kb, "H1gEP6NFwr")
    assert data["title"] == "On the Tunability of Optimizers in Deep Learning"
    assert data["links"] == {
        "forum": "https://openreview.net/forum?id=H1gEP6NFwr",
        "pdf": "https://openreview.net/pdf?id=H1gEP6NFwr",
    }
    assert data["authors"][0] == "Prabhu Teja Sivaprasad"
    assert data["related"] == [{"id": "HygrAR4tPS", "why": "非常相关的工作"}]


# -- offline -----------------------------------------------------------------------------------------
def test_no_fetch_creates_a_record_titled_from_the_catalog(run, kb, server):
    result = run("add", "rkgNKkHtvB", "--note", "LSH attention", "--no-fetch")
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "Created papers/rkgNKkHtvB.yaml: Reformer: The Efficient Transformer\n"
    )
    data = record(kb, "rkgNKkHtvB")
    assert data["title"] == "Reformer: The Efficient Transformer"
    assert data["decision"] == "Accept (Talk)" and data["venue"] == "ICLR 2020"
    assert data["notes"][0]["en"] == "LSH attention"
    assert data["authors"][0] == "Nikita Kitaev" and data["abstract"]  # the catalog has both
    assert result.stderr == ""  # so there is nothing to fetch later
    assert server.count() == 0


def test_offline_saves_from_the_catalog_with_a_refresh_hint(run, kb):
    result = run("add", "rkgNKkHtvB", "--note", "LSH attention")
    assert result.exit_code == 0
    assert record(kb, "rkgNKkHtvB")["title"] == "Reformer: The Efficient Transformer"
    warning, hint = result.stderr.splitlines()
    assert warning.startswith("Warning: could not fetch metadata: cannot reach 127.0.0.1:")
    assert warning.endswith("connection refused (offline, or the server is down)")
    assert hint == (
        "Hint: the record was saved with what is known; run 'papernotes refresh rkgNKkHtvB' "
        "later to fill in the rest"
    )


def test_offline_unknown_paper_keeps_the_note_under_a_placeholder_title(run, kb, monkeypatch):
    refused = run("add", "Pv2Accept1", "--note", "must not be lost")
    assert refused.exit_code == 2 and "pass --title TEXT" in refused.stderr
    assert not (kb / "papers" / "Pv2Accept1.yaml").exists()
    result = run("add", "Pv2Accept1", "--note", "must not be lost", "--yes")
    assert result.exit_code == 0
    data = record(kb, "Pv2Accept1")
    assert data["title"] == "Pv2Accept1" and data["notes"][0]["en"] == "must not be lost"
    assert "the title is unknown" in result.stderr
    # Back online: refresh replaces the placeholder and keeps the note.
    yield_server = running_server(monkeypatch)
    server = next(yield_server)
    try:
        refreshed = run("refresh", "Pv2Accept1")
        assert refreshed.exit_code == 0, refreshed.stderr
        data = record(kb, "Pv2Accept1")
        assert data["title"] == "A Placeholder Paper Accepted at ICLR 2024"
        assert data["notes"][0]["en"] == "must not be lost"
        assert server.count("/v2/notes") == 1
    finally:
        yield_server.close()


@pytest.mark.parametrize(
    ("fault", "options", "expected"),
    [
        ("rate_limit", {"times": 50}, "rate-limiting requests (429 Too Many Requests) after 6"),
        ("bad_json", {}, "the server answered something unexpected: malformed JSON"),
        ("html", {}, "the server answered something unexpected: HTML instead of JSON"),
        ("status", {"times": 50, "code": 503}, "keeps failing (503"),
    ],
)
def test_server_trouble_never_loses_the_note(run, kb, server, fault, options, expected):
    server.fail(fault, prefix="/v2/", **options)
    result = run("add", "rkgNKkHtvB", "--note", "kept")
    assert result.exit_code == 0
    assert expected in result.stderr.splitlines()[0]
    assert "papernotes refresh rkgNKkHtvB" in result.stderr
    data = record(kb, "rkgNKkHtvB")
    assert data["notes"][0]["en"] == "kept" and "bibtex" not in data  # nothing from online
    assert data["authors"][0] == "Nikita Kitaev"  # the offline catalog still answered


def test_slow_server_times_out_quickly(run, kb, server, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_HTTP_TIMEOUT", "2,0.3")
    server.fail("slow", delay=1.5, prefix="/v2/")
    result = run("add", "rkgNKkHtvB", "--note", "kept")
    assert result.exit_code == 0
    assert "sent no answer within 0.3 s (read timeout)" in result.stderr
    assert record(kb, "rkgNKkHtvB")["notes"][0]["en"] == "kept"


def test_429_then_success(run, kb, server):
    server.fail("rate_limit", prefix="/v1/notes", retry_after=0)
    result = run("add", "rkgNKkHtvB", "--note", "x")
    assert result.exit_code == 0 and result.stderr == ""
    assert record(kb, "rkgNKkHtvB")["authors"][0] == "Nikita Kitaev"
    assert server.count("/v1/notes") == 2


def test_500_then_200(run, kb, server):
    server.fail("status", code=500, prefix="/v1/notes")
    result = run("add", "rkgNKkHtvB", "--note", "x")
    assert result.exit_code == 0 and result.stderr == ""
    assert record(kb, "rkgNKkHtvB")["authors"][0] == "Nikita Kitaev"


def test_403_challenge_explains_the_token(run, kb, server, monkeypatch):
    server.require_token = "s3cret"
    result = run("add", "rkgNKkHtvB", "--note", "x")
    assert result.exit_code == 0
    assert "set PAPERNOTES_OPENREVIEW_TOKEN to an OpenReview API token" in result.stderr
    assert "bibtex" not in record(kb, "rkgNKkHtvB")  # only the offline catalog answered
    monkeypatch.setenv("PAPERNOTES_OPENREVIEW_TOKEN", "s3cret")
    result = run("refresh", "rkgNKkHtvB")
    assert result.exit_code == 0, result.stderr
    assert "bibtex" in record(kb, "rkgNKkHtvB")
    assert server.requests[-1].headers["Authorization"] == "Bearer s3cret"


@pytest.mark.usefixtures("server")
def test_404_without_a_title_writes_nothing(run, kb):
    result = run("add", "NoSuchPapr", "--note", "x")
    assert result.exit_code == 3
    assert one_error_line(result) == (
        "Error: no such paper on OpenReview: 'NoSuchPapr' "
        "(check the id, or pass --title to file it anyway)"
    )
    assert not (kb / "papers" / "NoSuchPapr.yaml").exists()


@pytest.mark.usefixtures("server")
def test_404_with_a_title_files_it_with_a_warning(run, kb):
    result = run("add", "NoSuchPapr", "--title", "My Own Title", "--note", "x")
    assert result.exit_code == 0
    assert result.stderr.strip() == (
        "Warning: could not fetch metadata: no such paper on OpenReview: 'NoSuchPapr'"
    )
    assert record(kb, "NoSuchPapr")["title"] == "My Own Title"


# -- arXiv -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("feed", ["current", "legacy"])
def test_arxiv_url_added(run, kb, server, feed):
    server.arxiv_format = feed
    result = run("add", "https://arxiv.org/abs/1910.11758v2", "--note", "benchmarking")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Created papers/arxiv%3A1910.11758.yaml: Optimizer")
    data = record(kb, "arxiv%3A1910.11758")
    assert data["id"] == "arxiv:1910.11758"
    assert data["authors"][-1] == "François Fleuret" and data["year"] == 2019
    assert data["links"]["arxiv"] == "https://arxiv.org/abs/1910.11758"
    assert server.count("/v2/") == 0


@pytest.mark.usefixtures("server")
def test_arxiv_missing_id(run, kb):
    result = run("add", "arxiv:1201.56789", "--note", "x")
    assert result.exit_code == 3
    assert "no such paper on arXiv: 'arxiv:1201.56789'" in one_error_line(result)
    assert list((kb / "papers").glob("arxiv*")) == []


@pytest.mark.usefixtures("server")
def test_arxiv_id_rejected_by_arxiv(run, kb):
    result = run("add", "arxiv:1234.12345", "--note", "x")
    assert result.exit_code == 2
    assert one_error_line(result) == (
        "Error: arXiv rejected the id 'arxiv:1234.12345': incorrect id format for 1234.12345"
    )
    assert list((kb / "papers").glob("arxiv*")) == []


@pytest.mark.parametrize(
    "bad", ["../../etc/passwd", "/etc/passwd", "", "a\x1b[2Jb", "arxiv:12", "x" * 400, "a\x00b"]
)
def test_bad_ids_are_rejected_before_anything(run, kb, server, bad):
    before = sorted(p.name for p in (kb / "papers").iterdir())
    result = run("add", bad, "--note", "x")
    assert result.exit_code == 2
    assert one_error_line(result).startswith("Error: ")
    assert sorted(p.name for p in (kb / "papers").iterdir()) == before
    assert server.count() == 0


def test_doi_needs_a_title(run, kb, server):
    result = run("add", "https://doi.org/10.1000/XYZ", "--note", "x")
    assert result.exit_code == 2
    assert "no title known for 'doi:10.1000/xyz': pass --title" in one_error_line(result)
    result = run("add", "doi:10.1000/xyz", "--title", "A DOI Paper", "--note", "x")
    assert result.exit_code == 0
    assert record(kb, "doi%3A10.1000%2Fxyz")["title"] == "A DOI Paper"
    assert server.count() == 0


# -- tags ------------------------------------------------------------------------------------------
def test_unknown_tag_suggests_and_writes_nothing(run, kb):
    before = (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes()
    result = run("add", "H1gEP6NFwr", "--tag", "lotery ticket", "--note", "x", "--no-fetch")
    assert result.exit_code == 3
    assert one_error_line(result) == (
        "Error: unknown tag 'lotery ticket' (did you mean 'LTH'?); pass --new-tag to create it"
    )
    assert (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes() == before


def test_new_tag_is_created_in_the_taxonomy(run, kb):
    result = run("add", "H1gEP6NFwr", "--tag", "benchmarks", "--new-tag", "--no-fetch")
    assert result.exit_code == 0, result.stderr
    assert "created tag 'benchmarks' in tags.yaml" in result.stdout
    tags = yaml.safe_load((kb / "tags.yaml").read_text(encoding="utf-8"))["tags"]
    assert tags["benchmarks"] == {
        "en": "benchmarks",
        "zh": "benchmarks",
        "description": "added by papernotes add",
    }
    assert "NTK" in tags and tags["NTK"]["parent"] == "deep-learning-theory"
    assert record(kb, "H1gEP6NFwr")["tags"] == ["optimization", "benchmarks"]
    assert run("validate").exit_code == 0


@pytest.mark.usefixtures("kb")
def test_new_tag_with_a_bad_name(run):
    result = run("add", "H1gEP6NFwr", "--tag", "no spaces!", "--new-tag", "--no-fetch")
    assert result.exit_code == 2
    assert "cannot create tag 'no spaces!'" in one_error_line(result)


def test_new_tag_refuses_a_broken_taxonomy(run, kb):
    tags_path = kb / "tags.yaml"
    tags_path.write_text(
        tags_path.read_text(encoding="utf-8") + "  broken:\n    en: Broken\n", encoding="utf-8"
    )
    before = tags_path.read_bytes()
    result = run("add", "H1gEP6NFwr", "--tag", "fresh", "--new-tag", "--no-fetch")
    assert result.exit_code == 6
    assert one_error_line(result).startswith("Error: tags.yaml:")
    assert tags_path.read_bytes() == before


# -- related ---------------------------------------------------------------------------------------
@pytest.mark.usefixtures("server")
def test_related_link_in_both_records(run, kb):
    result = run(
        "add", "rkgNKkHtvB", "--note", "x", "--related", "H1gEP6NFwr", "--why", "both ICLR 2020"
    )
    assert result.exit_code == 0, result.stderr
    assert "  - related: +H1gEP6NFwr" in result.stdout
    assert "  - related: +rkgNKkHtvB in H1gEP6NFwr's record" in result.stdout
    assert record(kb, "rkgNKkHtvB")["related"] == [{"id": "H1gEP6NFwr", "why": "both ICLR 2020"}]
    other = record(kb, "H1gEP6NFwr")
    assert other["related"][-1] == {"id": "rkgNKkHtvB", "why": "both ICLR 2020"}
    assert len(other["notes"]) == 1  # only the link changed there
    assert run("validate").exit_code == 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--related", "NoSuchOne1", "--why", "w"], 3, "Error: no paper 'NoSuchOne1'"),
        (["--related", "HygrAR4tPS"], 2, "Error: --related needs --why TEXT"),
        (["--why", "w"], 2, "Error: --why goes with --related ID"),
        (["--related", "H1gEP6NFwr", "--why", "w"], 2, "Error: a paper cannot be related to"),
        (["--note", "a", "--note-file", "f"], 2, "Error: give the note once"),
        (["--note", "   "], 2, "Error: the note is empty"),
        (["--note-file", "/nonexistent/n.txt"], 2, "Error: cannot read note file"),
        (["--title", "\x07"], 2, "Error: the title contains control characters"),
    ],
)
@pytest.mark.usefixtures("server")
def test_usage_errors_are_one_line(run, kb, args, code, message):
    before = (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes()
    result = run("add", "H1gEP6NFwr", "--no-fetch", *args)
    assert result.exit_code == code
    assert one_error_line(result).startswith(message)
    assert (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes() == before


# -- where the note comes from ------------------------------------------------------------------------
def test_note_from_stdin_and_lang_detection(run, kb):
    result = run("add", "H1gEP6NFwr", "--note", "-", "--no-fetch", input="第一行\r\n第二行 NTK\r\n")
    assert result.exit_code == 0
    note = record(kb, "H1gEP6NFwr")["notes"][-1]
    assert note["lang"] == "zh" and note["zh"] == "第一行\n第二行 NTK"


def test_note_file_and_forced_lang(run, kb, tmp_path):
    path = tmp_path / "note.md"
    path.write_text("中文 but mostly English words here\n", encoding="utf-8")
    result = run("add", "H1gEP6NFwr", "--note-file", str(path), "--lang", "en", "--no-fetch")
    assert result.exit_code == 0
    assert record(kb, "H1gEP6NFwr")["notes"][-1]["en"] == "中文 but mostly English words here"
    path.write_bytes(b"\xff\xfe bad")
    result = run("add", "H1gEP6NFwr", "--note-file", str(path), "--no-fetch")
    assert result.exit_code == 2 and "is not UTF-8 text" in one_error_line(result)


def test_same_note_twice_is_not_duplicated(run, kb):
    assert run("add", "H1gEP6NFwr", "--note", "once", "--no-fetch").exit_code == 0
    result = run("add", "H1gEP6NFwr", "--note", "once", "--no-fetch")
    assert result.exit_code == 0
    assert result.stdout.startswith("Nothing changed in papers/H1gEP6NFwr.yaml")
    assert "already in the record" in result.stderr
    assert [n.get("en") for n in record(kb, "H1gEP6NFwr")["notes"]].count("once") == 1


def test_edit_opens_the_editor_on_a_commented_template(run, kb, tmp_path, monkeypatch):
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        "text = open(path, encoding='utf-8').read()\n"
        "assert text.startswith('# Write your note on H1gEP6NFwr below')\n"
        "assert 'draft' in text\n"
        "open(path, 'w', encoding='utf-8').write(text.replace('draft', 'Line one\\n\\n# kept'))\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    result = run("add", "H1gEP6NFwr", "--edit", "--note", "draft", "--no-fetch")
    assert result.exit_code == 0, result.stderr
    assert record(kb, "H1gEP6NFwr")["notes"][-1]["en"] == "Line one\n\n# kept"


def test_edit_left_empty_adds_nothing(run, kb, tmp_path, monkeypatch):
    script = tmp_path / "editor.py"
    script.write_text("import sys\nopen(sys.argv[1], 'w').write('# only comments\\n')\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    before = (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes()
    result = run("add", "H1gEP6NFwr", "--edit", "--no-fetch")
    assert result.exit_code == 2
    assert one_error_line(result) == ("Error: the note from the editor is empty; nothing was added")
    assert (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes() == before


# -- prompts -------------------------------------------------------------------------------------------
def test_without_a_terminal_nothing_is_asked(run, kb):
    # No input is given: a prompt would abort the command.
    result = run("add", "rkgNKkHtvB", "--no-fetch")
    assert result.exit_code == 0
    assert record(kb, "rkgNKkHtvB").get("notes") is None
    assert result.stderr.count("?") == 0 and "Note (" not in result.stderr


def test_on_a_terminal_missing_things_are_asked(run, kb, monkeypatch):
    monkeypatch.setattr("papernotes.cli.commands.add._interactive", lambda: True)
    result = run(
        "add", "doi:10.1000/abc", input="Typed Title\nA typed note\nntk, nosuchtag\nntk, lth\n"
    )
    assert result.exit_code == 0, result.stderr
    assert "Title" in result.stderr and "Note (" in result.stderr
    assert "unknown tag 'nosuchtag'" in result.stderr  # asked again
    data = record(kb, "doi%3A10.1000%2Fabc")
    assert data["title"] == "Typed Title"
    assert data["notes"][0]["en"] == "A typed note"
    assert data["tags"] == ["NTK", "LTH"]
    assert result.stdout.startswith("Created papers/doi%3A10.1000%2Fabc.yaml: Typed Title")


@pytest.mark.usefixtures("kb")
def test_on_a_terminal_the_reason_for_related_is_asked(run, monkeypatch):
    monkeypatch.setattr("papernotes.cli.commands.add._interactive", lambda: True)
    result = run(
        "add",
        "H1gEP6NFwr",
        "--note",
        "n",
        "--related",
        "HygrAR4tPS",
        "--no-fetch",
        input="same topic\n",
    )
    assert result.exit_code == 0
    assert "Why is HygrAR4tPS related" in result.stderr
    assert result.stdout.count("related") == 0  # already linked both ways in the fixture
    assert "already related to 'HygrAR4tPS'" in result.stderr


# -- reports and safety ------------------------------------------------------------------------------
@pytest.mark.usefixtures("kb", "server")
def test_json_report(run):
    result = run("add", "rkgNKkHtvB", "--note", "LSH", "--tag", "CNTK", "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["id"] == "rkgNKkHtvB" and report["created"] is True
    assert report["path"] == "papers/rkgNKkHtvB.yaml"
    assert report["note_added"] is True and report["note_lang"] == "en"
    assert report["tags_added"] == ["NTK"]
    assert report["sources"] == ["offline catalog", "OpenReview API v1"]
    assert "authors" in report["metadata_fields"] and report["fetch_error"] is None
    assert report["warnings"] == [] and report["changed"] is True


@pytest.mark.usefixtures("kb")
def test_json_report_carries_the_failure(run):
    result = run("add", "rkgNKkHtvB", "--note", "LSH", "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["fetch_error"].startswith("cannot reach 127.0.0.1:")
    assert report["hints"][0].startswith("the record was saved with what is known")


def test_a_broken_record_is_never_overwritten(run, kb):
    path = kb / "papers" / "SkgsACVKPH.yaml"
    path.write_text("id: SkgsACVKPH\ntitle: [unclosed\n", encoding="utf-8")
    before = path.read_bytes()
    result = run("add", "SkgsACVKPH", "--note", "x", "--no-fetch")
    assert result.exit_code == 6
    assert one_error_line(result).startswith("Error: papers/SkgsACVKPH.yaml:")
    assert path.read_bytes() == before


def test_markup_in_notes_is_stored_and_printed_literally(run, kb):
    result = run("add", "H1gEP6NFwr", "--note", "[bold red]x[/bold red]", "--no-fetch")
    assert result.exit_code == 0
    assert record(kb, "H1gEP6NFwr")["notes"][-1]["en"] == "[bold red]x[/bold red]"
    assert "\x1b" not in result.stdout


def test_add_help_stays_light():
    import subprocess

    code = (
        "import sys\nfrom papernotes.cli import cli\n"
        "for name in ('add', 'refresh'):\n"
        "    try:\n        cli.main([name, '--help'], standalone_mode=False)\n"
        "    except SystemExit:\n        pass\n"
        "print('HEAVY:' + ' '.join(m for m in ('requests', 'pydantic', 'rich') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--note-file" in out.stdout and "--no-cache" in out.stdout
    assert out.stdout.splitlines()[-1] == "HEAVY:"
