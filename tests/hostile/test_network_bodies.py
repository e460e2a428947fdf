"""Servers that answer with bodies built to hurt: deeply nested JSON (on 200 and on 404),
a body trickled one byte at a time, a redirect to another host. Each is one line (exit 4
for refresh), nothing bad is cached, and `add` keeps the user's note whatever happens,
Ctrl-C included."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from papernotes.store.kb import KnowledgeBase

from ..openreview_server import FakeServer
from .conftest import child_env, no_traceback, nonblank, one_error, snapshot


@pytest.fixture(autouse=True)
def _fast_failures(monkeypatch):
    monkeypatch.setenv("PAPERNOTES_HTTP_TIMEOUT", "1,1")
    monkeypatch.setenv("PAPERNOTES_HTTP_RETRY_BUDGET", "1")


# -- D20: deeply nested JSON -------------------------------------------------------------------------
def test_nested_json_on_refresh_is_one_line(kb, run, server):
    server.fail("nested", times=5)
    before = snapshot(kb)
    result = run("refresh", "H1gEP6NFwr")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 4, result.stderr
    one_error(result.stderr, "nested too deeply")
    assert snapshot(kb) == before


def test_nested_json_on_add_keeps_the_note(kb, run, server):
    server.fail("nested", times=5)
    result = run("add", "SkgsACVKPH", "--note", "my note", "--tag", "LTH")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 0, result.stderr
    assert any("nested too deeply" in line for line in nonblank(result.stderr))
    paper = KnowledgeBase(kb).get("SkgsACVKPH")
    assert [n.en for n in paper.notes] == ["my note"]


def test_nested_json_on_a_404_is_not_cached(kb, run, server):
    server.fail("nested", times=2, code=404)
    first = run("refresh", "H1gEP6NFwr")
    no_traceback(first.stdout, first.stderr)
    assert first.exit_code in (3, 4), first.stderr
    one_error(first.stderr)
    # The server is fixed: the next run asks again and succeeds.
    second = run("refresh", "H1gEP6NFwr")
    assert second.exit_code == 0, second.stderr
    assert KnowledgeBase(kb).get("H1gEP6NFwr").authors


# -- D19: a trickled body ----------------------------------------------------------------------------
def test_trickled_body_respects_a_total_deadline(kb, run, server):
    server.fail("trickle", times=5, length=1_000_000, interval=0.2)
    before = snapshot(kb)
    started = time.monotonic()
    result = run("refresh", "H1gEP6NFwr")
    spent = time.monotonic() - started
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 4, result.stderr
    one_error(result.stderr, "too slowly")
    assert snapshot(kb) == before
    assert spent < 30, spent  # a bound against hanging, not a speed target


def test_trickled_body_on_add_keeps_the_note(kb, run, server):
    server.fail("trickle", times=5, length=1_000_000, interval=0.2)
    result = run("add", "SkgsACVKPH", "--note", "my note", "--tag", "LTH")
    assert result.exit_code == 0, result.stderr
    paper = KnowledgeBase(kb).get("SkgsACVKPH")
    assert [n.en for n in paper.notes] == ["my note"]


def test_ctrl_c_during_the_fetch_of_add_saves_the_note(kb, server, monkeypatch):
    server.fail("trickle", times=5, length=1_000_000, interval=0.5)
    monkeypatch.setenv("PAPERNOTES_HTTP_TIMEOUT", "30,30")
    monkeypatch.setenv("PAPERNOTES_HTTP_RETRY_BUDGET", "60")
    proc = subprocess.Popen(
        [sys.executable, "-m", "papernotes", "--root", str(kb), "add", "SkgsACVKPH"]
        + ["--note", "typed before the network hung", "--tag", "LTH"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
    )
    deadline = time.monotonic() + 30
    while server.count("/") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.count("/") > 0, "add never reached the server"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    no_traceback(out.decode(), err.decode())
    assert proc.returncode == 130, err.decode()
    assert nonblank(err.decode())[-1] == "Interrupted"
    paper = KnowledgeBase(kb).get("SkgsACVKPH")
    assert [n.en for n in paper.notes] == ["typed before the network hung"]
    assert paper.tags == ["LTH"]


# -- risk: redirects to another host ---------------------------------------------------------------
def test_redirect_to_another_host_is_not_followed(kb, run, server):
    other = FakeServer().start()
    try:
        other.v1_notes["H1gEP6NFwr"]["content"]["title"] = "Written by another host"
        server.fail("redirect", times=5, location=other.base)
        before = snapshot(kb)
        result = run("refresh", "H1gEP6NFwr")
        no_traceback(result.stdout, result.stderr)
        assert result.exit_code == 4, result.stderr
        one_error(result.stderr, "redirected to another host")
        assert other.count("/") == 0
        assert snapshot(kb) == before
    finally:
        other.stop()


def test_redirect_on_the_same_host_is_followed(kb, run, server):
    server.fail("redirect", times=1, location=server.base)
    result = run("refresh", "H1gEP6NFwr")
    assert result.exit_code == 0, result.stderr
    assert KnowledgeBase(kb).get("H1gEP6NFwr").authors
