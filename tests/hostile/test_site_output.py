"""D5 and D14: ``site`` writes only inside OUT_DIR, never through a symbolic link, and an
interrupted build leaves a folder the next run takes up."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.site import builder

from .conftest import no_traceback, one_error


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def victim(tmp_path) -> Path:
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "important.txt").write_text("precious\n", encoding="utf-8")
    (folder / "bashrc").write_text("rc\n", encoding="utf-8")
    return folder


def test_marker_listing_an_absolute_path_deletes_nothing_outside(run, tmp_path, victim):
    out = tmp_path / "_site"
    out.mkdir()
    (out / ".papernotes-site").write_text(
        f"{victim / 'important.txt'}\n../victim/bashrc\n", encoding="utf-8"
    )
    result = run("site", str(out))
    assert result.exit_code == 0, result.stderr
    assert (victim / "important.txt").read_text(encoding="utf-8") == "precious\n"
    assert (victim / "bashrc").read_text(encoding="utf-8") == "rc\n"
    assert (out / "index.html").is_file()


def test_a_symlinked_page_is_replaced_not_written_through(run, tmp_path, victim):
    out = tmp_path / "_site"
    assert run("site", str(out)).exit_code == 0
    (out / "tags.html").unlink()
    (out / "tags.html").symlink_to(victim / "bashrc")
    result = run("site", str(out))
    assert result.exit_code == 0, result.stderr
    assert (victim / "bashrc").read_text(encoding="utf-8") == "rc\n"
    assert not (out / "tags.html").is_symlink()
    assert b"<html" in (out / "tags.html").read_bytes()


def test_a_symlinked_folder_is_refused_in_one_line(run, tmp_path, victim):
    out = tmp_path / "_site"
    assert run("site", str(out)).exit_code == 0
    before = _files(victim)
    for page in (out / "papers").iterdir():
        page.unlink()
    (out / "papers").rmdir()
    (out / "papers").symlink_to(victim)
    result = run("site", str(out))
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 5
    assert "symbolic link" in one_error(result.stderr, "papers")
    assert _files(victim) == before


def test_a_stale_page_behind_a_symlinked_folder_is_not_deleted(run, tmp_path, victim):
    out = tmp_path / "_site"
    assert run("site", str(out)).exit_code == 0
    (out / "old").symlink_to(victim)
    marker = out / ".papernotes-site"
    marker.write_text(marker.read_text(encoding="utf-8") + "old/important.txt\n", "utf-8")
    assert run("site", str(out)).exit_code == 0
    assert (victim / "important.txt").is_file()


def test_an_interrupted_first_build_is_taken_up_by_the_next_run(run, tmp_path, monkeypatch):
    out = tmp_path / "_site"
    real = builder.SiteBuilder.paper_page
    calls = []

    def interrupted(self, pid):
        calls.append(pid)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, pid)

    monkeypatch.setattr(builder.SiteBuilder, "paper_page", interrupted)
    result = run("site", str(out))
    assert result.exit_code == 130
    assert (out / "index.html").is_file()  # pages were written before the interruption
    monkeypatch.setattr(builder.SiteBuilder, "paper_page", real)
    result = run("site", str(out))
    assert result.exit_code == 0, result.stderr
    whole = _files(out)
    fresh = tmp_path / "fresh"
    assert run("site", str(fresh)).exit_code == 0
    assert whole == _files(fresh)


def test_a_rebuild_rewrites_only_changed_pages_and_leaves_no_temp_files(run, kb, tmp_path):
    out = tmp_path / "_site"
    assert run("site", str(out)).exit_code == 0
    stamps = {p: p.stat().st_ino for p in out.rglob("*.html")}
    record = kb / "papers" / "HygrAR4tPS.yaml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("How Much", "How Very Much"), "utf-8"
    )
    assert run("site", str(out)).exit_code == 0
    changed = {p.relative_to(out).as_posix() for p in stamps if p.stat().st_ino != stamps[p]}
    assert "papers/HygrAR4tPS.html" in changed
    assert "tags.html" not in changed
    assert not list(out.rglob("*.tmp"))
