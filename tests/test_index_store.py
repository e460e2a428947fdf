"""The index as a cache: fresh on every use, rebuilt when damaged, safe to share."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from papernotes.cli import cli
from papernotes.errors import UsageError
from papernotes.index import Index, search, select
from papernotes.index import store as index_store
from papernotes.store.kb import KnowledgeBase
from tests.test_search_support import PAPERS, make_kb, write_record


@pytest.fixture
def root(tmp_path):
    return make_kb(tmp_path / "kb")


@pytest.fixture
def kb(root):
    return KnowledgeBase(root)


def refresh(kb, **kwargs):
    with Index(kb, **kwargs) as index:
        return index.refresh()


def index_path(kb) -> Path:
    return kb.cache_dir() / "index.sqlite"


def found(kb, query: str) -> list[str]:
    return [hit.id for hit in search(kb, query)]


def bump(path: Path) -> None:
    """Make sure an edit is seen even on a file system with coarse timestamps."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


# -- the API -------------------------------------------------------------------------------
def test_search_returns_hits(kb):
    hits = search(kb, "ntk")
    assert [h.id for h in hits] == ["NtkPaper01", "CntkPaper2"]
    assert hits[0].to_dict() == {
        "id": "NtkPaper01",
        "title": PAPERS["NtkPaper01"]["title"],
        "tags": ["NTK"],
        "score": hits[0].score,
        "snippet": hits[0].snippet,
    }
    assert isinstance(hits[0].score, float) and hits[0].score > hits[1].score
    assert hits[0].snippet.replace("«", "").replace("»", "") == hits[0].snippet_text
    start, end = hits[0].spans[0]
    assert hits[0].snippet_text[start:end] == "NTK"


def test_search_limit(kb):
    assert len(search(kb, "-zyzzyva", limit=2)) == 2
    assert len(search(kb, "-zyzzyva", limit=None)) == len(PAPERS)
    assert search(kb, "ntk", limit=0) == []


def test_select_returns_every_id_best_first(kb):
    assert select(kb, "ntk") == ["NtkPaper01", "CntkPaper2"]
    assert sorted(select(kb, "-zyzzyva")) == sorted(PAPERS)
    assert sorted(select(kb, "tag:deep-learning-theory")) == ["NtkPaper01", "WidePaper6"]
    assert select(kb, "zyzzyva") == []


@pytest.mark.parametrize("query", ["", "  ", None])
def test_empty_query_raises_usage_error(kb, query):
    with pytest.raises(UsageError):
        search(kb, query)
    with pytest.raises(UsageError):
        select(kb, query)


def test_unknown_tag_raises_usage_error(kb):
    with pytest.raises(UsageError, match="did you mean 'NTK'"):
        select(kb, "tag:ntkk")


# -- where the index lives ----------------------------------------------------------------
def test_index_goes_to_the_cache_dir_and_nothing_into_the_kb(root, kb, tmp_path):
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    refresh(kb)
    assert (tmp_path / "_cache" / "index.sqlite").is_file()
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_default_cache_is_dot_papernotes(root, monkeypatch):
    monkeypatch.delenv("PAPERNOTES_CACHE_DIR")
    assert found(KnowledgeBase(root), "ntk")[0] == "NtkPaper01"
    assert (root / ".papernotes" / "index.sqlite").is_file()


def test_read_only_knowledge_base(root, monkeypatch, tmp_path):
    """papers/ and the root read-only: the index goes to the user cache, the KB is untouched."""
    monkeypatch.delenv("PAPERNOTES_CACHE_DIR")
    if os.geteuid() == 0:  # root writes anywhere: make the permission check see the truth
        monkeypatch.setattr("papernotes.store.kb._writable_dir", lambda _folder: False)
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*")}
    modes = {p: p.stat().st_mode for p in [root, *root.rglob("*")]}
    for path in [*root.rglob("*"), root]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        result = CliRunner().invoke(cli, ["--root", str(root), "search", "ntk", "--json"])
        assert result.exit_code == 0, result.stderr
        assert [h["id"] for h in json.loads(result.stdout)] == ["NtkPaper01", "CntkPaper2"]
        assert {p: p.stat().st_mtime_ns for p in root.rglob("*")} == before
        assert list((tmp_path / "_xdg" / "papernotes").glob("*/index.sqlite"))
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


# -- freshness ------------------------------------------------------------------------------
def test_a_fresh_index_reads_no_record(kb, monkeypatch):
    refresh(kb)

    def fail(*_args, **_kwargs):
        raise AssertionError("a record was parsed")

    monkeypatch.setattr(KnowledgeBase, "load_path", fail)
    stats = refresh(kb)
    assert stats.changed == 0 and not stats.rebuilt and stats.papers == len(PAPERS)
    assert found(kb, "ntk")[0] == "NtkPaper01"


def test_edit_is_reindexed_alone(root, kb, monkeypatch):
    assert refresh(kb).rebuilt
    path = write_record(root, "CntkPaper2", {"title": "Capybara kernels"})
    bump(path)
    loaded = []
    original = KnowledgeBase.load_path
    monkeypatch.setattr(
        KnowledgeBase, "load_path", lambda self, p: loaded.append(p.name) or original(self, p)
    )
    stats = refresh(kb)
    assert (stats.added, stats.updated, stats.removed, stats.rebuilt) == (0, 1, 0, False)
    assert loaded == ["CntkPaper2.yaml"]
    assert found(kb, "capybara") == ["CntkPaper2"]
    assert "CntkPaper2" not in found(kb, "ntk")


def test_edit_in_place_with_same_size_is_seen(root, kb):
    refresh(kb)
    path = root / "papers" / "CntkPaper2.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("CIFAR", "CIFAX"), encoding="utf-8")  # same size
    bump(path)
    assert found(kb, "cifax") == ["CntkPaper2"]


def test_added_and_deleted_records(root, kb):
    refresh(kb)
    write_record(root, "NewPaper07", {"title": "Okapi"})
    (root / "papers" / "GanPaper05.yaml").unlink()
    stats = refresh(kb)
    assert (stats.added, stats.removed, stats.papers) == (1, 1, len(PAPERS))
    assert found(kb, "okapi") == ["NewPaper07"]
    assert found(kb, "gans") == []


def test_record_that_breaks_and_is_fixed(root, kb):
    refresh(kb)
    path = root / "papers" / "GanPaper05.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("title:", "titel:"), encoding="utf-8")
    bump(path)
    stats = refresh(kb)
    assert stats.skipped == 1 and stats.removed == 1
    assert stats.problems[0].startswith("papers/GanPaper05.yaml:")
    assert found(kb, "gans") == []
    path.write_text(good, encoding="utf-8")
    bump(path)
    stats = refresh(kb)
    assert stats.skipped == 0 and stats.added == 1
    assert found(kb, "gans") == ["GanPaper05"]


def test_files_that_are_not_records_are_ignored(root, kb):
    (root / "papers" / ".hidden.yaml").write_text("nonsense: [", encoding="utf-8")
    (root / "papers" / "README.md").write_text("notes", encoding="utf-8")
    (root / "papers" / ".NtkPaper01.yaml.tmp").write_text("x", encoding="utf-8")
    assert refresh(kb).skipped == 0


def test_duplicate_id_is_skipped(root, kb):
    # an encoded file name that decodes to an id that already has a record
    text = (root / "papers" / "NtkPaper01.yaml").read_text(encoding="utf-8")
    (root / "papers" / "NtkPaper0%31.yaml").write_text(text, encoding="utf-8")
    stats = refresh(kb)
    assert stats.papers == len(PAPERS) and stats.skipped == 1
    # The file named for the id is the record; the other name is reported and skipped.
    assert stats.problems[0].startswith("papers/NtkPaper0%31.yaml:1: ")


def test_taxonomy_change_is_seen_without_a_rebuild(root, kb):
    refresh(kb)
    tags = root / "tags.yaml"
    tags.write_text(
        tags.read_text(encoding="utf-8").replace("    - CNTK\n", "    - CNTK\n    - kernelish\n"),
        encoding="utf-8",
    )
    bump(tags)
    kb = KnowledgeBase(root)
    stats = refresh(kb)
    assert not stats.rebuilt
    assert found(kb, "kernelish") == ["NtkPaper01", "CntkPaper2"]
    assert select(kb, "tag:kernelish") == ["NtkPaper01"]


# -- damaged index ---------------------------------------------------------------------------
def _delete(path: Path) -> None:
    path.unlink()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(64) * 200)


def _zeroed_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[4096:] = bytes(len(data) - 4096)
    path.write_bytes(bytes(data))


def _old_version(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'version'")


def _foreign_database(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE something(other)")


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


@pytest.mark.parametrize(
    "damage",
    [_delete, _empty, _truncate, _garbage, _zeroed_pages, _old_version, _foreign_database],
)
def test_damaged_index_is_rebuilt(kb, damage):
    refresh(kb)
    damage(index_path(kb))
    stats = refresh(kb)
    assert stats.rebuilt and stats.papers == len(PAPERS)
    assert found(kb, "ntk") == ["NtkPaper01", "CntkPaper2"]
    with sqlite3.connect(index_path(kb)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_damage_between_check_and_query_is_survived(root, kb):
    """A search over a damaged index from the command line still answers."""
    refresh(kb)
    _truncate(index_path(kb))
    result = CliRunner().invoke(cli, ["--root", str(root), "search", "ntk", "--json"])
    assert result.exit_code == 0, result.stderr
    assert [h["id"] for h in json.loads(result.stdout)] == ["NtkPaper01", "CntkPaper2"]


TAMPERED = {
    "docs emptied": "DELETE FROM docs",
    "fts emptied": "DELETE FROM fts",
    "files emptied": "DELETE FROM files",
    "tags not JSON": "UPDATE docs SET tags = 'not json'",
    "texts not JSON": "UPDATE docs SET texts = '{'",
    "texts of the wrong shape": "UPDATE docs SET texts = '[1, 2]'",
    "tag names not JSON": "UPDATE tag_info SET names = '['",
    "count not a number": "UPDATE meta SET value = 'x' WHERE key = 'papers'",
    "count missing": "DELETE FROM meta WHERE key = 'skipped'",
    "snapshot not marshal": "UPDATE snapshot SET data = x'00ff'",
}


@pytest.mark.parametrize("change", TAMPERED.values(), ids=TAMPERED.keys())
def test_rows_that_cannot_be_right_get_the_index_rebuilt(root, kb, change):
    """Valid SQLite, right version, wrong contents: rebuilt, never a wrong answer."""
    refresh(kb)
    with sqlite3.connect(index_path(kb)) as conn:
        conn.execute(change)
    assert found(kb, "ntk") == ["NtkPaper01", "CntkPaper2"]
    bump(write_record(root, "CntkPaper2", {"title": "Capybara kernels"}))  # an edit after it
    assert found(kb, "capybara") == ["CntkPaper2"]
    assert found(kb, "ntk") == ["NtkPaper01"]
    assert refresh(kb).skipped == 0


def test_damage_that_only_a_query_reaches_is_repaired(kb):
    refresh(kb)
    with sqlite3.connect(index_path(kb)) as conn:
        conn.execute("UPDATE fts_data SET block = X'00ff00ff' WHERE id > 10")
    with sqlite3.connect(index_path(kb)) as conn, pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT rowid FROM fts WHERE fts MATCH 'ntk'").fetchall()
    assert found(kb, "ntk") == ["NtkPaper01", "CntkPaper2"]
    assert select(kb, "ntk") == ["NtkPaper01", "CntkPaper2"]


def test_unusable_index_path_is_a_one_line_error(root, kb):
    refresh(kb)
    _directory(index_path(kb))
    result = CliRunner().invoke(cli, ["--root", str(root), "search", "ntk"])
    assert result.exit_code == 5
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1


def test_reindex_forces_a_rebuild(kb):
    refresh(kb)
    with Index(kb) as index:
        stats = index.refresh(force=True)
    assert stats.rebuilt and stats.added == len(PAPERS)


# -- locks -----------------------------------------------------------------------------------
def test_writer_holding_the_database_gives_a_one_line_error(root, kb, monkeypatch):
    refresh(kb)
    bump(write_record(root, "NewPaper07", {"title": "Okapi"}))  # the search must write
    monkeypatch.setenv("PAPERNOTES_INDEX_TIMEOUT", "0.3")
    other = sqlite3.connect(index_path(kb), isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        result = CliRunner().invoke(cli, ["--root", str(root), "search", "okapi"])
        assert time.monotonic() - started < 20
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 5
    assert result.stderr == (
        "Error: the search index is locked by another process (waited 0.3 s); try again\n"
    )
    assert found(kb, "okapi") == ["NewPaper07"]  # and all is well once it is released


def test_reader_waits_for_a_rebuild_then_gives_a_one_line_error(root, kb, monkeypatch):
    refresh(kb)
    monkeypatch.setenv("PAPERNOTES_INDEX_TIMEOUT", "0.2")
    with open(kb.cache_dir() / "index.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = CliRunner().invoke(cli, ["--root", str(root), "search", "ntk"])
    assert result.exit_code == 5
    assert result.stderr.startswith("Error: the search index is being replaced by another")
    assert found(kb, "ntk")[0] == "NtkPaper01"


def test_readers_do_not_block_each_other(kb):
    with Index(kb) as first:
        first.refresh()
        with Index(kb, timeout=0.2) as second:
            second.refresh()
            assert second.connection().execute("SELECT count(*) FROM docs").fetchone() == (
                len(PAPERS),
            )


CHILD = """
import sys
from pathlib import Path
from papernotes.index import Index, search
from papernotes.store.kb import KnowledgeBase
kb = KnowledgeBase(Path(sys.argv[1]))
for i in range(int(sys.argv[3])):
    if sys.argv[2] == "reindex":
        with Index(kb) as index:
            index.refresh(force=True)
    else:
        assert search(kb, "ntk")[0].id == "NtkPaper01", "wrong result"
"""


def test_concurrent_searches_and_rebuilds_leave_a_working_index(root, kb):
    env = {**os.environ, "PAPERNOTES_CACHE_DIR": str(kb.cache_dir())}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(root), role, count],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role, count in [("reindex", "4"), ("search", "8"), ("search", "8")]
    ]
    for i in range(5):  # edits while they run
        bump(write_record(root, f"Extra{i:05d}", {"title": f"Concurrent wombat {i}"}))
        time.sleep(0.05)
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert sorted(found(kb, "wombat")) == [f"Extra{i:05d}" for i in range(5)]
    with sqlite3.connect(index_path(kb)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    leftovers = [p.name for p in kb.cache_dir().iterdir() if ".tmp" in p.name]
    assert leftovers == []


# -- the fast paths for large knowledge bases -------------------------------------------------
def test_parallel_build_gives_the_same_index(kb, monkeypatch):
    refresh(kb)
    expected = {q: select(kb, q) for q in ("ntk", "收敛", "-zyzzyva", "tag:LTH")}
    monkeypatch.setattr(index_store, "PARALLEL_FROM", 2)
    with Index(kb) as index:
        assert index.refresh(force=True).rebuilt
    assert {q: select(kb, q) for q in expected} == expected


def test_scan_keys_every_record_by_its_stat(kb):
    (kb.papers_dir / ".hidden.yaml").write_text("id: x\n", encoding="utf-8")
    (kb.papers_dir / "notes.yml").write_text("id: x\n", encoding="utf-8")
    (kb.papers_dir / "Dangling.yaml").symlink_to(kb.papers_dir / "nowhere.yaml")
    found = index_store.scan(kb)
    expected = {}
    for path in kb.papers_dir.iterdir():
        if path.name.endswith(".yaml") and not path.name.startswith("."):
            st = path.lstat() if path.name == "Dangling.yaml" else path.stat()
            expected[path.name] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    assert found.files == expected
    assert found.names == [n for n in os.listdir(kb.papers_dir) if n in expected]
    assert found.signature.startswith(f"{len(expected)}:")


def test_a_record_only_moved_down_a_line_gets_its_new_lines(tmp_path, monkeypatch):
    """Read again with the same record but new line numbers (a comment added above it):
    validate's problems point at the new lines."""
    from tests.conftest import Runner, write

    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "kb"
    (root / "papers").mkdir(parents=True)
    write(root / "tags.yaml", "tags: {}\n")
    path = root / "papers" / "Aaaaaaaaa1.yaml"
    write(path, "id: Aaaaaaaaa1\ntitle: One\ntags:\n- no-such-tag\n")
    run = Runner(root)
    assert "papers/Aaaaaaaaa1.yaml:4:" in run("validate").stdout + run("validate").stderr
    write(path, "# moved\n\nid: Aaaaaaaaa1\ntitle: One\ntags:\n- no-such-tag\n")
    result = run("validate")
    assert "papers/Aaaaaaaaa1.yaml:6:" in result.stdout + result.stderr
    assert result.exit_code == 1


def test_a_file_with_the_same_bytes_is_not_parsed_again(tmp_path, monkeypatch):
    """Touched, or racy when last read: its bytes are compared with the ones indexed, and a
    file that holds them is not parsed (no models loaded); other bytes are."""
    from papernotes.index import store as index_store
    from papernotes.index.store import Index
    from papernotes.store.kb import KnowledgeBase
    from tests.conftest import write

    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "kb"
    (root / "papers").mkdir(parents=True)
    write(root / "tags.yaml", "tags: {}\n")
    os.utime(root / "tags.yaml", (1e9, 1e9))  # long settled (a racy taxonomy reads all again)
    path = root / "papers" / "Aaaaaaaaa1.yaml"
    write(path, "id: Aaaaaaaaa1\ntitle: One\n")
    kb = KnowledgeBase(root)
    with Index(kb) as index:
        index.refresh()
    parsed = []
    real = index_store.load_doc
    monkeypatch.setattr(
        index_store, "load_doc", lambda kb, name, *a: parsed.append(name) or real(kb, name, *a)
    )
    for _ in range(2):
        os.utime(path)
        with Index(kb) as index:
            stats = index.refresh()
        assert (stats.added, stats.updated, stats.removed) == (0, 0, 0)
    assert parsed == []
    write(path, "id: Aaaaaaaaa1\ntitle: Two\n")
    with Index(kb) as index:
        assert index.refresh().updated == 1
    assert parsed == ["Aaaaaaaaa1.yaml"]
