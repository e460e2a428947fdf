"""The YAML store: strict loading with lines, canonical dumping, atomic writes."""

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.errors import WriteError
from papernotes.model.record import Note, Paper
from papernotes.store import yamlio
from papernotes.store.fsio import atomic_write
from papernotes.store.kb import KnowledgeBase, find_root
from papernotes.store.records import dump_record, load_record, record_data

from .conftest import RECORD


def test_canonical_file_round_trips_byte_for_byte(kb):
    path = kb / "papers" / "H1gEP6NFwr.yaml"
    loaded = load_record(path, "x")
    assert loaded.problems == []
    assert dump_record(loaded.paper).encode("utf-8") == path.read_bytes()


def test_dump_writes_real_utf8_and_literal_blocks(kb):
    text = dump_record(KnowledgeBase(kb).get("H1gEP6NFwr"))
    assert "略神奇" in text and "\\u" not in text
    assert "zh: |-\n" in text


def test_empty_values_are_left_out():
    paper = Paper(id="abcdEFGH12", title="T", authors=[], tags=[])
    assert dump_record(paper) == "id: abcdEFGH12\ntitle: T\n"


text_st = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=200,
).filter(lambda s: not any(ord(c) < 32 and c not in "\n\t\r" or ord(c) == 127 for c in s))


@settings(max_examples=150, deadline=None)
@given(title=text_st.filter(lambda s: not any(c in s for c in "\n\r\t")), zh=text_st, en=text_st)
def test_any_unicode_record_round_trips(tmp_path_factory, title, zh, en):
    import datetime as dt

    paper = Paper(
        id="abcdEFGH12",
        title=title,
        notes=[Note(lang="zh", zh=zh, en=en, source="cli", date=dt.date(2026, 1, 2))],
    )
    folder = tmp_path_factory.mktemp("rt")
    path = folder / "abcdEFGH12.yaml"
    first = dump_record(paper)
    path.write_text(first, encoding="utf-8", newline="")
    loaded = load_record(path, "p")
    assert loaded.problems == [], loaded.problems
    assert loaded.paper == paper
    assert dump_record(loaded.paper) == first


def test_atomic_write_failure_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "a.yaml"
    target.write_text("old\n", encoding="utf-8")

    def boom(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(WriteError, match="No space left on device"):
        atomic_write(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]  # no temp file left behind


def test_find_root_walks_up(kb):
    deep = kb / "notes" / "sub"
    deep.mkdir()
    assert find_root(cwd=deep) == kb.resolve()


def test_find_root_env(kb, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_ROOT", str(kb))
    assert find_root() == kb.resolve()


def test_save_then_load(kb):
    base = KnowledgeBase(kb)
    paper = base.get("H1gEP6NFwr").model_copy(update={"title": "New title"})
    path = base.save(paper)
    assert path == kb / "papers" / "H1gEP6NFwr.yaml"
    assert base.get("H1gEP6NFwr").title == "New title"
    assert (
        Path(path)
        .read_text(encoding="utf-8")
        .startswith("id: H1gEP6NFwr\nkey: tunability2020optimizers\ntitle: New title\n")
    )


def test_record_constant_is_canonical():
    assert RECORD.endswith("added: 2026-11-22\n")


def _python_dump(data) -> str:
    return yaml.dump(
        data,
        Dumper=yamlio.PythonDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
        indent=2,
    )


@settings(max_examples=1500, deadline=None)
@given(title=text_st.filter(lambda s: not set(s) & set("\n\r\t")), zh=text_st, en=text_st)
def test_libyaml_emitter_writes_the_same_bytes_as_pure_python(title, zh, en):
    """Records are written with libyaml's emitter: any text gives the bytes PyYAML's own
    emitter gave, so switching changed no file."""
    import datetime as dt

    paper = Paper(
        id="abcdEFGH12",
        title=title,
        tags=["NTK"],
        notes=[Note(lang="zh", zh=zh, en=en, source="cli", date=dt.date(2026, 1, 2))],
    )
    assert yamlio.CanonicalDumper.__mro__[1] is getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    assert dump_record(paper) == _python_dump(record_data(paper))


def test_libyaml_emitter_matches_on_the_shipped_records():
    root = Path(__file__).resolve().parent.parent
    for path in sorted((root / "papers").glob("*.yaml")):
        loaded = load_record(path, path.name)
        assert loaded.paper is not None
        assert dump_record(loaded.paper) == _python_dump(record_data(loaded.paper))
