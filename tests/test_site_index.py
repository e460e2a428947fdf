"""papernotes site from the index: the pages as they were, each paper's neighbours as
``papernotes related ID`` prints them, and a second run that renders only what changed.

The pages of the shipped knowledge base and of the generated one with broken records (as
in test_golden_reads) were captured (``PAPERNOTES_UPDATE_GOLDEN=1`` rewrites them) from the
site as it stood when it ranked neighbours in memory. Three of the shipped site's 138 pages
and four of the other's 100 then differed from the pages made here, each in one line of its
"Similar papers" section: the order or the spelling (``architecture`` / ``architectures``)
of a shared term, where the in-memory ranking disagreed with ``related ID``. The pages now
show what ``related ID`` prints, which the second test checks for every page.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
from pathlib import Path

import pytest

from papernotes.errors import WriteError
from papernotes.index.related import related_papers
from papernotes.index.store import INDEX_NAME, Index
from papernotes.site import builder, paper_slug, ranking
from papernotes.store.kb import KnowledgeBase

from .conftest import Runner
from .test_golden_reads import _broken, _shipped
from .test_related_index import make_kb as make_synth
from .test_site import make_kb as make_small

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
UPDATE = bool(os.environ.get("PAPERNOTES_UPDATE_GOLDEN"))
SIMILAR = re.compile(r'<section id="similar">(.*?)</section>', re.S)
ITEM = re.compile(r'<li><a href="\.\./papers/([^"]+)\.html">.*?<div class="why">(.*?)</div></li>')


def files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def digests(out: Path) -> str:
    return "".join(
        f"{hashlib.sha256(data).hexdigest()}  {rel}\n" for rel, data in files(out).items()
    )


def site(root: Path, out: Path) -> None:
    result = Runner(root)("site", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("kind", ["shipped", "broken"])
def test_the_pages_are_the_ones_captured(tmp_path, kind):
    root = {"shipped": _shipped, "broken": _broken}[kind](tmp_path / "kb")
    site(root, tmp_path / "out")
    path = GOLDEN / f"site-{kind}.txt"
    if UPDATE:
        path.write_text(digests(tmp_path / "out"), encoding="utf-8")
    assert digests(tmp_path / "out") == path.read_text(encoding="utf-8")


def shown(out: Path, pid: str) -> list[tuple[str, str]]:
    """(page, reasons) of each paper a page shows under "Similar papers"."""
    page = (out / "papers" / f"{paper_slug(pid)}.html").read_text(encoding="utf-8")
    section = SIMILAR.search(page)
    return ITEM.findall(section.group(1)) if section else []


def printed(kb: KnowledgeBase, pid: str) -> list[tuple[str, str]]:
    """What ``related ID`` ranks first, without the papers it links (the page shows those
    under Related and Linked from)."""
    ranked = [n for n in related_papers(kb, pid, limit=None) if "link" not in n.kinds][:5]
    whys = [" · ".join(r.text for r in n.reasons if r.kind != "link") for n in ranked]
    return [(paper_slug(n.id), html.escape(w)) for n, w in zip(ranked, whys, strict=True)]


@pytest.mark.parametrize("kind", ["shipped", "broken"])
def test_every_page_shows_the_neighbours_related_prints(tmp_path, kind):
    root = {"shipped": _shipped, "broken": _broken}[kind](tmp_path / "kb")
    site(root, tmp_path / "out")
    kb = KnowledgeBase(root)
    papers = kb.load_all().papers
    assert sum(1 for pid in papers if shown(tmp_path / "out", pid)) > 0.8 * len(papers)
    for pid in papers:
        assert shown(tmp_path / "out", pid) == printed(kb, pid), pid


def test_above_500_papers_pages_show_what_related_prints(tmp_path):
    """Past ALL_SIMILAR papers ``related ID`` compares only the best full-text matches
    (and the papers with other evidence): the site's one-pass ranking must find the same."""
    root = make_synth(tmp_path / "kb", size=520)
    site(root, tmp_path / "out")
    kb = KnowledgeBase(root)
    ids = sorted(kb.load_all().papers)
    sample = ids[::13] + ids[:5]
    assert all(shown(tmp_path / "out", pid) for pid in sample)
    for pid in sample:
        assert shown(tmp_path / "out", pid) == printed(kb, pid), pid
    # and as the command prints it
    result = Runner(root)("related", ids[0], "--limit", "20")
    assert result.exit_code == 0, result.stderr
    for slug, _ in shown(tmp_path / "out", ids[0]):
        assert slug in result.stdout


PARENT = os.getpid()


def _ranked_in_a_worker(task):
    assert os.getpid() != PARENT, "ranked in the parent process"
    return ranking._rank_chunk(task)


def test_forked_workers_rank_as_this_process_does(tmp_path, monkeypatch):
    root = make_synth(tmp_path / "kb", size=60)
    site(root, tmp_path / "serial")
    monkeypatch.setattr(ranking, "PARALLEL_FROM", 10)
    monkeypatch.setattr(ranking, "_can_fork", lambda: True)
    monkeypatch.setattr(ranking.os, "cpu_count", lambda: 2)
    pool = ranking.multiprocessing_pool
    made = []
    monkeypatch.setattr(
        ranking, "multiprocessing_pool", lambda workers: made.append(workers) or pool(workers)
    )
    monkeypatch.setattr(ranking, "chunk_task", _ranked_in_a_worker)
    site(root, tmp_path / "forked")
    assert made == [2]
    assert files(tmp_path / "forked") == files(tmp_path / "serial")


def _made_in_a_worker(rels):
    assert os.getpid() != PARENT, "made in the parent process"
    return builder._make_pages_task(rels)


@pytest.fixture
def forked(monkeypatch) -> list[int]:
    """Rank and make the pages of a small site in forked workers, as of a large one: the
    workers each pool was started with."""
    for module in (ranking, builder):
        monkeypatch.setattr(module, "PARALLEL_FROM", 10)
    monkeypatch.setattr(builder, "PAGES_PER_TASK", 7)
    monkeypatch.setattr(ranking, "_can_fork", lambda: True)
    monkeypatch.setattr(ranking.os, "cpu_count", lambda: 2)
    pool = ranking.multiprocessing_pool
    made: list[int] = []
    monkeypatch.setattr(
        ranking, "multiprocessing_pool", lambda workers: made.append(workers) or pool(workers)
    )
    monkeypatch.setattr(builder, "pages_task", _made_in_a_worker)
    return made


def test_forked_workers_make_the_pages_this_process_makes(tmp_path, forked):
    root = make_synth(tmp_path / "kb", size=60)
    out = tmp_path / "forked"
    site(root, out)
    # the files needing no ranking (the graph first), then the ranking, then the papers
    assert forked == [1, 2, 2]
    for module in (ranking, builder):
        module.PARALLEL_FROM = 10**9
    site(root, tmp_path / "serial")
    assert files(out) == files(tmp_path / "serial")
    assert "graph-map.html" in files(out)


def test_a_worker_refusing_a_symlinked_folder_fails_the_build_in_one_line(tmp_path, forked):
    root = make_synth(tmp_path / "kb", size=60)
    assert forked == []
    out, victim = tmp_path / "out", tmp_path / "victim"
    site(root, out)
    victim.mkdir()
    shutil.rmtree(out / "papers")
    (out / "papers").symlink_to(victim)
    result = Runner(root)("site", str(out))
    assert result.exit_code == 5, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert "symbolic link" in line
    assert list(victim.iterdir()) == []
    assert forked[-1] == 2  # the papers' pages were being made by workers


# -- a second run --------------------------------------------------------------------
@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The files each run renders (a file not rendered is not even made in memory)."""
    made: list[str] = []
    real = builder.SiteBuilder.render

    def spy(self, rel):
        made.append(rel)
        return real(self, rel)

    monkeypatch.setattr(builder.SiteBuilder, "render", spy)
    return made


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {rel: ((out / rel).stat().st_ino, (out / rel).stat().st_mtime_ns) for rel in files(out)}


def test_nothing_changed_nothing_rendered_nothing_written(tmp_path, rendered):
    root = make_small(tmp_path / "kb")
    out = tmp_path / "out"
    site(root, out)
    assert "index.html" in rendered and len(rendered) == len(set(rendered))
    before, written = files(out), stamps(out)
    rendered.clear()
    site(root, out)
    assert rendered == []
    assert files(out) == before and stamps(out) == written


def test_one_edit_renders_the_pages_it_shows_on_and_no_other(tmp_path, rendered):
    root = make_synth(tmp_path / "kb", size=60)
    out = tmp_path / "out"
    site(root, out)
    before = files(out)
    path = root / "papers" / "Synth0017x.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: ", "title: Renamed ", 1), "utf-8"
    )
    rendered.clear()
    site(root, out)
    rendered_once = set(rendered)
    after = files(out)
    fresh = tmp_path / "fresh"
    site(root, fresh)
    assert files(fresh) == after  # the same site as a first build
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    every = {"index.html", "assets/search-data.js", "graph-map.html"}  # they list every paper
    assert "papers/Synth0017x.html" in changed
    assert changed - every, "the pages that list the renamed paper changed too"
    assert changed <= rendered_once <= changed | every
    assert "tags.html" not in rendered_once and "assets/style.css" not in rendered_once


def test_a_deleted_record_loses_its_page_and_its_mentions(tmp_path, rendered):
    root = make_small(tmp_path / "kb")
    out = tmp_path / "out"
    site(root, out)
    (root / "papers" / "HygrAR4tPS.yaml").unlink()
    rendered.clear()
    site(root, out)
    second = list(rendered)
    assert not (out / "papers" / "HygrAR4tPS.html").exists()
    fresh = tmp_path / "fresh"
    site(root, fresh)
    assert files(out) == files(fresh)
    assert "papers/HygrAR4tPS.html" not in second and "index.html" in second
    assert "assets/style.css" not in second


def test_a_page_changed_by_hand_is_made_again(tmp_path, rendered):
    root = make_small(tmp_path / "kb")
    out = tmp_path / "out"
    site(root, out)
    before = files(out)
    (out / "tags.html").write_text("defaced", encoding="utf-8")
    rendered.clear()
    site(root, out)
    assert rendered == ["tags.html"]
    assert files(out) == before


# -- the index gone, broken or unusable ------------------------------------------------
def test_a_deleted_or_corrupt_index_gives_the_same_site(tmp_path):
    root = _shipped(tmp_path / "kb")
    site(root, tmp_path / "first")
    expected = files(tmp_path / "first")
    kb = KnowledgeBase(root)
    with Index(kb) as index:
        index.refresh()
        folder = index.folder
    (folder / INDEX_NAME).write_bytes(b"this is not a database" * 100)
    site(root, tmp_path / "corrupt")
    assert files(tmp_path / "corrupt") == expected
    shutil.rmtree(folder)
    site(root, tmp_path / "deleted")
    assert files(tmp_path / "deleted") == expected
    site(root, tmp_path / "first")  # a second run with no digests kept: renders, same bytes
    assert files(tmp_path / "first") == expected


def test_without_a_usable_index_the_site_is_read_from_the_files(tmp_path, monkeypatch):
    """Every page as from the index, but without similar papers (ranked over the index
    only), and a warning that says why."""
    root = make_small(tmp_path / "kb")
    site(root, tmp_path / "indexed")

    def unusable(*_args, **_kwargs):
        raise WriteError("cannot write the search index: read-only file system")

    monkeypatch.setattr(Index, "refresh", unusable)
    result = Runner(root)("site", str(tmp_path / "files"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(
        "Warning: similar papers not shown: cannot write the search index: read-only file system\n"
    )
    similar = re.compile(rb'<section id="similar">.*?</section>', re.DOTALL)
    indexed = files(tmp_path / "indexed")
    assert any(similar.search(page) for page in indexed.values())
    unranked = files(tmp_path / "files")
    assert not any(similar.search(page) for page in unranked.values())
    assert unranked == {rel: similar.sub(b"", page) for rel, page in indexed.items()}
