"""A real HTTP server on 127.0.0.1 that answers like OpenReview (API v1 and v2) and arXiv.

Shapes follow ``reference/openreview-api.md``: v1 notes with plain content and an
``invitation`` string, v2 notes with ``{"value": ...}`` content and ``invitations``,
``{"notes": [...]}`` wrappers (``count`` on v1, on v2 only with ``count=true``),
``details=directReplies``, 404 ``NotFoundError`` bodies, 429 ``RateLimitError`` bodies,
403 ``ChallengeRequiredError`` for requests without ``Authorization``, and arXiv Atom
feeds in the current and the legacy format (missing id, error entry).

Faults are scripted per request: ``server.fail("rate_limit", retry_after="0")`` makes
the next matching request answer 429, after which the server answers normally again.
Every request is logged so tests can count them (``server.count("/v2/")``).
"""

from __future__ import annotations

import copy
import json
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

# -- data shaped like the reference ---------------------------------------------------------


def _v1_submission(note_id: str, title: str, authors: list[str], number: int, **extra) -> dict:
    first = authors[0].split()[-1].lower() if authors else "anonymous"
    content = {
        "title": title,
        "authors": authors,
        "authorids": [f"author{i + 1}@example.org" for i in range(len(authors))],
        "keywords": extra.pop("keywords", ["PLACEHOLDER keyword"]),
        "TL;DR": extra.pop("tldr", "PLACEHOLDER one-sentence summary."),
        "abstract": extra.pop("abstract", f"PLACEHOLDER abstract of {title}."),
        "pdf": "/pdf/0000000000000000000000000000000000000000.pdf",
        "paperhash": f"{first}|{re.sub(r'[^a-z0-9 ]', '', title.lower()).replace(' ', '_')}",
        "_bibtex": (
            f"@inproceedings{{\n{first}2020{title.split()[0].lower()},\ntitle={{{title}}},\n"
            f"author={{{' and '.join(authors)}}},\n"
            "booktitle={International Conference on Learning Representations},\n"
            f"year={{2020}},\nurl={{https://openreview.net/forum?id={note_id}}}\n}}"
        ),
        "original_pdf": "/attachment/1111111111111111111111111111111111111111.pdf",
    }
    content.update(extra)
    return {
        "id": note_id,
        "original": "ORIGINAL_ID",
        "number": number,
        "cdate": 1569439305770,
        "odate": 1569439306025,
        "ddate": None,
        "tcdate": 1569439305770,
        "tmdate": 1760257502276,
        "tddate": None,
        "forum": note_id,
        "replyto": None,
        "invitation": "ICLR.cc/2020/Conference/-/Blind_Submission",
        "content": content,
        "signatures": ["ICLR.cc/2020/Conference"],
        "readers": ["everyone"],
        "nonreaders": [],
        "writers": ["ICLR.cc/2020/Conference"],
    }


def _v1_decision(forum: str, number: int, decision: str) -> dict:
    return {
        "id": f"Dec{forum[:7]}",
        "original": None,
        "number": 1,
        "cdate": 1576798715298,
        "ddate": None,
        "tcdate": 1576798715298,
        "tmdate": 1576800921228,
        "tddate": None,
        "forum": forum,
        "replyto": forum,
        "invitation": f"ICLR.cc/2020/Conference/Paper{number}/-/Decision",
        "content": {
            "decision": decision,
            "comment": "PLACEHOLDER meta-review.",
            "title": "Paper Decision",
        },
        "signatures": ["ICLR.cc/2020/Conference/Program_Chairs"],
        "readers": ["everyone"],
        "nonreaders": [],
        "writers": ["ICLR.cc/2020/Conference/Program_Chairs"],
    }


def _wrap(value) -> dict:
    return {"value": value}


def v1_data() -> tuple[dict, dict]:
    notes = {
        # Example A of the reference (real values; e-mails replaced).
        "ryxz8CVYDH": _v1_submission(
            "ryxz8CVYDH",
            "Learning to Learn by Zeroth-Order Oracle",
            ["Yangjun Ruan", "Yuanhao Xiong", "Sashank Reddi", "Sanjiv Kumar", "Cho-Jui Hsieh"],
            1130,
            keywords=[
                "learning to learn",
                "zeroth-order optimization",
                "black-box adversarial attack",
            ],
            tldr="Novel variant of learning to learn framework for zeroth-order optimization "
            "that learns both the update rule and the Gaussian sampling rule.",
            abstract="In the learning to learn (L2L) framework, we cast the design of "
            "optimization algorithms as a machine learning problem and use deep neural "
            "networks to learn the update rules.",
            code="https://github.com/RYoungJ/ZO-L2L",
            pdate=1576800921248,
        ),
        # Example B of the reference.
        "H1gEP6NFwr": _v1_submission(
            "H1gEP6NFwr",
            "On the Tunability of Optimizers in Deep Learning",
            [
                "Prabhu Teja Sivaprasad",
                "Florian Mai",
                "Thijs Vogels",
                "Martin Jaggi",
                "François Fleuret",
            ],
            2000,
        ),
        "SkgsACVKPH": _v1_submission(
            "SkgsACVKPH",
            "Picking Winning Tickets Before Training by Preserving Gradient Flow",
            ["Chaoqi Wang", "Guodong Zhang", "Roger Grosse"],
            1500,
        ),
        "rkgNKkHtvB": _v1_submission(
            "rkgNKkHtvB",
            "Reformer: The Efficient Transformer",
            ["Nikita Kitaev", "Łukasz Kaiser", "Anselm Levskaya"],
            1900,
        ),
        "HygrAR4tPS": _v1_submission(
            "HygrAR4tPS",
            "On Empirical Comparisons of Optimizers for Deep Learning",
            ["PLACEHOLDER Author One", "PLACEHOLDER Author Two"],
            2100,
        ),
    }
    replies = {
        "ryxz8CVYDH": [_v1_decision("ryxz8CVYDH", 1130, "Accept (Poster)")],
        "H1gEP6NFwr": [_v1_decision("H1gEP6NFwr", 2000, "Reject")],
        "SkgsACVKPH": [_v1_decision("SkgsACVKPH", 1500, "Accept (Poster)")],
        "rkgNKkHtvB": [_v1_decision("rkgNKkHtvB", 1900, "Accept (Talk)")],
    }
    return notes, replies


def _v2_note(note_id: str, content: dict, domain: str, number: int, **extra) -> dict:
    note = {
        "content": content,
        "id": note_id,
        "forum": note_id,
        "signatures": [f"{domain}/Submission{number}/Authors"],
        "readers": ["everyone"],
        "writers": [domain, f"{domain}/Submission{number}/Authors"],
        "number": number,
        "invitations": [f"{domain}/-/Submission", f"{domain}/-/Post_Submission"],
        "domain": domain,
        "tcdate": 1757819760402,
        "cdate": 1757819760402,
        "tmdate": 1764610470222,
        "mdate": 1764610470222,
        "odate": 1759896705795,
        "license": "CC BY 4.0",
        "version": 2,
    }
    note.update(extra)
    return note


def v2_data() -> tuple[dict, dict]:
    title_c = "Your Language Model Secretly Contains Personality Subnetworks"
    notes = {
        # Example C of the reference: ICLR 2026, under review, authors hidden.
        "zzo3Sy3NSX": _v2_note(
            "zzo3Sy3NSX",
            {
                "title": _wrap(title_c),
                "keywords": _wrap(["Large Language Models", "Persona Modeling"]),
                "abstract": _wrap(
                    "Large Language Models (LLMs) demonstrate remarkable flexibility in "
                    "adopting different personas and behaviors.\nIn this work, we show that "
                    "LLMs already contain persona-specialized subnetworks."
                ),
                "primary_area": _wrap("foundation or frontier models, including LLMs"),
                "venue": _wrap("ICLR 2026 Conference Submission"),
                "venueid": _wrap("ICLR.cc/2026/Conference/Submission"),
                "pdf": _wrap("/pdf/f18f38d0b99d4b080ee5b966ef84649fffefaccb.pdf"),
                "_bibtex": _wrap(
                    "@inproceedings{\nanonymous2025your,\ntitle={" + title_c + "},\n"
                    "author={Anonymous},\nbooktitle={Submitted to The Fourteenth International "
                    "Conference on Learning Representations},\nyear={2025},\n"
                    "url={https://openreview.net/forum?id=zzo3Sy3NSX},\nnote={under review}\n}"
                ),
            },
            "ICLR.cc/2026/Conference",
            4956,
        ),
        # Accepted ICLR 2024 poster (derived variant; PLACEHOLDER ids and text).
        "Pv2Accept1": _v2_note(
            "Pv2Accept1",
            {
                "title": _wrap("A Placeholder Paper Accepted at ICLR 2024"),
                "authors": _wrap(["Ada Lovelace", "Alan Turing"]),
                "authorids": _wrap(["~Ada_Lovelace1", "~Alan_Turing1"]),
                "keywords": _wrap(["placeholders", "testing"]),
                "TLDR": _wrap("A placeholder TL;DR."),
                "abstract": _wrap("PLACEHOLDER abstract of an accepted v2 paper."),
                "venue": _wrap("ICLR 2024 poster"),
                "venueid": _wrap("ICLR.cc/2024/Conference"),
                "pdf": _wrap("/pdf/2222222222222222222222222222222222222222.pdf"),
                "_bibtex": _wrap(
                    "@inproceedings{\nlovelace2024a,\ntitle={A Placeholder Paper Accepted at "
                    "ICLR 2024},\nauthor={Ada Lovelace and Alan Turing},\nbooktitle={The Twelfth "
                    "International Conference on Learning Representations},\nyear={2024},\n"
                    "url={https://openreview.net/forum?id=Pv2Accept1}\n}"
                ),
            },
            "ICLR.cc/2024/Conference",
            12,
            pdate=1705000000000,
        ),
        # The 2026 "unified author" schema: author objects, no authorids.
        "Pv2Unified": _v2_note(
            "Pv2Unified",
            {
                "title": _wrap("Unified Authors Are Objects Now"),
                "authors": _wrap(
                    [
                        {"fullname": "Grace Hopper", "username": "~Grace_Hopper1"},
                        {
                            "fullname": "Edsger Dijkstra",
                            "username": "~Edsger_Dijkstra1",
                            "institutions": [
                                {"name": "UT Austin", "domain": "utexas.edu", "country": "US"}
                            ],
                        },
                    ]
                ),
                "abstract": _wrap("PLACEHOLDER abstract with unified authors."),
                "venue": _wrap("Submitted to ICML 2026"),
                "venueid": _wrap("ICML.cc/2026/Conference/Rejected_Submission"),
                "pdf": _wrap("https://arxiv.org/pdf/2601.00001"),
            },
            "ICML.cc/2026/Conference",
            77,
        ),
    }
    replies = {
        "Pv2Accept1": [
            {
                "content": {
                    "decision": _wrap("Accept (poster)"),
                    "comment": _wrap("PLACEHOLDER."),
                    "title": _wrap("Paper Decision"),
                },
                "id": "Pv2Decisn1",
                "forum": "Pv2Accept1",
                "replyto": "Pv2Accept1",
                "signatures": ["ICLR.cc/2024/Conference/Program_Chairs"],
                "readers": ["everyone"],
                "writers": ["ICLR.cc/2024/Conference"],
                "number": 1,
                "invitations": [
                    "ICLR.cc/2024/Conference/Submission12/-/Decision",
                    "ICLR.cc/2024/Conference/-/Edit",
                ],
                "domain": "ICLR.cc/2024/Conference",
                "tcdate": 1705000000000,
                "cdate": 1705000000000,
                "parentInvitations": "ICLR.cc/2024/Conference/-/Decision",
                "license": "CC BY 4.0",
                "version": 2,
            }
        ]
    }
    return notes, replies


ARXIV_PAPERS = {
    "1910.11758": {
        "version": 3,
        "title": "Optimizer Benchmarking Needs to Account for Hyperparameter Tuning",
        "summary": "PLACEHOLDER abstract.\n  It is wrapped over\n  several lines.",
        "published": "2019-10-25T00:00:00Z",
        "authors": [
            "Prabhu Teja Sivaprasad",
            "Florian Mai",
            "Thijs Vogels",
            "Martin Jaggi",
            "François Fleuret",
        ],
        "category": "cs.LG",
        "doi": None,
    },
    "1805.08651": {
        "version": 2,
        "title": "Nonlinear ICA Using Auxiliary Variables and Generalized Contrastive Learning",
        "summary": "PLACEHOLDER abstract of the nonlinear ICA paper.",
        "published": "2018-05-22T00:00:00Z",
        "authors": ["Aapo Hyvärinen", "Hiroaki Sasaki", "Richard E. Turner"],
        "category": "stat.ML",
        "doi": "10.1000/placeholder.doi",
    },
}
ARXIV_ID = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}(v\d+)?$|^[a-z][a-z.-]*/\d{7}(v\d+)?$")


def _feed(query: str, entries: list[str], total: int, legacy: bool) -> str:
    if legacy:
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f'  <link href="http://arxiv.org/api/query?{escape(query)}" rel="self" '
            'type="application/atom+xml"/>\n'
            f'  <title type="html">ArXiv Query: {escape(query)}</title>\n'
            "  <id>http://arxiv.org/api/PLACEHOLDER</id>\n"
            "  <updated>2025-08-28T00:00:00-04:00</updated>\n"
            '  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
            f"{total}</opensearch:totalResults>\n"
        )
    else:
        head = (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
            "  <id>https://arxiv.org/api/PLACEHOLDERQUERYHASH</id>\n"
            f"  <title>arXiv Query: {escape(query)}</title>\n"
            "  <updated>2026-01-01T00:00:00Z</updated>\n"
            f'  <link href="https://arxiv.org/api/query?{escape(query)}" '
            'type="application/atom+xml"/>\n'
            "  <opensearch:itemsPerPage>10</opensearch:itemsPerPage>\n"
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
            "  <opensearch:startIndex>0</opensearch:startIndex>\n"
        )
    return head + "".join(entries) + "</feed>\n"


def _entry(bare: str, paper: dict, legacy: bool) -> str:
    vid = f"{bare}v{paper['version']}"
    authors = "".join(
        f"    <author><name>{escape(name)}</name></author>\n" for name in paper["authors"]
    )
    if legacy:
        title = escape(paper["title"]).replace(" Account", "\n  Account")
        return (
            "  <entry>\n"
            f"    <id>http://arxiv.org/abs/{vid}</id>\n"
            "    <updated>2020-08-01T00:00:00Z</updated>\n"
            f"    <published>{paper['published']}</published>\n"
            f"    <title>{title}</title>\n"
            f"    <summary>  {escape(paper['summary'])}\n</summary>\n"
            f"{authors}"
            f'    <link href="http://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>\n'
            f'    <link title="pdf" href="http://arxiv.org/pdf/{vid}" rel="related" '
            'type="application/pdf"/>\n'
            '    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" '
            f'term="{paper["category"]}" scheme="http://arxiv.org/schemas/atom"/>\n'
            "  </entry>\n"
        )
    doi = (
        f"    <arxiv:doi>{escape(paper['doi'])}</arxiv:doi>\n"
        f'    <link rel="related" href="https://doi.org/{escape(paper["doi"])}"/>\n'
        if paper["doi"]
        else ""
    )
    return (
        "  <entry>\n"
        f"    <id>http://arxiv.org/abs/{vid}</id>\n"
        f"    <title>{escape(paper['title'])}</title>\n"
        "    <updated>2020-08-01T00:00:00Z</updated>\n"
        f'    <link href="https://arxiv.org/abs/{vid}"/>\n'
        f'    <link href="https://arxiv.org/pdf/{vid}"/>\n'
        f"    <summary>{escape(paper['summary'])}</summary>\n"
        f'    <category term="{paper["category"]}" scheme="http://arxiv.org/schemas/atom"/>\n'
        f"    <published>{paper['published']}</published>\n"
        f'    <arxiv:primary_category term="{paper["category"]}"/>\n'
        f"{authors}{doi}"
        "  </entry>\n"
    )


LEGACY_EMPTY_ENTRY = """  <entry>
    <id></id>
    <title></title>
    <summary></summary>
    <updated></updated>
    <published></published>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
"""


def _error_entry(bare: str) -> str:
    reason = f"incorrect id format for {bare}"
    return (
        "  <entry>\n"
        f"    <id>http://arxiv.org/api/errors#{reason.replace(' ', '_')}</id>\n"
        "    <title>Error</title>\n"
        f"    <summary>{escape(reason)}</summary>\n"
        "    <updated>2026-01-01T00:00:00-05:00</updated>\n"
        f'    <link href="http://arxiv.org/api/errors#{reason.replace(" ", "_")}" '
        'rel="alternate" type="text/html"/>\n'
        "    <author><name>arXiv api core</name></author>\n"
        "  </entry>\n"
    )


# -- the server --------------------------------------------------------------------------------


@dataclass
class Fault:
    kind: str
    times: int
    prefix: str
    options: dict = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str
    query: dict
    headers: dict


class FakeServer:
    """The fake OpenReview v1 (/v1), v2 (/v2) and arXiv (/arxiv/api) hosts on one port."""

    def __init__(self):
        self.v1_notes, self.v1_replies = v1_data()
        self.v2_notes, self.v2_replies = v2_data()
        self.arxiv_papers = copy.deepcopy(ARXIV_PAPERS)
        self.arxiv_format = "current"
        self.require_token: str | None = None  # 403 ChallengeRequiredError without it
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None

    # -- control ------------------------------------------------------------------------
    def start(self) -> FakeServer:
        server = self

        class Handler(_Handler):
            fake = server

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()

    @property
    def base(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def v1(self) -> str:
        return self.base + "/v1"

    @property
    def v2(self) -> str:
        return self.base + "/v2"

    @property
    def arxiv(self) -> str:
        return self.base + "/arxiv/api"

    def env(self) -> dict[str, str]:
        return {
            "PAPERNOTES_OPENREVIEW_API_V1": self.v1,
            "PAPERNOTES_OPENREVIEW_API_V2": self.v2,
            "PAPERNOTES_ARXIV_API": self.arxiv,
        }

    def fail(self, kind: str, times: int = 1, prefix: str = "/", **options) -> None:
        """Answer the next ``times`` requests under ``prefix`` with a fault.

        Kinds: status (code=), rate_limit (retry_after=), challenge, not_found, html,
        bad_json, plain_error (code=), slow (delay=), huge (size=, declare=),
        content_type (value=), reset, empty, empty_list, json (body=, code=),
        nested (depth=, code=: JSON nested that deep), trickle (length=, interval=: one
        byte per interval), redirect (location=: a base URL, code=).
        """
        with self.lock:
            self.faults.append(Fault(kind, times, prefix, options))

    def count(self, prefix: str = "/") -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path.startswith(prefix))

    # -- answers ------------------------------------------------------------------------
    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and path.startswith(fault.prefix):
                    fault.times -= 1
                    return fault
        return None

    def notes(self, version: str, query: dict) -> tuple[int, dict]:
        notes, replies = (
            (self.v1_notes, self.v1_replies)
            if version == "v1"
            else (self.v2_notes, self.v2_replies)
        )
        found: list[dict] = []
        if "id" in query:
            note_id = query["id"]
            if note_id not in notes:
                return 404, not_found_body(note_id)
            note = copy.deepcopy(notes[note_id])
            details = query.get("details", "")
            if "directReplies" in details or "replies" in details:
                key = "directReplies" if "directReplies" in details else "replies"
                note["details"] = {key: copy.deepcopy(replies.get(note_id, []))}
            if "replyCount" in details:
                note.setdefault("details", {})["replyCount"] = len(replies.get(note_id, []))
            found = [note]
        elif "forum" in query:
            forum = query["forum"]
            if forum in notes:
                found = [copy.deepcopy(notes[forum]), *copy.deepcopy(replies.get(forum, []))]
        body: dict = {"notes": found}
        if version == "v1" or query.get("count") == "true":
            body["count"] = len(found)
        return 200, body

    def arxiv_feed(self, query: dict, raw_query: str) -> str:
        legacy = self.arxiv_format == "legacy"
        ids = [i for i in query.get("id_list", "").split(",") if i]
        entries: list[str] = []
        for raw in ids:
            match = ARXIV_ID.match(raw)
            if not match or (match.group(2) and not 1 <= int(match.group(2)) <= 12):
                return _feed(raw_query, [_error_entry(raw)], 1, legacy)
            bare = re.sub(r"v\d+$", "", raw)
            if bare in self.arxiv_papers:
                entries.append(_entry(bare, self.arxiv_papers[bare], legacy))
            elif legacy:
                entries.append(LEGACY_EMPTY_ENTRY)
        return _feed(raw_query, entries, len(entries), legacy)


def not_found_body(note_id: str) -> dict:
    return {
        "name": "NotFoundError",
        "message": f"The Note {note_id} was not found",
        "status": 404,
        "details": {"path": "id", "value": note_id},
    }


RATE_LIMIT_BODY = {
    "name": "RateLimitError",
    "message": "Too many requests: You have made 37 requests, surpassing the limit of 36 "
    "requests. Please try again in 60 minutes and 13 seconds (2026-08-31-4689127)",
    "status": 429,
    "details": {
        "limit": 36,
        "remaining": 0,
        "resetTime": "2026-08-31T08:59:25.212Z",
        "used": 37,
        "current": 37,
        "reqId": "2026-08-31-4689127",
    },
}
CHALLENGE_BODY = {
    "name": "ChallengeRequiredError",
    "message": "Please complete the challenge at https://openreview.net/challenge",
    "status": 403,
    "details": {"challengeUrl": "https://openreview.net/challenge"},
}
HTML_PAGE = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>"


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        pass  # clients that hang up on purpose (fault tests) are not errors


class _Handler(BaseHTTPRequestHandler):
    fake: FakeServer
    server_version = "FakeOpenReview/1.0"

    def log_message(self, format, *args):  # noqa: A002 - quiet test output
        pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeouts, size limits): expected in fault tests

    def do_POST(self):  # noqa: N802
        parts = urlsplit(self.path)
        if parts.path.endswith("/login"):
            self._json(200, {"token": "test-token", "user": {"id": "~Test_User1"}})
        else:
            self._json(404, not_found_body("route"))

    def _answer(self):
        fake = self.fake
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with fake.lock:
            fake.requests.append(Seen("GET", parts.path, query, dict(self.headers.items())))
        fault = fake.take_fault(parts.path)
        if fault is not None and self._fault(fault):
            return
        openreview = parts.path.startswith(("/v1/", "/v2/"))
        if openreview and fake.require_token:
            if self.headers.get("Authorization") != f"Bearer {fake.require_token}":
                self._json(403, CHALLENGE_BODY)
                return
        if parts.path in ("/v1/notes", "/v2/notes"):
            status, body = fake.notes(parts.path[1:3], query)
            self._json(status, body)
        elif parts.path in ("/v1/pdf", "/v2/pdf"):
            version = parts.path[1:3]
            notes = fake.v1_notes if version == "v1" else fake.v2_notes
            if query.get("id") in notes:
                self._send(200, "application/pdf", b"%PDF-1.4\n% placeholder\n%%EOF\n")
            else:
                self._json(404, not_found_body(query.get("id", "")))
        elif parts.path == "/arxiv/api/query":
            text = fake.arxiv_feed(query, parts.query)
            self._send(200, "application/atom+xml; charset=utf-8", text.encode("utf-8"))
        else:
            self._json(404, {"name": "NotFoundError", "message": "no route", "status": 404})

    def _fault(self, fault: Fault) -> bool:
        """Answer with the fault; False when the fault only changes how the answer looks."""
        options = fault.options
        kind = fault.kind
        if kind == "status":
            code = options.get("code", 500)
            self._json(code, {"name": "InternalServerError", "message": "boom", "status": code})
        elif kind == "rate_limit":
            headers = {}
            if options.get("retry_after") is not None:
                headers["Retry-After"] = str(options["retry_after"])
            self._json(429, RATE_LIMIT_BODY, headers)
        elif kind == "challenge":
            self._json(403, CHALLENGE_BODY)
        elif kind == "not_found":
            self._json(404, not_found_body("x"))
        elif kind == "html":
            self._send(options.get("code", 200), "text/html; charset=utf-8", HTML_PAGE.encode())
        elif kind == "bad_json":
            self._send(200, "application/json", b'{"notes": [{"id": "x", ')
        elif kind == "plain_error":
            self._send(options.get("code", 502), "text/plain", b"Bad Gateway")
        elif kind == "slow":
            time.sleep(options.get("delay", 2.0))
            return False
        elif kind == "huge":
            size = options.get("size", 6 * 1024 * 1024)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if options.get("declare", True):
                self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b" " * 65536
            sent = 0
            while sent < size:
                self.wfile.write(chunk)
                sent += len(chunk)
        elif kind == "content_type":
            self._content_type = options.get("value", "text/plain")
            return False
        elif kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif kind == "empty":
            self._send(200, "application/json", b"")
        elif kind == "json":
            self._json(options.get("code", 200), options["body"])
        elif kind == "empty_list":
            self._json(200, {"notes": [], "count": 0})
        elif kind == "nested":
            depth = options.get("depth", 10**6)
            body = b'{"notes":' + b"[" * depth + b"]" * depth + b"}"
            self._send(options.get("code", 200), "application/json", body)
        elif kind == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(options.get("length", 1_000_000)))
            self.end_headers()
            for _ in range(options.get("length", 1_000_000)):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(options.get("interval", 1.0))
        elif kind == "redirect":
            self.send_response(options.get("code", 302))
            self.send_header("Location", options["location"] + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            raise ValueError(f"unknown fault {kind!r}")
        return True

    def _json(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self._send(status, "application/json; charset=utf-8", data, headers)

    def _send(self, status: int, ctype: str, data: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", getattr(self, "_content_type", None) or ctype)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


# -- helpers for test modules -------------------------------------------------------------------


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolate_network(monkeypatch) -> None:
    """Point every metadata URL at a closed local port, with fast retries and timeouts."""
    dead = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("PAPERNOTES_OPENREVIEW_API_V2", dead + "/v2")
    monkeypatch.setenv("PAPERNOTES_OPENREVIEW_API_V1", dead + "/v1")
    monkeypatch.setenv("PAPERNOTES_ARXIV_API", dead + "/arxiv/api")
    monkeypatch.setenv("PAPERNOTES_HTTP_TIMEOUT", "3,3")
    monkeypatch.setenv("PAPERNOTES_HTTP_BACKOFF", "0.01")
    monkeypatch.delenv("PAPERNOTES_HTTP_RETRY_BUDGET", raising=False)
    monkeypatch.delenv("PAPERNOTES_HTTP_CACHE_TTL", raising=False)
    monkeypatch.delenv("PAPERNOTES_OPENREVIEW_TOKEN", raising=False)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def running_server(monkeypatch):
    """Start a FakeServer, point papernotes at it; a generator for pytest fixtures."""
    server = FakeServer().start()
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    try:
        yield server
    finally:
        server.stop()
