"""D21: two notes files with the same base name outside the knowledge base are two sources."""

from __future__ import annotations

import yaml

from .conftest import no_traceback, pn


def test_same_base_name_in_two_folders_keeps_both_notes(empty_kb, tmp_path):
    outside = tmp_path / "outside"
    for folder, note in (("a", "note A"), ("b", "totally different note B")):
        (outside / folder).mkdir(parents=True)
        (outside / folder / "reading.txt").write_text(
            f"https://openreview.net/forum?id=SkgsACVKPH\n{note}\n", encoding="utf-8"
        )
    for folder in ("a", "b"):
        done = pn("import", str(outside / folder / "reading.txt"), root=empty_kb)
        no_traceback(done.stdout, done.stderr)
        assert done.returncode == 0, done.stderr
    data = yaml.safe_load((empty_kb / "papers" / "SkgsACVKPH.yaml").read_text(encoding="utf-8"))
    assert [(n["source"], n["en"]) for n in data["notes"]] == [
        ((outside / "a" / "reading.txt").resolve().as_posix(), "note A"),
        ((outside / "b" / "reading.txt").resolve().as_posix(), "totally different note B"),
    ]
