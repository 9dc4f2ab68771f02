"""An httpx transport that spreads requests over several small connection pools.

httpcore's pool re-scans every connection for every connection each time a request starts or
ends, so its CPU cost grows with the square of the pool size: at 64 connections that is several
milliseconds of CPU per request, and the client, not the server, becomes the bottleneck. Eight
pools of eight connections do the same work for a fraction of the cost, with httpx's own
connection handling (TLS, proxies, keep-alive) unchanged.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import httpx

__all__ = ["ShardedTransport", "make_http_client"]

SHARD_SIZE = 8  # connections per pool: keeps the quadratic scan small (see bench/pipeline.py)


class _ReleasingStream(httpx.AsyncByteStream):
    """A response body that gives its shard's slot back once it is closed."""

    def __init__(self, inner: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._inner = inner
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            if self._release is not None:
                self._release()
                self._release = None


class ShardedTransport(httpx.AsyncBaseTransport):
    """Send each request through the least busy of several transports."""

    def __init__(self, shards: Sequence[httpx.AsyncBaseTransport]) -> None:
        if not shards:
            raise ValueError("ShardedTransport: shards is empty")
        self._shards = tuple(shards)
        self._load = [0] * len(self._shards)

    @classmethod
    def for_connections(
        cls, max_connections: int, *, shard_size: int = SHARD_SIZE, **transport_options: Any
    ) -> ShardedTransport:
        """Enough ``httpx.AsyncHTTPTransport`` shards of at most SHARD_SIZE connections each."""
        if max_connections < 1:
            raise ValueError(
                f"ShardedTransport.for_connections: max_connections must be >= 1, got {max_connections!r}"
            )
        count = math.ceil(max_connections / shard_size)
        per_shard = math.ceil(max_connections / count)
        limits = httpx.Limits(max_connections=per_shard, max_keepalive_connections=per_shard)
        # One TLS context for all shards: loading the CA bundle costs ~30 ms of CPU each time.
        transport_options.setdefault("verify", httpx.create_ssl_context())
        return cls([httpx.AsyncHTTPTransport(limits=limits, **transport_options) for _ in range(count)])

    @property
    def load(self) -> tuple[int, ...]:
        """Requests in flight per shard (a response counts until its body is closed)."""
        return tuple(self._load)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = min(range(len(self._shards)), key=self._load.__getitem__)
        self._load[index] += 1

        def release() -> None:
            self._load[index] -= 1

        try:
            response = await self._shards[index].handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_ReleasingStream(response.stream, release),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()


def make_http_client(max_connections: int, **client_options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for ``max_connections`` concurrent requests, built by the caller.

    Pass ``ClientSettings.max_concurrency``; ``client_options`` go to ``httpx.AsyncClient``.
    """
    return httpx.AsyncClient(transport=ShardedTransport.for_connections(max_connections), **client_options)
