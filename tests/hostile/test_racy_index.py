"""D6: two same-size edits within one timestamp tick must both reach the search index.

On a file system with coarse timestamps (FAT: 2 s, some network shares: 1 s) a second save in
the same tick, with the same length, leaves size and mtime as they were. The index keys files
by size, mtime, ctime and inode, and re-reads files changed within the last tick of its scan
("racy" files, as git calls them) until they are older than that.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from papernotes.index import prescan

RECORD = "id: B1g5sA4twr\ntitle: Granular {word}\n"


def ids(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [hit["id"] for hit in json.loads(result.stdout)]


def test_same_size_edit_with_mtime_restored_is_seen(kb, run):
    path = kb / "papers" / "B1g5sA4twr.yaml"
    tick = int(time.time()) - 60
    path.write_text(RECORD.format(word="aaaa1"), encoding="utf-8")
    os.utime(path, (tick, tick))
    assert ids(run("search", "aaaa1", "--json")) == ["B1g5sA4twr"]
    path.write_text(RECORD.format(word="bbbb1"), encoding="utf-8")  # same size
    os.utime(path, (tick, tick))  # and the same mtime, as in one coarse tick
    assert ids(run("search", "bbbb1", "--json")) == ["B1g5sA4twr"]
    assert ids(run("search", "aaaa1", "--json")) == []


def test_same_size_replacement_by_rename_is_seen(kb, run):
    path = kb / "papers" / "B1g5sA4twr.yaml"
    tick = int(time.time()) - 60
    path.write_text(RECORD.format(word="aaaa1"), encoding="utf-8")
    os.utime(path, (tick, tick))
    assert ids(run("search", "aaaa1", "--json")) == ["B1g5sA4twr"]
    tmp = kb / "papers" / ".new.tmp"
    tmp.write_text(RECORD.format(word="bbbb1"), encoding="utf-8")
    os.utime(tmp, (tick, tick))
    os.replace(tmp, path)
    assert ids(run("search", "bbbb1", "--json")) == ["B1g5sA4twr"]


@pytest.fixture
def coarse_fs(monkeypatch):
    """Stat results as a FAT file system gives them: whole even seconds, ctime = mtime, and
    an inode number that does not change when a file is rewritten."""
    real = prescan.stat_dir

    def coarse(dir_fd):
        names, keys = real(dir_fd)
        out = []
        for key in keys:
            if key is None:
                out.append(None)
                continue
            tick = key[1] // 2_000_000_000 * 2_000_000_000
            out.append((key[0], tick, tick, 1))
        return names, out

    monkeypatch.setattr(prescan, "stat_dir", coarse)


@pytest.mark.usefixtures("coarse_fs")
def test_second_edit_in_the_same_tick_is_seen_on_a_coarse_file_system(kb, run):
    path = kb / "papers" / "B1g5sA4twr.yaml"
    path.write_text(RECORD.format(word="aaaa1"), encoding="utf-8")
    assert ids(run("search", "aaaa1", "--json")) == ["B1g5sA4twr"]
    path.write_text(RECORD.format(word="bbbb1"), encoding="utf-8")
    assert ids(run("search", "bbbb1", "--json")) == ["B1g5sA4twr"]
    assert ids(run("search", "aaaa1", "--json")) == []


def test_a_tags_edit_in_the_same_tick_is_seen(kb, run):
    tags = kb / "tags.yaml"
    text = tags.read_text(encoding="utf-8")
    st = tags.stat()
    assert ids(run("search", "tag:optimization", "--json"))
    tags.write_text(text.replace("en: Optimization", "en: Optimizatiox"), encoding="utf-8")
    os.utime(tags, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert sorted(ids(run("search", "optimizatiox", "--json"))) == ["H1gEP6NFwr", "HygrAR4tPS"]
