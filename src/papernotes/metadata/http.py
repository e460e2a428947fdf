"""The one module that talks HTTP: timeouts, polite retries, an on-disk cache, clear errors.

Every metadata request goes through :class:`HttpClient`, so the rules live in one place:
a ``papernotes/<version>`` User-Agent; connect/read timeouts (5 s / 20 s); retries with
exponential backoff on 429/500/502/503/504 that honour ``Retry-After`` and give up after
about 30 s in total; answers (200 and 404) cached under ``<cache>/http/`` so asking for the
same paper twice makes one request (a 404 only when its body is JSON); redirects followed only
on the same host, so another host's answer never lands in a record; a body read as it
arrives and cut at the total deadline, however slowly it trickles; and every failure turned
into one line a user can act on (a :class:`papernotes.errors.NetworkError` or
``NotFoundError`` subclass), deeply nested JSON included.

Tests (and slow links) can change the limits with environment variables:
``PAPERNOTES_HTTP_TIMEOUT`` ("CONNECT,READ" seconds, or one number for both),
``PAPERNOTES_HTTP_RETRY_BUDGET`` (seconds), ``PAPERNOTES_HTTP_BACKOFF`` (first wait, seconds)
and ``PAPERNOTES_HTTP_CACHE_TTL`` (seconds a cached answer stays fresh).
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urljoin, urlsplit

from papernotes import __version__
from papernotes.errors import NetworkError, NotFoundError, PapernotesError, UsageError
from papernotes.settings import variable

if TYPE_CHECKING:  # requests loads with the first client: 'add --no-fetch' never needs it
    import requests

USER_AGENT = f"papernotes/{__version__}"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
TOKEN_ENV = "PAPERNOTES_OPENREVIEW_TOKEN"
TIMEOUT_ENV = "PAPERNOTES_HTTP_TIMEOUT"
BUDGET_ENV = "PAPERNOTES_HTTP_RETRY_BUDGET"
BACKOFF_ENV = "PAPERNOTES_HTTP_BACKOFF"
CACHE_TTL_ENV = "PAPERNOTES_HTTP_CACHE_TTL"
CACHE_VERSION = 1
T = TypeVar("T")


# -- errors -------------------------------------------------------------------------------
class OfflineError(NetworkError):
    """The host cannot be reached at all (no network, DNS failure, connection refused)."""


class ServerTimeoutError(NetworkError):
    """The host accepted nothing, or said nothing, within the timeout."""


class RateLimitedError(NetworkError):
    """429 Too Many Requests, still after the retries allowed."""


class ServerFailedError(NetworkError):
    """5xx answers, still after the retries allowed."""


class AuthRequiredError(NetworkError):
    """403 ChallengeRequiredError: the server wants a logged-in client."""


class RefusedError(NetworkError):
    """Any other 4xx: the server understood and said no."""


class UnexpectedAnswerError(NetworkError):
    """A 200 that is not what was asked for: HTML, malformed JSON or XML, a huge body."""


class HttpNotFoundError(NotFoundError):
    """404: callers turn this into "no such paper on <service>"."""

    def __init__(self, url: str, body: Any = None):
        super().__init__(f"{url} was not found (404)")
        self.url = url
        self.body = body


# Failures that say the host will not answer this run either.
GIVE_UP_ON_HOST = (
    OfflineError,
    ServerTimeoutError,
    RateLimitedError,
    ServerFailedError,
    AuthRequiredError,
)


# -- settings ------------------------------------------------------------------------------
@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    retry_budget: float = 30.0  # no new attempt starts after this many seconds
    backoff: float = 1.0  # first wait; doubles on every retry (plus jitter)
    max_attempts: int = 6
    cache_ttl: float = 24 * 3600.0
    max_body: int = 5 * 1024 * 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HttpSettings:
        env = os.environ if environ is None else environ
        settings = cls()
        raw = (variable(TIMEOUT_ENV, env) or "").strip()
        if raw:
            parts = [_seconds(TIMEOUT_ENV, p) for p in raw.split(",")]
            if len(parts) not in (1, 2):
                raise UsageError(f"{TIMEOUT_ENV} must be 'CONNECT,READ' seconds, got {raw!r}")
            settings = replace(settings, connect_timeout=parts[0], read_timeout=parts[-1])

        def seconds(name: str, default: float) -> float:
            value = (variable(name, env) or "").strip()
            return _seconds(name, value) if value else default

        return replace(
            settings,
            retry_budget=seconds(BUDGET_ENV, settings.retry_budget),
            backoff=seconds(BACKOFF_ENV, settings.backoff),
            cache_ttl=seconds(CACHE_TTL_ENV, settings.cache_ttl),
        )


def _seconds(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise UsageError(f"{name} must be a number of seconds, got {text!r}")
    return value


# -- answers -------------------------------------------------------------------------------
@dataclass
class Answer:
    """A successful answer: the parsed body and where it came from."""

    url: str
    status: int
    content_type: str
    text: str
    data: Any
    from_cache: bool


def parse_json(text: str, content_type: str, where: str) -> Any:
    """The JSON body, or UnexpectedAnswerError naming what came instead."""
    if _looks_like_html(text, content_type):
        raise UnexpectedAnswerError(
            f"the server answered something unexpected: HTML instead of JSON from {where}"
        )
    try:
        return json.loads(text)
    except ValueError as exc:
        reason = str(exc).split(":")[0]
        raise UnexpectedAnswerError(
            f"the server answered something unexpected: malformed JSON from {where} ({reason})"
        ) from None
    except RecursionError:  # '[' * 10**6: the decoder gives up on the depth
        raise UnexpectedAnswerError(
            f"the server answered something unexpected: JSON nested too deeply from {where}"
        ) from None


def _looks_like_html(text: str, content_type: str) -> bool:
    head = text.lstrip()[:100].lower()
    return "html" in content_type.lower() or head.startswith(("<!doctype html", "<html"))


def _json_or_none(text: str) -> Any:
    with contextlib.suppress(ValueError, RecursionError):
        return json.loads(text)
    return None


# -- the client ------------------------------------------------------------------------------
class HttpClient:
    """A requests Session with papernotes' rules; one per command invocation."""

    def __init__(
        self,
        cache_dir: Path | None = None,
        settings: HttpSettings | None = None,
        *,
        use_cache: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.settings = settings or HttpSettings.from_env()
        self.cache_dir = Path(cache_dir) / "http" if cache_dir else None
        self.use_cache = use_cache
        self.sleep = sleep
        self.network_requests = 0
        # Least seconds between two network requests under a URL prefix (arXiv asks 3 s).
        self.min_interval: dict[str, float] = {}
        self._last_request: dict[str, float] = {}
        # A host that is down, challenging or rate-limiting us fails the rest of this run at
        # once: refreshing 80 records must not wait 80 timeouts or make a rate limit worse.
        self._given_up: dict[tuple[str, bool], NetworkError] = {}
        import requests

        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        parse: Callable[[str, str, str], T] = parse_json,
    ) -> Answer:
        """GET ``url``: from the cache when fresh, else from the network (with retries).

        ``parse(text, content_type, where)`` turns the body into data or raises
        UnexpectedAnswerError; only answers that parse are cached. A 404 raises
        HttpNotFoundError (and is cached too, so a missing paper costs one request).
        """
        import requests

        headers = dict(headers or {})
        full_url = requests.Request("GET", url, params=params).prepare().url or url
        key = _cache_key(full_url, "Authorization" in headers)
        cached = self._cache_read(key) if self.use_cache else None
        if cached is not None:
            if cached["status"] == 404:
                raise HttpNotFoundError(full_url, _json_or_none(cached["text"]))
            data = parse(cached["text"], cached["content_type"], _where(full_url))
            return Answer(full_url, 200, cached["content_type"], cached["text"], data, True)
        host = (_where(full_url), "Authorization" in headers)
        if host in self._given_up:
            known = self._given_up[host]
            raise type(known)(f"{known} (not asked again in this run)")
        try:
            status, content_type, text = self._fetch(full_url, headers)
        except GIVE_UP_ON_HOST as exc:
            self._given_up[host] = exc
            raise
        if status == 404:
            body = _json_or_none(text)
            if body is not None:  # a garbled 404 may be a broken server: ask again next time
                self._cache_write(key, full_url, status, content_type, text)
            raise HttpNotFoundError(full_url, body)
        data = parse(text, content_type, _where(full_url))
        self._cache_write(key, full_url, status, content_type, text)
        return Answer(full_url, status, content_type, text, data, False)

    # -- network -----------------------------------------------------------------------
    def _fetch(self, url: str, headers: dict[str, str]) -> tuple[int, str, str]:
        s = self.settings
        host = _where(url)
        start = time.monotonic()
        deadline = start + s.retry_budget
        attempt = 0
        while True:
            attempt += 1
            got = self._attempt(url, headers, host, start, attempt, deadline)
            if got is None:
                continue  # a reset connection, waited for: try again
            response, body = got
            status = response.status_code
            content_type = response.headers.get("Content-Type", "")
            text = _decoded(body, status, host)
            if status in RETRY_STATUSES:
                wait = _retry_after(response.headers.get("Retry-After"))
                pause = wait if wait is not None else self._backoff(attempt)
                if self._may_retry(attempt, pause, deadline):
                    self.sleep(pause)
                    continue
                raise _give_up(status, response.reason, host, text, attempt, wait, start)
            _check_answer(response, body, text, host, "Authorization" in headers)
            return status, content_type, text

    def _attempt(
        self,
        url: str,
        headers: dict[str, str],
        host: str,
        start: float,
        attempt: int,
        deadline: float,
    ) -> tuple[requests.Response, bytes] | None:
        """One request and its body, each failure as our error; None: the connection was
        reset and may be tried again (after the pause, already waited)."""
        import requests

        s = self.settings
        self._be_polite(url)
        self.network_requests += 1
        try:
            response = self._get_same_host(url, headers)
            try:
                body = self._read_body(response, host, start)
            finally:
                response.close()
        except requests.exceptions.ConnectTimeout:
            raise ServerTimeoutError(
                f"{host} did not accept a connection within {s.connect_timeout:g} s "
                "(connect timeout); check your network or try again later"
            ) from None
        except requests.exceptions.ReadTimeout:
            raise ServerTimeoutError(
                f"{host} sent no answer within {s.read_timeout:g} s (read timeout); try again later"
            ) from None
        except requests.exceptions.SSLError:
            raise NetworkError(
                f"cannot make a secure connection to {host} (TLS/SSL error)"
            ) from None
        except requests.exceptions.ConnectionError as exc:
            kind = _connection_failure(exc)
            if kind == "timeout":
                raise ServerTimeoutError(
                    f"{host} stopped sending within {s.read_timeout:g} s (read timeout); "
                    "try again later"
                ) from None
            if kind == "reset" and self._may_retry(attempt, self._backoff(attempt), deadline):
                self.sleep(self._backoff(attempt))
                return None
            raise OfflineError(_offline_message(host, kind)) from None
        except requests.exceptions.RequestException as exc:
            raise NetworkError(f"request to {host} failed ({type(exc).__name__})") from None
        return response, body

    def _get_same_host(self, url: str, headers: dict[str, str]) -> requests.Response:
        """GET, following redirects only on the same host: an answer from elsewhere would
        be written into the record as if the metadata server had said it."""
        s = self.settings
        for _ in range(MAX_REDIRECTS + 1):
            response = self.session.get(
                url,
                headers=headers,
                timeout=(s.connect_timeout, s.read_timeout),
                stream=True,
                allow_redirects=False,
            )
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            response.close()
            target = urljoin(url, location)
            if not _same_host(url, target):
                raise UnexpectedAnswerError(
                    f"the server answered something unexpected: {_where(url)} redirected to "
                    f"another host ({_where(target)}); not followed"
                )
            url = target
        raise UnexpectedAnswerError(
            f"the server answered something unexpected: more than {MAX_REDIRECTS} redirects "
            f"from {_where(url)}"
        )

    def _be_polite(self, url: str) -> None:
        for prefix, interval in self.min_interval.items():
            if url.startswith(prefix):
                last = self._last_request.get(prefix)
                if last is not None and last + interval > time.monotonic():
                    self.sleep(last + interval - time.monotonic())
                self._last_request[prefix] = time.monotonic()

    def _read_body(self, response: requests.Response, host: str, start: float) -> bytes:
        """The body, refusing anything larger than max_body or slower than the budget."""
        limit = self.settings.max_body
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise UnexpectedAnswerError(
                f"the server answered something unexpected: {int(declared) / 1e6:.1f} MB "
                f"from {host} (the limit is {limit / 1e6:.0f} MB)"
            )
        chunks: list[bytes] = []
        size = 0
        deadline = start + self.settings.retry_budget + self.settings.read_timeout
        for chunk in _chunks(response):
            size += len(chunk)
            if size > limit:
                raise UnexpectedAnswerError(
                    f"the server answered something unexpected: more than "
                    f"{limit / 1e6:.0f} MB from {host}"
                )
            if time.monotonic() > deadline:
                raise ServerTimeoutError(f"{host} is sending too slowly; try again later")
            chunks.append(chunk)
        return b"".join(chunks)

    def _backoff(self, attempt: int) -> float:
        base = self.settings.backoff * 2 ** (attempt - 1)
        return base + random.uniform(0, self.settings.backoff / 2)

    def _may_retry(self, attempt: int, pause: float, deadline: float) -> bool:
        return attempt < self.settings.max_attempts and time.monotonic() + pause < deadline

    # -- cache ---------------------------------------------------------------------------
    def _cache_path(self, key: str) -> Path | None:
        return self.cache_dir / f"{key}.json" if self.cache_dir else None

    def _cache_read(self, key: str) -> dict | None:
        path = self._cache_path(key)
        if path is None:
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            fresh = time.time() - float(entry["fetched"]) <= self.settings.cache_ttl
            valid = (
                entry.get("version") == CACHE_VERSION
                and entry.get("status") in (200, 404)
                and isinstance(entry.get("text"), str)
                and isinstance(entry.get("content_type"), str)
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or damaged: the network answers instead
        return entry if fresh and valid else None

    def _cache_write(self, key: str, url: str, status: int, content_type: str, text: str) -> None:
        path = self._cache_path(key)
        if path is None:
            return
        from papernotes.store.fsio import atomic_write

        entry = {
            "version": CACHE_VERSION,
            "url": url,
            "status": status,
            "content_type": content_type,
            "fetched": time.time(),
            "text": text,
        }
        with contextlib.suppress(OSError, PapernotesError):
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, json.dumps(entry, ensure_ascii=False))


# -- helpers ---------------------------------------------------------------------------------
def _chunks(response: requests.Response):
    """The body as it arrives: each read returns what the socket has (``read1``), so the
    deadline is checked after every byte a trickling server sends, not once per 64 kB.
    urllib3's errors become the requests exceptions ``iter_content`` would raise."""
    import requests
    from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

    raw = response.raw
    while True:
        try:
            chunk = raw.read1(64 * 1024, decode_content=True)
        except ReadTimeoutError as exc:
            raise requests.exceptions.ConnectionError(exc) from None
        except ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from None
        except DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc) from None
        if not chunk:
            return
        yield chunk


def _same_host(url: str, target: str) -> bool:
    """Same host name, and the same port, or an upgrade to https."""
    a, b = urlsplit(url), urlsplit(target)
    if (a.hostname or "").lower() != (b.hostname or "").lower():
        return False
    return a.port == b.port or (b.scheme == "https" and b.port in (None, 443))


def _cache_key(url: str, authorised: bool) -> str:
    return hashlib.sha256(f"{url}\n{'auth' if authorised else 'anon'}".encode()).hexdigest()


def _where(url: str) -> str:
    return urlsplit(url).netloc or url


def _connection_failure(exc: BaseException) -> str:
    """'dns', 'refused', 'timeout', 'reset' or 'other', from the exception chain."""
    seen: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < 10:
        seen.append(f"{type(current).__name__} {current}")
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException):
                seen.append(f"{type(arg).__name__} {arg}")
                reason = getattr(arg, "reason", None)
                if isinstance(reason, BaseException):
                    seen.append(f"{type(reason).__name__} {reason}")
        current = current.__cause__ or current.__context__
    text = " ".join(seen)
    if "NameResolution" in text or "gaierror" in text or "Name or service not known" in text:
        return "dns"
    if "ReadTimeout" in text or "timed out" in text:
        return "timeout"
    if "refused" in text.lower():
        return "refused"
    if "reset" in text.lower() or "RemoteDisconnected" in text or "aborted" in text.lower():
        return "reset"
    return "other"


def _offline_message(host: str, kind: str) -> str:
    return {
        "dns": f"cannot reach {host}: DNS lookup failed (offline?)",
        "refused": f"cannot reach {host}: connection refused (offline, or the server is down)",
        "reset": f"the connection to {host} was reset; try again later",
    }.get(kind, f"cannot reach {host} (offline?)")


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    with contextlib.suppress(TypeError, ValueError, IndexError, OverflowError):
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    return None


def _error_name(text: str) -> str:
    body = _json_or_none(text)
    if isinstance(body, dict):
        name, message = body.get("name"), body.get("message")
        parts = [str(p) for p in (name, message) if isinstance(p, str) and p]
        if parts:
            return ": ".join(parts)[:200]
    return "no details"


def _forbidden(host: str, text: str, authorised: bool) -> NetworkError:
    body = _json_or_none(text)
    name = body.get("name") if isinstance(body, dict) else None
    if name == "ChallengeRequiredError" or not authorised:
        if authorised:
            return AuthRequiredError(
                f"{host} refused the token in {TOKEN_ENV} (403 {name or 'Forbidden'}); "
                "it may have expired: log in again and set a fresh token"
            )
        return AuthRequiredError(
            f"{host} asks anonymous clients to prove they are not robots "
            f"(403 {name or 'Forbidden'}): set {TOKEN_ENV} to an OpenReview API token "
            "and try again"
        )
    return RefusedError(f"{host} does not let you read this (403 {_error_name(text)})")


def _give_up(
    status: int,
    reason: str,
    host: str,
    text: str,
    attempts: int,
    wait: float | None,
    start: float,
) -> NetworkError:
    spent = time.monotonic() - start
    tries = f"after {attempts} {'try' if attempts == 1 else 'tries'} in {spent:.0f} s"
    if status == 429:
        body = _json_or_none(text)
        details = body.get("details") if isinstance(body, dict) else None
        reset = details.get("resetTime") if isinstance(details, dict) else None
        asks = f", and it asks to wait {_duration(wait)}" if wait is not None else ""
        until = f" (the limit resets at {reset})" if isinstance(reset, str) else ""
        return RateLimitedError(
            f"{host} is rate-limiting requests (429 Too Many Requests) {tries}{asks}; "
            f"try again later{until}"
        )
    return ServerFailedError(f"{host} keeps failing ({status} {reason}) {tries}; try again later")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _decoded(body: bytes, status: int, host: str) -> str:
    """The body as text; binary data is an error in a 200 answer, else replaced."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        if status == 200:
            raise UnexpectedAnswerError(
                f"the server answered something unexpected: binary data from {host}"
            ) from None
        return body.decode("utf-8", errors="replace")


def _check_answer(
    response: requests.Response, body: bytes, text: str, host: str, authorized: bool
) -> None:
    """Raise our error for an answer that is not a usable 200 (or a 404)."""
    status = response.status_code
    if status == 403:
        raise _forbidden(host, text, authorized)
    if status >= 400 and status != 404:
        raise RefusedError(f"{host} refused the request ({status} {_error_name(text)})")
    if status >= 300 and status != 404:
        raise UnexpectedAnswerError(
            f"the server answered something unexpected: {status} {response.reason} from {host}"
        )
    if status == 200 and not body.strip():
        raise UnexpectedAnswerError(
            f"the server answered something unexpected: an empty body from {host}"
        )
    if b"\x00" in body:
        raise UnexpectedAnswerError(
            f"the server answered something unexpected: binary data from {host}"
        )
