"""Files written by papernotes: a crash between the temp file and the rename, a full disk,
a process killed mid-write, concurrent writers and a read-only knowledge base. A record
is either the old bytes or the new ones, never half of each, and never lost."""

from __future__ import annotations

import errno
import os
import shlex
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from papernotes.errors import WriteError
from papernotes.store.kb import KnowledgeBase

from .conftest import (
    AS_NOBODY,
    child_env,
    have_unshare,
    in_namespace,
    no_traceback,
    nonblank,
    one_error,
    pn,
    snapshot,
)

UNCANONICAL = "title: How Much Tuning Do Optimizers Need?\nid: HygrAR4tPS\ntags: [optimization]\n"
CANONICAL = "id: HygrAR4tPS\nkey: muchtuning\ntitle: How Much Tuning Do Optimizers Need?\ntags:\n- optimization\n"


def temp_files(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob(".*.tmp"))


@pytest.fixture
def messy(kb):
    """One record fmt wants to rewrite."""
    (kb / "papers" / "HygrAR4tPS.yaml").write_text(UNCANONICAL, encoding="utf-8")
    return kb


WRITERS = {
    "fmt": ("fmt",),
    "add-note": ("add", "H1gEP6NFwr", "--note", "one more note", "--no-fetch"),
    "add-new": ("add", "brandnew01", "--title", "A new paper", "--note", "n", "--no-fetch"),
}


def _fail_with(exc: BaseException):
    def boom(*_args, **_kwargs):
        raise exc

    return boom


@pytest.mark.parametrize("writer", sorted(WRITERS))
@pytest.mark.parametrize(
    "where, exc, code, message",
    [
        ("replace", OSError(errno.EIO, "Input/output error"), 5, "Input/output error"),
        ("fsync", OSError(errno.ENOSPC, "No space left on device"), 5, "No space left on device"),
        ("mkstemp", OSError(errno.EDQUOT, "Disk quota exceeded"), 5, "Disk quota exceeded"),
        ("replace", KeyboardInterrupt(), 130, None),
    ],
    ids=["crash-before-rename", "disk-full", "quota", "ctrl-c-before-rename"],
)
def test_failed_write_keeps_every_record(
    messy, run, monkeypatch, writer, where, exc, code, message
):
    import tempfile

    before = snapshot(messy)
    target = {"replace": (os, "replace"), "fsync": (os, "fsync"), "mkstemp": (tempfile, "mkstemp")}
    monkeypatch.setattr(*target[where], _fail_with(exc))
    result = run(*WRITERS[writer])
    monkeypatch.undo()
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == code, result.stderr
    if message:
        one_error(result.stderr, "cannot write", message)
    else:
        assert nonblank(result.stderr)[-1] == "Interrupted"
    assert snapshot(messy) == before  # old bytes everywhere, no new file
    assert temp_files(messy) == []  # the temp file was removed


def test_lock_held_too_long_is_a_write_error(kb):
    """Another process holds the lock: after the timeout, one line, exit code 5."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom papernotes.store.kb import KnowledgeBase\n"
            f"with KnowledgeBase({str(kb)!r}).lock():\n"
            "    print('HELD', flush=True)\n    time.sleep(30)\n",
        ],
        stdout=subprocess.PIPE,
        env=child_env(),
    )
    try:
        assert holder.stdout.readline() == b"HELD\n"
        with pytest.raises(WriteError) as caught:
            with KnowledgeBase(kb).lock(timeout=0.3):
                pass
        assert caught.value.exit_code == 5
        assert "another papernotes process has held the write lock" in str(caught.value)
    finally:
        holder.kill()
        holder.wait()
    with KnowledgeBase(kb).lock(timeout=5):  # released when its holder died
        pass


# -- a process killed between the temp file and the rename ---------------------------

KILLED = textwrap.dedent(
    """
    import os, sys, time
    real = os.replace

    def stall(src, dst):
        sys.stderr.write("WRITTEN %s\\n" % src)
        sys.stderr.flush()
        time.sleep(60)

    os.replace = stall
    sys.argv = ["papernotes", *sys.argv[1:]]
    from papernotes.cli import main
    main()
    """
)


@pytest.mark.parametrize("writer", ["fmt", "add-note"])
def test_killed_mid_write_leaves_the_old_record(messy, writer):
    before = snapshot(messy)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, "--root", str(messy), *WRITERS[writer]],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=child_env(),
    )
    line = proc.stderr.readline().decode()
    assert line.startswith("WRITTEN "), line
    temp = Path(line.split(" ", 1)[1].strip())
    assert temp.exists() and temp.stat().st_size > 0  # fully written, not yet renamed
    proc.kill()  # SIGKILL: no finally, no cleanup
    proc.wait()
    after = snapshot(messy)
    leftovers = {k: v for k, v in after.items() if k not in before}
    assert {k: v for k, v in after.items() if k in before} == before
    assert list(leftovers) == [temp.relative_to(messy).as_posix()]
    # The leftover is a hidden file: every command ignores it.
    assert pn("validate", root=messy).returncode == 0
    listed = pn("list", "--json", root=messy)
    assert sorted(p["id"] for p in __import__("json").loads(listed.stdout)) == [
        "H1gEP6NFwr",
        "HygrAR4tPS",
    ]
    again = pn(*WRITERS[writer], root=messy)
    assert again.returncode == 0, again.stderr


# -- concurrent writers -------------------------------------------------------------------


def _spawn(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "papernotes", "--root", str(root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
    )


def test_concurrent_fmt(kb):
    for i in range(120):
        (kb / "papers" / f"paper{i:04d}.yaml").write_text(
            f"title: Paper {i}\nid: paper{i:04d}\ntags: [optimization]\n", encoding="utf-8"
        )
    procs = [_spawn(kb, "fmt") for _ in range(4)]
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        no_traceback(out.decode(), err.decode())
        assert proc.returncode == 0, err
    assert pn("fmt", "--check", root=kb).returncode == 0
    assert pn("validate", root=kb).returncode == 0
    assert temp_files(kb) == []
    assert (kb / "papers" / "paper0007.yaml").read_text(encoding="utf-8") == (
        "id: paper0007\nkey: paper7\ntitle: Paper 7\ntags:\n- optimization\n"
    )


def test_concurrent_adds_lose_no_note(kb):
    procs = [
        _spawn(kb, "add", "H1gEP6NFwr", "--note", f"concurrent note {i}", "--no-fetch")
        for i in range(6)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        no_traceback(out.decode(), err.decode())
        assert proc.returncode == 0, err
    paper = KnowledgeBase(kb).get("H1gEP6NFwr")
    notes = sorted(n.en for n in paper.notes if n.en and n.en.startswith("concurrent"))
    assert notes == [f"concurrent note {i}" for i in range(6)]
    assert pn("validate", root=kb).returncode == 0
    assert temp_files(kb) == []


def test_fmt_waits_for_a_writer_holding_the_lock(messy):
    """A writer holds the lock and changes the record; fmt, started meanwhile, must not
    rename its copy of the old content over the new one."""
    path = messy / "papers" / "HygrAR4tPS.yaml"
    kb = KnowledgeBase(messy)
    with kb.lock():
        proc = _spawn(messy, "fmt")
        time.sleep(1.0)  # fmt has started and waits (if it did not, the asserts below catch it)
        assert path.read_text(encoding="utf-8") == UNCANONICAL
        path.write_text(UNCANONICAL.replace("Need?", "Need? (edited)"), encoding="utf-8")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert path.read_text(encoding="utf-8") == CANONICAL.replace("Need?", "Need? (edited)")


# -- read-only knowledge base ----------------------------------------------------------------

READS = [
    ("validate",),
    ("list",),
    ("show", "H1gEP6NFwr"),
    ("tags",),
    ("related", "H1gEP6NFwr"),
    ("fmt", "--check"),
    ("export", "--format", "json"),
    ("search", "tuning"),
]
WRITES = [WRITERS["fmt"], WRITERS["add-note"], WRITERS["add-new"]]


def _read_only_runs(
    root: Path, cache: Path, writes: list[tuple[str, ...]]
) -> tuple[str, list[tuple[tuple, int, str, str]]]:
    """Run every command on ``root`` made read-only by the best means this machine has:
    a read-only bind mount in a private mount namespace (EROFS, the real thing), else as
    user 'nobody' on a root-owned tree (EACCES), else chmod a-w (EACCES)."""
    commands = READS + writes
    out = []
    if have_unshare():
        for args in commands:
            script = (
                f"mount --bind -o ro {shlex.quote(str(root))} {shlex.quote(str(root))}\n"
                f"exec {shlex.quote(sys.executable)} -m papernotes --root "
                f"{shlex.quote(str(root))} " + " ".join(shlex.quote(a) for a in args)
            )
            done = in_namespace(script)
            out.append((args, done.returncode, done.stdout, done.stderr))
        return "Read-only file system", out
    if os.geteuid() == 0:
        env = child_env(PAPERNOTES_CACHE_DIR=str(cache))
        for args in commands:
            done = subprocess.run(
                [sys.executable, "-c", AS_NOBODY, "--root", str(root), *args],
                capture_output=True,
                text=True,
                timeout=60,
                env=env,
            )
            out.append((args, done.returncode, done.stdout, done.stderr))
        return "Permission denied", out
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        for args in commands:
            done = pn(*args, root=root)
            out.append((args, done.returncode, done.stdout, done.stderr))
    finally:
        for path in [root, *root.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
    return "Permission denied", out


def test_read_only_knowledge_base(messy):
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="pn-ro-"))  # reachable by 'nobody' if needed
    try:
        root = base / "kb"
        shutil.copytree(messy, root)
        cache = base / "cache"
        cache.mkdir()
        for folder in (base, root, root / "papers", root / "notes"):
            folder.chmod(0o755)
        cache.chmod(0o777)
        notes = base / "reading.md"
        notes.write_text("- https://openreview.net/forum?id=abcdEFGH12\n  a note\n", "utf-8")
        notes.chmod(0o644)
        writes = [*WRITES, ("import", str(notes))]
        before = snapshot(root)
        reason, runs = _read_only_runs(root, cache, writes)
        after = snapshot(root)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert after == before
    for args, code, stdout, stderr in runs:
        no_traceback(stdout, stderr)
        if args in READS:
            expected = 1 if args == ("fmt", "--check") else 0
            assert code == expected, (args, stderr)
        else:
            assert code == 5, (args, code, stderr)
            one_error(stderr, "cannot ", reason)


@pytest.mark.usefixtures("kb")
def test_disk_really_full(run, monkeypatch):
    """A 256 kB tmpfs filled to the last block, in a private mount namespace. Where the
    machine offers no namespace, ENOSPC comes from a patched os.fsync instead."""
    if not have_unshare():
        monkeypatch.setattr(os, "fsync", _fail_with(OSError(errno.ENOSPC, "No space left")))
        result = run("add", "brandnew01", "--title", "T", "--no-fetch")
        assert result.exit_code == 5
        one_error(result.stderr, "No space left")
        return
    python = shlex.quote(sys.executable)
    script = textwrap.dedent(
        f"""
        mnt=$(mktemp -d)
        logs=$(mktemp -d)  # not on the full disk, or the error message could not be written
        mount -t tmpfs -o size=256k none "$mnt"
        {python} -m papernotes init "$mnt/kb" >/dev/null
        printf 'title: T\\nid: paper0001\\n' > "$mnt/kb/papers/paper0001.yaml"
        cp "$mnt/kb/papers/paper0001.yaml" "$mnt/before.yaml"
        dd if=/dev/zero of="$mnt/fill" bs=1k 2>/dev/null || true
        set +e
        {python} -m papernotes --root "$mnt/kb" fmt 2>"$logs/err1"
        echo "fmt=$?"
        {python} -m papernotes --root "$mnt/kb" add brandnew01 \\
            --title "A new paper" --note n --no-fetch 2>"$logs/err2" >/dev/null
        echo "add=$?"
        cmp -s "$mnt/before.yaml" "$mnt/kb/papers/paper0001.yaml" && echo "record=unchanged"
        echo "files=$(ls -A "$mnt/kb/papers" | tr '\\n' ' ')"
        cat "$logs/err1" "$logs/err2"
        """
    )
    done = in_namespace(script)
    no_traceback(done.stdout, done.stderr)
    lines = nonblank(done.stdout)
    assert lines[:4] == ["fmt=5", "add=5", "record=unchanged", "files=paper0001.yaml "], (
        done.stdout + done.stderr
    )
    errors = lines[4:]
    assert len(errors) == 2 and all(line.startswith("Error: cannot write") for line in errors)
    assert all("No space left on device" in line for line in errors), errors


@pytest.mark.parametrize(
    "args", [("list",), ("show", "H1gEP6NFwr"), ("list", "--json"), ("export",)], ids=" ".join
)
def test_output_to_a_full_disk(kb, args):
    """stdout is /dev/full: every write fails with ENOSPC."""
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = subprocess.run(
            [sys.executable, "-m", "papernotes", "--root", str(kb), *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env=child_env(),
        )
    no_traceback(done.stderr)
    assert done.returncode == 5
    assert nonblank(done.stderr) == ["Error: cannot write the output: No space left on device"]


def test_closed_stdout(kb):
    """`papernotes list >&-`: nothing to print to; it behaves as /dev/null."""
    done = subprocess.run(
        [sys.executable, "-m", "papernotes", "--root", str(kb), "list"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        env=child_env(),
        preexec_fn=lambda: os.close(1),
    )
    no_traceback(done.stderr)
    assert done.returncode == 0
    assert done.stderr == ""


@pytest.mark.usefixtures("kb")
def test_output_into_a_device_or_pipe_is_written_not_replaced(run, tmp_path):
    """`export -o /dev/null` once renamed a temp file over the device node (as root). The
    check uses nodes made in tmp_path: a FIFO always, a null device where mknod works."""
    import stat
    import threading

    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("export", "--format", "json", "-o", str(fifo))
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    reader.join(timeout=60)
    assert got and b'"id": "H1gEP6NFwr"' in got[0]
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:  # not root: the FIFO above is the check
        return
    result = run("export", "-o", str(node))
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(node.stat().st_mode)


def test_writes_go_through_symlinks(kb, run):
    """A record symlinked inside the knowledge base stays a symlink after fmt."""
    drafts = kb / "drafts"
    drafts.mkdir()
    (drafts / "HygrAR4tPS.yaml").write_text(UNCANONICAL, encoding="utf-8")
    link = kb / "papers" / "HygrAR4tPS.yaml"
    link.unlink()
    link.symlink_to("../drafts/HygrAR4tPS.yaml")
    result = run("fmt")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert (drafts / "HygrAR4tPS.yaml").read_text(encoding="utf-8") == CANONICAL
    assert temp_files(kb) == []


def test_saving_an_invalid_record_writes_nothing(kb):
    """save() validates again: a record built without validation is refused in one line."""
    from papernotes.errors import DataError
    from papernotes.model.record import Paper

    before = snapshot(kb)
    bad = Paper.model_construct(**{**KnowledgeBase(kb).get("H1gEP6NFwr").__dict__, "title": "a\nb"})
    with pytest.raises(DataError) as caught:
        KnowledgeBase(kb).save(bad)
    assert caught.value.exit_code == 6
    assert str(caught.value) == "papers/H1gEP6NFwr.yaml: title: must be a single line"
    assert snapshot(kb) == before
