"""Shell completion through click's environment variables, and `papernotes completion`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from papernotes.cli import cli

from .conftest import write


def complete(root, words: str, shell: str = "bash", env: dict | None = None) -> list[str]:
    """What the shell would offer after typing ``words`` (the last word is completed)."""
    parts = words.split(" ")
    result = CliRunner().invoke(
        cli,
        [],
        prog_name="papernotes",
        env={
            "_PAPERNOTES_COMPLETE": f"{shell}_complete",
            "COMP_WORDS": words,
            # fish passes the word being completed, bash and zsh its index
            "COMP_CWORD": parts[-1] if shell == "fish" else str(len(parts) - 1),
            "PAPERNOTES_ROOT": str(root) if root else None,
            **(env or {}),
        },
    )
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if line]


@pytest.fixture
def many(kb):
    for pid in ("H1gABCDEFG", "H1gXYZ1234", "arxiv%3A1805.08651"):
        write(kb / "papers" / f"{pid}.yaml", "id: x\ntitle: whatever\n")
    return kb


def test_show_completes_paper_ids(many):
    assert complete(many, "papernotes show H1g") == [
        "plain,H1gABCDEFG",
        "plain,H1gEP6NFwr",
        "plain,H1gXYZ1234",
    ]
    assert complete(many, "papernotes show H1gE") == ["plain,H1gEP6NFwr"]
    assert complete(many, "papernotes show h1ge") == ["plain,H1gEP6NFwr"]  # any case
    assert complete(many, "papernotes show Q") == []


def test_zsh_shows_titles_beside_ids(kb):
    out = complete(kb, "papernotes show H1gE", shell="zsh")
    assert out == ["plain", "H1gEP6NFwr", "On the Tunability of Optimizers in Deep Learning"]


def test_export_completes_ids_and_tags(many):
    assert "plain,HygrAR4tPS" in complete(many, "papernotes export Hy")
    assert complete(many, "papernotes export --tag nt") == ["plain,NTK"]
    tags = complete(many, "papernotes export --tag ")
    assert tags == ["plain,deep-learning-theory", "plain,LTH", "plain,NTK", "plain,optimization"]
    fish = complete(many, "papernotes export --tag N", shell="fish")
    assert fish == ["plain,NTK\tNeural tangent kernel / 神经正切核"]


def test_list_completes_tags(kb):
    assert complete(kb, "papernotes list --tag lt") == ["plain,LTH"]


def test_commands_and_options_complete(kb):
    commands = complete(kb, "papernotes ex")
    assert commands == ["plain,export"]
    assert "plain,--format" in complete(kb, "papernotes export --f")
    assert "plain,csljson" in complete(kb, "papernotes export --format c")
    assert complete(kb, "papernotes completion f") == ["plain,fish"]


def test_completion_without_a_knowledge_base_offers_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert complete(None, "papernotes show H1g") == []
    assert complete(tmp_path / "missing", "papernotes export --tag n") == []


def test_completion_reads_no_records_and_no_pydantic(many):
    """Completion runs on every TAB: it must not import pydantic or parse records."""
    code = (
        "import sys\nfrom papernotes.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(m for m in ('pydantic', 'rich', 'requests') if m in sys.modules))"
    )
    env = {
        **os.environ,
        "_PAPERNOTES_COMPLETE": "bash_complete",
        "COMP_WORDS": "papernotes show H1gX",
        "COMP_CWORD": "2",
        "PAPERNOTES_ROOT": str(many),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.splitlines() == ["plain,H1gXYZ1234"]
    assert out.stderr == ""


@pytest.mark.parametrize(
    "shell,marker",
    [
        ("bash", "complete -o nosort -F _papernotes_completion papernotes"),
        ("zsh", "compdef _papernotes_completion papernotes"),
        ("fish", "complete --no-files --command papernotes --arguments"),
    ],
)
def test_completion_script(shell, marker):
    result = CliRunner().invoke(cli, ["completion", shell])
    assert result.exit_code == 0
    assert marker in result.stdout
    assert "_PAPERNOTES_COMPLETE" in result.stdout
    assert "_papernotes_completion" in result.stdout


def test_completion_unknown_shell_is_a_usage_error():
    result = CliRunner().invoke(cli, ["completion", "tcsh"])
    assert result.exit_code == 2
    assert "'SHELL'" in result.stderr and "tcsh" in result.stderr
    assert "Traceback" not in result.stderr
    result = CliRunner().invoke(cli, ["completion"])
    assert result.exit_code == 2 and "'SHELL'" in result.stderr


def test_bash_script_works_in_bash(kb):
    """The printed script, sourced by a real bash, completes an id (when bash is there)."""
    script = CliRunner().invoke(cli, ["completion", "bash"]).stdout
    papernotes = os.path.join(os.path.dirname(sys.executable), "papernotes")
    driver = (
        f"{script}\n"
        f"COMP_WORDS=(papernotes show H1gE); COMP_CWORD=2\n"
        f"_papernotes_completion {papernotes}\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    out = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", driver],
        env={**os.environ, "PAPERNOTES_ROOT": str(kb), "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
    )
    assert out.stdout.split() == ["H1gEP6NFwr"], out.stderr
