"""notes/*.md: link syntax, backlinks, `papernotes notes`, and dangling links in validate."""

from __future__ import annotations

import json

from papernotes.store.notes import backlinks, note_lang, parse_markdown
from tests.conftest import write


def raw(text):
    title, links = parse_markdown(text)
    return title, [(link.kind, link.raw, link.line) for link in links]


def test_links_with_line_numbers_in_order():
    text = (
        "intro\n# Title here #\nSee [[H1gEP6NFwr]] and #NTK, then [[arxiv:1805.08651|an ICA paper]].\n"
        "中文：#LTH 和 [[HygrAR4tPS]]。\n"
    )
    assert raw(text) == (
        "Title here",
        [
            ("paper", "H1gEP6NFwr", 3),
            ("tag", "NTK", 3),
            ("paper", "arxiv:1805.08651", 3),
            ("tag", "LTH", 4),
            ("paper", "HygrAR4tPS", 4),
        ],
    )


def test_code_urls_anchors_headings_and_numbers_are_not_links():
    text = (
        "---\ntitle: x\n---\n"
        "## Heading\n"
        "`[[InCode0001]]` and `#incode`\n"
        "```md\n[[Fenced0001]] #fenced\n```\n"
        "~~~\n#alsofenced\n~~~\n"
        "https://example.org/page#section, [jump](#heading), &#35;, issue #5, C#\n"
        "end of sentence #NTK.\n"
    )
    assert raw(text) == ("Heading", [("tag", "NTK", 13)])


def test_note_language_is_judged_line_by_line():
    english = "# Title\nSome English text.\nMore of it, with [[H1gEP6NFwr]].\n"
    chinese = "## 中文\n这是一段比较长的中文笔记，引用 Adam 与 SGD。\n"
    assert note_lang(english) == "en"
    assert note_lang(chinese) == "zh"
    assert note_lang(english + chinese) == "zh+en"
    assert note_lang("") == "en"


def test_notes_command_lists_titles_papers_and_tags(run, kb):
    write(kb / "notes" / "tuning.md", "# Tuning\n[[H1gEP6NFwr]] vs [[HygrAR4tPS]] #optimization\n")
    write(kb / "notes" / "empty.md", "no heading, no links\n")
    data = json.loads(run("notes", "--json").stdout)
    assert data == [
        {
            "path": "notes/empty.md",
            "title": "empty",
            "lang": "en",
            "papers": [],
            "tags": [],
            "links": 0,
        },
        {
            "path": "notes/tuning.md",
            "title": "Tuning",
            "lang": "en",
            "papers": ["H1gEP6NFwr", "HygrAR4tPS"],
            "tags": ["optimization"],
            "links": 3,
        },
    ]
    plain = run("notes").stdout.splitlines()
    assert plain[1] == "notes/tuning.md\tTuning\tH1gEP6NFwr,HygrAR4tPS\toptimization"
    assert [r["path"] for r in json.loads(run("notes", "--tag", "优化", "--json").stdout)] == [
        "notes/tuning.md"
    ]
    filtered = json.loads(run("notes", "--paper", "HygrAR4tPS", "--json").stdout)
    assert [r["path"] for r in filtered] == ["notes/tuning.md"]


def test_notes_command_when_there_are_none(run, monkeypatch):
    assert run("notes", "--json").stdout.strip() == "[]"
    monkeypatch.setattr("papernotes.cli.common.is_tty", lambda stderr=False: True)  # noqa: ARG005 - is_tty(stderr=...)
    assert "No notes in notes/ (write Markdown there; link papers with [[ID]])." in (
        run("notes").stdout
    )


def test_notes_command_unknown_filters(run):
    result = run("notes", "--tag", "ntk2")
    assert result.exit_code == 3 and result.stderr.startswith("Error: unknown tag 'ntk2'")
    result = run("notes", "--paper", "H1gEP6NFwR")
    assert result.exit_code == 3
    assert result.stderr == "Error: no paper 'H1gEP6NFwR' (did you mean 'H1gEP6NFwr'?)\n"


def test_backlinks_one_entry_per_line():
    from papernotes.store.notes import NoteFile, NoteLink

    note = NoteFile(None, "notes/a.md", "A", "en")
    note.links = [
        NoteLink("paper", "X1234", "X1234", 2, "[[X1234]] and again [[X1234]]"),
        NoteLink("paper", "X1234", "X1234", 5, "later [[X1234]]"),
        NoteLink("paper", "Y1234", "Y1234", 6, "[[Y1234]]"),
    ]
    assert [(b["line"], b["text"]) for b in backlinks([note], "X1234")] == [
        (2, "[[X1234]] and again [[X1234]]"),
        (5, "later [[X1234]]"),
    ]


def test_validate_reports_dangling_links_with_file_and_line(run, kb):
    write(
        kb / "notes" / "bad.md",
        "# Bad links\n\nFine: [[H1gEP6NFwr]] #NTK\nTypo: [[H1gEP6NFwR]]\nTag: #ntk2 and #nosuchthing\n"
        "Path: [[../../etc/passwd]]\n",
    )
    result = run("validate")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "notes/bad.md:4: [[H1gEP6NFwR]]: no paper 'H1gEP6NFwR' (did you mean 'H1gEP6NFwr'?)"
        " (fix the id or add it)",
        "notes/bad.md:5: #ntk2: unknown tag 'ntk2' (did you mean '#NTK'?)",
        "notes/bad.md:5: #nosuchthing: unknown tag 'nosuchthing' (add it to tags.yaml)",
        "notes/bad.md:6: [[../../etc/passwd]]: invalid paper id '../../etc/passwd':"
        " ids cannot contain paths",
    ]
    data = json.loads(run("validate", "--json").stdout)
    assert {(p["path"], p["line"]) for p in data} == {
        ("notes/bad.md", 4),
        ("notes/bad.md", 5),
        ("notes/bad.md", 6),
    }
    assert "Traceback" not in result.stderr


def test_validate_strict_wants_canonical_tag_names_in_notes(run, kb):
    write(kb / "notes" / "alias.md", "#CNTK and [[H1gEP6NFwr]]\n")
    assert run("validate").exit_code == 0
    result = run("validate", "--strict")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "notes/alias.md:1: #CNTK: 'CNTK' is another name of tag 'NTK' (write #NTK)"
    ]


def test_unreadable_note_is_one_problem(run, kb):
    (kb / "notes" / "latin1.md").write_bytes("# caf\xe9\n".encode("latin-1"))
    result = run("validate")
    assert result.exit_code == 1
    assert result.stdout.startswith("notes/latin1.md:1: not valid UTF-8 (byte 0xe9)")
    assert run("notes", "--json").exit_code == 0


def test_link_to_a_record_that_does_not_load_is_not_dangling(run, kb):
    write(kb / "papers" / "Broken00001.yaml", "id: Broken00001\ntitle: [unclosed\n")
    write(kb / "notes" / "n.md", "[[Broken00001]]\n")
    lines = run("validate").stdout.splitlines()
    assert not any(line.startswith("notes/") for line in lines)
    assert any(line.startswith("papers/Broken00001.yaml") for line in lines)
