"""Nothing papernotes writes may destroy what it manages.

A record whose id names another paper, an output path inside the knowledge base, a record
grown past the size papernotes reads back, misnamed or shadowing files, Unicode twins,
symlinked or huge notes/, a cache path that is a file: each is refused or reported in one
line, and no other file is touched."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from papernotes.store.kb import KnowledgeBase
from papernotes.store.yamlio import MAX_FILE_BYTES

from .conftest import no_traceback, nonblank, one_error, snapshot

TEMPLATE = "id: H1gEP6NFwr\ntitle: My new paper draft\n"


# -- D11: a record whose id is not its file name ----------------------------------------------
def test_add_refuses_a_record_whose_id_names_another_paper(kb, run):
    (kb / "papers" / "url%3Amy-draft.yaml").write_text(TEMPLATE, encoding="utf-8")
    before = snapshot(kb)
    result = run("add", "url:my-draft", "--note", "draft note", "--no-fetch")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 6, result.stderr
    one_error(result.stderr, "papers/url%3Amy-draft.yaml:1", "does not match the file name")
    assert snapshot(kb) == before
    assert "略神奇" in (kb / "papers" / "H1gEP6NFwr.yaml").read_text(encoding="utf-8")


def test_import_refuses_a_record_whose_id_names_another_paper(kb, run, tmp_path):
    (kb / "papers" / "SkgsACVKPH.yaml").write_text(TEMPLATE, encoding="utf-8")
    notes = tmp_path / "reading.txt"
    notes.write_text(
        "https://openreview.net/forum?id=SkgsACVKPH\nimported note\n", encoding="utf-8"
    )
    before = snapshot(kb)
    result = run("import", str(notes))
    no_traceback(result.stdout, result.stderr)
    assert snapshot(kb) == before
    assert "略神奇" in (kb / "papers" / "H1gEP6NFwr.yaml").read_text(encoding="utf-8")


@pytest.mark.usefixtures("server")
def test_refresh_refuses_a_record_whose_id_names_another_paper(kb, run):
    (kb / "papers" / "SkgsACVKPH.yaml").write_text(TEMPLATE, encoding="utf-8")
    one = run("refresh", "SkgsACVKPH")
    assert one.exit_code == 6, one.stderr
    one_error(one.stderr, "papers/SkgsACVKPH.yaml:1")
    every = run("refresh", "--all")
    no_traceback(every.stdout, every.stderr)
    assert every.exit_code == 6, every.stderr
    # The two good records are refreshed; the misfiled one is left alone.
    assert "略神奇" in (kb / "papers" / "H1gEP6NFwr.yaml").read_text(encoding="utf-8")
    assert (kb / "papers" / "SkgsACVKPH.yaml").read_text(encoding="utf-8") == TEMPLATE


def test_a_symlinked_record_does_not_send_a_note_into_its_target(kb, run):
    (kb / "papers" / "SkgsACVKPH.yaml").symlink_to("H1gEP6NFwr.yaml")
    before = snapshot(kb)
    result = run("add", "SkgsACVKPH", "--note", "meant for B", "--no-fetch", "--title", "B")
    assert result.exit_code == 6, result.stderr
    one_error(result.stderr, "papers/SkgsACVKPH.yaml:1")
    assert snapshot(kb) == before


def test_save_checks_the_file_it_replaces(kb):
    """The rule lives in KnowledgeBase.save, so every writer (add, import, refresh, rm ...)
    gets it: a file holding another id is never replaced."""
    from papernotes.errors import DataError
    from papernotes.model.record import Paper

    target = kb / "papers" / "SkgsACVKPH.yaml"
    target.write_text(TEMPLATE, encoding="utf-8")
    with pytest.raises(DataError, match="does not match the file name"):
        KnowledgeBase(kb).save(Paper(id="SkgsACVKPH", title="Picking"))
    assert target.read_text(encoding="utf-8") == TEMPLATE


# -- D15: output paths inside the knowledge base ---------------------------------------------------
MANAGED = ["papers/H1gEP6NFwr.yaml", "papers/new.bib", "tags.yaml", "notes/gans.md", "notes/x.md"]


@pytest.mark.parametrize("target", MANAGED)
@pytest.mark.parametrize(
    "command", [["export"], ["export", "-f", "markdown"], ["graph", "--format", "dot"]]
)
def test_output_into_the_knowledge_base_is_refused(kb, run, command, target):
    (kb / "notes" / "gans.md").write_text("# GANs\n[[H1gEP6NFwr]]\n", encoding="utf-8")
    before = snapshot(kb)
    result = run(*command, "-o", str(kb / target))
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 2, result.stderr
    one_error(result.stderr, "managed by papernotes")
    assert snapshot(kb) == before


def test_output_through_a_symlink_into_the_knowledge_base_is_refused(kb, run, tmp_path):
    link = tmp_path / "out.bib"
    link.symlink_to(kb / "papers" / "H1gEP6NFwr.yaml")
    before = snapshot(kb)
    result = run("export", "-o", str(link))
    assert result.exit_code == 2, result.stderr
    one_error(result.stderr, "managed by papernotes")
    assert snapshot(kb) == before


@pytest.mark.usefixtures("kb")
def test_output_into_the_cache_is_refused(run):
    cache = Path(os.environ["PAPERNOTES_CACHE_DIR"])
    cache.mkdir(parents=True, exist_ok=True)
    result = run("export", "-o", str(cache / "index.sqlite"))
    assert result.exit_code == 2, result.stderr
    one_error(result.stderr, "managed by papernotes")


def test_output_beside_the_knowledge_base_is_written(kb, run):
    result = run("export", "-o", str(kb / "refs.bib"))
    assert result.exit_code == 0, result.stderr
    assert (kb / "refs.bib").read_text(encoding="utf-8").startswith("@")


# -- D7: records over the size papernotes reads ---------------------------------------------------------
def test_import_of_a_huge_notes_file_writes_nothing_unreadable(kb, run, tmp_path):
    big = tmp_path / "big.txt"
    line = "alpha beta gamma delta kernel width " * 2
    big.write_text(
        "https://openreview.net/forum?id=H1gEP6NFwr\n" + "\n".join([line] * 80_000) + "\n",
        encoding="utf-8",
    )
    assert big.stat().st_size > MAX_FILE_BYTES
    before = snapshot(kb)
    result = run("import", str(big))
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 2, result.stderr
    one_error(result.stderr, "papers/H1gEP6NFwr.yaml", "MiB")
    assert snapshot(kb) == before
    assert run("show", "H1gEP6NFwr").exit_code == 0


def test_add_that_would_pass_the_size_limit_is_refused(kb, run):
    _fill_near_the_limit(kb)
    before = snapshot(kb)
    result = run("add", "H1gEP6NFwr", "--note", "是" * 199_000, "--no-fetch")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 2, result.stderr
    one_error(result.stderr, "papers/H1gEP6NFwr.yaml", "MiB")
    assert snapshot(kb) == before
    assert run("show", "H1gEP6NFwr").exit_code == 0


# -- D4: non-canonical file names ----------------------------------------------------------------------
def test_a_hand_named_record_is_reported_and_not_split(kb, run):
    (kb / "papers" / "arxiv:1805.08651.yaml").write_text(
        "id: arxiv:1805.08651\ntitle: Hand written\n", encoding="utf-8"
    )
    result = run("validate")
    assert result.exit_code == 1, result.stdout
    lines = [line for line in nonblank(result.stdout) if "arxiv:1805.08651.yaml" in line]
    assert len(lines) == 1 and "arxiv%3A1805.08651.yaml" in lines[0], result.stdout
    before = snapshot(kb)
    add = run("add", "arxiv:1805.08651", "--note", "x", "--no-fetch", "--title", "X")
    assert add.exit_code == 6, add.stderr
    one_error(add.stderr, "papers/arxiv:1805.08651.yaml", "arxiv%3A1805.08651.yaml")
    assert snapshot(kb) == before


# -- D2: a stale copy shadows the real record ----------------------------------------------------------
def test_a_stale_copy_does_not_shadow_the_real_record(kb, run):
    real = (kb / "papers" / "H1gEP6NFwr.yaml").read_text(encoding="utf-8")
    stale = real.replace(
        "title: On the Tunability of Optimizers in Deep Learning", "title: STALE COPY TITLE"
    )
    (kb / "papers" / "H1gEP6NFwr copy.yaml").write_text(stale, encoding="utf-8")
    listed = run("list")
    assert listed.exit_code == 0
    assert "STALE" not in listed.stdout and "Tunability" in listed.stdout
    exported = run("export", "--ids", "H1gEP6NFwr")
    assert "STALE" not in exported.stdout
    check = run("validate")
    duplicate = [line for line in nonblank(check.stdout) if "duplicate id" in line]
    assert duplicate and all(line.startswith("papers/H1gEP6NFwr copy.yaml") for line in duplicate)


# -- D1: records the loader never reads ----------------------------------------------------------------
@pytest.mark.parametrize("name", ["B1g5sA4twr.yml", "B1g5sA4twr.YAML", "sub/B1g5sA4twr.yaml"])
def test_files_the_loader_skips_are_reported(kb, run, name):
    path = kb / "papers" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("id: B1g5sA4twr\ntitle: Granular\n", encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 1, result.stdout
    shown = "papers/" + name.split("/")[0]
    lines = [line for line in nonblank(result.stdout) if line.startswith(shown)]
    assert len(lines) == 1 and "not read" in lines[0], result.stdout


# -- D3: ids that differ only by Unicode normalisation --------------------------------------------------
def test_unicode_twins_become_one_record(kb, run):
    nfc, nfd = "doi:10.1000/caf\u00e9", "doi:10.1000/cafe\u0301"
    assert run("add", nfc, "--title", "A", "--no-fetch").exit_code == 0
    result = run("add", nfd, "--title", "B", "--no-fetch", "--note", "second")
    assert result.exit_code == 0, result.stderr
    records = [p for p in (kb / "papers").iterdir() if "caf" in p.name]
    assert len(records) == 1, records


def test_unicode_twins_on_disk_are_reported(kb, run):
    from papernotes.model.ids import filename_for

    for pid, title in (("doi:10.1000/caf\u00e9", "A"), ("doi:10.1000/cafe\u0301", "B")):
        (kb / "papers" / filename_for(pid)).write_text(
            f"id: {pid}\ntitle: {title}\n", encoding="utf-8"
        )
    result = run("validate")
    assert result.exit_code == 1, result.stdout
    twins = [line for line in nonblank(result.stdout) if "Unicode" in line]
    assert len(twins) == 2, result.stdout
    assert unicodedata.normalize("NFC", "cafe\u0301") == "caf\u00e9"


# -- D8: an unloadable tags.yaml and notes/ ------------------------------------------------------------
def test_unloadable_taxonomy_gives_no_false_note_tag_lines(kb, run):
    (kb / "notes" / "gans.md").write_text("# GANs\n#NTK and #LTH, [[H1gEP6NFwr]]\n", "utf-8")
    text = (kb / "tags.yaml").read_text(encoding="utf-8")
    (kb / "tags.yaml").write_text(
        text.replace("tags:\n", "tags:\n  NTK:\n    en: dup\n    zh: dup\n", 1), "utf-8"
    )
    result = run("validate")
    assert result.exit_code == 1
    assert [line for line in nonblank(result.stdout) if "unknown tag" in line] == []
    assert any(line.startswith("tags.yaml:") for line in nonblank(result.stdout))


# -- D12: symlinks out of notes/ -----------------------------------------------------------------------
def test_note_symlinks_out_of_the_knowledge_base_are_not_read(kb, run, tmp_path):
    secret = tmp_path / "outside" / "secret.md"
    secret.parent.mkdir()
    secret.write_text("# Secret heading\nAPI_KEY=sk-live-123 see [[H1gEP6NFwr]]\n", "utf-8")
    (kb / "notes" / "zz.md").symlink_to(secret)
    (kb / "notes" / "inside.md").symlink_to(kb / "notes" / "real.md")
    (kb / "notes" / "real.md").write_text("# Real\n[[H1gEP6NFwr]] fine\n", "utf-8")
    show = run("show", "H1gEP6NFwr")
    assert show.exit_code == 0
    assert "API_KEY" not in show.stdout and "fine" in show.stdout
    notes = run("notes")
    assert "Secret heading" not in notes.stdout
    check = run("validate")
    lines = [line for line in nonblank(check.stdout) if line.startswith("notes/zz.md")]
    assert len(lines) == 1 and "outside the knowledge base" in lines[0], check.stdout


# -- D10: notes/ read whole before the size check -------------------------------------------------------
def test_a_huge_note_file_is_not_read_into_memory(kb):
    """A sparse 3 GB file, and an address-space limit the file would not fit in."""
    import resource
    import subprocess
    import sys

    huge = kb / "notes" / "huge.md"
    with huge.open("wb") as handle:
        handle.truncate(3 * 1024**3)
    script = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2_500_000_000,) * 2);"
        "from papernotes.cli import main; sys.argv = ['papernotes', *sys.argv[1:]]; main()"
    )
    for args, code in ((["show", "H1gEP6NFwr"], 0), (["validate"], 1)):
        done = subprocess.run(
            [sys.executable, "-c", script, "--root", str(kb), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        no_traceback(done.stdout, done.stderr)
        assert done.returncode == code, done.stderr
    assert "notes/huge.md: file is too large (3221.2 MB)" in done.stdout
    assert resource  # imported for the child's sake


# -- D13: the cache path is a file -----------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["add", "H1gEP6NFwr", "--note", "x", "--no-fetch"],
        ["refresh", "H1gEP6NFwr"],
        ["search", "tunability"],
    ],
)
def test_cache_dir_naming_a_file(kb, run, monkeypatch, args):
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(kb / "papers" / "H1gEP6NFwr.yaml"))
    before = snapshot(kb)
    result = run(*args)
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 5, result.stderr
    one_error(result.stderr, "cache")
    assert snapshot(kb) == before


@pytest.mark.parametrize("where", ["papers", "notes", ".", "/"])
def test_cache_dir_inside_managed_folders_is_refused(kb, run, monkeypatch, where):
    monkeypatch.setenv("PAPERNOTES_CACHE_DIR", str(kb / where))
    result = run("search", "tunability")
    assert result.exit_code == 5, result.stderr
    one_error(result.stderr, "cache")
    assert not (kb / where / "index.sqlite").exists()


# -- risks: the editor's text, leftover temp files ------------------------------------------------
def _fill_near_the_limit(kb: Path) -> None:
    """H1gEP6NFwr's record, grown to just under the size papernotes reads back."""
    from papernotes.model.record import Paper

    store = KnowledgeBase(kb)
    paper = store.get("H1gEP6NFwr")
    note = paper.notes[0]
    filler = [
        note.model_copy(update={"zh": "长" * 190_000 + str(i), "en": None, "lang": "zh"})
        for i in range(9)
    ]
    store.save(Paper.model_validate({**paper.model_dump(), "notes": [note, *filler]}))
    size = (kb / "papers" / "H1gEP6NFwr.yaml").stat().st_size
    assert MAX_FILE_BYTES - 600_000 < size < MAX_FILE_BYTES


def test_editor_text_survives_a_failed_save(kb, run, monkeypatch, tmp_path):
    _fill_near_the_limit(kb)
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\nprintf 'precious words typed at length ' >> \"$1\"\n"
        'python3 -c "print(\'是\' * 199000)" >> "$1"\n'
    )
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setenv("VISUAL", str(editor))
    before = snapshot(kb)
    result = run("add", "H1gEP6NFwr", "--edit", "--no-fetch")
    assert result.exit_code == 2, result.stderr
    line = one_error(result.stderr, "your note is kept in")
    kept = Path(line.split("your note is kept in ")[1].split()[0].rstrip(";)"))
    assert "precious words typed at length" in kept.read_text(encoding="utf-8")
    assert snapshot(kb) == before


@pytest.mark.usefixtures("run_empty")
def test_init_ignores_leftover_temp_files():
    from papernotes.store.init import GITIGNORE

    assert ".*.tmp" in GITIGNORE


def test_fmt_removes_temp_files_of_killed_writes(kb, run):
    leftover = kb / "papers" / ".H1gEP6NFwr.yaml.k1ll3d.tmp"
    leftover.write_text("id: H1gEP6NFwr\ntitle: half", encoding="utf-8")
    record = (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes()
    assert run("fmt").exit_code in (0, 1)
    assert not leftover.exists()
    assert (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes() == record


@pytest.mark.usefixtures("kb")
def test_index_build_removes_temp_files_of_killed_builds(run):
    cache = Path(os.environ["PAPERNOTES_CACHE_DIR"])
    cache.mkdir(parents=True, exist_ok=True)
    leftover = cache / "index.sqlite.99999.tmp"
    leftover.write_bytes(b"half an index")
    assert run("search", "tunability").exit_code == 0
    assert not leftover.exists()


# -- risk: comments dropped silently ---------------------------------------------------------------
@pytest.mark.parametrize(
    "args", [["add", "H1gEP6NFwr", "--note", "one more", "--no-fetch"], ["fmt"]], ids=" ".join
)
def test_dropping_comments_is_said(kb, run, args):
    path = kb / "papers" / "H1gEP6NFwr.yaml"
    path.write_text("# read again before the exam\n" + path.read_text("utf-8"), "utf-8")
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in nonblank(result.stderr) if "comments" in line]
    assert warnings == [
        "Warning: papers/H1gEP6NFwr.yaml: its YAML comments were not kept "
        "(papernotes rewrites the whole file)"
    ]


@pytest.mark.usefixtures("kb")
def test_a_hash_inside_a_note_is_not_a_comment(run):
    result = run("add", "H1gEP6NFwr", "--note", "# heading\nC# and #NTK", "--no-fetch")
    assert result.exit_code == 0
    again = run("add", "H1gEP6NFwr", "--note", "another", "--no-fetch")
    assert "comments" not in again.stderr


@pytest.mark.parametrize("target", ["notes/site", "papers/site"])
def test_site_into_the_knowledge_base_is_refused(kb, run, target):
    before = snapshot(kb)
    result = run("site", str(kb / target))
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 2, result.stderr
    one_error(result.stderr, "managed by papernotes")
    assert snapshot(kb) == before
    assert not (kb / target).exists()
