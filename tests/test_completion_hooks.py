"""The pre-commit hooks (.pre-commit-hooks.yaml) run the real commands on a knowledge base."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
PAPERNOTES = str(Path(sys.executable).with_name("papernotes"))


def hooks() -> dict[str, dict]:
    data = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in data}


def run_hook(hook: dict, root: Path) -> subprocess.CompletedProcess:
    """Run a hook the way pre-commit does: its entry plus args, in the repository root."""
    argv = shlex.split(hook["entry"]) + list(hook.get("args", []))
    assert argv[0] == "papernotes"
    env = {k: v for k, v in os.environ.items() if k != "PAPERNOTES_ROOT"}
    return subprocess.run(
        [PAPERNOTES, *argv[1:]], cwd=root, env=env, capture_output=True, text=True
    )


def test_hooks_are_well_formed():
    found = hooks()
    assert set(found) == {"papernotes-validate", "papernotes-fmt"}
    for hook in found.values():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        pattern = re.compile(hook["files"])
        assert pattern.search("papers/H1gEP6NFwr.yaml") and pattern.search("tags.yaml")
        assert not pattern.search("src/papernotes/cli/__init__.py")
    assert found["papernotes-validate"]["entry"] == "papernotes validate"
    assert found["papernotes-fmt"]["entry"] == "papernotes fmt --check"


@pytest.mark.parametrize("hook_id", ["papernotes-validate", "papernotes-fmt"])
def test_hooks_pass_on_a_clean_knowledge_base(kb, hook_id):
    result = run_hook(hooks()[hook_id], kb)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hooks_fail_on_problems(kb):
    record = kb / "papers" / "H1gEP6NFwr.yaml"
    record.write_text(record.read_text(encoding="utf-8") + "tilte: typo\n", encoding="utf-8")
    result = run_hook(hooks()["papernotes-validate"], kb)
    assert result.returncode == 1
    assert "papers/H1gEP6NFwr.yaml" in result.stdout and "unknown field 'tilte'" in result.stdout

    other = kb / "papers" / "HygrAR4tPS.yaml"
    other.write_text(
        "title: How Much Tuning Do Optimizers Need?\n"
        + other.read_text(encoding="utf-8").replace(
            "title: How Much Tuning Do Optimizers Need?\n", ""
        ),
        encoding="utf-8",
    )
    result = run_hook(hooks()["papernotes-fmt"], kb)
    assert result.returncode == 1
    assert "papers/HygrAR4tPS.yaml" in result.stdout
