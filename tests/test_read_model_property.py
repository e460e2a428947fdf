"""The index as the read model never serves stale data: after any sequence of edits, additions,
deletions and renames of record files (and edits of tags.yaml and of notes/), every read command
prints what it prints when each file is read from scratch (``validate --full``, a freshly built
index), and ``show`` lists the backlinks a parse of every note finds.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from papernotes.cli import cli
from papernotes.store.kb import KnowledgeBase
from papernotes.store.notes import backlinks, load_notes

REPO = Path(__file__).resolve().parent.parent
# "NTK": a title the index finds when it looks for the tag NTK in a digest
TITLES = ["Kernel widths", "Lottery tickets", "宽网络的收敛", "Optimizer tuning", "NTK"]
TAGS = ["NTK", "LTH", "optimization", "CNTK", "no-such-tag"]
IDS = ["Aaaaaaaaa1", "Bbbbbbbbb2", "Ccccccccc3"]
READS = [
    ["list"],
    ["list", "--json"],
    ["list", "--tag", "NTK", "--sort", "title"],
    ["tags", "--json"],
    ["stats", "--json"],
    ["topic", "NTK", "--json"],
    ["export", "-f", "json"],
    ["fmt", "--check"],
    ["validate", "--strict", "--json"],
    *[["show", pid, "--json"] for pid in IDS],
    ["show", IDS[0]],
    ["related", IDS[1], "--json"],
]
NOTES = ["wide.md", "sub/deep.md", "other.md"]


def _record(paper_id: str, title: str, tags: list[str], related: str | None, broken: bool) -> str:
    if broken:
        return f"id: {paper_id}\ntitle: [{title}\n"
    text = f"id: {paper_id}\ntitle: {title}\n"
    if tags:
        text += "tags:\n" + "".join(f"- {t}\n" for t in tags)
    text += f"notes:\n- lang: en\n  en: About {title}\n  source: cli\n  date: 2026-01-02\n"
    if related:
        text += f"related:\n- id: {related}\n  why: see also\n"
    return text


record_st = st.builds(
    _record,
    st.sampled_from(IDS),
    st.sampled_from(TITLES),
    st.lists(st.sampled_from(TAGS), max_size=3, unique=True),
    st.none() | st.sampled_from(IDS),
    st.booleans(),
)
step_st = st.one_of(
    st.tuples(st.just("write"), st.sampled_from(IDS), record_st, st.booleans()),
    st.tuples(st.just("delete"), st.sampled_from(IDS)),
    st.tuples(st.just("rename"), st.sampled_from(IDS), st.sampled_from(IDS)),
    st.tuples(st.just("typo"), st.sampled_from(IDS), st.sampled_from("xyz")),
    st.tuples(st.just("tags"), st.booleans()),
    st.tuples(
        st.just("note"),
        st.sampled_from(NOTES),
        st.lists(st.sampled_from(IDS), max_size=3),
        st.booleans(),
    ),
    st.tuples(st.just("unnote"), st.sampled_from(NOTES)),
)


def _note(ids: list[str]) -> str:
    lines = ["# Reading list", ""]
    lines += [f"- [[{pid}]] twice [[{pid}]], and #NTK" for pid in ids]
    return "\n".join(lines) + "\n"


def _run(root: Path, cache: Path, argv: list[str]) -> tuple[int, str, str]:
    env = {"PAPERNOTES_CACHE_DIR": str(cache)}
    result = CliRunner().invoke(cli, ["--root", str(root), *argv], env=env)
    return result.exit_code, result.stdout, result.stderr


def _apply(root: Path, step: tuple, tick: list[int]) -> None:
    papers = root / "papers"
    kind = step[0]
    if kind == "write":
        _, paper_id, text, keep_stamp = step
        path = papers / f"{paper_id}.yaml"
        old = path.stat() if path.exists() else None
        path.write_text(text, encoding="utf-8")
        if keep_stamp and old is not None:  # an edit within one timestamp tick
            os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    elif kind == "typo":  # same size, same mtime: only ctime and inode tell
        path = papers / f"{step[1]}.yaml"
        if not path.exists():
            return
        old = path.stat()
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[1] = lines[1][:-1] + step[2] if len(lines) > 1 and lines[1] else lines[1]
        path.write_text("\n".join(lines), encoding="utf-8")
        os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    elif kind == "delete":
        (papers / f"{step[1]}.yaml").unlink(missing_ok=True)
    elif kind == "rename":
        source, target = papers / f"{step[1]}.yaml", papers / f"{step[2]}.yaml"
        if source.exists() and source != target:
            os.replace(source, target)  # the id inside no longer matches the name
    elif kind == "note":  # write a note (keep_stamp: within one timestamp tick)
        _, name, ids, keep_stamp = step
        path = root / "notes" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.stat() if path.exists() else None
        path.write_text(_note(ids), encoding="utf-8")
        if keep_stamp and old is not None:
            os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    elif kind == "unnote":
        (root / "notes" / step[1]).unlink(missing_ok=True)
    else:
        tags = root / "tags.yaml"
        text = tags.read_text(encoding="utf-8")
        swapped = text.replace("- CNTK\n", "") if step[1] else text
        tags.write_text(swapped, encoding="utf-8")
    tick[0] += 1


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step_st, min_size=1, max_size=6))
@example(  # a same-size edit within one timestamp tick, then a rename over another record
    steps=[
        ("write", IDS[0], _record(IDS[0], TITLES[0], ["CNTK"], IDS[1], False), False),
        ("write", IDS[1], _record(IDS[1], TITLES[1], ["NTK"], None, False), False),
        ("typo", IDS[0], "x"),
        ("tags", True),
        ("rename", IDS[0], IDS[1]),
    ]
)
@example(  # a note edited within one timestamp tick, a deleted note, a note in a folder
    steps=[
        ("write", IDS[0], _record(IDS[0], TITLES[0], ["NTK"], None, False), False),
        ("note", "wide.md", [IDS[0]], False),
        ("note", "wide.md", [IDS[1]], True),
        ("note", "sub/deep.md", [IDS[0], IDS[0]], False),
        ("unnote", "wide.md"),
    ]
)
def test_reads_after_any_edits_match_a_fresh_read(tmp_path_factory, steps):
    root = tmp_path_factory.mktemp("kb")
    (root / "papers").mkdir()
    (root / "notes").mkdir()
    shutil.copyfile(REPO / "tags.yaml", root / "tags.yaml")
    (root / "notes" / "wide.md").write_text("# Wide\n\n[[Aaaaaaaaa1]] and #NTK\n", "utf-8")
    warm = tmp_path_factory.mktemp("warm")
    tick = [0]
    for step in steps:
        _apply(root, step, tick)
        for argv in READS:
            served = _run(root, warm, argv)
            fresh = _run(root, tmp_path_factory.mktemp("fresh"), argv)
            assert served == fresh, (step, argv)
            if argv[0] == "show" and served[0] == 0 and "--json" in argv:
                shown = json.loads(served[1])  # the record's own id: a renamed file has another
                found = backlinks(load_notes(KnowledgeBase(root)), shown["id"])
                assert shown["backlinks"] == found, (step, argv)
        full = _run(root, warm, ["validate", "--strict", "--json", "--full"])
        assert full == _run(root, warm, ["validate", "--strict", "--json"])
