"""Where metadata comes from, in order: the offline catalog, OpenReview, arXiv.

The catalog answers with no network (title, authors, keywords, abstract, TL;DR, decision
and ratings of ICLR 2020 papers);
OpenReview fills the rest for forum ids; arXiv for ``arxiv:`` ids. DOIs and ``url:``
ids have no online source. Base URLs come from the environment so tests (and
mirrors) can point papernotes elsewhere:

- ``PAPERNOTES_OPENREVIEW_API_V2`` (default https://api2.openreview.net)
- ``PAPERNOTES_OPENREVIEW_API_V1`` (default https://api.openreview.net)
- ``PAPERNOTES_ARXIV_API`` (default https://export.arxiv.org/api; ``/query`` is appended)
- ``PAPERNOTES_OPENREVIEW_TOKEN``: an OpenReview API token, sent as a Bearer header
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from papernotes.errors import PapernotesError
from papernotes.metadata import arxiv, openreview
from papernotes.metadata.base import PaperMetadata, add_link
from papernotes.metadata.catalog import details_fields, display_title, lookup
from papernotes.metadata.http import TOKEN_ENV, HttpClient, HttpSettings
from papernotes.settings import variable

V2_ENV = "PAPERNOTES_OPENREVIEW_API_V2"
V1_ENV = "PAPERNOTES_OPENREVIEW_API_V1"
ARXIV_ENV = "PAPERNOTES_ARXIV_API"
ARXIV_INTERVAL = 3.0  # arXiv asks API users to wait 3 s between calls


@dataclass(frozen=True)
class Endpoints:
    openreview_v2: str = openreview.V2_DEFAULT
    openreview_v1: str = openreview.V1_DEFAULT
    arxiv: str = arxiv.ARXIV_DEFAULT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Endpoints:
        return cls(
            variable(V2_ENV, environ) or openreview.V2_DEFAULT,
            variable(V1_ENV, environ) or openreview.V1_DEFAULT,
            variable(ARXIV_ENV, environ) or arxiv.ARXIV_DEFAULT,
        )


@dataclass
class FetchOutcome:
    """Everything learnt about one paper, and what went wrong online (if anything)."""

    paper_id: str
    metadata: PaperMetadata | None = None
    sources: list[str] = field(default_factory=list)
    error: PapernotesError | None = None
    online: bool = False  # whether an online source exists for this kind of id

    def to_dict(self) -> dict:
        return {
            "sources": list(self.sources),
            "fields": self.metadata.known() if self.metadata else [],
            "error": str(self.error) if self.error else None,
        }


def catalog_metadata(paper_id: str) -> PaperMetadata | None:
    """What the offline ICLR 2020 catalog knows, as metadata."""
    entry = lookup(paper_id)
    if entry is None:
        return None
    meta = PaperMetadata(
        source="offline catalog",
        title=display_title(entry),
        venue=entry.venue,
        year=entry.year,
        decision=entry.decision,
        ratings=list(entry.ratings),
    )
    for name, value in details_fields(paper_id).items():
        setattr(meta, name, value)
    add_link(meta.links, "forum", f"{openreview.WEB}/forum?id={paper_id}")
    return meta


def source_kind(paper_id: str) -> str | None:
    """'openreview', 'arxiv' or None (no online source) for a canonical id."""
    prefix, sep, _ = paper_id.partition(":")
    if not sep:
        return "openreview"
    return "arxiv" if prefix == "arxiv" else None


class MetadataFetcher:
    """Fetches metadata for one command run; shares one HTTP session and cache."""

    def __init__(
        self,
        cache_dir: Path | None,
        *,
        network: bool = True,
        use_cache: bool = True,
        settings: HttpSettings | None = None,
        endpoints: Endpoints | None = None,
        token: str | None = None,
        environ: Mapping[str, str] | None = None,
    ):
        """``environ``: where the ``PAPERNOTES_*`` variables are read (default: the process's;
        the commands pass the environment their settings were read from)."""
        self.network = network
        self.environ = environ
        self.endpoints = endpoints or Endpoints.from_env(environ)
        token = token if token is not None else variable(TOKEN_ENV, environ)
        self.token = (token or "").strip()
        self.cache_dir = cache_dir
        self.use_cache = use_cache
        self.settings = settings
        self._client: HttpClient | None = None

    @property
    def client(self) -> HttpClient:
        if self._client is None:
            settings = self.settings or HttpSettings.from_env(self.environ)
            self._client = HttpClient(self.cache_dir, settings, use_cache=self.use_cache)
            self._client.min_interval[self.endpoints.arxiv.rstrip("/") + "/"] = ARXIV_INTERVAL
        return self._client

    @property
    def network_requests(self) -> int:
        return self._client.network_requests if self._client else 0

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> MetadataFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, paper_id: str) -> FetchOutcome:
        """Catalog first, then the online source for this kind of id; errors are kept."""
        outcome = FetchOutcome(paper_id)
        kind = source_kind(paper_id)
        outcome.online = kind is not None
        meta = catalog_metadata(paper_id)
        if meta is not None:
            outcome.metadata = meta
            outcome.sources.append(meta.source)
        if not self.network or kind is None:
            return outcome
        try:
            if kind == "openreview":
                online = openreview.fetch(
                    self.client,
                    paper_id,
                    self.endpoints.openreview_v2,
                    self.endpoints.openreview_v1,
                    self.token or None,
                )
            else:
                online = arxiv.fetch(self.client, paper_id, self.endpoints.arxiv)
        except PapernotesError as exc:
            outcome.error = exc
            return outcome
        outcome.sources.append(online.source)
        outcome.metadata = outcome.metadata.merged(online) if outcome.metadata else online
        return outcome
