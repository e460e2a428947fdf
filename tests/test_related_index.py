"""related and show rank neighbours from the search index: the expected rankings of a
generated and of the shipped knowledge base, one paper at a time or many in one pass,
incoming links and mentions found, the index kept right through edits and rebuilt from an
older schema.

The expected rankings (tests/data/related/) were written by this implementation when it
agreed with the former in-memory one on every neighbour, score and reason (the shown terms
of six shipped papers differed in order or word form, where two weights tie);
``PAPERNOTES_UPDATE_GOLDEN=1`` rewrites them after an intended change.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from papernotes.index import neighbours
from papernotes.index.store import INDEX_NAME, Index, version
from papernotes.relate.similarity import SimilarityIndex
from papernotes.store.kb import KnowledgeBase
from tests.conftest import Runner, write
from tests.links_fixtures import TAGS, record

TOPICS = [
    "kernel regime width infinite tangent dynamics lazy training linearization",
    "pruning lottery ticket sparse subnetwork mask rewinding magnitude",
    "adversarial robustness perturbation attack certified defense epsilon",
    "generator discriminator mode collapse wasserstein divergence sample",
    "optimizer learning rate momentum schedule warmup adaptive tuning",
    "graph node message passing neighbourhood aggregation spectral",
    "reinforcement policy reward exploration agent value critic",
    "translation attention decoder encoder token transformer sequence",
]
TAG_CHOICES = [["NTK", "theory"], ["LTH"], ["theory"], ["GAN"], ["optimization"], []]
SIZE = 200


def pid_of(i: int) -> str:
    return f"Synth{i:04d}x"


def title_of(i: int, words: list[str]) -> str:
    if i % 5 == 0:
        return f"Zeta{i}Net: {' '.join(words[:4])}"
    return " ".join(words[:5]).capitalize()


def make_kb(root: Path, size: int = SIZE, seed: int = 7) -> Path:
    """Papers on eight topics, with links, mentions by id, title and short name."""
    rng = random.Random(seed)
    (root / "papers").mkdir(parents=True)
    write(root / "tags.yaml", TAGS)
    titles = {}
    vocab = {}
    for i in range(size):
        topic = TOPICS[i % len(TOPICS)].split()
        words = rng.sample(topic, 6)
        vocab[i] = topic
        titles[i] = title_of(i, words)
    for i in range(size):
        topic = vocab[i]
        note = " ".join(rng.choice(topic) for _ in range(12)) + "."
        if i % 7 == 0:
            note += f" Compare {pid_of((i * 3 + 1) % size)}."
        if i % 11 == 0:
            j = (i + 5) % size // 5 * 5
            note += f" Builds on Zeta{j}Net, see there."
        if i % 13 == 0:
            note += f" Also: {titles[(i + 9) % size]}."
        related = [(pid_of((i + 17) % size), f"follows up on {i % 4}")] if i % 6 == 0 else []
        text = record(
            pid_of(i),
            titles[i],
            tags=TAG_CHOICES[i % len(TAG_CHOICES)],
            note=note,
            related=related,
            abstract=" ".join(rng.choice(topic) for _ in range(20)),
        )
        (root / "papers" / f"{pid_of(i)}.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def synth_root(tmp_path_factory) -> Path:
    return make_kb(tmp_path_factory.mktemp("synth") / "kb")


@pytest.fixture
def synth(synth_root, tmp_path, monkeypatch) -> KnowledgeBase:
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    return KnowledgeBase(synth_root)


SAMPLE = [pid_of(i) for i in range(0, SIZE, 9)] + [pid_of(5), pid_of(12), pid_of(17)]


def as_dicts(rows) -> list[dict]:
    return [r.to_dict() for r in rows]


EXPECTED = Path(__file__).resolve().parent / "data" / "related"
REPO = Path(__file__).resolve().parent.parent


def _expected(name: str, found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    path = EXPECTED / f"{name}.json"
    if os.environ.get("PAPERNOTES_UPDATE_GOLDEN"):
        text = json.dumps(found, ensure_ascii=False, indent=1, sort_keys=True)
        path.write_text(text + "\n", encoding="utf-8")
    return json.loads(path.read_text(encoding="utf-8"))


def _plain(rows) -> list[dict]:
    return json.loads(json.dumps(as_dicts(rows)))


@pytest.fixture
def shipped(tmp_path, monkeypatch) -> KnowledgeBase:
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "shipped"
    root.mkdir()
    for name in ("papers", "notes"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "tags.yaml", root / "tags.yaml")
    return KnowledgeBase(root)


@pytest.mark.parametrize("name", ["synth", "shipped"])
def test_rankings_are_the_expected_ones(synth, shipped, name):
    kb, ids = (synth, SAMPLE) if name == "synth" else (shipped, sorted(shipped.ids()))
    found = {pid: _plain(neighbours.related_from_index(kb, pid, 10)) for pid in ids}
    assert found == _expected(name, found)


@pytest.mark.parametrize("name", ["synth", "shipped"])
def test_many_papers_in_one_pass_rank_as_one_at_a_time(synth, shipped, name):
    """related_many over one connection (what the site needs) gives each paper's ranking."""
    from papernotes.index.reads import RecordView

    kb = synth if name == "synth" else shipped
    expected = _expected(name, {}) if not os.environ.get("PAPERNOTES_UPDATE_GOLDEN") else None
    with Index(kb) as index:
        index.refresh()
        conn = index.connection()
        rows = conn.execute("SELECT record FROM files WHERE rid IS NOT NULL ORDER BY name")
        records = [RecordView(json.loads(text)) for (text,) in rows]
        many = neighbours.related_many(conn, records, kb.taxonomy(), 10)
    assert sorted(many) == sorted(kb.ids())
    for pid, rows in many.items():
        if expected is not None and pid in expected:
            assert _plain(rows) == expected[pid], pid
        else:
            assert as_dicts(rows) == as_dicts(neighbours.related_from_index(kb, pid, 10)), pid
    assert expected is None or set(expected) <= set(many)


def test_many_papers_on_the_query_path_rank_as_one_at_a_time(synth, monkeypatch):
    monkeypatch.setattr(neighbours, "ALL_SIMILAR", 0)
    monkeypatch.setattr(neighbours, "CANDIDATES", 20)
    with Index(synth) as index:
        index.refresh()
        records = [synth.get(pid) for pid in SAMPLE]
        many = neighbours.related_many(index.connection(), records, synth.taxonomy(), 5)
    for pid in SAMPLE:
        assert as_dicts(many[pid]) == as_dicts(neighbours.related_from_index(synth, pid, 5)), pid


def test_query_path_for_large_knowledge_bases_finds_the_same_best_neighbours(synth, monkeypatch):
    """Above ALL_SIMILAR papers only the best full-text matches are compared: the ranking
    rules are the same, and here so are the top five of comparing every pair."""
    monkeypatch.setattr(neighbours, "ALL_SIMILAR", 0)
    monkeypatch.setattr(neighbours, "CANDIDATES", 20)
    expected = json.loads((EXPECTED / "synth.json").read_text(encoding="utf-8"))
    for pid in SAMPLE:
        fast = _plain(neighbours.related_from_index(synth, pid, 5))
        full = expected[pid][:5]
        assert [r["id"] for r in fast] == [r["id"] for r in full], pid
        assert [r["reasons"] for r in fast] == [r["reasons"] for r in full], pid


def test_incoming_links_and_mentions_come_from_other_records(synth, monkeypatch):
    monkeypatch.setattr(neighbours, "ALL_SIMILAR", 0)
    # Synth0000x links to Synth0017x; Synth0017x has no link of its own.
    rows = as_dicts(neighbours.related_from_index(synth, pid_of(17), None))
    first = rows[0]
    assert first["id"] == pid_of(0) and first["kinds"][0] == "link"
    assert first["reasons"][0]["direction"] == "in"
    assert first["reasons"][0]["why"] == "follows up on 0"
    # Synth0007x's note names Synth0022x by id; Synth0011x's names Zeta15Net by short name.
    by_id = {r["id"]: r for r in as_dicts(neighbours.related_from_index(synth, pid_of(22), None))}
    assert "its note names this paper by id: Synth0022x" in [
        x["text"] for x in by_id[pid_of(7)]["reasons"]
    ]
    by_alias = as_dicts(neighbours.related_from_index(synth, pid_of(15), None))
    texts = [x["text"] for r in by_alias for x in r["reasons"] if r["id"] == pid_of(11)]
    assert "its note names this paper by alias: Zeta15Net" in texts


def index_df(kb: KnowledgeBase) -> dict[str, int]:
    with Index(kb) as index:
        index.refresh()
        conn = index.connection()
        counted = dict(conn.execute("SELECT term, docs FROM sim_df"))
        assert counted == dict(conn.execute("SELECT term, doc FROM sim_vocab"))
        return counted


def memory_df(kb: KnowledgeBase) -> dict[str, int]:
    return dict(SimilarityIndex(kb.load_all().papers.values()).df)


def test_edits_and_deletions_keep_links_and_term_counts_right(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    kb = KnowledgeBase(make_kb(tmp_path / "kb", size=40))
    assert index_df(kb) == memory_df(kb)
    # a new link to Synth0003x, then the linking record is deleted
    path = kb.papers_dir / f"{pid_of(4)}.yaml"
    path.write_text(
        record(pid_of(4), "Brand new words: xylophone quokka", related=[(pid_of(3), "new")]),
        encoding="utf-8",
    )
    rows = as_dicts(neighbours.related_from_index(kb, pid_of(3), None))
    assert rows[0]["id"] == pid_of(4) and rows[0]["reasons"][0]["direction"] == "in"
    assert index_df(kb) == memory_df(kb)
    path.unlink()
    rows = as_dicts(neighbours.related_from_index(kb, pid_of(3), None))
    assert pid_of(4) not in [r["id"] for r in rows]
    assert index_df(kb) == memory_df(kb)
    assert "xylophone" not in index_df(kb)


def test_an_index_of_the_previous_schema_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    kb = KnowledgeBase(make_kb(tmp_path / "kb", size=30))
    with Index(kb) as index:
        index.refresh()
    path = kb.cache_dir() / INDEX_NAME
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = 'an older schema' WHERE key = 'version'")
        conn.execute("DROP TABLE links")
    conn.close()
    result = Runner(kb.root)("related", pid_of(17), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["id"] == pid_of(0)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone() == (
            version(),
        )
        assert conn.execute("SELECT count(*) FROM links").fetchone()[0] == 5
    conn.close()


def test_show_top_related_matches_related(synth_root, tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    run = Runner(synth_root)
    top = json.loads(run("show", pid_of(17), "--json").stdout)["top_related"]
    related = json.loads(run("related", pid_of(17), "--limit", "5", "--json").stdout)
    assert top == related and len(top) == 5


def test_unknown_paper_is_a_one_line_error(synth_root, tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    result = Runner(synth_root)("related", "Synth9999x")
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_show_without_a_usable_index_still_shows_the_paper(synth_root, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(blocker / "cache"))
    result = Runner(synth_root)("show", pid_of(17))
    assert result.exit_code == 0
    assert pid_of(17) in result.stdout and "Top related" not in result.stdout
    assert result.stderr.startswith("Warning: top related papers not shown: ")
    assert "Traceback" not in result.stderr
    related = Runner(synth_root)("related", pid_of(17))
    assert related.exit_code != 0 and related.stderr.startswith("Error: ")
    assert related.stderr.count("\n") == 1


# -- rankings kept in the index -------------------------------------------------------
def _kept(kb: KnowledgeBase) -> list[tuple]:
    with sqlite3.connect(kb.cache_dir() / INDEX_NAME) as conn:
        rows = conn.execute("SELECT id, top, generation FROM ranked ORDER BY id, top").fetchall()
    conn.close()
    return rows


def _settled(root: Path) -> Path:
    """Files written a minute ago: none is racy, so reads do not write the index."""
    for path in [root / "tags.yaml", *root.glob("papers/*.yaml")]:
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns - 60 * 10**9))
    return root


def test_a_ranking_is_kept_until_the_index_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    kb = KnowledgeBase(_settled(make_kb(tmp_path / "kb", size=40)))
    run = Runner(kb.root)
    first = run("related", pid_of(3), "--json")
    assert first.exit_code == 0, first.stderr
    kept = _kept(kb)
    assert [(pid, top) for pid, top, _ in kept] == [(pid_of(3), 10)]
    calls = []
    monkeypatch.setattr(neighbours, "related_of", lambda *a, **_: calls.append(a) or [])
    assert run("related", pid_of(3), "--json").stdout == first.stdout
    assert calls == []  # read back, not ranked again
    monkeypatch.undo()
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    # another record now links to it: the kept ranking goes with the write
    (kb.papers_dir / f"{pid_of(4)}.yaml").write_text(
        record(pid_of(4), "Brand new words: xylophone quokka", related=[(pid_of(3), "new")]),
        encoding="utf-8",
    )
    rows = json.loads(run("related", pid_of(3), "--json").stdout)
    assert rows[0]["id"] == pid_of(4) and rows[0]["reasons"][0]["why"] == "new"
    assert len(_kept(kb)) == 1 and _kept(kb)[0][2] != kept[0][2]


def test_kept_rankings_follow_the_taxonomy(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    kb = KnowledgeBase(_settled(make_kb(tmp_path / "kb", size=40)))
    run = Runner(kb.root)
    before = run("related", pid_of(2), "--limit", "40", "--json").stdout
    assert '"NTK' in before and _kept(kb)  # papers with the child tag NTK of theory
    text = kb.tags_path.read_text(encoding="utf-8")
    kb.tags_path.write_text(text.replace("parent: theory", "parent: null"), encoding="utf-8")
    after = run("related", pid_of(2), "--limit", "40", "--json")
    assert after.exit_code == 0, after.stderr
    fresh = as_dicts(neighbours.related_from_index(KnowledgeBase(kb.root), pid_of(2), 40))
    assert json.loads(after.stdout) == json.loads(json.dumps(fresh))
    assert '"NTK' not in after.stdout  # NTK is no longer below theory


def test_a_damaged_kept_ranking_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    kb = KnowledgeBase(make_kb(tmp_path / "kb", size=40))
    run = Runner(kb.root)
    first = run("show", pid_of(6), "--json").stdout
    for damage in ("{not json", '[["x"]]', '"text"'):
        with sqlite3.connect(kb.cache_dir() / INDEX_NAME) as conn:
            conn.execute("UPDATE ranked SET data = ?", (damage,))
        conn.close()
        again = run("show", pid_of(6), "--json")
        assert again.exit_code == 0, again.stderr
        assert again.stdout == first and "Traceback" not in again.stderr


def test_a_ranking_made_while_another_process_writes_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    kb = KnowledgeBase(make_kb(tmp_path / "kb", size=40))
    with Index(kb) as index:
        index.refresh()
    rank = neighbours.related_of

    def ranked_during_a_write(conn, *args, **kwargs):
        other = sqlite3.connect(kb.cache_dir() / INDEX_NAME, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        other.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('generation', '1')")
        other.execute("COMMIT")
        other.close()
        return rank(conn, *args, **kwargs)

    monkeypatch.setattr(neighbours, "related_of", ranked_during_a_write)
    rows = neighbours.related_from_index(kb, pid_of(3), 10)
    assert rows and _kept(kb) == []


def test_a_file_read_again_unchanged_keeps_the_rankings(tmp_path, monkeypatch):
    """Touched, or read again because it was racy: nothing changed, so nothing is forgotten."""
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(tmp_path / "cache"))
    kb = KnowledgeBase(_settled(make_kb(tmp_path / "kb", size=40)))
    run = Runner(kb.root)
    first = run("related", pid_of(3), "--json").stdout
    kept = _kept(kb)
    path = kb.papers_dir / f"{pid_of(5)}.yaml"
    os.utime(path)  # now: racy, so every command reads it again for two seconds
    for _ in range(3):
        with Index(kb) as index:
            stats = index.refresh()
        assert (stats.added, stats.updated, stats.removed) == (0, 0, 0)
    assert _kept(kb) == kept
    assert run("related", pid_of(3), "--json").stdout == first
    path.write_text(path.read_text(encoding="utf-8") + "year: 2021\n", encoding="utf-8")
    with Index(kb) as index:
        assert index.refresh().updated == 1
    assert _kept(kb) == []  # a real change: the rankings go
