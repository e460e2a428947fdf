"""The daily loop: edit, rm, tag, mv, open, the reading queue, settings, and CLI parsing."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from .conftest import RELATED, Runner, write

EDITOR = """\
import sys
from pathlib import Path

path = Path(sys.argv[-1])
script = Path({script!r})
steps = script.read_text(encoding="utf-8").split("\\n===\\n")
count_file = script.with_suffix(".count")
n = int(count_file.read_text()) if count_file.exists() else 0
count_file.write_text(str(n + 1))
step = steps[min(n, len(steps) - 1)]
if step.startswith("FAIL"):
    sys.exit(3)
old, _, new = step.partition("\\n->\\n")
text = path.read_text(encoding="utf-8")
assert old in text, (old, text)
path.write_text(text.replace(old, new), encoding="utf-8")
"""


@pytest.fixture
def editor(tmp_path, monkeypatch):
    """A scripted $EDITOR: each call applies the next 'old\\n->\\nnew' replacement."""
    script = tmp_path / "edits.txt"
    program = tmp_path / "editor.py"
    program.write_text(EDITOR.format(script=str(script)), encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {program}")

    def steps(*replacements: str) -> Path:
        script.write_text("\n===\n".join(replacements), encoding="utf-8")
        return script

    return steps


def record(kb: Path, pid: str) -> dict:
    return yaml.safe_load((kb / "papers" / f"{pid}.yaml").read_text(encoding="utf-8"))


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# -- search parsing --------------------------------------------------------------------
def test_search_rejects_unknown_options_with_a_suggestion(run):
    result = run("search", "tuning", "--limt", "3")
    assert result.exit_code == 2
    assert "did you mean '--limit'" in one_line(result.stderr)


def test_search_short_options_and_help(run):
    assert run("search", "-h").exit_code == 0
    assert "Usage:" in run("search", "-h").stdout
    result = run("search", "optimizers", "-n", "1")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 1


@pytest.mark.usefixtures("kb")
def test_search_tag_and_status_options(run):
    assert run("search", "optimizers", "--tag", "NTK").stdout == ""
    found = run("search", "optimizers", "--tag", "优化").stdout
    assert {line.split("\t")[0] for line in found.splitlines()} == {"H1gEP6NFwr", "HygrAR4tPS"}
    assert run("status", "HygrAR4tPS", "to-read").exit_code == 0
    only = run("search", "tuning", "--status", "to-read").stdout
    assert [line.split("\t")[0] for line in only.splitlines()] == ["HygrAR4tPS"]
    assert run("search", "status:to-read").stdout.split("\t")[0] == "HygrAR4tPS"
    assert run("search", "--status", "to-read", "--json").exit_code == 0
    bad = run("search", "status:someday")
    assert bad.exit_code == 2 and "status: expects one of" in one_line(bad.stderr)


def test_search_double_dash_ends_options(run):
    without = run("search", "--", "-tunability", "--json")
    # '--json' after '--' is a query word (without 'json'), so the output is not JSON.
    assert without.exit_code == 0 and without.stdout.startswith("HygrAR4tPS\t")
    negated = run("search", "--json", "--", "-tunability")
    assert [h["id"] for h in json.loads(negated.stdout)] == ["HygrAR4tPS"]
    # A negated word before '--' stays a word, even when it starts like -n.
    assert [h["id"] for h in json.loads(run("search", "-nonexistent", "--json").stdout)]


# -- global options after the command ----------------------------------------------------
@pytest.mark.usefixtures("run")
def test_global_options_after_the_command(kb):
    shown = Runner(None)("show", "H1gEP6NFwr", "--root", str(kb), "--debug", "--no-color")
    assert shown.exit_code == 0 and "H1gEP6NFwr" in shown.stdout
    listed = Runner(None)("list", f"--root={kb}", "--no-color")
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) == 2
    missing = Runner(None)("list", "--root")
    assert missing.exit_code == 2 and "'--root' requires an argument" in one_line(missing.stderr)


def test_json_before_the_command(run):
    result = run("--json", "list")
    assert [row["id"] for row in json.loads(result.stdout)] == ["H1gEP6NFwr", "HygrAR4tPS"]
    refused = run("--json", "edit", "H1gEP6NFwr")
    assert refused.exit_code == 2 and "--json does not apply to 'edit'" in refused.stderr


def test_option_values_are_not_taken_as_global_options(run, kb):
    result = run("add", "H1gEP6NFwr", "--note", "--debug", "--no-fetch")
    assert result.exit_code == 0
    assert record(kb, "H1gEP6NFwr")["notes"][-1]["en"] == "--debug"


# -- empty list fields ---------------------------------------------------------------------
def test_empty_tags_line_loads_as_empty_and_fmt_drops_it(run, kb):
    path = kb / "papers" / "HygrAR4tPS.yaml"
    path.write_text(path.read_text().replace("tags:\n- optimization\n", "tags:\n"))
    assert run("show", "HygrAR4tPS").exit_code == 0
    assert run("validate").exit_code == 0
    assert run("fmt", "--check").exit_code == 1
    assert run("fmt").exit_code == 0
    assert "tags" not in record(kb, "HygrAR4tPS") and run("fmt", "--check").exit_code == 0


def test_explicit_null_list_says_how_to_fix_it(run, kb):
    path = kb / "papers" / "HygrAR4tPS.yaml"
    path.write_text(path.read_text().replace("tags:\n- optimization\n", "tags: null\n"))
    result = run("validate")
    assert result.exit_code == 6 or result.exit_code == 1
    assert "papers/HygrAR4tPS.yaml:4: tags: is null: write 'tags: []' or remove the line" in (
        result.stdout + result.stderr
    )


# -- edit ------------------------------------------------------------------------------------
def test_edit_saves_a_valid_change_canonically(run, kb, editor):
    editor("title: How Much Tuning Do Optimizers Need?\n->\ntitle: How Much Tuning?\n")
    result = run("edit", "HygrAR4tPS")
    assert result.exit_code == 0, result.stderr
    assert "Saved papers/HygrAR4tPS.yaml" in result.stderr
    data = record(kb, "HygrAR4tPS")
    assert data["title"] == "How Much Tuning?" and "updated" in data
    assert run("fmt", "--check").exit_code == 0


def test_edit_without_change_writes_nothing(run, kb, editor):
    before = (kb / "papers" / "HygrAR4tPS.yaml").read_bytes()
    editor("title:\n->\ntitle:")
    result = run("edit", "HygrAR4tPS")
    assert result.exit_code == 0 and "No changes" in result.stderr
    assert (kb / "papers" / "HygrAR4tPS.yaml").read_bytes() == before


def test_edit_never_saves_an_invalid_record_off_a_terminal(run, kb, editor):
    before = (kb / "papers" / "HygrAR4tPS.yaml").read_bytes()
    editor("- optimization\n->\n- optimisation-typo\n")
    result = run("edit", "HygrAR4tPS")
    assert result.exit_code == 6
    assert "papers/HygrAR4tPS.yaml:5: tags[0]: unknown tag 'optimisation-typo'" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: papers/HygrAR4tPS.yaml not saved: 1 problem(s)")
    assert (kb / "papers" / "HygrAR4tPS.yaml").read_bytes() == before
    kept = Path(last.split("kept in ")[1].split(" (")[0])
    assert "optimisation-typo" in kept.read_text(encoding="utf-8")


def test_edit_force_saves_as_written(run, kb, editor):
    editor("- optimization\n->\n- optimisation-typo\n")
    result = run("edit", "HygrAR4tPS", "--force")
    assert result.exit_code == 0
    assert record(kb, "HygrAR4tPS")["tags"] == ["optimisation-typo"]


def test_edit_broken_yaml_and_failing_editor(run, kb, editor):
    before = (kb / "papers" / "HygrAR4tPS.yaml").read_bytes()
    editor("tags:\n->\ntags: [\n")
    result = run("edit", "HygrAR4tPS")
    assert result.exit_code == 6 and "YAML syntax error" in result.stderr
    editor("FAIL")
    failed = run("edit", "HygrAR4tPS")
    assert failed.exit_code == 2 and "cannot run the editor" in one_line(failed.stderr)
    assert (kb / "papers" / "HygrAR4tPS.yaml").read_bytes() == before


@pytest.mark.usefixtures("kb")
def test_edit_refuses_an_id_change(run, editor):
    editor("id: HygrAR4tPS\n->\nid: HygrAR4tPX\n")
    result = run("edit", "HygrAR4tPS")
    assert result.exit_code == 6 and "does not match the file name" in result.stderr


# -- rm ----------------------------------------------------------------------------------------
def test_rm_needs_yes_off_a_terminal(run, kb):
    result = run("rm", "HygrAR4tPS")
    assert result.exit_code == 2 and "--yes" in one_line(result.stderr)
    assert (kb / "papers" / "HygrAR4tPS.yaml").exists()


def test_rm_removes_links_to_the_paper_and_reports_each_file(run, kb):
    result = run("rm", "HygrAR4tPS", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "removed papers/HygrAR4tPS.yaml",
        "updated papers/H1gEP6NFwr.yaml: related: -HygrAR4tPS",
    ]
    assert not (kb / "papers" / "HygrAR4tPS.yaml").exists()
    assert "related" not in record(kb, "H1gEP6NFwr")
    assert run("validate").exit_code == 0


def test_rm_refuses_when_notes_link_the_paper(run, kb):
    write(kb / "notes" / "tuning.md", "# Tuning\n\nSee [[HygrAR4tPS]] for the counter-view.\n")
    result = run("rm", "HygrAR4tPS", "--yes")
    assert result.exit_code == 2
    assert "notes/tuning.md:3: See [[HygrAR4tPS]] for the counter-view." in result.stderr
    assert (kb / "papers" / "HygrAR4tPS.yaml").exists()
    forced = run("rm", "HygrAR4tPS", "--yes", "--force")
    assert forced.exit_code == 0
    assert "Warning: notes/tuning.md:3 still links a removed paper" in forced.stderr


def test_rm_unknown_id_suggests(run):
    result = run("rm", "hygrar4tps", "--yes")
    assert result.exit_code == 3 and "did you mean 'HygrAR4tPS'" in one_line(result.stderr)


# -- tag ------------------------------------------------------------------------------------
def test_tag_adds_and_removes_by_name_alias_and_label(run, kb):
    result = run("tag", "H1gEP6NFwr", "HygrAR4tPS", "+cntk", "+彩票假设", "-Optimization")
    assert result.exit_code == 0, result.stderr
    assert record(kb, "H1gEP6NFwr")["tags"] == ["NTK", "LTH"]
    assert record(kb, "HygrAR4tPS")["tags"] == ["NTK", "LTH"]
    assert "updated papers/H1gEP6NFwr.yaml: tags +NTK +LTH -optimization" in result.stdout
    again = run("tag", "H1gEP6NFwr", "--remove", "lottery ticket")
    assert record(kb, "H1gEP6NFwr")["tags"] == ["NTK"] and again.exit_code == 0


def test_tag_unknown_tag_changes_nothing(run, kb):
    before = (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes()
    result = run("tag", "H1gEP6NFwr", "+ntk2")
    assert result.exit_code == 3 and "did you mean 'NTK'" in one_line(result.stderr)
    assert (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes() == before


def test_tag_removes_a_tag_unknown_to_the_taxonomy(run, kb):
    path = kb / "papers" / "HygrAR4tPS.yaml"
    path.write_text(path.read_text().replace("- optimization\n", "- optimization\n- stray\n"))
    assert run("tag", "HygrAR4tPS", "-stray").exit_code == 0
    assert record(kb, "HygrAR4tPS")["tags"] == ["optimization"]


# -- mv ---------------------------------------------------------------------------------------
RELATED_DATA = yaml.safe_load(RELATED)


def test_mv_rewrites_links_and_notes(run, kb):
    write(
        kb / "notes" / "tuning.md",
        "# Tuning\n\n[[HygrAR4tPS|the survey]] and [[HygrAR4tPS]].\n\n```\n[[HygrAR4tPS]]\n```\n",
    )
    result = run("mv", "HygrAR4tPS", "arxiv:1910.11758")
    assert result.exit_code == 0, result.stderr
    assert not (kb / "papers" / "HygrAR4tPS.yaml").exists()
    path = next(p for p in (kb / "papers").iterdir() if "1910.11758" in p.name)
    moved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert moved["id"] == "arxiv:1910.11758" and moved["title"].startswith("How Much Tuning")
    kept = {k: v for k, v in moved.items() if k not in ("id", "updated")}
    assert kept == {k: v for k, v in RELATED_DATA.items() if k != "id"}
    assert record(kb, "H1gEP6NFwr")["related"][0]["id"] == "arxiv:1910.11758"
    text = (kb / "notes" / "tuning.md").read_text(encoding="utf-8")
    assert "[[arxiv:1910.11758|the survey]] and [[arxiv:1910.11758]]." in text
    assert "```\n[[HygrAR4tPS]]\n```" in text  # code is left alone
    assert "updated notes/tuning.md: 2 link(s)" in result.stdout
    assert run("validate").exit_code == 0


@pytest.mark.usefixtures("kb")
def test_mv_refuses_an_existing_id_and_a_case_twin(run):
    taken = run("mv", "HygrAR4tPS", "H1gEP6NFwr")
    assert taken.exit_code == 2 and "already has a record" in taken.stderr
    twin = run("mv", "HygrAR4tPS", "H1GEP6NFWR")
    assert twin.exit_code == 2 and "differs only by case" in twin.stderr


def test_mv_fixes_the_case_of_an_id(run, kb):
    assert run("mv", "HygrAR4tPS", "HygrAR4tPs").exit_code == 0
    names = sorted(p.name for p in (kb / "papers").iterdir())
    assert names == ["H1gEP6NFwr.yaml", "HygrAR4tPs.yaml"]
    assert record(kb, "H1gEP6NFwr")["related"][0]["id"] == "HygrAR4tPs"


# -- open ---------------------------------------------------------------------------------------
@pytest.mark.usefixtures("kb")
def test_open_prints_and_launches(run, tmp_path, monkeypatch):
    assert run("open", "H1gEP6NFwr", "--print").stdout == (
        "https://openreview.net/forum?id=H1gEP6NFwr\n"
    )
    missing = run("open", "H1gEP6NFwr", "--pdf")
    assert missing.exit_code == 3 and "has no pdf link (links: forum)" in missing.stderr
    log = tmp_path / "browser.log"
    browser = tmp_path / "browser.py"
    browser.write_text(f"import sys; open({str(log)!r}, 'a').write(sys.argv[1])\n")
    monkeypatch.setenv("BROWSER", f"{sys.executable} {browser}")
    assert run("open", "H1gEP6NFwr", "--forum").exit_code == 0
    assert log.read_text() == "https://openreview.net/forum?id=H1gEP6NFwr"


# -- reading workflow ----------------------------------------------------------------------
def test_status_queue_and_read(run, kb):
    assert run("status", "H1gEP6NFwr", "to-read", "--priority", "2").exit_code == 0
    assert run("status", "HygrAR4tPS", "todo", "-p", "1").exit_code == 0
    queue = run("queue", "--json")
    assert [r["id"] for r in json.loads(queue.stdout)] == ["HygrAR4tPS", "H1gEP6NFwr"]
    data = record(kb, "HygrAR4tPS")
    assert data["status"] == "to-read" and data["priority"] == 1
    assert list(data["status_dates"]) == ["to-read"]
    result = run("read", "HygrAR4tPS")
    assert "to-read, priority 1 -> read, priority 1" in result.stdout
    assert [r["id"] for r in json.loads(run("queue", "--json").stdout)] == ["H1gEP6NFwr"]
    assert list(record(kb, "HygrAR4tPS")["status_dates"]) == ["to-read", "read"]
    listed = run("list", "--status", "read", "--json")
    assert [r["id"] for r in json.loads(listed.stdout)] == ["HygrAR4tPS"]
    assert "Reading: read since" in run("show", "HygrAR4tPS").stdout
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["statuses"] == [
        {"status": "to-read", "papers": 1},
        {"status": "read", "papers": 1},
    ]
    assert run("status", "HygrAR4tPS", "none").exit_code == 0
    assert "status" not in record(kb, "HygrAR4tPS")
    assert run("validate").exit_code == 0 and run("fmt", "--check").exit_code == 0


def test_status_bad_value_and_bad_priority(run):
    bad = run("status", "H1gEP6NFwr", "someday")
    assert bad.exit_code == 2 and "unknown status 'someday'" in one_line(bad.stderr)
    assert run("status", "H1gEP6NFwr", "read", "--priority", "4").exit_code == 2
    missing = run("status", "nosuchid1", "read")
    assert missing.exit_code == 3


def test_record_fields_are_checked(run, kb):
    path = kb / "papers" / "HygrAR4tPS.yaml"
    path.write_text(path.read_text() + "status: later\npriority: 5\n")
    result = run("validate")
    text = result.stdout + result.stderr
    assert "status:" in text and "priority:" in text and result.exit_code != 0


SEED = """\
https://openreview.net/forum?id=HygrAR4tPS
优化器的调参, 值得一读. 有人做了

https://openreview.net/forum?id=rkgNKkHtvB
LSH attention, we should cite it
"""


def test_import_sets_status_and_marks_from_markers(run, kb, tmp_path):
    seed = write(tmp_path / "reading.txt", SEED)
    result = run("import", str(seed))
    assert result.exit_code == 0, result.stderr
    assert record(kb, "HygrAR4tPS")["status"] == "to-read"  # a new note with 值得一读
    new = record(kb, "rkgNKkHtvB")
    assert new["notes"][0]["marks"] == ["to-cite"] and "status" not in new


def test_import_markers_on_a_new_note(run, kb, tmp_path):
    (kb / "papers" / "HygrAR4tPS.yaml").unlink()
    path = kb / "papers" / "H1gEP6NFwr.yaml"
    path.write_text(
        path.read_text().replace("related:\n- id: HygrAR4tPS\n  why: 非常相关的工作\n", "")
    )
    seed = write(tmp_path / "reading.txt", SEED)
    assert run("import", str(seed)).exit_code == 0
    data = record(kb, "HygrAR4tPS")
    assert data["status"] == "to-read" and "to-read" in data["status_dates"]
    assert data["notes"][0]["marks"] == ["scooped"]
    assert "值得一读. 有人做了" in data["notes"][0]["zh"]  # the marker stays in the note
    found = run("search", "mark:scooped", "--json")
    assert [h["id"] for h in json.loads(found.stdout)] == ["HygrAR4tPS"]
    assert "scooped" in run("show", "HygrAR4tPS").stdout
    # A status set by hand is not overwritten by importing again with --markers.
    assert run("read", "HygrAR4tPS").exit_code == 0
    assert run("import", "--markers", str(seed)).exit_code == 0
    assert record(kb, "HygrAR4tPS")["status"] == "read"


def test_import_markers_rederives_for_notes_imported_before(run, kb, tmp_path):
    seed = write(
        tmp_path / "seed.txt",
        "https://openreview.net/forum?id=H1gEP6NFwr\n略神奇, 值得再读\n",
    )
    path = kb / "papers" / "H1gEP6NFwr.yaml"
    path.write_text(
        path.read_text().replace("source: seeds/000_316735fe26adea45.txt", f"source: {seed}")
    )
    assert run("import", str(seed)).exit_code == 0
    assert "status" not in record(kb, "H1gEP6NFwr")  # the note was there already
    assert run("import", "--markers", str(seed)).exit_code == 0
    assert record(kb, "H1gEP6NFwr")["status"] == "to-reread"


def test_find_markers():
    from papernotes.importers.markers import find_markers

    assert find_markers("实验文章，但有意思, 值得再读").status == "to-reread"
    assert find_markers("值得一读。").status == "to-read"
    assert find_markers("TODO: check eq. 3").status == "to-read"
    assert find_markers("todo list of tricks").status is None
    assert find_markers("worth reading").status == "to-read"
    assert find_markers("mode connectivity, 我本来想做的").marks == ["scooped"]
    assert find_markers("我们应该cite, 并指出").marks == ["to-cite"]
    assert find_markers("nothing here").marks == []


# -- add ----------------------------------------------------------------------------------------
def test_add_refuses_a_case_twin(run, kb):
    result = run("add", "hygrar4tps", "--note", "x", "--no-fetch")
    assert result.exit_code == 2
    assert "did you mean 'HygrAR4tPS'" in one_line(result.stderr)
    assert sorted(p.name for p in (kb / "papers").iterdir()) == [
        "H1gEP6NFwr.yaml",
        "HygrAR4tPS.yaml",
    ]


def test_add_offline_unknown_id_needs_a_title(run, kb):
    result = run("add", "notanid", "--no-fetch")
    assert result.exit_code == 2 and "pass --title TEXT" in one_line(result.stderr)
    assert not (kb / "papers" / "notanid.yaml").exists()
    assert run("add", "notanid", "--no-fetch", "--title", "A Paper").exit_code == 0


# -- settings -------------------------------------------------------------------------------
def config(tmp_path: Path, text: str) -> Path:
    return write(tmp_path / "_config" / "papernotes" / "config.toml", text)


def test_config_default_knowledge_base(kb, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config(tmp_path, f'root = "{kb}"\npager = "more"\n')
    result = Runner(None)("list", "--json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 2
    shown = json.loads(Runner(None)("config", "--json").stdout)
    by_name = {row["name"]: row for row in shown}
    assert by_name["root"]["value"] == str(kb)
    assert by_name["root"]["source"].startswith("config file ")
    assert by_name["pager"] == {**by_name["pager"], "value": "more"}
    assert by_name["author"]["source"] == "default"
    monkeypatch.setenv("PAPERNOTES_ROOT", str(kb))
    env_row = {r["name"]: r for r in json.loads(Runner(None)("config", "--json").stdout)}
    assert env_row["root"]["source"] == "environment PAPERNOTES_ROOT"


def test_config_errors_are_one_line(kb, tmp_path):
    config(tmp_path, 'roots = "x"\n')
    result = Runner(kb)("list")
    assert result.exit_code == 2 and "unknown setting 'roots' (did you mean 'root'?)" in one_line(
        result.stderr
    )
    config(tmp_path, "root = \n")
    assert "config.toml" in one_line(Runner(kb)("config").stderr)
    config(tmp_path, "color = 1\n")
    assert "color must be true or false" in one_line(Runner(kb)("config").stderr)


def test_config_color_false(kb, tmp_path):
    config(tmp_path, "color = false\n")
    result = Runner(kb)("config", "--json")
    assert {r["name"]: r["value"] for r in json.loads(result.stdout)}["color"] is False


def test_no_config_root_that_does_not_exist(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config(tmp_path, f'root = "{tmp_path / "gone"}"\n')
    result = Runner(None)("list")
    assert result.exit_code == 2 and "the default 'root' in" in one_line(result.stderr)


# -- real processes: pipes, a pseudo-terminal ------------------------------------------------
def papernotes(*args: str) -> list[str]:
    return [sys.executable, "-m", "papernotes", *args]


@pytest.mark.parametrize("command", [["show", "H1gEP6NFwr"], ["list"], ["stats"], ["tags"]])
def test_closed_pipe_exits_0_quietly(kb, command):
    import subprocess

    write(kb / "papers" / "H1gEP6NFwr.yaml", (kb / "papers" / "H1gEP6NFwr.yaml").read_text())
    proc = subprocess.Popen(
        papernotes("--root", str(kb), *command),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "80"},
    )
    proc.stdout.close()  # the reader is gone before anything is written
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0, err
    assert err == b""


def spawn(kb: Path, *args: str, env: dict | None = None):
    """papernotes on a pseudo-terminal; returns (pid, master fd)."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child
        os.execve(
            sys.executable,
            papernotes("--root", str(kb), *args),
            {**os.environ, "TERM": "dumb", **(env or {})},
        )
    return pid, fd


def read_until(fd: int, text: str, timeout: float = 30.0) -> str:
    import select
    import time

    seen = b""
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{text!r} not seen in {seen.decode(errors='replace')!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen.decode(errors="replace")


def finish(pid: int, fd: int) -> tuple[int, str]:
    rest = ""
    try:
        rest = read_until(fd, "\x00never", timeout=20)
    except AssertionError as exc:
        rest = str(exc)
    import signal
    import time

    deadline = time.monotonic() + 20
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError(f"papernotes did not exit: {rest!r}")
        time.sleep(0.05)
    status = done[1]
    os.close(fd)
    return os.waitstatus_to_exitcode(status), rest


def test_ctrl_c_at_an_add_prompt_exits_130(kb):
    import time

    pid, fd = spawn(kb, "add", "newpaper1", "--no-fetch")
    read_until(fd, "Add it anyway?")
    os.write(fd, b"y\r")
    read_until(fd, "Title")
    time.sleep(0.3)  # let the prompt start reading
    os.write(fd, b"\x03")  # Ctrl-C, as the terminal sends it
    code, rest = finish(pid, fd)
    assert code == 130 and "Interrupted" in rest and "Aborted" not in rest
    assert not (kb / "papers" / "newpaper1.yaml").exists()


def test_rm_asks_on_a_terminal(kb):
    pid, fd = spawn(kb, "rm", "HygrAR4tPS")
    read_until(fd, "Remove HygrAR4tPS?")
    os.write(fd, b"y\r")
    code, rest = finish(pid, fd)
    assert code == 0 and "removed papers/HygrAR4tPS.yaml" in rest
    assert not (kb / "papers" / "HygrAR4tPS.yaml").exists()


def test_edit_on_a_terminal_offers_to_edit_again(kb, editor):
    editor(
        "- optimization\n->\n- optimisation-typo\n",
        "- optimisation-typo\n->\n- optimization\n- NTK\n",
    )
    pid, fd = spawn(kb, "edit", "HygrAR4tPS", env={"EDITOR": os.environ["EDITOR"]})
    read_until(fd, "(e)dit again, (s)ave anyway, (a)bort")
    os.write(fd, b"e\r")
    code, rest = finish(pid, fd)
    assert code == 0 and "Saved papers/HygrAR4tPS.yaml" in rest
    assert record(kb, "HygrAR4tPS")["tags"] == ["optimization", "NTK"]


def test_edit_abort_keeps_the_text(kb, editor):
    before = (kb / "papers" / "HygrAR4tPS.yaml").read_bytes()
    editor("- optimization\n->\n- optimisation-typo\n")
    pid, fd = spawn(kb, "edit", "HygrAR4tPS", env={"EDITOR": os.environ["EDITOR"]})
    read_until(fd, "(a)bort")
    os.write(fd, b"a\r")
    code, rest = finish(pid, fd)
    assert code == 1 and "your text is kept in" in rest
    assert (kb / "papers" / "HygrAR4tPS.yaml").read_bytes() == before
    kept = rest.split("kept in ")[1].split()[0]
    assert "optimisation-typo" in Path(kept).read_text(encoding="utf-8")


def test_edit_ctrl_c_at_the_question_keeps_the_text(kb, editor):
    import time

    editor("- optimization\n->\n- optimisation-typo\n")
    pid, fd = spawn(kb, "edit", "HygrAR4tPS", env={"EDITOR": os.environ["EDITOR"]})
    read_until(fd, "(a)bort")
    time.sleep(0.3)  # let the prompt start reading
    os.write(fd, b"\x03")
    code, rest = finish(pid, fd)
    assert code == 130 and "Interrupted" in rest and "your text is kept in" in rest


def test_readme_walkthrough_commands_exist():
    text = textwrap.dedent(Path(__file__).parent.parent.joinpath("README.md").read_text())
    for command in ("edit", "rm", "tag", "mv", "open", "queue", "read", "status", "config"):
        assert f"papernotes {command} " in text, command


def test_config_file_wins_over_general_variables(kb, tmp_path, monkeypatch):
    config(tmp_path, 'pager = "more"\neditor = "nano"\n')
    monkeypatch.setenv("PAGER", "less")
    monkeypatch.setenv("PAPERNOTES_AUTHOR", "Ada")
    rows = {r["name"]: r for r in json.loads(Runner(kb)("config", "--json").stdout)}
    assert rows["pager"]["value"] == "more" and rows["pager"]["source"].startswith("config file")
    assert rows["author"] == {
        **rows["author"],
        "value": "Ada",
        "source": "environment PAPERNOTES_AUTHOR",
    }


def test_readme_config_example_names_every_setting():
    from papernotes.settings import SPECS

    readme = Path(__file__).parent.parent.joinpath("README.md").read_text(encoding="utf-8")
    block = readme.split("### The config file")[1].split("```toml")[1].split("```")[0]
    assert [line.split(" =")[0] for line in block.strip().splitlines()] == [s.name for s in SPECS]


def test_rm_no_at_the_question_removes_nothing(kb):
    pid, fd = spawn(kb, "rm", "HygrAR4tPS")
    read_until(fd, "Remove HygrAR4tPS?")
    os.write(fd, b"n\r")
    code, rest = finish(pid, fd)
    assert code == 1 and "Nothing removed." in rest
    assert (kb / "papers" / "HygrAR4tPS.yaml").exists()


def test_priority_only_for_several_papers(run, kb):
    assert run("status", "H1gEP6NFwr", "HygrAR4tPS", "--priority", "3").exit_code == 0
    assert record(kb, "H1gEP6NFwr")["priority"] == 3 and record(kb, "HygrAR4tPS")["priority"] == 3
    assert "status" not in record(kb, "H1gEP6NFwr")
    assert run("status", "H1gEP6NFwr", "reading", "-p", "0").exit_code == 0
    data = record(kb, "H1gEP6NFwr")
    assert data["status"] == "reading" and "priority" not in data


def test_search_attached_short_limit(run):
    assert len(run("search", "optimizers", "-n1").stdout.splitlines()) == 1


def test_edit_editor_failing_on_the_second_round_keeps_the_text(kb, editor):
    editor("- optimization\n->\n- optimisation-typo\n", "FAIL")
    pid, fd = spawn(kb, "edit", "HygrAR4tPS", env={"EDITOR": os.environ["EDITOR"]})
    read_until(fd, "(a)bort")
    os.write(fd, b"e\r")
    code, rest = finish(pid, fd)
    assert code == 2 and "cannot run the editor" in rest
    kept = rest.split("kept in ")[1].split()[0]
    assert "optimisation-typo" in Path(kept).read_text(encoding="utf-8")


def test_status_from_a_marker_dates_from_its_note(run, kb, tmp_path):
    seed = write(
        tmp_path / "seed.txt", "https://openreview.net/forum?id=H1gEP6NFwr\n略神奇, 值得再读\n"
    )
    path = kb / "papers" / "H1gEP6NFwr.yaml"
    path.write_text(
        path.read_text().replace("source: seeds/000_316735fe26adea45.txt", f"source: {seed}")
    )
    before = path.read_text()
    assert run("import", "--markers", str(seed)).exit_code == 0
    data = record(kb, "H1gEP6NFwr")
    assert data["status"] == "to-reread"
    assert data["status_dates"] == {"to-reread": dt.date(2026, 11, 22)}
    # Only the new fields are added: nothing else in the file changes.
    after = path.read_text()
    assert [line for line in before.splitlines() if line not in after.splitlines()] == []


def test_ctrl_c_while_a_command_runs_exits_130(kb):
    """Interrupted anywhere, not only at a prompt: here while add waits for its note on stdin."""
    import signal
    import subprocess
    import time

    proc = subprocess.Popen(
        papernotes("--root", str(kb), "add", "H1gEP6NFwr", "--note", "-", "--no-fetch"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(2)  # started and waiting for the note
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.decode().strip().splitlines()[-1] == "Interrupted"
    assert len(record(kb, "H1gEP6NFwr")["notes"]) == 1


def test_find_markers_in_english():
    from papernotes.importers.markers import find_markers

    assert find_markers("an experimental paper; worth reading again").status == "to-reread"
    assert find_markers("We should cite it").marks == ["to-cite"]
    assert find_markers("someone already did this").marks == ["scooped"]


def test_queue_orders_by_reading_then_priority_then_age():
    from papernotes.edit.reading import queue
    from papernotes.model.record import Paper

    def paper(pid, status, priority=None, since="2026-01-01"):
        return Paper(
            id=pid,
            title=pid,
            status=status,
            priority=priority,
            status_dates={status: dt.date.fromisoformat(since)},
        )

    papers = [
        paper("newer1", "to-read", 2, "2026-03-01"),
        paper("older1", "to-read", 2, "2026-02-01"),
        paper("urgent1", "to-reread", 1, "2026-04-01"),
        paper("nopriority", "to-read", None, "2026-01-15"),
        paper("reading1", "reading", 3),
        paper("done1", "read", 1),
        paper("skim1", "skimmed", 1),
    ]
    order = [p.id for p in queue(papers)]
    assert order == ["reading1", "urgent1", "nopriority", "older1", "newer1"]


def test_missing_things_are_one_line_errors(run, kb):
    assert run("mv", "nosuchid1", "H1gEP6NFwx").exit_code == 3
    assert run("tag", "+NTK").exit_code == 2
    assert run("tag", "H1gEP6NFwr").exit_code == 2
    assert run("open", "nosuchid1").exit_code == 3
    for result in (run("tag", "+NTK"), run("mv", "nosuchid1", "x2345678")):
        one_line(result.stderr)
    bare = kb / "papers" / "HygrAR4tPS.yaml"
    assert run("open", "HygrAR4tPS").exit_code == 3 and bare.exists()


def test_rm_removes_a_record_that_does_not_load(run, kb):
    broken = kb / "papers" / "Broken1234.yaml"
    broken.write_text("id: Broken1234\ntitle: [unclosed\n")
    result = run("rm", "Broken1234", "--yes")
    assert result.exit_code == 0 and not broken.exists()


def test_mv_keeps_the_notes_and_everything_else(run, kb):
    before = record(kb, "H1gEP6NFwr")
    assert run("mv", "H1gEP6NFwr", "H1gEP6NFwq").exit_code == 0
    after = record(kb, "H1gEP6NFwq")
    assert after["notes"] == before["notes"] and after["added"] == before["added"]
    assert {k: v for k, v in after.items() if k not in ("id", "updated")} == {
        k: v for k, v in before.items() if k not in ("id", "updated")
    }
    assert record(kb, "HygrAR4tPS")["related"] == [{"id": "H1gEP6NFwq", "why": "非常相关的工作"}]


def test_site_shows_status_and_marks(run, kb, tmp_path):
    path = kb / "papers" / "H1gEP6NFwr.yaml"
    path.write_text(
        path.read_text().replace(
            "  date: 2026-11-22\n", "  date: 2026-11-22\n  marks:\n  - to-cite\n", 1
        )
    )
    assert run("status", "H1gEP6NFwr", "to-read", "-p", "1").exit_code == 0
    out = tmp_path / "site"
    assert run("site", str(out)).exit_code == 0, "site"
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.rglob("*.html")}
    page = next(text for name, text in pages.items() if "H1gEP6NFwr" in name)
    assert '<span class="status to-read">to-read · priority 1</span>' in page
    assert '<span class="mark to-cite">to-cite</span>' in page
