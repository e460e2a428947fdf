"""validate --strict: every note truly bilingual. The shipped knowledge base is clean, and
each translation check fires, as one file:line problem, on a broken copy of it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from papernotes.model.record import Note
from papernotes.store.kb import KnowledgeBase
from papernotes.store.translations import cjk_units, detected_lang

from .conftest import Runner

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def copy(tmp_path) -> Path:
    root = tmp_path / "kb"
    for name in ("papers", "notes"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "tags.yaml", root / "tags.yaml")
    return root


def strict(root: Path) -> tuple[int, list[str]]:
    result = Runner(root)("validate", "--strict")
    return result.exit_code, [line for line in result.stdout.splitlines() if line.strip()]


def break_note(root: Path, paper_id: str, **changes) -> None:
    kb = KnowledgeBase(root)
    paper = kb.get(paper_id)
    note = paper.notes[0]
    paper.notes = [Note.model_validate({**note.model_dump(), **changes}), *paper.notes[1:]]
    kb.save(paper)


def one_problem(root: Path, paper_id: str, field: str, message: str, line_start: str) -> None:
    code, lines = strict(root)
    assert code == 1
    assert len(lines) == 1, lines
    found = re.fullmatch(rf"papers/{paper_id}\.yaml:(\d+): {re.escape(field)}: (.*)", lines[0])
    assert found, lines[0]
    assert found.group(2).startswith(message), lines[0]
    text = (root / "papers" / f"{paper_id}.yaml").read_text(encoding="utf-8").splitlines()
    assert text[int(found.group(1)) - 1].startswith(line_start)


def test_the_shipped_knowledge_base_is_clean(copy):
    assert strict(copy) == (0, [])


def test_a_translation_identical_to_its_original(copy):
    break_note(copy, "ByeSYa4KPS", en="和上面似乎类似")
    one_problem(
        copy,
        "ByeSYa4KPS",
        "notes[0].en",
        "the English text is a copy of the original, not a translation",
        "  en:",
    )


def test_an_english_text_that_is_mostly_chinese(copy):
    break_note(copy, "ByeSYa4KPS", en="似乎和上一篇类似 (similar)")
    one_problem(copy, "ByeSYa4KPS", "notes[0].en", "the English text is mostly Chinese", "  en:")


def test_a_chinese_text_that_is_mostly_latin(copy):
    break_note(copy, "BylKwnEYvS", zh="star convexity for NMF, surprising that it can be proved")
    one_problem(
        copy, "BylKwnEYvS", "notes[0].zh", "the Chinese text is mostly Latin script", "  zh:"
    )


def test_lang_en_on_a_chinese_original(copy):
    break_note(copy, "ByeSYa4KPS", lang="en", en="和上面似乎类似", zh="和上面类似")
    one_problem(
        copy,
        "ByeSYa4KPS",
        "notes[0].lang",
        "note is marked lang=en but its original reads as Chinese",
        "- lang: en",
    )


def test_lang_zh_on_an_english_original(copy):
    break_note(copy, "BylKwnEYvS", lang="zh", zh="star convexity for NMF.", en="Star convexity.")
    one_problem(
        copy,
        "BylKwnEYvS",
        "notes[0].lang",
        "note is marked lang=zh but its original reads as English",
        "- lang: zh",
    )


def test_the_checks_are_strict_only(copy):
    break_note(copy, "ByeSYa4KPS", en="和上面似乎类似")
    assert Runner(copy)("validate").exit_code == 0


def test_script_measure_counts_words_against_characters():
    # One CJK character weighs as one Latin word; the paper's title does not count.
    assert cjk_units("再来一个learning rate schedule") == pytest.approx(4 / 7)
    assert cjk_units("TITLE OF PAPER\n很好", "Title of Paper") == 1.0
    assert cjk_units("Title of Paper", "Title of Paper") is None
    assert detected_lang("fancy math系列, tropical topology for LTH") is None  # mixed: either
    assert detected_lang("除了vision dataset之外，存在bad local minima") == "zh"
    assert detected_lang("star convexity for NMF") == "en"
