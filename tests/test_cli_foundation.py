"""CliRunner tests for init, show, list, tags, validate, fmt, schema."""

import json

import pytest

from .conftest import Runner, write


def lines(text):
    return [line for line in text.splitlines() if line.strip()]


def test_init_creates_and_never_overwrites(tmp_path):
    run = Runner(None)
    target = tmp_path / "new"
    result = run("init", str(target), "--taxonomy", "empty", root=False)
    assert result.exit_code == 0
    assert (target / "papers").is_dir() and (target / "notes").is_dir()
    assert (target / "tags.yaml").read_text(encoding="utf-8") == "tags: {}\n"
    assert ".papernotes/" in (target / ".gitignore").read_text(encoding="utf-8")
    (target / "tags.yaml").write_text(
        "tags:\n  x:\n    en: X\n    zh: X\n    description: d\n", encoding="utf-8"
    )
    again = run("init", str(target), root=False)
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    assert "x:" in (target / "tags.yaml").read_text(encoding="utf-8")
    assert Runner(target)("validate").exit_code == 0


def test_show_human(run):
    result = run("show", "H1gEP6NFwr")
    assert result.exit_code == 0
    out = result.stdout
    assert "On the Tunability of Optimizers in Deep Learning" in out
    assert "略神奇" in out and "Rather remarkable" in out
    assert out.index("中文 (original)") < out.index("English (translation)")
    assert "HygrAR4tPS How Much Tuning Do Optimizers Need?" in out
    assert "非常相关的工作" in out


def test_show_accepts_url_and_json(run):
    result = run("show", "https://openreview.net/pdf?id=H1gEP6NFwr", "--json")
    data = json.loads(result.stdout)
    assert data["id"] == "H1gEP6NFwr"
    assert data["related"][0]["title"] == "How Much Tuning Do Optimizers Need?"
    assert data["notes"][0]["date"] == "2026-11-22"


def test_show_unknown_suggests(run):
    result = run("show", "H1gEP6NFwR")
    assert result.exit_code == 3
    assert result.stderr.strip() == "Error: no paper 'H1gEP6NFwR' (did you mean 'H1gEP6NFwr'?)"
    assert result.stdout == ""


@pytest.mark.parametrize("bad", ["../../etc/passwd", "/etc/passwd", "a\x1b[2Jb", ""])
def test_show_rejects_bad_ids(run, bad):
    result = run("show", bad)
    assert result.exit_code == 2
    assert len(lines(result.stderr)) == 1 and result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr


def test_show_escapes_markup(run, kb):
    write(
        kb / "papers" / "abcdEFGH12.yaml",
        "id: abcdEFGH12\ntitle: '[bold red]x[/bold red]'\nnotes:\n- lang: en\n  en: \"clear \\e[2J now\"\n"
        "  source: cli\n  date: 2026-01-01\n",
    )
    result = run("show", "abcdEFGH12")
    assert result.exit_code == 0
    assert "[bold red]x[/bold red]" in result.stdout
    assert "\x1b" not in result.stdout and "\\x1b[2J" in result.stdout


def test_list_and_tag_filter(run):
    result = run("list")
    assert lines(result.stdout) == [
        "H1gEP6NFwr\tOn the Tunability of Optimizers in Deep Learning\tICLR 2020\tReject\toptimization",
        "HygrAR4tPS\tHow Much Tuning Do Optimizers Need?\t\t\toptimization",
    ]
    assert json.loads(run("list", "--tag", "NTK", "--json").stdout) == []
    data = json.loads(run("list", "--tag", "优化", "--json", "--sort", "title").stdout)
    assert [row["id"] for row in data] == ["HygrAR4tPS", "H1gEP6NFwr"]


def test_list_tag_includes_children(run, kb):
    write(kb / "papers" / "abcdEFGH12.yaml", "id: abcdEFGH12\ntitle: T\ntags:\n- NTK\n")
    data = json.loads(run("list", "--tag", "deep-learning-theory", "--json").stdout)
    assert [row["id"] for row in data] == ["abcdEFGH12"]


def test_list_unknown_tag(run):
    result = run("list", "--tag", "ntk2")
    assert result.exit_code == 3
    assert result.stderr.strip() == "Error: unknown tag 'ntk2' (did you mean 'NTK'?)"


def test_tags_counts(run):
    data = json.loads(run("tags", "--json").stdout)
    counts = {row["name"]: row["papers"] for row in data}
    assert counts == {"deep-learning-theory": 0, "NTK": 0, "optimization": 2, "LTH": 0}


def test_validate_clean(run):
    result = run("validate")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "2 record(s) and the taxonomy are valid" in result.stderr
    assert json.loads(run("validate", "--json").stdout) == []


BAD_FILES = {
    "syntax": ("id: syntax\ntitle: [unclosed\n", 3, "YAML syntax error"),
    "wrongtype": (
        "id: wrongtype\ntitle: t\nyear: '2020'\n",
        3,
        "year: expected a whole number",
    ),
    "unknownfield": (
        "id: unknownfield\ntitle: t\ntitel: x\n",
        3,
        "titel: unknown field 'titel' (did you mean 'title'?)",
    ),
    "unknowntag": (
        "id: unknowntag\ntitle: t\ntags:\n- optimisation\n",
        4,
        "tags[0]: unknown tag 'optimisation' (did you mean 'optimization'?)",
    ),
    "duplicatekey": (
        "id: duplicatekey\ntitle: t\ntitle: u\n",
        3,
        "duplicate key 'title' (first at line 2)",
    ),
    "mismatch": ("id: somethingelse\ntitle: t\n", 1, "does not match the file name"),
    "emptyfile": ("", 1, "empty file"),
    "aliastag": ("id: aliastag\ntitle: t\ntags:\n- cntk\n", 4, "tag 'cntk' is an alias of 'NTK'"),
    "danglinglink": (
        "id: danglinglink\ntitle: t\nrelated:\n- id: nosuchpaper\n  why: x\n",
        4,
        "related paper 'nosuchpaper' has no record",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_validate_reports_one_line_with_file_and_line(run, kb, name):
    text, line, message = BAD_FILES[name]
    write(kb / "papers" / f"{name}.yaml", text)
    result = run("validate")
    assert result.exit_code == 1
    mine = [entry for entry in lines(result.stdout) if entry.startswith(f"papers/{name}.yaml")]
    assert len(mine) == 1, result.stdout
    assert mine[0].startswith(f"papers/{name}.yaml:{line}: "), mine[0]
    assert message in mine[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_non_utf8(run, kb):
    (kb / "papers" / "latin1.yaml").write_bytes("id: latin1\ntitle: caf\xe9\n".encode("latin-1"))
    result = run("validate")
    assert result.exit_code == 1
    assert "papers/latin1.yaml:2: not valid UTF-8 (byte 0xe9)" in result.stdout


def test_validate_strict_reports_missing_translation(run, kb):
    write(
        kb / "papers" / "onelang.yaml",
        "id: onelang\ntitle: t\nnotes:\n- lang: en\n  en: only English\n  source: cli\n  date: 2026-01-01\n",
    )
    assert run("validate").exit_code == 0
    result = run("validate", "--strict")
    assert result.exit_code == 1
    assert lines(result.stdout) == [
        "papers/onelang.yaml:4: notes[0].zh: note has no Chinese text (add the translation)"
    ]


def test_validate_taxonomy_problems(run, kb):
    (kb / "tags.yaml").write_text(
        "tags:\n  a:\n    en: A\n    zh: 甲\n    parent: b\n    description: d\n"
        "  b:\n    en: B\n    zh: 乙\n    parent: a\n    aliases:\n    - A\n    description: d\n",
        encoding="utf-8",
    )
    out = run("validate").stdout
    assert "tags.yaml:12: tags.b.aliases[0]: 'A' already names tag 'a'" in out
    assert "parent cycle" in out


def test_fmt_check_and_fix(run, kb):
    path = kb / "papers" / "HygrAR4tPS.yaml"
    path.write_text(
        "title: How Much Tuning Do Optimizers Need?\nid: HygrAR4tPS\ntags: [CNTK, optimization]\n",
        encoding="utf-8",
    )
    result = run("fmt", "--check")
    assert result.exit_code == 1
    assert lines(result.stdout) == ["would reformat papers/HygrAR4tPS.yaml"]
    assert run("fmt").exit_code == 0
    assert path.read_text(encoding="utf-8") == (
        "id: HygrAR4tPS\nkey: muchtuning\ntitle: How Much Tuning Do Optimizers Need?\n"
        "tags:\n- NTK\n- optimization\n"
    )
    assert run("fmt", "--check").exit_code == 0


def test_fmt_crlf_and_bom_are_fixed(run, kb):
    path = kb / "papers" / "HygrAR4tPS.yaml"
    original = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n"))
    assert run("validate").exit_code == 0
    assert run("fmt", "--check").exit_code == 1
    run("fmt")
    assert path.read_bytes() == original


def test_schema_is_json_schema(run):
    schema = json.loads(run("schema").stdout)
    assert schema["additionalProperties"] is False
    assert {"id", "title"} <= set(schema["required"])
    tax = json.loads(run("schema", "--taxonomy").stdout)
    assert "tags" in tax["properties"]


def test_no_knowledge_base(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = Runner(None)("list", root=False)
    assert result.exit_code == 2
    for remedy in ("papernotes init", "--root DIR", "PAPERNOTES_ROOT", "config.toml"):
        assert remedy in result.stderr
    assert len(lines(result.stderr)) == 1


def test_usage_error_exit_code(run):
    assert run("list", "--sort", "nope").exit_code == 2
    assert run("nosuchcommand").exit_code == 2


def test_version(run):
    from papernotes import __version__

    result = run("--version", root=False)
    assert result.stdout.strip() == f"papernotes {__version__}"


def test_mistyped_command_suggests(run):
    result = run("serch", "ntk")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: No such command 'serch'; did you mean 'search'?")
    assert len(result.stderr.strip().splitlines()) == 1
