"""The freshness check's stat, started in a child before the command loads: which commands
and which knowledge base get one, that its signature is the one a stat in the command would
give, that a folder changed meanwhile is stat'ed again, and that an index that is not
current is brought up to date by a stat of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from papernotes.index import prescan
from tests.conftest import write

RECORD = "id: {pid}\ntitle: Paper {pid}\n"


@pytest.fixture
def kb(tmp_path) -> Path:
    root = tmp_path / "kb"
    (root / "papers").mkdir(parents=True)
    (root / "sub" / "deeper").mkdir(parents=True)
    write(root / "tags.yaml", "tags: {}\n")
    for i in range(30):
        write(root / "papers" / f"Paper{i:04d}x.yaml", RECORD.format(pid=f"Paper{i:04d}x"))
    write(root / "papers" / ".hidden.yaml", "not a record\n")
    write(root / "papers" / "README.txt", "not a record\n")
    return root


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["search", "ntk"], "kb"),
        (["--no-color", "list", "--tag", "NTK"], "kb"),
        (["show", "X", "--root", "{other}"], "other"),
        (["--root", "{other}", "related", "X"], "other"),
        (["topic", "NTK", "--root={other}"], "other"),
        (["stats", "--", "--root", "{other}"], "kb"),  # after --, not an option
        (["add", "X"], None),  # writes a record before it refreshes
        (["edit", "X"], None),
        (["status", "X", "read"], None),
        (["show", "X", "--help"], None),
        (["--version"], None),
        ([], None),
        (["show", "X", "--root"], None),  # click says what is missing
    ],
)
def test_the_guessed_knowledge_base(kb, tmp_path, args, expected):
    other = str(tmp_path / "other")
    argv = [a.format(other=other) for a in args]
    found = prescan.guess_root(argv, {}, str(kb / "sub" / "deeper"))
    assert found == {"kb": str(kb), "other": other, None: None}[expected]


def test_the_environment_names_the_knowledge_base_when_no_option_does(kb, tmp_path):
    env = {"PAPERNOTES_ROOT": "~/notes-kb"}
    assert prescan.guess_root(["list"], env, str(kb)) == os.path.expanduser("~/notes-kb")
    given = prescan.guess_root(["list", "--root", str(tmp_path)], env, str(kb))
    assert given == str(tmp_path)
    assert prescan.guess_root(["list"], {"PAPERNOTES_ROOT": ""}, str(kb)) == str(kb)


def test_no_knowledge_base_above_the_folder_means_no_prescan(tmp_path):
    (tmp_path / "papers").mkdir()  # papers/ without tags.yaml is not a knowledge base
    assert prescan.guess_root(["list"], {}, str(tmp_path)) is None


# The child is forked from a fresh interpreter, as the console script does it.
CHILD = """
import json, os, sys, time
from pathlib import Path
from papernotes.index import prescan, store
from papernotes.store.kb import KnowledgeBase

root, change = sys.argv[1], sys.argv[2]
prescan.start(["--root", root, "search", "x"])
started = prescan._pending is not None
if change == "add":
    time.sleep(0.2)  # the child has stat'ed the folder
    Path(root, "papers", "Added0000x.yaml").write_text("id: Added0000x\\ntitle: New\\n")
taken = []
real_take = prescan.take
prescan.take = lambda folder: taken.append(real_take(folder)) or taken[-1]
first = store.scan(KnowledgeBase(Path(root)), early=True)
prescan.take = real_take
again = store.scan(KnowledgeBase(Path(root)), early=True)  # taken once: stat'ed here
print(json.dumps({
    "started": started,
    "used": bool(taken and taken[0] is not None),
    "complete": [first.complete, again.complete],
    "same": first.signature == again.signature and first.tags_signature == again.tags_signature,
    "names": sorted(again.names),
}))
"""


def _child(root: Path, change: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), change],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PAPERNOTES_CACHE_DIR": str(root.parent / "cache")},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _can_prescan() -> bool:
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) >= 2


def test_the_childs_answer_is_a_stat_of_every_record(kb):
    found = _child(kb, "none")
    assert found["started"] == found["used"] == _can_prescan()
    assert found["complete"] == [not _can_prescan(), True]  # the child sends no names
    assert found["same"]
    assert found["names"] == [f"Paper{i:04d}x.yaml" for i in range(30)]


def test_a_folder_changed_since_the_child_stat_it_is_stat_again(kb):
    found = _child(kb, "add")
    assert not found["used"]  # the folder's mtime moved: the child's answer is dropped
    assert found["complete"] == [True, True]
    assert found["same"] and "Added0000x.yaml" in found["names"]


def test_commands_started_from_the_console_script_see_every_edit(kb):
    def search(word: str) -> list[str]:
        result = subprocess.run(
            [sys.executable, "-m", "papernotes", "search", word, "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=kb / "sub",
            env={**os.environ, "PAPERNOTES_CACHE_DIR": str(kb.parent / "cache")},
        )
        assert result.returncode in (0, 1), result.stderr
        assert "Traceback" not in result.stderr
        return [hit["id"] for hit in json.loads(result.stdout or "[]")]

    assert search("Paper0003x") == ["Paper0003x"]
    path = kb / "papers" / "Paper0003x.yaml"
    path.write_text("id: Paper0003x\ntitle: Quokka widths\n", encoding="utf-8")  # in place
    assert search("quokka") == ["Paper0003x"]
    path.unlink()
    assert search("quokka") == []


def test_an_index_behind_the_files_is_updated_by_a_stat_of_its_own(kb):
    """The child's answer is a signature; when it says the index is behind, the command
    stats the folder itself and indexes what changed (an edit made since the last run)."""
    env = {**os.environ, "PAPERNOTES_CACHE_DIR": str(kb.parent / "cache")}
    argv = [sys.executable, "-m", "papernotes", "--root", str(kb), "search", "--json"]
    subprocess.run([*argv, "paper"], capture_output=True, timeout=60, env=env, check=True)
    for i in (3, 7):
        path = kb / "papers" / f"Paper{i:04d}x.yaml"
        path.write_text(f"id: Paper{i:04d}x\ntitle: Wombat {i}\n", encoding="utf-8")
    found = subprocess.run(
        [*argv, "wombat"], capture_output=True, text=True, timeout=60, env=env, check=True
    )
    assert sorted(hit["id"] for hit in json.loads(found.stdout)) == ["Paper0003x", "Paper0007x"]


def test_the_childs_signature_is_the_summary_of_the_parents_stat(kb):
    """The child sums as it stats; the parent keeps every key and sums them after. Both
    count a dangling link and a folder named like a record, and skip the rest alike."""
    papers = kb / "papers"
    (papers / "Dangling0x.yaml").symlink_to(papers / "nowhere.yaml")
    (papers / "Loop00000x.yaml").symlink_to(papers / "Loop00000x.yaml")
    (papers / "Folder000x.yaml").mkdir()
    fd = os.open(papers, os.O_RDONLY)
    try:
        names, keys = prescan.stat_dir(fd)
        assert prescan.signature(fd) == prescan.summary(keys)
    finally:
        os.close(fd)
    assert len(names) == 33 and prescan.summary(keys)[0] == 33
