"""Shared fixtures: every test runs on its own temp knowledge base, plain output, fixed width."""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from papernotes.cli import cli

from .openreview_server import isolate_network, running_server

TAGS = """\
tags:
  deep-learning-theory:
    en: Deep learning theory
    zh: 深度学习理论
    description: Why deep networks train and generalise.
  NTK:
    en: Neural tangent kernel
    zh: 神经正切核
    aliases:
    - neural tangent kernel
    - CNTK
    parent: deep-learning-theory
    description: Infinite-width limit of training.
  optimization:
    en: Optimization
    zh: 优化
    description: Training algorithms.
  LTH:
    en: Lottery ticket hypothesis
    zh: 彩票假设
    aliases:
    - lottery ticket
    - winning tickets
    description: Sparse trainable subnetworks.
"""

RECORD = """\
id: H1gEP6NFwr
key: tunability2020optimizers
title: On the Tunability of Optimizers in Deep Learning
venue: ICLR 2020
year: 2020
decision: Reject
ratings:
- 3
- 3
links:
  forum: https://openreview.net/forum?id=H1gEP6NFwr
tags:
- optimization
notes:
- lang: zh
  zh: |-
    略神奇. 如何比较"easy to tune"?
    本文提出了一个quantify的方法
  en: |-
    Rather remarkable. How do you compare "easy to tune"?
    This paper proposes a way to quantify it
  source: seeds/000_316735fe26adea45.txt
  date: 2026-11-22
related:
- id: HygrAR4tPS
  why: 非常相关的工作
added: 2026-11-22
"""

RELATED = """\
id: HygrAR4tPS
key: muchtuning
title: How Much Tuning Do Optimizers Need?
tags:
- optimization
related:
- id: H1gEP6NFwr
  why: 非常相关的工作
"""


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("PAPERNOTES_ROOT", raising=False)
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "_cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "_xdg"))
    # The user's own config file and settings never reach a test, nor does a note
    # author from the machine: no user config, no global git identity.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "_config"))
    for name in ("PAPERNOTES_CONFIG", "PAPERNOTES_AUTHOR", "VISUAL", "EDITOR", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "_gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # No test reaches the internet: metadata servers point at a closed local port
    # unless a test asks for the fake OpenReview/arXiv server (the `server` fixture).
    isolate_network(monkeypatch)


@pytest.fixture
def server(monkeypatch):
    """A fake OpenReview (v1, v2) and arXiv server on 127.0.0.1, with papernotes pointed at it."""
    yield from running_server(monkeypatch)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def empty_kb(tmp_path) -> Path:
    root = tmp_path / "kb"
    (root / "papers").mkdir(parents=True)
    (root / "notes").mkdir()
    write(root / "tags.yaml", TAGS)
    return root


@pytest.fixture
def kb(empty_kb) -> Path:
    write(empty_kb / "papers" / "H1gEP6NFwr.yaml", RECORD)
    write(empty_kb / "papers" / "HygrAR4tPS.yaml", RELATED)
    return empty_kb


class Runner:
    def __init__(self, root: Path | None):
        self.root = root
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, root: bool = True):
        argv = (["--root", str(self.root)] if root and self.root else []) + list(args)
        return self.runner.invoke(cli, argv, input=input, catch_exceptions=False)


@pytest.fixture
def run(kb) -> Runner:
    return Runner(kb)


@pytest.fixture
def run_empty(empty_kb) -> Runner:
    return Runner(empty_kb)


# -- the quick loop: pytest -m "not slow" ---------------------------------------------------
# Slow: every test in tests/hostile/, and every test that starts a process or a browser
# (python, git, a shell, a pager, Chromium), in its own code or in a helper it names.
_STARTS_PROCESS = re.compile(
    r"subprocess|Popen|sys\.executable|CHROMIUM|sync_playwright|pexpect|\bpty\b|os\.fork"
)


def _source(obj) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


def _slow_helpers(module) -> set[str]:
    """Names of the test module's own or imported test helpers that start processes."""
    cached = getattr(module, "_slow_helpers", None)
    if cached is not None:
        return cached
    helpers = {}
    for name, obj in vars(module).items():
        obj = getattr(obj, "_get_wrapped_function", lambda o=obj: o)()  # a fixture's function
        if (
            (inspect.isfunction(obj) or inspect.isclass(obj))
            and getattr(obj, "__module__", "").startswith("tests")
            and not name.startswith("test_")
        ):
            helpers[name] = _source(obj)
    slow = {name for name, code in helpers.items() if _STARTS_PROCESS.search(code)}
    for _ in range(2):  # helpers calling helpers
        slow |= {
            n for n, code in helpers.items() if any(re.search(rf"\b{s}\b", code) for s in slow)
        }
    module._slow_helpers = slow
    return slow


def _is_slow(item) -> bool:
    if "hostile" in item.path.parts:
        return True
    code = _source(item.function)
    if _STARTS_PROCESS.search(code):
        return True
    names = set(re.findall(r"\w+", code)) | set(getattr(item, "fixturenames", ()))
    return bool(names & _slow_helpers(item.module))


def pytest_collection_modifyitems(config, items):  # noqa: ARG001 (pytest's hook signature)
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
