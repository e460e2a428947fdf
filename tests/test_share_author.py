"""Note authors: where `by:` comes from, how show/search/list use it, old notes unchanged."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from papernotes.share.author import current_author
from papernotes.store.kb import KnowledgeBase
from papernotes.store.records import dump_record


def notes_of(kb, pid="H1gEP6NFwr"):
    return yaml.safe_load((kb / "papers" / f"{pid}.yaml").read_text(encoding="utf-8"))["notes"]


def test_env_wins_over_config_and_git(tmp_path, monkeypatch):
    cfg = tmp_path / "_config" / "papernotes"
    cfg.mkdir(parents=True)
    (cfg / "config.toml").write_text('author = "From Config"\n', encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    subprocess.run(
        ["git", "-C", str(tmp_path / "repo"), "config", "user.name", "From Git"], check=True
    )
    repo = tmp_path / "repo"
    monkeypatch.setenv("PAPERNOTES_AUTHOR", "  From   Env ")
    assert current_author(repo) == "From Env"
    monkeypatch.delenv("PAPERNOTES_AUTHOR")
    assert current_author(repo) == "From Config"
    (cfg / "config.toml").write_text("author = [", encoding="utf-8")  # broken: skipped
    assert current_author(repo) == "From Git"
    assert current_author(tmp_path) is None  # not a repository, nothing configured


def test_add_records_the_author_and_show_search_list_use_it(run, kb, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_AUTHOR", "Alice Wang")
    assert (
        run("add", "H1gEP6NFwr", "--note", "tuning protocol matters", "--no-fetch").exit_code == 0
    )
    monkeypatch.setenv("PAPERNOTES_AUTHOR", "Bob")
    assert run("add", "HygrAR4tPS", "--note", "a second opinion", "--no-fetch").exit_code == 0
    new = notes_of(kb)[-1]
    assert new["by"] == "Alice Wang" and len(new["id"]) == 8
    assert "by" not in notes_of(kb)[0]  # the seed's note has no author and keeps none
    shown = run("show", "H1gEP6NFwr").stdout
    assert "#2 · by Alice Wang · cli · " in shown
    assert "#1 · seeds/000_316735fe26adea45.txt" in shown
    assert run("search", "by:alice").stdout.split("\t")[0] == "H1gEP6NFwr"
    assert run("search", 'by:"alice wang"').stdout.startswith("H1gEP6NFwr\t")
    assert run("search", "by:bob").stdout.startswith("HygrAR4tPS\t")
    missing = run("search", "by:carol")
    assert missing.stdout == "" and missing.exit_code == 0
    assert run("list", "--by", "ALICE").stdout.startswith("H1gEP6NFwr\t")
    assert run("list", "--by", "bob", "--json").stdout.count('"id"') == 1
    assert run("list", "--by", "wang alice").stdout == ""  # words in order
    empty = run("list", "--by", " ")
    assert empty.exit_code == 2 and empty.stderr.startswith("Error: ")
    assert run("validate").exit_code == 0


@pytest.mark.usefixtures("kb")
def test_site_shows_the_author(run, tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_AUTHOR", "Alice <b>")
    run("add", "H1gEP6NFwr", "--note", "see this", "--no-fetch")
    assert run("site", str(tmp_path / "site")).exit_code == 0
    page = next((tmp_path / "site").rglob("H1gEP6NFwr*.html")).read_text(encoding="utf-8")
    assert '<span class="by">Alice &lt;b&gt;</span>' in page


def test_no_author_configured_means_no_by(run, kb):
    assert run("add", "H1gEP6NFwr", "--note", "anonymous", "--no-fetch").exit_code == 0
    assert "by" not in notes_of(kb)[-1]


def test_repository_records_stay_byte_identical():
    """Canonical dump of every shipped record is unchanged by the new note fields."""
    from pathlib import Path

    kb = KnowledgeBase(Path(__file__).resolve().parents[1])
    paths = kb.record_paths()
    assert paths
    for path in paths:
        loaded = kb.load_path(path)
        assert loaded.paper is not None, loaded.problems
        assert dump_record(loaded.paper).encode("utf-8") == path.read_bytes(), path
