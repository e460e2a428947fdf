"""Three clones of one bare repository, random concurrent edits, real git, the real driver.

Each scenario copies a prepared bare repository with three clones (set up by
``papernotes git init``, the driver wrapped only to count its runs), applies a random
sequence of operations to the files of random clones (add a note, add or remove a tag,
change a scalar, add a related link, edit a note, settle a conflict), syncs clones at
random points with the real ``sync`` (commit, fetch, rebase or replay, push), and
finally syncs every clone. Then every clone must hold the same files, every note added
must exist exactly once, removals must have stuck, every record must load, and no file
may hold a conflict marker.

Each sync picks at random between the in-process replay and ``git rebase`` running the driver
once per record, so both paths meet in one history. Run with ``-s`` to see the totals:
scenarios, operations, merges (by the driver through git, and in-process), conflicts.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papernotes.model.record import Note, Related
from papernotes.share.gitrepo import setup, sync
from papernotes.share.resolve import resolve
from papernotes.store.kb import KnowledgeBase

from .conftest import TAGS

PAPERS = ["H1gEP6NFwr", "HygrAR4tPS", "rkgNKkHtvB"]
TAG_NAMES = ["optimization", "LTH", "NTK", "deep-learning-theory"]
INITIAL_TAGS = {"H1gEP6NFwr": ["optimization", "LTH"], "HygrAR4tPS": ["optimization"]}
INITIAL_TAGS["rkgNKkHtvB"] = ["NTK"]
DECISIONS = ["Reject", "Accept (Poster)", "Accept (Spotlight)"]
CLONES = 3
TOTALS: Counter = Counter()


def record(pid: str, n: int) -> str:
    tags = "".join(f"- {t}\n" for t in INITIAL_TAGS[pid])
    return (
        f"id: {pid}\ntitle: Paper {n}\ndecision: Reject\ntags:\n{tags}notes:\n"
        f"- lang: en\n  en: old note of paper {n}, written before notes had ids\n"
        f"  source: seeds/00{n}.txt\n  date: 2026-11-22\n"
        f"- lang: en\n  en: first note of paper {n}\n  source: cli\n  date: 2026-11-23\n"
        f"  by: Seed\n  id: '0000000{n}'\n"
    )


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """remote.git and clones c0..c2, the driver set up in each, counting its runs."""
    top = tmp_path_factory.mktemp("template")
    git(top, "init", "-q", "--bare", "-b", "main", "remote.git")
    first = top / "c0"
    git(top, "clone", "-q", "remote.git", "c0")
    (first / "papers").mkdir()
    (first / "notes").mkdir()
    (first / "tags.yaml").write_text(TAGS, encoding="utf-8")
    (first / ".gitignore").write_text(".papernotes/\n", encoding="utf-8")
    for n, pid in enumerate(PAPERS, 1):
        (first / "papers" / f"{pid}.yaml").write_text(record(pid, n), encoding="utf-8")
    for i in range(CLONES):
        clone = top / f"c{i}"
        if i:
            git(top, "clone", "-q", "remote.git", clone.name)
        git(clone, "config", "remote.origin.url", "../remote.git")  # the copy's own remote
        git(clone, "config", "user.name", f"Reader {i}")
        git(clone, "config", "user.email", f"reader{i}@example.org")
        setup(clone)
        shutil.rmtree(clone / ".git" / "hooks")  # samples only; fewer files to copy
        # The real driver, wrapped to log each run's exit status (git runs it at the top).
        real = f"{sys.executable} -m papernotes merge-file"
        wrapped = f"sh -c '{real} \"$@\"; rc=$?; echo $rc >> ../merges.log; exit $rc' sh"
        git(clone, "config", "merge.papernotes.driver", f"{wrapped} %O %A %B --path %P")
        if i == 0:
            git(clone, "add", "-A")
            git(clone, "commit", "-q", "-m", "start")
            git(clone, "push", "-q", "origin", "HEAD:main")
    for i in range(1, CLONES):
        git(top / f"c{i}", "pull", "-q")
    shutil.rmtree(top / "remote.git" / "hooks")
    return top


# Scalar changes come twice, once on the first paper only, so concurrent changes conflict.
OPS = st.one_of(
    st.tuples(st.just("note"), st.integers(0, 2), st.sampled_from(PAPERS)),
    st.tuples(
        st.just("tag"), st.integers(0, 2), st.sampled_from(PAPERS), st.sampled_from(TAG_NAMES)
    ),
    st.tuples(
        st.just("decision"),
        st.integers(0, 2),
        st.sampled_from(PAPERS[:1]),
        st.sampled_from(DECISIONS),
    ),
    st.tuples(
        st.just("decision"),
        st.integers(0, 2),
        st.sampled_from(PAPERS),
        st.sampled_from(DECISIONS),
    ),
    st.tuples(
        st.just("related"), st.integers(0, 2), st.sampled_from(PAPERS), st.sampled_from(PAPERS)
    ),
    st.tuples(st.just("edit"), st.integers(0, 2), st.sampled_from(PAPERS), st.integers(0, 9)),
    st.tuples(
        st.just("resolve"),
        st.integers(0, 2),
        st.sampled_from(PAPERS),
        st.sampled_from(["keep", "other"]),
    ),
    # sync: merge in-process (replay) or let git rebase start the driver per record
    st.tuples(st.just("sync"), st.integers(0, 2), st.booleans()),
)


class World:
    """What the operations did, to check the end state against."""

    def __init__(self, top: Path):
        self.top = top
        self.counter = itertools.count(1)
        self.added_notes: dict[str, str] = {}  # note id -> paper
        self.edited: set[str] = set()  # texts written by edits
        self.tags_added: set[tuple[str, str]] = set()
        self.tags_removed: set[tuple[str, str]] = set()
        self.links: set[tuple[str, str]] = set()
        self.whys: dict[str, set[str]] = {}  # conflict field -> values either side wrote
        self.merged = 0  # records sync merged in-process
        self.decisions: dict[str, set[str]] = {p: {"Reject"} for p in PAPERS}

    def kb(self, clone: int) -> KnowledgeBase:
        return KnowledgeBase(self.top / f"c{clone}")

    def apply(self, op: tuple) -> None:
        kind, clone = op[0], op[1]
        kb = self.kb(clone)
        if kind == "sync":
            self.merged += sync(kb.root, replay=op[2]).merged
            return
        pid = op[2]
        paper = kb.get(pid)
        n = next(self.counter)
        if kind == "note":
            note_id = f"a{n:07x}"
            note = Note(
                lang="en",
                en=f"note {n}",
                source="cli",
                date=paper.added or _day(),
                id=note_id,
                by=f"Reader {clone}",
            )
            paper.notes = [*paper.notes, note]
            self.added_notes[note_id] = pid
        elif kind == "tag":
            tag = op[3]
            if tag in INITIAL_TAGS[pid]:
                if tag not in paper.tags:
                    return
                paper.tags = [t for t in paper.tags if t != tag]
                self.tags_removed.add((pid, tag))
            else:
                if tag in paper.tags:
                    return
                paper.tags = [*paper.tags, tag]
                self.tags_added.add((pid, tag))
        elif kind == "decision":
            paper.decision = op[3]
            self.decisions[pid].add(op[3])
        elif kind == "related":
            other = op[3]
            if other == pid or any(r.id == other for r in paper.related):
                return
            paper.related = [*paper.related, Related(id=other, why=f"link {n}")]
            self.whys.setdefault(f"related[{other}].why", set()).add(f"link {n}")
            self.links.add((pid, other))
        elif kind == "edit":
            if not paper.notes:
                return
            note = paper.notes[op[3] % len(paper.notes)]
            text = f"edited text {n}"
            note.en = text
            self.edited.add(text)
        elif kind == "resolve":
            if paper.conflicts:
                resolve(kb, pid, op[3], [])
            return
        kb.save(paper)


def _value(paper, field: str):
    if field == "decision":
        return paper.decision
    return next(r.why for r in paper.related if f"related[{r.id}].why" == field)


def _day():
    import datetime as dt

    return dt.date(2026, 12, 1)


def files_of(clone: Path) -> dict[str, bytes]:
    out = {}
    for path in sorted(clone.rglob("*")):
        rel = path.relative_to(clone)
        if rel.parts[0] in (".git", ".papernotes") or not path.is_file():
            continue
        out[str(rel)] = path.read_bytes()
    return out


@settings(
    max_examples=int(os.environ.get("PAPERNOTES_SYNC_SCENARIOS", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ops=st.lists(OPS, min_size=1, max_size=12),
    final=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_concurrent_edits_merge_without_loss(template, ops, final):
    top = Path(tempfile.mkdtemp(prefix="sync-"))
    try:
        shutil.copytree(template, top, dirs_exist_ok=True)
        world = World(top)
        for op in ops:
            world.apply(op)
        for clone in range(CLONES):
            world.merged += sync(world.kb(clone).root, replay=final[clone]).merged
        for clone in range(CLONES - 1):  # nothing of theirs left to push: a fast-forward
            git(world.kb(clone).root, "pull", "-q", "--ff-only")
        check(world)
        log = top / "merges.log"
        codes = log.read_text().split() if log.exists() else []
        TOTALS["scenarios"] += 1
        TOTALS["operations"] += len(ops)
        TOTALS["driver merges"] += len(codes)
        TOTALS["driver conflicts"] += sum(code != "0" for code in codes)
        TOTALS["in-process merges"] += world.merged
        TOTALS["conflicts recorded"] += sum(
            len(p.conflicts) for p in world.kb(0).load_all().papers.values()
        )
    finally:
        shutil.rmtree(top, ignore_errors=True)


def check(world: World) -> None:
    clones = [world.top / f"c{i}" for i in range(CLONES)]
    trees = [files_of(c) for c in clones]
    assert trees[0] == trees[1] == trees[2], "clones differ after syncing"
    heads = {git(c, "rev-parse", "HEAD") for c in clones}
    assert len(heads) == 1
    for clone in clones:
        assert git(clone, "status", "--porcelain") == ""
        assert not (clone / ".git" / "rebase-merge").exists()
    for name, data in trees[0].items():
        assert b"<<<<<<<" not in data and b">>>>>>>" not in data, name
    kb = world.kb(0)
    coll = kb.load_all()
    assert not coll.problems, coll.problems
    for pid in PAPERS:
        paper = coll.papers[pid]
        ids = Counter(note.id for note in paper.notes if note.id)
        for note_id, where in world.added_notes.items():
            if where == pid:
                assert ids[note_id] == 1, (pid, note_id, paper.notes)
        n = PAPERS.index(pid) + 1
        assert ids[f"0000000{n}"] == 1
        assert all(count == 1 for count in ids.values()), ids
        texts = [note.en for note in paper.notes]
        assert len(texts) == len(set(texts)), texts  # nothing duplicated
        for tag in TAG_NAMES:
            if (pid, tag) in world.tags_removed:
                assert tag not in paper.tags, (pid, tag)
            elif (pid, tag) in world.tags_added or tag in INITIAL_TAGS[pid]:
                assert tag in paper.tags, (pid, tag)
            else:
                assert tag not in paper.tags
        links = Counter(link.id for link in paper.related)
        assert set(links) == {o for p, o in world.links if p == pid}
        assert all(v == 1 for v in links.values())
        assert paper.decision in world.decisions[pid]
        for conflict in paper.conflicts:  # both set a value: the other one is kept, not lost
            allowed = {"decision": world.decisions[pid], **world.whys}[conflict.field]
            assert conflict.theirs in allowed and conflict.theirs != _value(paper, conflict.field)
    on_disk = yaml.safe_load((world.top / "c0" / "tags.yaml").read_text(encoding="utf-8"))
    assert set(on_disk["tags"]) == set(TAG_NAMES)


def test_report_totals():
    """Runs after the property test (file order) and prints its figures."""
    if TOTALS["scenarios"]:
        print("\n" + ", ".join(f"{name}: {count}" for name, count in TOTALS.items()))
    assert TOTALS["scenarios"] == 0 or (TOTALS["driver merges"] and TOTALS["in-process merges"])
