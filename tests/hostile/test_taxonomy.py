"""A broken tags.yaml: cycles, tags defined twice, shared aliases and friends.

Each problem is one line naming tags.yaml and its line; reading commands keep working
and nothing is rewritten behind the user's back."""

from __future__ import annotations

import json

import pytest

from .conftest import no_traceback, nonblank, one_error, snapshot

OPT = "  optimization:\n    en: Optimization\n    zh: 优化\n    description: Training.\n"


def tag(name: str, en: str, zh: str, extra: str = "") -> str:
    return f"  {name}:\n    en: {en}\n    zh: {zh}\n{extra}    description: d\n"


CASES = {
    "cycle": (
        "tags:\n"
        + OPT
        + tag("aaaa", "A", "甲", "    parent: bbbb\n")
        + tag("bbbb", "B", "乙", "    parent: cccc\n")
        + tag("cccc", "C", "丙", "    parent: aaaa\n"),
        [
            "tags.yaml:9: tags.aaaa.parent: parent cycle through 'aaaa'",
            "tags.yaml:14: tags.bbbb.parent: parent cycle through 'bbbb'",
            "tags.yaml:19: tags.cccc.parent: parent cycle through 'cccc'",
        ],
    ),
    "selfparent": (
        "tags:\n" + OPT + tag("aaaa", "A", "甲", "    parent: aaaa\n"),
        ["tags.yaml:9: tags.aaaa.parent: parent cycle through 'aaaa'"],
    ),
    "definedtwice": (
        "tags:\n" + OPT + tag("aaaa", "A", "甲") + tag("aaaa", "A2", "甲2"),
        ["tags.yaml:10: duplicate key 'aaaa' (first at line 6)"],
    ),
    "sharedalias": (
        "tags:\n"
        + OPT
        + tag("aaaa", "A", "甲", "    aliases:\n    - shared\n")
        + tag("bbbb", "B", "乙", "    aliases:\n    - Shared\n"),
        [
            "tags.yaml:16: tags.bbbb.aliases[0]: 'Shared' already names tag 'aaaa' "
            "(each name, label and alias must belong to one tag)"
        ],
    ),
    "labelisaname": (
        "tags:\n" + OPT + tag("aaaa", "A", "甲") + tag("bbbb", "AAAA", "乙"),
        [
            "tags.yaml:11: tags.bbbb.en: 'AAAA' already names tag 'aaaa' "
            "(each name, label and alias must belong to one tag)"
        ],
    ),
    "unknownparent": (
        "tags:\n" + OPT + tag("aaaa", "A", "甲", "    parent: optimisation\n"),
        [
            "tags.yaml:9: tags.aaaa.parent: unknown parent tag 'optimisation' "
            "(did you mean 'optimization'?)"
        ],
    ),
    "badname": (
        "tags:\n" + OPT + tag("'bad name'", "A", "甲"),
        [
            "tags.yaml:6: tags.bad name: invalid tag name 'bad name' "
            "(letters, digits, '_', '.', '+', '-')"
        ],
    ),
    "numbername": (
        "tags:\n" + OPT + tag("2020", "A", "甲"),
        ["tags.yaml:6: tag name 2020 must be text"],
    ),
    "missinglabel": (
        "tags:\n" + OPT + "  aaaa:\n    en: A\n    description: d\n",
        ["tags.yaml:6: tags.aaaa.zh: missing required field"],
    ),
    "unknownfield": (
        "tags:\n" + OPT + tag("aaaa", "A", "甲", "    colour: red\n"),
        [
            "tags.yaml:9: tags.aaaa.colour: unknown field 'colour' "
            "(known fields: en, zh, aliases, parent, description)"
        ],
    ),
    "toplevelfield": (
        "tags:\n" + OPT + "version: 2\n",
        ["tags.yaml:6: unknown field 'version' (the file holds only 'tags')"],
    ),
    "tagsaslist": (
        "tags:\n- optimization\n",
        ["tags.yaml:1: tags: expected a mapping (got list ['optimization'])"],
    ),
    "fileaslist": (
        "- optimization\n",
        ["tags.yaml:1: expected a mapping with a 'tags' key, got a list"],
    ),
    "syntax": ("tags:\n  optimization: {en: [\n", ["tags.yaml:3: YAML syntax error"]),
    "anchors": (
        "tags:\n  optimization: &o\n    en: O\n    zh: 优\n    description: d\n  other: *o\n",
        ["tags.yaml:2: YAML anchors and aliases are not allowed"],
    ),
    "badutf8": (
        b"tags:\n  optimization:\n    en: caf\xe9\n",
        ["tags.yaml:3: not valid UTF-8 (byte 0xe9)"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_taxonomy_problem_is_one_line_with_its_line(kb, run, name):
    text, expected = CASES[name]
    path = kb / "tags.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    before = snapshot(kb)

    result = run("validate")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1
    lines = nonblank(result.stdout)
    assert [line for line in lines if not line.startswith("tags.yaml")] == []
    assert len(lines) == len(expected)
    for line, want in zip(lines, expected, strict=True):
        assert line.startswith(want), (line, want)

    result = run("tags")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 0
    assert len(nonblank(result.stderr)) == 1
    assert nonblank(result.stderr)[0].startswith("Warning: ")
    assert isinstance(json.loads(run("tags", "--json").stdout), list)

    result = run("list")
    assert result.exit_code == 0
    assert len(nonblank(result.stdout)) == 2  # both records still listed
    assert run("show", "H1gEP6NFwr").exit_code == 0

    result = run("fmt")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code in (0, 1)
    assert snapshot(kb) == before  # neither tags.yaml nor the records were rewritten


def test_unusable_taxonomy_does_not_flood_records_with_unknown_tags(kb, run):
    """A tag defined twice makes tags.yaml unloadable: report that once, not once per tag."""
    for i in range(20):
        (kb / "papers" / f"paper{i:04d}.yaml").write_text(
            f"id: paper{i:04d}\ntitle: t\ntags:\n- optimization\n", encoding="utf-8"
        )
    text, expected = CASES["definedtwice"]
    (kb / "tags.yaml").write_text(text, encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 1
    assert nonblank(result.stdout) == expected


def test_missing_taxonomy(kb, run):
    (kb / "tags.yaml").unlink()
    result = run("validate")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1
    assert nonblank(result.stdout) == [
        "tags.yaml: taxonomy file is missing (run 'papernotes init')"
    ]
    assert run("list").exit_code == 0
    assert not (kb / "tags.yaml").exists()


def test_shared_alias_is_not_resolved_by_fmt(kb, run):
    """fmt must not guess which of two tags an ambiguous alias meant."""
    text, _ = CASES["sharedalias"]
    (kb / "tags.yaml").write_text(text, encoding="utf-8")
    record = kb / "papers" / "paper0001.yaml"
    record.write_text("id: paper0001\nkey: t\ntitle: t\ntags:\n- Shared\n", encoding="utf-8")
    before = snapshot(kb)
    result = run("fmt")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 0
    assert snapshot(kb) == before


def test_tag_filter_on_broken_taxonomy_names_the_file(kb, run):
    """The tag is not to blame: the error points at tags.yaml and its line."""
    text, _ = CASES["definedtwice"]
    (kb / "tags.yaml").write_text(text, encoding="utf-8")
    result = run("list", "--tag", "optimization")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 6
    one_error(result.stderr, "tags.yaml:")
