"""Re-import is a sync: edits in the file follow, edits in the record are never lost,
and renaming, moving or copying the notes file never duplicates a note."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from .conftest import Runner, write

A, B = "B1g5sA4twr", "H1gBsgBYwH"


@pytest.fixture
def run(empty_kb, monkeypatch) -> Runner:
    monkeypatch.chdir(empty_kb)
    return Runner(empty_kb)


def notes(kb: Path, paper_id: str) -> list[tuple[str, str]]:
    data = yaml.safe_load((kb / "papers" / f"{paper_id}.yaml").read_text(encoding="utf-8"))
    return [(n["source"], n[n["lang"]]) for n in data.get("notes", [])]


def reading(text_a: str, text_b: str = "two layers") -> str:
    return (
        f"- https://openreview.net/forum?id={A}\n  {text_a}\n"
        f"- https://openreview.net/forum?id={B}\n  {text_b}\n"
    )


def edit_record(kb: Path, paper_id: str, old: str, new: str) -> None:
    path = kb / "papers" / f"{paper_id}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_edit_in_the_file_updates_a_note_nobody_edited(run, empty_kb):
    kb = empty_kb
    write(kb / "reading.md", reading("bigger is worse"))
    assert run("import", "reading.md").exit_code == 0
    write(kb / "reading.md", reading("bigger is worse, then better"))
    dry = run("import", "reading.md", "--dry-run")
    assert f"{A}: note from reading.md: updated to the file's new text" in dry.stderr
    assert f"{B}: note from reading.md" not in dry.stderr  # unchanged notes are not listed
    assert notes(kb, A) == [("reading.md", "bigger is worse")]
    result = run("import", "reading.md", "--json")
    report = json.loads(result.stdout)
    assert report["updated"] == [A] and report["notes_added"] == 0
    assert report["notes_updated"] == 1
    assert "Notes added: 0, updated from the files: 1;" in result.stderr
    assert notes(kb, A) == [("reading.md", "bigger is worse, then better")]
    assert notes(kb, B) == [("reading.md", "two layers")]
    again = json.loads(run("import", "reading.md", "--json").stdout)
    assert again["updated"] == [] and again["created"] == []


def test_an_edit_in_the_record_is_kept_and_the_new_text_added(run, empty_kb):
    kb = empty_kb
    write(kb / "reading.md", reading("bigger is worse"))
    run("import", "reading.md")
    edit_record(kb, A, "bigger is worse", "my own words")
    write(kb / "reading.md", reading("bigger is worse, then better"))
    dry = run("import", "reading.md", "--dry-run")
    assert "added beside your edited note" in dry.stderr
    result = run("import", "reading.md")
    assert result.exit_code == 0
    assert (
        f"Warning: reading.md:1: {A}: you edited (or translated) the note from reading.md in the "
        "record, and the file changed too; kept your edit and added the file's new text as "
        "another note"
    ) in result.stderr
    assert notes(kb, A) == [
        ("reading.md", "my own words"),
        ("reading.md", "bigger is worse, then better"),
    ]
    # Importing the same file again changes nothing; editing it again updates the copy
    # that still matches its import, never the edited one.
    assert json.loads(run("import", "reading.md", "--json").stdout)["updated"] == []
    write(kb / "reading.md", reading("third version"))
    run("import", "reading.md")
    assert notes(kb, A) == [("reading.md", "my own words"), ("reading.md", "third version")]


def test_the_file_unchanged_and_the_record_edited_changes_nothing(run, empty_kb):
    kb = empty_kb
    write(kb / "reading.md", reading("bigger is worse"))
    run("import", "reading.md")
    edit_record(kb, A, "bigger is worse", "my own words")
    before = (kb / "papers" / f"{A}.yaml").read_bytes()
    result = run("import", "reading.md", "--json")
    assert json.loads(result.stdout)["updated"] == []
    assert (kb / "papers" / f"{A}.yaml").read_bytes() == before


def test_renaming_the_file_moves_the_notes_without_duplicates(run, empty_kb):
    kb = empty_kb
    write(kb / "reading.md", reading("bigger is worse"))
    run("import", "reading.md")
    (kb / "reading.md").rename(kb / "renamed.md")
    result = run("import", "renamed.md", "--json")
    report = json.loads(result.stdout)
    assert sorted(report["updated"]) == sorted([A, B]) and report["notes_added"] == 0
    assert notes(kb, A) == [("renamed.md", "bigger is worse")]
    assert notes(kb, B) == [("renamed.md", "two layers")]


def test_moving_and_editing_the_file_updates_the_note(run, empty_kb):
    kb = empty_kb
    write(kb / "reading.md", reading("bigger is worse"))
    run("import", "reading.md")
    (kb / "archive").mkdir()
    shutil.move(kb / "reading.md", kb / "archive" / "reading.md")
    write(kb / "archive" / "reading.md", reading("bigger is worse, then better"))
    run("import", "archive/reading.md")
    assert notes(kb, A) == [("archive/reading.md", "bigger is worse, then better")]
    assert notes(kb, B) == [("archive/reading.md", "two layers")]


def test_a_copy_of_the_file_adds_nothing(run, empty_kb):
    kb = empty_kb
    write(kb / "reading.md", reading("bigger is worse"))
    run("import", "reading.md")
    before = {p.name: p.read_bytes() for p in (kb / "papers").iterdir()}
    shutil.copy(kb / "reading.md", kb / "copy.md")
    result = run("import", "reading.md", "copy.md", "--json")
    report = json.loads(result.stdout)
    assert report["updated"] == [] and report["created"] == [] and report["notes_added"] == 0
    assert {p.name: p.read_bytes() for p in (kb / "papers").iterdir()} == before
    [paper] = [p for p in report["papers"] if p["id"] == A]
    assert paper["decisions"] == [
        "note from reading.md: unchanged",
        "note from copy.md: already in the record (from reading.md); not added again",
    ]


def test_a_note_identical_to_one_from_another_source_is_not_added(run, empty_kb):
    kb = empty_kb
    write(kb / "a.md", reading("bigger is worse"))
    write(kb / "b.md", f"https://openreview.net/forum?id={A}\nbigger is worse\n")
    run("import", "a.md")
    run("import", "b.md")
    assert notes(kb, A) == [("a.md", "bigger is worse")]


def test_a_translated_note_is_never_replaced(run, empty_kb):
    kb = empty_kb
    write(kb / "reading.md", reading("越大越差"))
    run("import", "reading.md")
    edit_record(kb, A, "  source: reading.md", "  en: bigger is worse\n  source: reading.md")
    write(kb / "reading.md", reading("越大越差，然后越好"))
    result = run("import", "reading.md")
    assert result.exit_code == 0
    assert "you edited (or translated) the note from reading.md" in result.stderr
    data = yaml.safe_load((kb / "papers" / f"{A}.yaml").read_text(encoding="utf-8"))
    assert [(n.get("zh"), n.get("en")) for n in data["notes"]] == [
        ("越大越差", "bigger is worse"),
        ("越大越差，然后越好", None),
    ]


def test_edit_rename_move_duplicate_give_exact_records(run, empty_kb):
    """One file through its life; after each step both records are exactly as stated."""
    import datetime as dt

    kb, today = empty_kb, dt.date.today()

    def exact(path_of_note: str, text_a: str) -> dict:
        def rec(pid, key, title, venue_bits, note, tags):
            data = {
                "id": pid,
                "key": key,
                "title": title,
                **venue_bits,
                "links": {
                    "forum": f"https://openreview.net/forum?id={pid}",
                    "pdf": f"https://openreview.net/pdf?id={pid}",
                },
                **({"tags": tags} if tags else {}),
                "notes": [
                    {
                        "lang": "en",
                        "en": note,
                        "source": path_of_note,
                        "date": today,
                        "import_hash": hashlib.sha256(note.encode()).hexdigest()[:16],
                    }
                ],
                "added": today,
                "updated": today,
            }
            return data

        return {
            A: rec(
                A,
                "nakkiran2020deep",
                "Deep Double Descent: Where Bigger Models and More Data Hurt",
                {"venue": "ICLR 2020", "year": 2020, "decision": "Accept (Poster)"},
                text_a,
                [],
            ),
            B: rec(
                B,
                "ba2020generalization",
                "Generalization of Two-layer Neural Networks: An Asymptotic Viewpoint",
                {"venue": "ICLR 2020", "year": 2020, "decision": "Accept (Spotlight)"},
                "two layers",
                [],
            ),
        }

    def records() -> dict:
        out = {}
        for path in (kb / "papers").glob("*.yaml"):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            assert data.pop("ratings")  # from the catalog; pinned elsewhere
            assert data.pop("authors")  # likewise
            for name in ("abstract", "keywords", "tldr"):
                data.pop(name, None)
            out[data["id"]] = data
        return out

    def check(source: str, text_a: str) -> None:
        assert records() == exact(source, text_a)

    write(kb / "reading.md", reading("bigger is worse"))
    run("import", "reading.md")
    check("reading.md", "bigger is worse")
    write(kb / "reading.md", reading("bigger is worse, then better"))  # edit
    run("import", "reading.md")
    check("reading.md", "bigger is worse, then better")
    (kb / "reading.md").rename(kb / "renamed.md")  # rename
    run("import", "renamed.md")
    check("renamed.md", "bigger is worse, then better")
    (kb / "old").mkdir()
    (kb / "renamed.md").rename(kb / "old" / "renamed.md")  # move
    run("import", "old/renamed.md")
    check("old/renamed.md", "bigger is worse, then better")
    shutil.copy(kb / "old" / "renamed.md", kb / "copy.md")  # duplicate
    run("import", "old/renamed.md", "copy.md")
    check("old/renamed.md", "bigger is worse, then better")
