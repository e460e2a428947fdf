"""Tests that need a program outside Python: skipped with the reason where it is missing,
except in CI (CI=true), where .ci/run installs it and a missing program fails the test."""

import os
import shutil

import pytest


def require(program: str, package: str | None = None) -> str:
    """The path of ``program``; skips (or fails under CI) when it is not installed."""
    path = shutil.which(program)
    if path:
        return path
    reason = f"{program} is not installed (apt-get install {package or program})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; .ci/run installs it, so CI must run this test", pytrace=False)
    pytest.skip(reason)
