"""`papernotes merge-file`: three-way merge of records and tags.yaml, field by field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from papernotes.model.record import Paper
from papernotes.share.merge import SPECIAL, merge_records

from .conftest import RECORD, TAGS

NOTE_A = "- lang: en\n  en: note A\n  source: cli\n  date: 2026-12-01\n  by: Ann\n  id: 0a0a0a0a\n"
NOTE_B = "- lang: en\n  en: note B\n  source: cli\n  date: 2026-12-02\n  by: Bob\n  id: 0b0b0b0b\n"


def base_record(notes: str = NOTE_A, extra: str = "") -> str:
    return (
        "id: H1gEP6NFwr\ntitle: Tunability\nvenue: ICLR 2020\ndecision: Reject\n"
        "keywords:\n- tuning\n- optimizers\n"
        "links:\n  forum: https://openreview.net/forum?id=H1gEP6NFwr\n"
        f"tags:\n- optimization\n- LTH\nnotes:\n{notes}"
        "related:\n- id: HygrAR4tPS\n  why: same question\n"
        f"added: 2026-11-22\nupdated: 2026-11-30\n{extra}"
    )


def edit(text: str, **changes) -> str:
    data = yaml.safe_load(text)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    from papernotes.store.records import dump_record

    return dump_record(Paper.model_validate(data))


def load(text: str) -> dict:
    return yaml.safe_load(text)


@pytest.fixture
def files(tmp_path):
    def make(base: str | None, ours: str, theirs: str) -> tuple[Path, Path, Path]:
        paths = []
        for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
            path = tmp_path / f"{name}.yaml"
            if text is not None:
                path.write_text(text, encoding="utf-8")
            paths.append(path)
        return tuple(paths)

    return make


def merge_cli(run, base, ours, theirs, path="papers/H1gEP6NFwr.yaml"):
    return run("merge-file", str(base), str(ours), str(theirs), "--path", path, root=False)


def test_notes_added_on_both_sides_and_a_retag_merge_cleanly(run, files):
    base = base_record()
    ours = edit(base, notes=[*load(base)["notes"], load(NOTE_B)[0]])
    theirs_data = load(base)
    theirs_data["notes"].append({**load(NOTE_B)[0], "id": "0c0c0c0c", "en": "note C"})
    theirs_data["tags"] = ["optimization", "NTK"]  # LTH removed, NTK added
    theirs = edit(base, **{k: theirs_data[k] for k in ("notes", "tags")})
    b, o, t = files(base, ours, theirs)
    result = merge_cli(run, b, o, t)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    merged = load(o.read_text(encoding="utf-8"))
    assert [n["id"] for n in merged["notes"]] == ["0a0a0a0a", "0b0b0b0b", "0c0c0c0c"]
    assert merged["tags"] == ["optimization", "NTK"]
    assert "conflicts" not in merged


def test_a_scalar_changed_on_both_sides_keeps_ours_and_is_recorded(run, files, kb):
    base = base_record()
    b, o, t = files(base, edit(base, decision="Accept (Poster)"), edit(base, decision="Withdrawn"))
    result = merge_cli(run, b, o, t)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "papernotes: papers/H1gEP6NFwr.yaml: CONFLICT decision: changed on both sides; "
        "kept 'Accept (Poster)', theirs 'Withdrawn' is recorded under conflicts:"
    ]
    text = o.read_text(encoding="utf-8")
    assert "<<<<<<<" not in text
    merged = load(text)
    assert merged["decision"] == "Accept (Poster)"
    assert merged["conflicts"] == [{"field": "decision", "theirs": "Withdrawn"}]
    # The file is a valid record: every command loads it; validate reports the conflict.
    (kb / "papers" / "H1gEP6NFwr.yaml").write_text(text, encoding="utf-8")
    (kb / "papers" / "HygrAR4tPS.yaml").write_text(
        "id: HygrAR4tPS\ntitle: How Much Tuning\n", encoding="utf-8"
    )
    shown = run("show", "H1gEP6NFwr")
    assert shown.exit_code == 0
    assert "Merge conflicts: decision (papernotes resolve H1gEP6NFwr)" in shown.stdout
    check = run("validate")
    assert check.exit_code == 1
    line = next(iter(check.stdout.splitlines()))
    assert line.startswith("papers/H1gEP6NFwr.yaml:")
    assert "conflicts[0]: decision was changed differently on both sides of a merge" in line
    assert line.endswith("(run 'papernotes resolve H1gEP6NFwr')")
    shown = run("resolve", "H1gEP6NFwr")
    assert shown.exit_code == 0
    assert shown.stdout == "decision: record has 'Accept (Poster)'; other side had 'Withdrawn'\n"
    settled = run("resolve", "H1gEP6NFwr", "--other")
    assert settled.exit_code == 0 and settled.stdout == "decision: now 'Withdrawn'\n"
    after = load((kb / "papers" / "H1gEP6NFwr.yaml").read_text(encoding="utf-8"))
    assert after["decision"] == "Withdrawn" and "conflicts" not in after
    assert run("validate").exit_code == 0
    missing = run("resolve", "H1gEP6NFwr", "--keep", "--field", "title")
    assert missing.exit_code == 3 and missing.stderr.startswith("Error: H1gEP6NFwr has no conflict")


@pytest.mark.usefixtures("files")
def test_the_side_that_changed_a_scalar_wins_and_unknown_fields_are_generic():
    base = base_record()
    ours = edit(base, title="Tunability of optimizers", venue=None)
    theirs = edit(base, tldr="Adam is easy to tune.")
    merged = merge_records(base, ours, theirs)
    data = load(merged.text)
    assert merged.conflicts == []
    assert data["title"] == "Tunability of optimizers"
    assert "venue" not in data  # removed on our side, unchanged on theirs
    assert data["tldr"] == "Adam is easy to tune."
    # Every model field the driver does not treat specially merges as a scalar, so a field
    # added to the model later (status, priority, key, ...) needs no change here.
    assert SPECIAL <= set(Paper.model_fields)


@pytest.mark.usefixtures("files")
def test_note_edits():
    base = base_record(NOTE_A + NOTE_B)
    a, b = load(base)["notes"]
    one_side = merge_records(base, edit(base, notes=[{**a, "en": "A, better"}, b]), base)
    assert [n["en"] for n in load(one_side.text)["notes"]] == ["A, better", "note B"]
    assert one_side.reports == []
    both = merge_records(
        base,
        edit(base, notes=[{**a, "en": "A by us"}, b]),
        edit(base, notes=[{**a, "en": "A by them"}, b]),
    )
    notes = load(both.text)["notes"]
    assert [n["en"] for n in notes] == ["A by us", "A by them", "note B"]
    assert notes[0]["id"] == "0a0a0a0a" and notes[1]["id"].startswith("0a0a0a0a-")
    assert both.reports == ["note 0a0a0a0a was edited on both sides: kept both"]
    assert both.conflicts == []  # nothing lost, nothing to settle
    # The same merge done in another clone gives the same id: clones agree.
    again = merge_records(
        base,
        edit(base, notes=[{**a, "en": "A by us"}, b]),
        edit(base, notes=[{**a, "en": "A by them"}, b]),
    )
    assert again.text == both.text
    edited_vs_removed = merge_records(
        base, edit(base, notes=[{**a, "en": "A2"}, b]), edit(base, notes=[b])
    )
    assert [n["en"] for n in load(edited_vs_removed.text)["notes"]] == ["A2", "note B"]
    assert "removed on the other: kept" in edited_vs_removed.reports[0]
    removed = merge_records(base, edit(base, notes=[b]), base)
    assert [n["en"] for n in load(removed.text)["notes"]] == ["note B"]


def test_notes_without_ids_are_known_by_their_original_text():
    base = RECORD
    data = load(base)
    note = data["notes"][0]
    retranslated = edit(base, notes=[{**note, "en": "A better translation"}])
    added = edit(base, notes=[note, load(NOTE_B)[0]])
    merged = load(merge_records(base, retranslated, added).text)["notes"]
    assert [n.get("en") for n in merged] == ["A better translation", "note B"]
    assert "id" not in merged[0]


def test_sets_and_keyed_lists_honour_removals_three_way():
    base = base_record()
    ours = edit(
        base,
        keywords=["tuning"],  # removed 'optimizers'
        related=[{"id": "HygrAR4tPS", "why": "same question"}, {"id": "rkgNKkHtvB", "why": "ours"}],
        links={
            "forum": "https://openreview.net/forum?id=H1gEP6NFwr",
            "code": "https://c.example/a",
        },
        updated=dt.date(2026, 12, 3),
    )
    theirs = edit(
        base,
        keywords=["tuning", "optimizers", "hyperparameters"],
        related=[],  # removed the link
        refs=[{"url": "arxiv:1910.11758", "label": "a survey"}],
        updated=dt.date(2026, 12, 5),
        added=dt.date(2026, 11, 20),
    )
    data = load(merge_records(base, ours, theirs).text)
    assert data["keywords"] == ["tuning", "hyperparameters"]
    assert data["related"] == [{"id": "rkgNKkHtvB", "why": "ours"}]
    assert data["refs"] == [{"url": "arxiv:1910.11758", "label": "a survey"}]
    assert data["links"]["code"] == "https://c.example/a"
    assert str(data["updated"]) == "2026-12-05" and str(data["added"]) == "2026-11-20"


def test_nested_scalars_conflict_with_their_own_path():
    base = base_record()
    ours = edit(base, related=[{"id": "HygrAR4tPS", "why": "ours"}])
    theirs = edit(base, related=[{"id": "HygrAR4tPS", "why": "theirs"}])
    merged = merge_records(base, ours, theirs)
    data = load(merged.text)
    assert data["conflicts"] == [{"field": "related[HygrAR4tPS].why", "theirs": "theirs"}]
    assert data["related"] == [{"id": "HygrAR4tPS", "why": "ours"}]
    # A later merge where one side settled it (and removed the entry) takes the settlement.
    settled = edit(merged.text, related=[{"id": "HygrAR4tPS", "why": "theirs"}], conflicts=None)
    later = load(merge_records(merged.text, settled, merged.text).text)
    assert "conflicts" not in later and later["related"][0]["why"] == "theirs"


def test_reading_status_and_note_marks_merge_like_the_rest():
    """Fields of main's reading workflow: status is a scalar, status_dates a map by status,
    a note's marks are part of the note (an edit of one side wins)."""
    base = base_record()
    ours = edit(base, status="read", status_dates={"read": dt.date(2026, 12, 3)})
    marked = load(base)["notes"]
    marked[0]["marks"] = ["to-cite"]
    theirs = edit(
        base, status="reading", status_dates={"reading": dt.date(2026, 12, 4)}, notes=marked
    )
    merged = merge_records(base, ours, theirs)
    data = load(merged.text)
    assert data["status"] == "read"  # ours kept, theirs recorded
    assert data["conflicts"] == [{"field": "status", "theirs": "reading"}]
    assert data["status_dates"] == {"read": dt.date(2026, 12, 3), "reading": dt.date(2026, 12, 4)}
    assert data["notes"][0]["marks"] == ["to-cite"] and len(data["notes"]) == 1


@pytest.mark.usefixtures("files")
def test_add_add_without_a_base_and_identical_sides():
    ours = base_record()
    theirs = edit(ours, notes=[load(NOTE_B)[0]], title="Tunability (v2)")
    merged = merge_records(None, ours, theirs)
    data = load(merged.text)
    assert [n["id"] for n in data["notes"]] == ["0a0a0a0a", "0b0b0b0b"]
    assert data["conflicts"] == [{"field": "title", "theirs": "Tunability (v2)"}]
    # The shipped records merge with themselves byte for byte.
    for path in sorted((Path(__file__).parents[1] / "papers").glob("*.yaml"))[:20]:
        text = path.read_text(encoding="utf-8")
        assert merge_records(text, text, text).text == text


def test_an_unreadable_side_leaves_ours_and_fails(run, files):
    base = base_record()
    ours = edit(base, title="Ours")
    b, o, t = files(base, ours, "title: <<<<<<< HEAD\n: bad\n")
    result = merge_cli(run, b, o, t)
    assert result.exit_code == 6
    assert result.stderr.startswith(
        "Error: papers/H1gEP6NFwr.yaml: their version is not valid YAML"
    )
    assert len(result.stderr.splitlines()) == 1
    assert o.read_text(encoding="utf-8") == ours


def test_taxonomy_merges_by_tag_name(run, files, kb):
    base = TAGS
    data = yaml.safe_load(base)
    ours = dict(data["tags"])
    ours["GAN"] = {"en": "GAN", "zh": "生成对抗网络", "description": "Adversarial training."}
    ours["NTK"] = {**ours["NTK"], "aliases": ["neural tangent kernel"]}  # CNTK removed
    theirs = dict(data["tags"])
    theirs["VAE"] = {"en": "VAE", "zh": "变分自编码器", "description": "Latent variables."}
    theirs["LTH"] = {**theirs["LTH"], "en": "Lottery tickets"}
    theirs["optimization"] = {**theirs["optimization"], "zh": "最优化"}
    ours["optimization"] = {**ours["optimization"], "zh": "优化方法"}
    b, o, t = files(base, yaml.safe_dump({"tags": ours}), yaml.safe_dump({"tags": theirs}))
    result = merge_cli(run, b, o, t, path="tags.yaml")
    assert result.exit_code == 1
    assert "CONFLICT tags.optimization.zh" in result.stderr
    merged = yaml.safe_load(o.read_text(encoding="utf-8"))
    assert set(merged["tags"]) == {*data["tags"], "GAN", "VAE"}
    assert merged["tags"]["NTK"]["aliases"] == ["neural tangent kernel"]
    assert merged["tags"]["LTH"]["en"] == "Lottery tickets"
    assert merged["tags"]["optimization"]["zh"] == "优化方法"
    assert merged["conflicts"] == [{"field": "tags.optimization.zh", "theirs": "最优化"}]
    (kb / "tags.yaml").write_text(o.read_text(encoding="utf-8"), encoding="utf-8")
    check = run("validate")
    assert check.exit_code == 1
    assert (
        "tags.yaml:" in check.stdout
        and "conflicts[0]: tags.optimization.zh was changed" in check.stdout
    )
    assert run("search", "ntk").exit_code == 0  # the taxonomy still loads for every command


def test_resolve_settles_a_nested_field(run, kb):
    base = (kb / "papers" / "H1gEP6NFwr.yaml").read_text(encoding="utf-8")
    ours = edit(base, related=[{"id": "HygrAR4tPS", "why": "ours"}], title="Ours")
    theirs = edit(base, related=[{"id": "HygrAR4tPS", "why": "theirs"}], title="Theirs")
    merged = merge_records(base, ours, theirs)
    (kb / "papers" / "H1gEP6NFwr.yaml").write_text(merged.text, encoding="utf-8")
    listed = run("resolve", "H1gEP6NFwr", "--json")
    assert [row["field"] for row in json.loads(listed.stdout)] == [
        "title",
        "related[HygrAR4tPS].why",
    ]
    done = run("resolve", "H1gEP6NFwr", "--other", "--field", "related[HygrAR4tPS].why")
    assert done.stdout == "related[HygrAR4tPS].why: now 'theirs'\n"
    data = load((kb / "papers" / "H1gEP6NFwr.yaml").read_text(encoding="utf-8"))
    assert data["related"] == [{"id": "HygrAR4tPS", "why": "theirs"}]
    assert data["title"] == "Ours" and data["conflicts"] == [{"field": "title", "theirs": "Theirs"}]
    assert run("resolve", "H1gEP6NFwr", "--keep").exit_code == 0
    assert "conflicts" not in load((kb / "papers" / "H1gEP6NFwr.yaml").read_text(encoding="utf-8"))
    assert run("resolve", "H1gEP6NFwr").stderr == "H1gEP6NFwr: no conflicts to resolve\n"
