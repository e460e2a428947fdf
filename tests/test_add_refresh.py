"""`papernotes refresh`: metadata re-fetched, notes, tags and links never touched."""

from __future__ import annotations

import json

import pytest
import yaml

from .conftest import write


def record(kb, name: str) -> dict:
    return yaml.safe_load((kb / "papers" / f"{name}.yaml").read_text(encoding="utf-8"))


def one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and "Traceback" not in result.stderr
    return lines[-1]


@pytest.mark.usefixtures("server")
def test_refresh_fills_metadata_and_keeps_notes_tags_links(run, kb):
    before = record(kb, "H1gEP6NFwr")
    result = run("refresh", "H1gEP6NFwr")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("H1gEP6NFwr\tupdated: authors, abstract, tldr, keywords")
    assert "(from offline catalog + OpenReview API v1)" in result.stdout
    after = record(kb, "H1gEP6NFwr")
    for kept in ("notes", "tags", "related", "added", "title", "ratings"):
        assert after[kept] == before[kept], kept
    assert after["links"]["forum"] == before["links"]["forum"]
    assert after["links"]["pdf"] == "https://openreview.net/pdf?id=H1gEP6NFwr"  # added
    assert after["authors"][-1] == "François Fleuret"
    assert after["updated"] != before.get("updated")
    assert run("validate").exit_code == 0


@pytest.mark.usefixtures("server")
def test_refresh_overwrites_stale_metadata_but_not_links(run, kb):
    write(
        kb / "papers" / "rkgNKkHtvB.yaml",
        """\
        id: rkgNKkHtvB
        title: reformer (typo)
        decision: Reject
        links:
          forum: https://example.org/my-mirror
        tags:
        - NTK
        """,
    )
    result = run("refresh", "rkgNKkHtvB")
    assert result.exit_code == 0
    data = record(kb, "rkgNKkHtvB")
    assert data["title"] == "Reformer: The Efficient Transformer"
    assert data["decision"] == "Accept (Talk)"
    assert data["links"] == {
        "forum": "https://example.org/my-mirror",
        "pdf": "https://openreview.net/pdf?id=rkgNKkHtvB",
    }
    assert data["tags"] == ["NTK"]


def test_second_refresh_makes_no_request_and_changes_nothing(run, kb, server):
    assert run("refresh", "H1gEP6NFwr").exit_code == 0
    asked = server.count()
    before = (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes()
    result = run("refresh", "H1gEP6NFwr")
    assert result.exit_code == 0
    assert result.stdout == "H1gEP6NFwr\tunchanged\n"
    assert server.count() == asked
    assert (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes() == before
    assert run("refresh", "H1gEP6NFwr", "--no-cache").exit_code == 0
    assert server.count() > asked


@pytest.mark.usefixtures("server")
def test_refresh_all_reports_each_record(run, kb):
    write(kb / "papers" / "doi%3A10.1000%2Fxyz.yaml", "id: doi:10.1000/xyz\ntitle: A DOI\n")
    result = run("refresh", "--all")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        lines[0] == "H1gEP6NFwr\tupdated: authors, abstract, tldr, keywords, links, bibtex "
        "(from offline catalog + OpenReview API v1)"
    )
    assert "HygrAR4tPS\tupdated:" in lines[1]
    assert lines[2] == "doi:10.1000/xyz\tskipped: no online metadata source for doi: ids"
    assert result.stderr == "Refreshed 3 records: 2 updated, 0 unchanged, 1 skipped, 0 failed\n"


@pytest.mark.usefixtures("kb", "server")
def test_refresh_json(run):
    result = run("refresh", "H1gEP6NFwr", "HygrAR4tPS", "--json")
    data = json.loads(result.stdout)
    assert [r["id"] for r in data] == ["H1gEP6NFwr", "HygrAR4tPS"]
    assert data[0]["status"] == "updated" and "authors" in data[0]["changed"]
    assert data[1]["path"] == "papers/HygrAR4tPS.yaml"


def test_refresh_offline_fails_with_exit_4_and_changes_nothing(run, kb):
    before = (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes()
    result = run("refresh", "H1gEP6NFwr")
    assert result.exit_code == 4
    assert one_error_line(result).startswith("Error: cannot reach 127.0.0.1:")
    assert result.stdout.startswith("H1gEP6NFwr\tfailed: cannot reach")
    assert (kb / "papers" / "H1gEP6NFwr.yaml").read_bytes() == before


@pytest.mark.usefixtures("kb")
def test_refresh_many_with_a_failure(run, server):
    server.fail("not_found", times=2, prefix="/v")  # HygrAR4tPS is asked first: v2, v1
    result = run("refresh", "HygrAR4tPS", "H1gEP6NFwr", "--json")
    assert result.exit_code == 3
    statuses = [r["status"] for r in json.loads(result.stdout)]
    assert statuses == ["failed", "updated"]
    assert one_error_line(result) == (
        "Error: 1 of 2 records could not be refreshed "
        "(first: HygrAR4tPS: no such paper on OpenReview: 'HygrAR4tPS')"
    )


@pytest.mark.usefixtures("server")
def test_refresh_a_broken_record_fails_cleanly(run, kb):
    (kb / "papers" / "HygrAR4tPS.yaml").write_text("id: [\n", encoding="utf-8")
    result = run("refresh", "--all")
    assert result.exit_code == 6
    assert "HygrAR4tPS\tfailed: papers/HygrAR4tPS.yaml:" in result.stdout
    assert "H1gEP6NFwr\tupdated" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ([], 2, "Error: which records? give one or more ids, or --all"),
        (["--all", "H1gEP6NFwr"], 2, "Error: give ids or --all, not both"),
        (["H1gEP6NFwR"], 3, "Error: no paper 'H1gEP6NFwR' (did you mean 'H1gEP6NFwr'?)"),
        (["../../etc/passwd"], 2, "Error: invalid paper id"),
    ],
)
@pytest.mark.usefixtures("kb")
def test_refresh_usage(run, server, args, code, message):
    result = run("refresh", *args)
    assert result.exit_code == code
    assert one_error_line(result).startswith(message)
    assert server.count() == 0


@pytest.mark.usefixtures("kb")
def test_a_failing_host_is_not_asked_again_in_the_same_run(run, server):
    server.fail("status", times=100, code=503, prefix="/v2/")
    result = run("refresh", "--all")
    assert result.exit_code == 4
    assert server.count("/v2/") == 6  # the first record's tries; the second fails at once
    assert result.stdout.count("failed: 127.0.0.1") == 2
