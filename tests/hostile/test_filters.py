"""Filters given an empty value are usage errors (they were silently dropped), a tag
filter on an unloadable tags.yaml names that file, and emoji codes in notes stay literal."""

from __future__ import annotations

import pytest

from .conftest import no_traceback, one_error

OPT = "  optimization:\n    en: Optimization\n    zh: 优化\n    description: Training.\n"


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--tag", ""),  # views/listing.py: `if tag` -> every paper, exit 0
        ("graph", "--tag", ""),  # graph: every paper, exit 0
        ("graph", "--paper", ""),  # graph: the whole graph, exit 0
        ("notes", "--tag", ""),  # notes: every note, exit 0
        ("notes", "--paper", ""),  # notes: every note, exit 0
        ("export", "--tag", ""),  # export: every paper, exit 0
    ],
    ids=" ".join,
)
def test_empty_filter_is_a_usage_error(run, args):
    """`papernotes list --tag "$TAG"` with TAG unset must not list everything."""
    result = run(*args)
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 2, (result.exit_code, result.stdout[:200])
    one_error(result.stderr, "empty")


def test_tag_filter_on_an_unloadable_taxonomy_names_the_file(kb, run):
    """store/tags.resolve_tag says "unknown tag 'optimization' (see 'papernotes tags')",
    exit 3, when the real problem is tags.yaml (a tag defined twice): it should point there
    (exit 6, 'tags.yaml:6: duplicate key ...')."""
    (kb / "tags.yaml").write_text("tags:\n" + OPT + OPT, encoding="utf-8")
    result = run("list", "--tag", "optimization")
    assert result.exit_code == 6
    one_error(result.stderr, "tags.yaml:6: duplicate key 'optimization'")


def test_emoji_codes_in_notes_stay_literal_on_a_terminal(kb):
    """cli/render.py print_indented (commit 8c4560a) renders note lines on a terminal with
    Text.from_markup(markup), whose emoji=True default turns ':smile:' in a note into an
    emoji; the console itself is built with emoji=False. Piped output is fine."""
    from .conftest import SGR, pn_tty
    from .test_cli_args import HOSTILE_RECORD, HOSTILE_TAG

    (kb / "papers" / "evilEVIL01.yaml").write_text(HOSTILE_RECORD, encoding="utf-8")
    tags = (kb / "tags.yaml").read_text(encoding="utf-8")
    (kb / "tags.yaml").write_text(tags + HOSTILE_TAG, encoding="utf-8")
    done = pn_tty("show", "evilEVIL01", root=kb, columns=250)
    assert done.returncode == 0
    assert ":smile:" in SGR.sub("", done.stdout)
