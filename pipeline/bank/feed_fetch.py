"""Fetching a feed from its URL within limits (size, time, redirects, content type), then
parsing it with ``pipeline.bank.feeds``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from pipeline.bank.feeds import _HTTP_URL, FeedFetchError

__all__ = [
    "DEFAULT_LIMITS",
    "FetchLimits",
    "feed_client",
    "fetch_feed",
]

# --- fetching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchLimits:
    """How long and how much a feed download may take."""

    timeout_s: float = 15.0  # per connect and per read, and for the whole download
    max_bytes: int = 5 * 1024 * 1024

    def __post_init__(self) -> None:
        if not 0 < self.timeout_s <= 600:
            raise ValueError(f"FetchLimits: timeout_s must be in (0, 600], got {self.timeout_s!r}")
        if not 0 < self.max_bytes <= 100 * 1024 * 1024:
            raise ValueError(f"FetchLimits: max_bytes must be in (0, 100 MiB], got {self.max_bytes!r}")


DEFAULT_LIMITS = FetchLimits()


def feed_client(limits: FetchLimits = DEFAULT_LIMITS) -> httpx.Client:
    """A client for feed downloads: the limits' timeout, no redirects, a plain user agent."""
    return httpx.Client(
        timeout=httpx.Timeout(limits.timeout_s),
        follow_redirects=False,
        headers={
            "User-Agent": "SafetyArena-events/1 (+feed import)",
            "Accept": "application/rss+xml, application/atom+xml, application/json, text/csv, text/xml;q=0.9, */*;q=0.5",
        },
    )


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


def _check_response(url: str, response: httpx.Response, limits: FetchLimits) -> None:
    """Refuse a redirect, an HTTP error and a body declared over the size limit."""
    if response.is_redirect:
        target = response.headers.get("location", "?")
        raise FeedFetchError(
            f"{url}: redirected ({response.status_code}) to {target}; redirects are not followed — "
            "configure that URL instead if you trust it"
        )
    if response.status_code >= 400:
        raise FeedFetchError(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FeedFetchError(
            f"{url}: the feed is {_megabytes(int(declared))}, over the limit of "
            f"{_megabytes(limits.max_bytes)}; nothing was read"
        )


def _read_body(
    url: str, response: httpx.Response, limits: FetchLimits, clock: Callable[[], float], deadline: float
) -> bytes:
    """The body, stopped once it is over the size limit or past the deadline."""
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > limits.max_bytes:
            raise FeedFetchError(
                f"{url}: the feed is larger than the limit of {_megabytes(limits.max_bytes)}; "
                "the download was stopped and nothing was read"
            )
        if clock() > deadline:
            raise FeedFetchError(
                f"{url}: the download took longer than {limits.timeout_s:g} s and was stopped; "
                "nothing was read"
            )
    return bytes(body)


def fetch_feed(
    url: str,
    *,
    client: httpx.Client,
    limits: FetchLimits = DEFAULT_LIMITS,
    clock: Callable[[], float] = time.monotonic,
) -> bytes:
    """The body of ``url``, or ``FeedFetchError`` saying plainly what went wrong."""
    if not _HTTP_URL.match(url):
        raise FeedFetchError(f"fetch_feed: not an http(s) URL: {url!r:.120}")
    deadline = clock() + limits.timeout_s
    try:
        with client.stream("GET", url) as response:
            _check_response(url, response, limits)
            return _read_body(url, response, limits, clock, deadline)
    except httpx.TimeoutException:
        raise FeedFetchError(
            f"{url}: no answer within {limits.timeout_s:g} s (timed out); nothing was read"
        ) from None
    except httpx.ConnectError as exc:
        raise FeedFetchError(
            f"{url}: cannot connect ({exc}); is this machine offline or the host down? "
            "A feed saved to a file can be imported instead: cli.py events import FILE"
        ) from None
    except httpx.HTTPError as exc:
        raise FeedFetchError(f"{url}: download failed: {type(exc).__name__}: {exc}") from None
