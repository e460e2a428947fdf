"""Bad networks, end to end through `add` and `refresh`, against the fake OpenReview/arXiv
server on 127.0.0.1: timeouts, resets, 5xx storms, 429, wrong content types, huge bodies,
invalid JSON. add keeps the note and saves what is known (exit 0 with a warning); refresh
says in one line what went wrong (exit 4) and leaves the record as it was."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from papernotes.store.kb import KnowledgeBase

from .conftest import child_env, no_traceback, nonblank, one_error, snapshot


@pytest.fixture(autouse=True)
def _fast_failures(monkeypatch):
    """Tighter than the suite's defaults, so each fault case ends in about a second."""
    monkeypatch.setenv("PAPERNOTES_HTTP_TIMEOUT", "1,1")
    monkeypatch.setenv("PAPERNOTES_HTTP_RETRY_BUDGET", "1")


FAULTS = {
    "timeout": ("slow", {"delay": 3}, 5, "sent no answer within 1 s (read timeout)"),
    "reset": ("reset", {}, 50, "was reset; try again later"),
    "500-storm": ("status", {"code": 500}, 50, "keeps failing (500 Internal Server Error)"),
    "503-storm": ("status", {"code": 503}, 50, "keeps failing (503 Service Unavailable)"),
    "502-html-body": ("plain_error", {"code": 502}, 50, "keeps failing (502 Bad Gateway)"),
    "429-retry-0": ("rate_limit", {"retry_after": "0"}, 50, "is rate-limiting requests (429"),
    "429-retry-1h": ("rate_limit", {"retry_after": "3600"}, 1, "asks to wait 60 min"),
    "403-challenge": ("challenge", {}, 1, "set PAPERNOTES_OPENREVIEW_TOKEN"),
    "html-page": ("html", {}, 5, "HTML instead of JSON"),
    "invalid-json": ("bad_json", {}, 5, "malformed JSON"),
    "empty-body": ("empty", {}, 5, "an empty body"),
    "json-list": ("json", {"body": [1, 2]}, 5, "no list of notes"),
    "notes-not-a-list": ("json", {"body": {"notes": "x"}}, 5, "no list of notes"),
    "huge-declared": ("huge", {"size": 50_000_000}, 5, "50.0 MB from"),
    "huge-chunked": ("huge", {"size": 50_000_000, "declare": False}, 5, "more than 5 MB"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_refresh_on_a_bad_network_changes_nothing(kb, run, server, fault):
    kind, options, times, message = FAULTS[fault]
    server.fail(kind, times=times, **options)
    before = snapshot(kb)
    started = time.monotonic()
    result = run("refresh", "H1gEP6NFwr")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 4, result.stderr
    one_error(result.stderr, message)
    assert snapshot(kb) == before
    assert time.monotonic() - started < 30  # retries are bounded (the budget is 1 s here)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_add_on_a_bad_network_keeps_the_note(kb, run, server, fault):
    kind, options, times, message = FAULTS[fault]
    server.fail(kind, times=times, **options)
    result = run("add", "SkgsACVKPH", "--note", "my note survives", "--tag", "LTH")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in nonblank(result.stderr) if line.startswith("Warning: ")]
    assert len(warnings) == 1 and message in warnings[0]
    assert all(line.startswith(("Warning: ", "Hint: ")) for line in nonblank(result.stderr))
    paper = KnowledgeBase(kb).get("SkgsACVKPH")
    assert [n.en for n in paper.notes] == ["my note survives"]
    assert paper.tags == ["LTH"]
    assert paper.title  # from the offline catalog, known without the network
    assert run("validate").exit_code == 0


def test_wrong_content_type_with_json_inside_is_accepted(kb, run, server):
    server.fail("content_type", times=5, value="image/png")
    result = run("refresh", "H1gEP6NFwr")
    assert result.exit_code == 0, result.stderr
    assert KnowledgeBase(kb).get("H1gEP6NFwr").authors  # filled from the answer


def test_offline(kb, run):
    """No server at all (a closed port): the same one-line answer, the record untouched."""
    before = snapshot(kb)
    result = run("refresh", "H1gEP6NFwr")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 4
    one_error(result.stderr)
    assert snapshot(kb) == before


def test_ctrl_c_while_waiting_for_the_server(kb, server, monkeypatch):
    """SIGINT while refresh waits on a slow answer: exit 130, the record untouched."""
    server.fail("slow", times=5, delay=20)
    monkeypatch.setenv("PAPERNOTES_HTTP_TIMEOUT", "30,30")
    before = snapshot(kb)
    proc = subprocess.Popen(
        [sys.executable, "-m", "papernotes", "--root", str(kb), "refresh", "H1gEP6NFwr"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
    )
    deadline = time.monotonic() + 30
    while server.count("/") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.count("/") > 0, "refresh never reached the server"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    no_traceback(out.decode(), err.decode())
    assert proc.returncode == 130
    assert nonblank(err.decode()) == ["Interrupted"]
    assert snapshot(kb) == before


HOSTILE_CONTENT = {
    "control-title": {"title": "Evil \x1b[2J title\x07"},
    "multiline-title": {"title": "line1\nline2\r\nline3"},
    "empty-authors": {"authors": ["", "  ", "A. Author"]},
    "authors-not-a-list": {"authors": "Just One"},
    "numbers-as-keywords": {"keywords": ["", None, 5]},
    "javascript-pdf": {"pdf": "javascript:alert(1)"},
    "abstract-object": {"abstract": {"a": 1}},
    "nul-in-abstract": {"abstract": "a\x00b"},
    "3-mb-abstract": {"abstract": "x" * 3_000_000},
    "markup-and-nel": {"title": "[bold red]T[/bold red] a\x85b", "abstract": "\\[x] :smile:"},
}


@pytest.mark.parametrize("name", sorted(HOSTILE_CONTENT))
def test_hostile_metadata_never_breaks_a_record(kb, run, server, name):
    """The server answers 200 with strange content: the record stays valid, notes kept."""
    import copy

    note = copy.deepcopy(server.v1_notes["H1gEP6NFwr"])
    note["content"].update(HOSTILE_CONTENT[name])
    server.v1_notes["H1gEP6NFwr"] = note
    notes_before = KnowledgeBase(kb).get("H1gEP6NFwr").notes
    result = run("refresh", "H1gEP6NFwr")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 0, result.stderr
    assert run("validate").exit_code == 0
    paper = KnowledgeBase(kb).get("H1gEP6NFwr")
    assert paper.notes == notes_before
    assert "\x1b" not in paper.title and "\n" not in paper.title
