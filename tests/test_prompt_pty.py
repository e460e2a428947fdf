"""`add`'s questions on a real pseudo-terminal: readline edits the line and Tab completes
tag names; with stdout piped, the questions still reach the person on stderr."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

import yaml

PAPERNOTES = os.path.join(os.path.dirname(sys.executable), "papernotes")
LEFT = "\x1b[D"


class Terminal:
    """A command on the slave side of a pty; the test types on the master side."""

    def __init__(self, args: list[str], env: dict, stdout=None):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            args,
            stdin=slave,
            stdout=slave if stdout is None else stdout,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"{text!r} not shown; the terminal shows {self.seen!r}"
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the command ended and closed the terminal
                    chunk = b""
                assert chunk, f"{text!r} not shown before the end; shown: {self.seen!r}"
                self.seen += chunk.decode("utf-8", "replace")

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait(self) -> int:
        try:
            return self.proc.wait(timeout=60)
        finally:
            os.close(self.master)


def env_for(kb) -> dict:
    return {
        **os.environ,
        "PAPERNOTES_ROOT": str(kb),
        "TERM": "xterm",
        "INPUTRC": os.devnull,  # the person's own readline settings are not the test's
    }


def saved(kb, name: str) -> dict:
    return yaml.safe_load((kb / "papers" / name).read_text(encoding="utf-8"))


def test_tab_completes_tags_and_arrows_edit_the_line(kb):
    term = Terminal([PAPERNOTES, "add", "doi:10.1000/pty", "--no-fetch"], env_for(kb))
    term.expect("Add it anyway? [y/N]: ")  # offline, and in no catalog
    term.type("y\r")
    term.expect("Title: ")
    term.type("A Title Typed at a Terminal\r")
    term.expect("Note (")
    term.type("abc" + LEFT + LEFT + "X\r")  # the cursor moves back: the X goes in the middle
    term.expect("Tab completes")
    term.type("NT\t, lot\t\r")
    term.expect("Created papers/doi%3A10.1000%2Fpty.yaml")
    assert term.wait() == 0, term.seen

    data = saved(kb, "doi%3A10.1000%2Fpty.yaml")
    assert data["title"] == "A Title Typed at a Terminal"
    assert data["notes"][0]["en"] == "aXbc"
    assert data["tags"] == ["NTK", "LTH"]  # "lot" completed to the alias "lottery ticket"


def test_with_stdout_piped_the_questions_go_to_stderr(kb):
    term = Terminal(
        [PAPERNOTES, "add", "doi:10.1000/piped", "--no-fetch"],
        env_for(kb),
        stdout=subprocess.PIPE,
    )
    term.expect("Add it anyway? [y/N]: ")
    term.type("y\r")
    term.expect("Title: ")
    term.type("Piped Title\r")
    term.expect("Note (")
    term.type("a note\r")
    term.expect("Tags (comma-separated; empty for none)")  # no Tab completion promised
    term.type("ntk\r")
    out = term.proc.stdout.read().decode()
    assert term.wait() == 0, term.seen
    assert out.startswith("Created papers/doi%3A10.1000%2Fpiped.yaml: Piped Title")
    assert "Note (" not in out and "Tags (" not in out  # questions never reach stdout
    assert saved(kb, "doi%3A10.1000%2Fpiped.yaml")["tags"] == ["NTK"]


def test_end_of_input_at_a_required_question_is_one_line(kb):
    term = Terminal([PAPERNOTES, "add", "doi:10.1000/eof", "--no-fetch"], env_for(kb))
    term.expect("Add it anyway? [y/N]: ")
    term.type("y\r")
    term.expect("Title: ")
    term.type("\x04")  # Ctrl-D
    term.expect("Error: no answer to 'Title'")
    assert term.wait() == 2
    assert "Traceback" not in term.seen
    assert not (kb / "papers" / "doi%3A10.1000%2Feof.yaml").exists()
