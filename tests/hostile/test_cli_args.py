"""Hostile command-line arguments, markup and terminal escapes in user text, and the
process-level faults CliRunner cannot show: Ctrl-C, a closed pipe, huge real argv."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap

import pytest

from .conftest import (
    child_env,
    no_traceback,
    nonblank,
    one_error,
    pn,
    pn_tty,
    snapshot,
    terminal_controls,
)

LONG = "x" * 100_000
BAD_IDS = [
    "../../etc/passwd",
    "/etc/passwd",
    "papers/../../x",
    "%2e%2e%2fetc",
    "doi:10.1000/../../x",
    "url:../x",
    "arxiv:../../x",
    "file:///etc/passwd",
    "https://openreview.net/forum?id=../../x",
    "https://[bold]x",
    "[bold]x",
    "a\x00b",
    "a\x1b[2Jb",
    "\x9b2J",
    "\u202eabcd",
    "",
    "   ",
    LONG,
]
ID_COMMANDS = [
    ("show",),
    ("related",),
    ("graph", "--paper"),
    ("notes", "--paper"),
    ("export", "--ids"),
    ("add",),
    ("refresh",),
]
# graph --paper '' and notes --paper '' ignore the empty filter (exit 0, everything):
# see pending_cli_args.py.
EMPTY_IGNORED = {("graph", "--paper"), ("notes", "--paper")}


def short(value: str) -> str:
    return repr(value[:20]) + (f"..{len(value)}" if len(value) > 20 else "")


@pytest.mark.parametrize("command", ID_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("bad", BAD_IDS, ids=short)
def test_bad_paper_argument_is_a_usage_error(run, kb, command, bad):
    if bad == "" and command in EMPTY_IGNORED:
        bad = " "
    before = snapshot(kb)
    result = run(*command, bad)
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 2, result.stderr
    line = one_error(result.stderr)
    assert len(line) < 600  # a 100k argument is not echoed whole
    assert "\x1b" not in line and "\x00" not in line and "\x9b" not in line
    assert result.stdout == ""
    assert snapshot(kb) == before


BAD_TAGS = ["a\x00b", "a\x1b[2Jb", "\x9b2J", "[bold]x", "[/]", "\\", "../../etc", LONG]
TAG_COMMANDS = [
    ("list", "--tag"),
    ("topic",),
    ("graph", "--tag"),
    ("notes", "--tag"),
    ("export", "--tag"),
]


@pytest.mark.parametrize("command", TAG_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("bad", BAD_TAGS, ids=short)
def test_unknown_tag_argument_is_not_found(run, kb, command, bad):
    before = snapshot(kb)
    result = run(*command, bad)
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 3, result.stderr
    line = one_error(result.stderr, "unknown tag")
    assert len(line) < 600
    assert "\x1b" not in line and "\x00" not in line and "\x9b" not in line
    assert snapshot(kb) == before


@pytest.mark.parametrize(
    "root, message",
    [
        (LONG, "cannot be used: File name too long"),
        ("a\x00b", "does not exist"),
        ("/etc/passwd", "is a file, not a directory"),
        ("/nonexistent/kb", "does not exist (run 'papernotes init /nonexistent/kb')"),
        ("/proc", "has no papers/ folder"),
    ],
    ids=["long", "nul", "file", "missing", "not-a-kb"],
)
def test_bad_root(root, message):
    from ..conftest import Runner

    result = Runner(None)("--root", root, "list", root=False)
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 2
    line = one_error(result.stderr, message)
    assert len(line) < 600


@pytest.mark.parametrize(
    "args, message",
    [
        (("nosuchcommand",), "'nosuchcommand'"),
        (("list", "--sort", "nope"), "'--sort'"),
        (("list", "--tag"), "'--tag'"),
        (("show",), "'PAPER'"),
        (("show", "a", "b"), "(b)"),
        (("--bogus", "list"), "'--bogus'"),
        (("related", "H1gEP6NFwr", "-n", LONG), "'--limit'"),
    ],
    ids=["command", "choice", "novalue", "missing", "extra", "globaloption", "longvalue"],
)
def test_click_usage_errors_are_one_line(run, args, message):
    """Exit 2 and one line naming what was wrong (click's own wording is not our contract)."""
    result = run(*args)
    assert result.exit_code == 2
    line = one_error(result.stderr, message, "--help')")
    assert len(line) < 600
    assert result.stdout == ""


def test_no_command_still_shows_help(run):
    from ..conftest import Runner

    result = Runner(None)(root=False)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr + result.stdout
    result = run()  # global options but no command
    assert result.exit_code == 2
    one_error(result.stderr, "Missing command")


def test_huge_real_argv(kb):
    """Through execve (not CliRunner): 100,000 characters, one argument."""
    done = pn("show", LONG, root=kb)
    no_traceback(done.stdout, done.stderr)
    assert done.returncode == 2
    assert one_error(done.stderr) == "Error: paper id is too long (100000 characters)"
    done = pn("list", "--tag", LONG, root=kb)
    assert done.returncode == 3
    line = one_error(done.stderr, "unknown tag", "...[100002 chars]")
    assert len(line) < 600


def test_nul_cannot_even_reach_a_real_process():
    """Why NUL is only tested through CliRunner: the OS refuses it in argv."""
    with pytest.raises(ValueError, match="null byte"):
        subprocess.run([sys.executable, "-c", "pass", "a\x00b"], check=False)


# -- markup and terminal escapes in user text -----------------------------------------

EVIL_TITLE = "[bold red]boom[/bold red] \\[x] ends\\"
HOSTILE_RECORD = textwrap.dedent(
    """\
    id: evilEVIL01
    title: "[bold red]boom[/bold red] \\\\[x] ends\\\\ \\u009b2J"
    authors:
    - "[link=https://evil.example]click[/link] \\e[2J"
    venue: "[/]"
    decision: "Accept [green]yes[/green]"
    abstract: "clear \\e[2J\\e[H now; bell \\a; csi \\u009b31m"
    keywords:
    - "[blink]k[/blink]"
    links:
      pdf: "https://example.org/\\e[2J"
    tags:
    - evil
    notes:
    - lang: en
      en: "note [bold]not bold[/bold] \\e[31mred\\e[0m :smile: \\\\"
      source: cli
      date: 2026-01-01
    related:
    - id: H1gEP6NFwr
      why: "[red]why[/red] \\e[2J"
    refs:
    - url: https://example.org/x
      label: "[i]label[/i] \\e[5m"
    """
)
HOSTILE_TAG = (
    "  evil:\n"
    '    en: "[bold]Evil[/bold] \\e[2J"\n'
    '    zh: "恶\\e]8;;https://x\\a链接\\e]8;;\\a"\n'
    "    aliases:\n"
    '    - "[/]"\n'
    '    description: "d \\u009b2J"\n'
)
LITERALS = ["[bold red]boom[/bold red]", "\\[x] ends\\", "[/]", "[bold]not bold[/bold]", ":smile:"]


@pytest.fixture
def hostile(kb):
    (kb / "papers" / "evilEVIL01.yaml").write_text(HOSTILE_RECORD, encoding="utf-8")
    tags = (kb / "tags.yaml").read_text(encoding="utf-8")
    (kb / "tags.yaml").write_text(tags + HOSTILE_TAG, encoding="utf-8")
    return kb


@pytest.mark.usefixtures("hostile")
def test_hostile_record_is_valid(run):
    result = run("validate")
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize(
    "args",
    [("show", "evilEVIL01"), ("list",), ("tags",), ("related", "evilEVIL01"), ("topic", "evil")],
    ids=" ".join,
)
@pytest.mark.usefixtures("hostile")
def test_markup_and_escapes_are_printed_literally_when_piped(run, args):
    result = run(*args)
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 0, result.stderr
    assert terminal_controls(result.stdout + result.stderr) == []
    assert "\x1b" not in result.stdout
    if args[0] == "show":
        for literal in LITERALS:
            assert literal in result.stdout, literal
        assert "\\x1b[2J" in result.stdout and "\\x9b2J" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("show", "evilEVIL01"),  # through the pager (PAGER=cat), which drops colours
        ("show", "evilEVIL01", "--no-pager"),
        ("list",),
        ("tags",),
        ("related", "evilEVIL01"),
        ("topic", "evil"),
    ],
    ids=" ".join,
)
def test_markup_and_escapes_are_printed_literally_on_a_terminal(hostile, args):
    """stdout is a real pseudo-terminal with colours on: rich's own SGR codes are the only
    escape sequences allowed; user text shows up as typed."""
    before = snapshot(hostile)
    done = pn_tty(*args, root=hostile, columns=250)
    no_traceback(done.stdout, done.stderr)
    assert done.returncode == 0, done.stderr
    assert terminal_controls(done.stdout) == []
    assert terminal_controls(done.stderr) == []
    if args[0] in ("list", "tags") or "--no-pager" in args:
        assert "\x1b[" in done.stdout  # colours really were on
    if args[0] == "show":
        from .conftest import SGR

        text = SGR.sub("", done.stdout)
        # ':smile:' in a note becomes an emoji on a terminal: see pending_cli_args.py.
        for literal in [x for x in LITERALS if x != ":smile:"]:
            assert literal in text, literal
        assert "\\x1b[2J" in text and "\\x9b2J" in text
    assert snapshot(hostile) == before


def test_escapes_in_problem_messages(kb, run):
    """validate quotes the bad value: the quote must not carry the escape."""
    (kb / "papers" / "evilTAG001.yaml").write_text(
        'id: evilTAG001\ntitle: t\ntags:\n- "x\\e[2J\\u009b1m[bold]"\n"\\e]0;k": 1\n',
        encoding="utf-8",
    )
    result = run("validate")
    assert result.exit_code == 1
    assert terminal_controls(result.stdout + result.stderr) == []
    assert all(line.startswith("papers/evilTAG001.yaml:") for line in nonblank(result.stdout))
    data = json.loads(run("validate", "--json").stdout)
    assert len(data) == len(nonblank(result.stdout))


@pytest.mark.usefixtures("hostile")
def test_json_output_escapes_control_characters(run):
    result = run("show", "evilEVIL01", "--json")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert json.loads(result.stdout)["title"] == "[bold red]boom[/bold red] \\[x] ends\\ \x9b2J"


# -- signals and pipes (real processes) -----------------------------------------------

HOLD = textwrap.dedent(
    """
    import sys, time
    import papernotes.store.kb as kb

    def hold(self, *args, **kwargs):
        sys.stderr.write("READY\\n")
        sys.stderr.flush()
        time.sleep(60)

    kb.KnowledgeBase.load_path = hold
    sys.argv = ["papernotes", *sys.argv[1:]]
    from papernotes.cli import main
    main()
    """
)


def test_ctrl_c_exits_130_with_one_line(kb):
    """SIGINT while the command is working (it waits inside load_path, which --full calls, so
    the signal is never racing start-up): exit 130, 'Interrupted', no traceback, nothing written."""
    before = snapshot(kb)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, "--root", str(kb), "validate", "--full"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
    )
    assert proc.stderr.readline() == b"READY\n"
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert nonblank(stderr.decode()) == ["Interrupted"]
    assert stdout == b""
    assert snapshot(kb) == before


@pytest.fixture
def many(kb):
    for i in range(1500):
        (kb / "papers" / f"paper{i:05d}.yaml").write_text(
            f"id: paper{i:05d}\ntitle: A title long enough to fill the pipe buffer {i}\n"
            "tags:\n- nosuchtag\n",
            encoding="utf-8",
        )
    return kb


@pytest.mark.parametrize(
    "args", [("list",), ("list", "--json"), ("validate",), ("tags", "--json")], ids=" ".join
)
def test_reader_going_away_is_silent(many, args):
    """`papernotes list | head -1`: the pipe closes early; no traceback, no 'Broken pipe'."""
    import shlex

    command = " ".join(shlex.quote(a) for a in (sys.executable, "-m", "papernotes"))
    command += f" --root {shlex.quote(str(many))} " + " ".join(args)
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} 2>err.txt | head -c 20 >/dev/null"],
        cwd=many.parent,
        capture_output=True,
        timeout=120,
        env=child_env(),
    )
    err = (many.parent / "err.txt").read_text(encoding="utf-8")
    no_traceback(err)
    assert "BrokenPipe" not in err and "Exception ignored" not in err
    # validate still reports its count on stderr; nothing else may appear there.
    assert [line for line in nonblank(err) if "problem(s)" not in line] == []
    assert done.returncode in (0, 1), err  # the command's own code, not a crash
