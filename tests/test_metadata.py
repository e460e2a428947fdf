"""The metadata clients against a real local HTTP server shaped like OpenReview and arXiv."""

from __future__ import annotations

import json
import socket

import pytest
import requests

from papernotes import __version__
from papernotes.errors import NetworkError, NotFoundError, UsageError
from papernotes.metadata import arxiv, openreview
from papernotes.metadata.http import (
    AuthRequiredError,
    HttpClient,
    HttpSettings,
    OfflineError,
    RateLimitedError,
    ServerFailedError,
    ServerTimeoutError,
    UnexpectedAnswerError,
    _connection_failure,
)
from papernotes.metadata.sources import MetadataFetcher

from .openreview_server import closed_port


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(tmp_path, sleeps):
    settings = HttpSettings(connect_timeout=3, read_timeout=3, backoff=0.01)
    with HttpClient(tmp_path / "cache", settings, sleep=sleeps.append) as http:
        yield http


def fetch_or(client, server, paper_id, token=None):
    return openreview.fetch(client, paper_id, server.v2, server.v1, token)


# -- OpenReview shapes --------------------------------------------------------------------------
def test_v1_note_after_v2_404(client, server):
    meta = fetch_or(client, server, "ryxz8CVYDH")
    assert meta.source == "OpenReview API v1"
    assert meta.title == "Learning to Learn by Zeroth-Order Oracle"
    assert meta.authors[0] == "Yangjun Ruan" and len(meta.authors) == 5
    assert meta.abstract.startswith("In the learning to learn (L2L) framework")
    assert meta.keywords == [
        "learning to learn",
        "zeroth-order optimization",
        "black-box adversarial attack",
    ]
    assert meta.tldr.startswith("Novel variant of learning to learn")
    assert (meta.venue, meta.year, meta.decision) == ("ICLR 2020", 2020, "Accept (Poster)")
    assert meta.links == {
        "forum": "https://openreview.net/forum?id=ryxz8CVYDH",
        "pdf": "https://openreview.net/pdf?id=ryxz8CVYDH",
        "code": "https://github.com/RYoungJ/ZO-L2L",
    }
    assert meta.bibtex.startswith("@inproceedings{")
    assert server.count("/v2/notes") == 1 and server.count("/v1/notes") == 1
    asked = server.requests[-1]
    assert asked.query == {"id": "ryxz8CVYDH", "details": "directReplies"}
    assert asked.headers["User-Agent"] == f"papernotes/{__version__}"
    assert "Authorization" not in asked.headers


def test_v2_note_never_asks_v1(client, server):
    meta = fetch_or(client, server, "Pv2Accept1")
    assert meta.source == "OpenReview API v2"
    assert meta.authors == ["Ada Lovelace", "Alan Turing"]
    assert meta.abstract == "PLACEHOLDER abstract of an accepted v2 paper."
    assert meta.tldr == "A placeholder TL;DR."
    assert (meta.venue, meta.year, meta.decision) == ("ICLR 2024", 2024, "Accept (poster)")
    assert meta.links["pdf"] == "https://openreview.net/pdf?id=Pv2Accept1"
    assert server.count("/v1/") == 0


def test_v2_under_review_has_no_authors_or_decision(client, server):
    meta = fetch_or(client, server, "zzo3Sy3NSX")
    assert meta.authors == [] and meta.decision is None
    assert (meta.venue, meta.year) == ("ICLR 2026", 2026)
    assert "\n" in meta.abstract  # paragraphs kept


def test_v2_unified_author_objects(client, server):
    meta = fetch_or(client, server, "Pv2Unified")
    assert meta.authors == ["Grace Hopper", "Edsger Dijkstra"]
    assert meta.decision == "Reject"  # from venueid .../Rejected_Submission
    assert meta.links["pdf"] == "https://arxiv.org/pdf/2601.00001"  # external pdf kept as is


def test_v2_empty_list_falls_back_to_v1(client, server):
    server.fail("empty_list", prefix="/v2/notes")
    assert fetch_or(client, server, "H1gEP6NFwr").source == "OpenReview API v1"


def test_hostile_note_shapes_are_skipped_not_fatal():
    note = {
        "id": "abcdEFGH12",
        "forum": "../../etc",
        "content": {
            "title": {"value": 42},
            "authors": "not a list",
            "abstract": ["x"],
            "keywords": "a, b ,, c",
            "pdf": "javascript:alert(1)",
            "code": "https://example.org/code with space",
        },
        "cdate": "yesterday",
        "details": {"directReplies": [None, {"invitation": 5}, {"invitations": "x"}]},
    }
    meta = openreview.parse_note(note, "abcdEFGH12", "test")
    assert meta.title is None and meta.authors == [] and meta.abstract is None
    assert meta.keywords == ["a", "b", "c"]
    assert meta.links == {"forum": "https://openreview.net/forum?id=abcdEFGH12"}
    assert openreview.parse_note({"content": "nope"}, "abcdEFGH12", "t").title is None


def test_titles_are_made_single_line():
    note = {"content": {"title": "Two\nlines\x1b[2J  here", "authors": ["Anonymous"]}}
    meta = openreview.parse_note(note, "abcdEFGH12", "t")
    assert meta.title == "Two lines [2J here" and meta.authors == []


# -- failures -----------------------------------------------------------------------------------
def test_404_on_both_hosts(client, server):
    with pytest.raises(NotFoundError, match=r"^no such paper on OpenReview: 'NoSuchPapr'$"):
        fetch_or(client, server, "NoSuchPapr")
    assert server.count("/v2/notes") == 1 and server.count("/v1/notes") == 1


def test_429_with_retry_after_then_success(client, server, sleeps):
    server.fail("rate_limit", prefix="/v1/notes", retry_after=1)
    meta = fetch_or(client, server, "ryxz8CVYDH")
    assert meta.authors
    assert server.count("/v1/notes") == 2
    assert sleeps == [1.0]  # Retry-After honoured (recorded, not slept, in this test)


def test_429_retry_after_as_http_date(client, server, sleeps):
    server.fail("rate_limit", prefix="/v1/notes", retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    fetch_or(client, server, "ryxz8CVYDH")
    assert sleeps == [0.0]  # a date in the past means "now"


def test_429_that_never_ends(client, server, sleeps):
    server.fail("rate_limit", times=100, prefix="/v2/notes")
    with pytest.raises(RateLimitedError) as err:
        fetch_or(client, server, "Pv2Accept1")
    message = str(err.value)
    assert "rate-limiting requests (429 Too Many Requests) after 6 tries" in message
    assert "the limit resets at 2026-08-31T08:59:25.212Z" in message
    assert server.count("/v2/notes") == 6 and len(sleeps) == 5
    assert sleeps == sorted(sleeps)  # exponential backoff


def test_429_asking_to_wait_beyond_the_budget_gives_up_at_once(client, server, sleeps):
    server.fail("rate_limit", prefix="/v2/notes", retry_after=3600)
    with pytest.raises(RateLimitedError, match="it asks to wait 60 min; try again later"):
        fetch_or(client, server, "Pv2Accept1")
    assert server.count("/v2/notes") == 1 and sleeps == []


def test_500_then_200(client, server, sleeps):
    server.fail("status", code=500, prefix="/v2/notes")
    assert fetch_or(client, server, "Pv2Accept1").authors == ["Ada Lovelace", "Alan Turing"]
    assert server.count("/v2/notes") == 2 and len(sleeps) == 1


@pytest.mark.parametrize("code", [502, 503, 504])
def test_5xx_storm(client, server, code):
    server.fail("plain_error", times=100, code=code, prefix="/v2/notes")
    with pytest.raises(ServerFailedError, match=rf"keeps failing \({code} .*after 6 tries"):
        fetch_or(client, server, "Pv2Accept1")


def test_403_challenge_without_token_then_with_token(client, server):
    server.require_token = "s3cret"
    with pytest.raises(AuthRequiredError) as err:
        fetch_or(client, server, "Pv2Accept1")
    assert "set PAPERNOTES_OPENREVIEW_TOKEN to an OpenReview API token" in str(err.value)
    assert "403 ChallengeRequiredError" in str(err.value)
    meta = fetch_or(client, server, "Pv2Accept1", token="s3cret")
    assert meta.authors == ["Ada Lovelace", "Alan Turing"]
    assert server.requests[-1].headers["Authorization"] == "Bearer s3cret"


def test_403_with_a_bad_token(client, server):
    server.require_token = "s3cret"
    with pytest.raises(AuthRequiredError, match="refused the token in PAPERNOTES_OPENREVIEW"):
        fetch_or(client, server, "Pv2Accept1", token="stale")


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("bad_json", "the server answered something unexpected: malformed JSON from 127.0.0.1"),
        ("html", "the server answered something unexpected: HTML instead of JSON"),
        ("empty", "the server answered something unexpected: an empty body"),
    ],
)
def test_unexpected_bodies(client, server, fault, message):
    server.fail(fault, prefix="/v2/notes")
    with pytest.raises(UnexpectedAnswerError, match=message):
        fetch_or(client, server, "Pv2Accept1")


def test_json_with_a_wrong_content_type_is_still_json(client, server):
    server.fail("content_type", value="text/plain", prefix="/v2/notes")
    assert fetch_or(client, server, "Pv2Accept1").title.startswith("A Placeholder Paper")


def test_a_list_instead_of_notes(client, server):
    server.fail("json", body={"notes": ["not a note"]}, prefix="/v2/notes")
    with pytest.raises(UnexpectedAnswerError, match="no list of notes"):
        fetch_or(client, server, "Pv2Accept1")


def test_slow_answer_hits_the_read_timeout(tmp_path, server):
    server.fail("slow", delay=1.5, prefix="/v2/notes")
    settings = HttpSettings(connect_timeout=2, read_timeout=0.3, backoff=0.01)
    with HttpClient(tmp_path, settings) as http, pytest.raises(ServerTimeoutError) as err:
        fetch_or(http, server, "Pv2Accept1")
    assert str(err.value).endswith("sent no answer within 0.3 s (read timeout); try again later")


@pytest.mark.parametrize("declare", [True, False])
def test_huge_body_is_refused(tmp_path, server, declare):
    server.fail("huge", size=2_000_000, declare=declare, prefix="/v2/notes")
    settings = HttpSettings(read_timeout=3, max_body=1_000_000)
    with HttpClient(tmp_path, settings) as http, pytest.raises(UnexpectedAnswerError) as err:
        fetch_or(http, server, "Pv2Accept1")
    assert "the server answered something unexpected" in str(err.value)
    assert "MB" in str(err.value)


def test_reset_connection_is_retried(client, server, sleeps):
    server.fail("reset", prefix="/v2/notes")
    assert fetch_or(client, server, "Pv2Accept1").authors
    assert server.count("/v2/notes") == 2 and len(sleeps) == 1


def test_offline_is_one_clear_line(client):
    dead = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(OfflineError) as err:
        openreview.fetch(client, "Pv2Accept1", dead + "/v2", dead + "/v1")
    assert str(err.value) == (
        f"cannot reach {dead[7:]}: connection refused (offline, or the server is down)"
    )


def test_dns_failure_is_recognised():
    cause = socket.gaierror(-2, "Name or service not known")
    error = requests.exceptions.ConnectionError("Max retries exceeded")
    error.__context__ = cause
    assert _connection_failure(error) == "dns"


def test_settings_from_env():
    settings = HttpSettings.from_env(
        {"PAPERNOTES_HTTP_TIMEOUT": "1.5,7", "PAPERNOTES_HTTP_RETRY_BUDGET": "4"}
    )
    assert (settings.connect_timeout, settings.read_timeout) == (1.5, 7.0)
    assert settings.retry_budget == 4.0 and HttpSettings.from_env({}).read_timeout == 20.0
    with pytest.raises(UsageError, match="PAPERNOTES_HTTP_TIMEOUT must be"):
        HttpSettings.from_env({"PAPERNOTES_HTTP_TIMEOUT": "soon"})
    with pytest.raises(UsageError, match="PAPERNOTES_HTTP_BACKOFF must be"):
        HttpSettings.from_env({"PAPERNOTES_HTTP_BACKOFF": "-1"})


# -- the cache ------------------------------------------------------------------------------------
def test_second_fetch_makes_no_request(tmp_path, server):
    settings = HttpSettings(read_timeout=3)
    with HttpClient(tmp_path, settings) as http:
        first = fetch_or(http, server, "ryxz8CVYDH")
    before = server.count()
    with HttpClient(tmp_path, settings) as http:  # a new process would start like this
        second = fetch_or(http, server, "ryxz8CVYDH")
        assert http.network_requests == 0
    assert server.count() == before and first == second  # the v2 404 is cached too
    assert len(list((tmp_path / "http").glob("*.json"))) == 2


def test_damaged_or_stale_cache_is_ignored(tmp_path, server):
    with HttpClient(tmp_path, HttpSettings()) as http:
        fetch_or(http, server, "Pv2Accept1")
    for path in (tmp_path / "http").glob("*.json"):
        path.write_text("{not json", encoding="utf-8")
    with HttpClient(tmp_path, HttpSettings()) as http:
        assert fetch_or(http, server, "Pv2Accept1").authors
    assert server.count("/v2/notes") == 2
    with HttpClient(tmp_path, HttpSettings(cache_ttl=0)) as http:
        fetch_or(http, server, "Pv2Accept1")
    with HttpClient(tmp_path, HttpSettings(), use_cache=False) as http:
        fetch_or(http, server, "Pv2Accept1")
    assert server.count("/v2/notes") == 4


def test_failures_are_not_cached(tmp_path, server):
    server.fail("html", prefix="/v2/notes")
    with HttpClient(tmp_path, HttpSettings()) as http:
        with pytest.raises(UnexpectedAnswerError):
            fetch_or(http, server, "Pv2Accept1")
        assert fetch_or(http, server, "Pv2Accept1").authors
    entry = json.loads(next((tmp_path / "http").glob("*.json")).read_text(encoding="utf-8"))
    assert entry["status"] == 200 and entry["url"].startswith(server.v2)


def test_token_and_anonymous_answers_are_cached_apart(tmp_path, server):
    with HttpClient(tmp_path, HttpSettings()) as http:
        fetch_or(http, server, "Pv2Accept1")
        fetch_or(http, server, "Pv2Accept1", token="t")
    assert server.count("/v2/notes") == 2


# -- arXiv -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("feed", ["current", "legacy"])
def test_arxiv_entry(client, server, feed):
    server.arxiv_format = feed
    meta = arxiv.fetch(client, "arxiv:1910.11758", server.arxiv)
    assert meta.title == "Optimizer Benchmarking Needs to Account for Hyperparameter Tuning"
    assert meta.authors[-1] == "François Fleuret"
    assert meta.abstract == "PLACEHOLDER abstract. It is wrapped over several lines."
    assert meta.year == 2019
    assert meta.links == {
        "arxiv": "https://arxiv.org/abs/1910.11758",
        "pdf": "https://arxiv.org/pdf/1910.11758",
    }
    asked = server.requests[-1]
    assert asked.path == "/arxiv/api/query" and asked.query["id_list"] == "1910.11758"
    assert "Authorization" not in asked.headers


def test_arxiv_doi_link_and_no_token_sent(tmp_path, server, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_OPENREVIEW_TOKEN", "s3cret")
    with MetadataFetcher(tmp_path) as fetcher:
        outcome = fetcher.fetch("arxiv:1805.08651")
    assert outcome.metadata.links["doi"] == "https://doi.org/10.1000/placeholder.doi"
    assert "Authorization" not in server.requests[-1].headers


@pytest.mark.parametrize("feed", ["current", "legacy"])
def test_arxiv_missing_id(client, server, feed):
    server.arxiv_format = feed
    with pytest.raises(NotFoundError, match=r"^no such paper on arXiv: 'arxiv:1201.56789'$"):
        arxiv.fetch(client, "arxiv:1201.56789", server.arxiv)


def test_arxiv_error_entry(client, server):
    with pytest.raises(UsageError) as err:
        arxiv.fetch(client, "arxiv:1234.12345", server.arxiv)
    assert str(err.value) == (
        "arXiv rejected the id 'arxiv:1234.12345': incorrect id format for 1234.12345"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<html><body>captcha</body></html>", "HTML instead of an Atom feed"),
        ("<feed", "malformed XML"),
        ("<rss/>", "not an Atom feed"),
        ('<!DOCTYPE x [<!ENTITY a "b">]><x/>', "XML with a DOCTYPE"),
    ],
)
def test_arxiv_bad_feeds(text, message):
    with pytest.raises(UnexpectedAnswerError, match=message):
        arxiv.parse_feed(text, "application/atom+xml", "export.arxiv.org")


def test_arxiv_404_means_a_wrong_base_url(client, server):
    with pytest.raises(UnexpectedAnswerError, match="is PAPERNOTES_ARXIV_API right"):
        arxiv.fetch(client, "arxiv:1910.11758", server.base + "/nowhere")


# -- sources in order -------------------------------------------------------------------------------
@pytest.mark.usefixtures("server")
def test_catalog_then_openreview(tmp_path):
    with MetadataFetcher(tmp_path) as fetcher:
        outcome = fetcher.fetch("H1gEP6NFwr")
    assert outcome.sources == ["offline catalog", "OpenReview API v1"]
    meta = outcome.metadata
    assert meta.ratings == [3, 3]  # only the catalog has ratings
    assert meta.title == "On the Tunability of Optimizers in Deep Learning"  # OpenReview's casing
    assert meta.authors and outcome.error is None


def test_no_network_means_no_request(tmp_path, server):
    with MetadataFetcher(tmp_path, network=False) as fetcher:
        outcome = fetcher.fetch("rkgNKkHtvB")
        assert fetcher.fetch("Pv2Accept1").metadata is None
    assert outcome.metadata.title == "Reformer: The Efficient Transformer"
    assert server.count() == 0


def test_errors_are_kept_with_what_is_known(tmp_path):
    with MetadataFetcher(tmp_path) as fetcher:  # endpoints: a closed port
        outcome = fetcher.fetch("rkgNKkHtvB")
    assert isinstance(outcome.error, NetworkError)
    assert outcome.metadata.title == "Reformer: The Efficient Transformer"


def test_dois_have_no_online_source(tmp_path, server):
    with MetadataFetcher(tmp_path) as fetcher:
        outcome = fetcher.fetch("doi:10.1000/xyz")
    assert (outcome.metadata, outcome.error, outcome.online) == (None, None, False)
    assert server.count() == 0


@pytest.mark.usefixtures("server")
def test_arxiv_requests_are_spaced(tmp_path):
    waits = []
    with MetadataFetcher(tmp_path) as fetcher:
        fetcher.client.sleep = waits.append
        fetcher.fetch("arxiv:1910.11758")
        fetcher.fetch("H1gEP6NFwr")  # OpenReview is not slowed down
        assert waits == []
        fetcher.fetch("arxiv:1805.08651")
    assert len(waits) == 1 and 2.5 < waits[0] <= 3.0
