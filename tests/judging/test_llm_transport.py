"""The sharded transport: least-busy shard, slots released when a body closes, real sockets."""

from __future__ import annotations

import asyncio

import httpx
import pytest

import mockllm
from judging.llm import ShardedTransport, make_http_client


class Recording(httpx.AsyncBaseTransport):
    def __init__(self, name: str, fail: bool = False) -> None:
        self.name = name
        self.fail = fail
        self.seen = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen += 1
        if self.fail:
            raise httpx.ConnectError("refused")
        return httpx.Response(200, stream=httpx.ByteStream(self.name.encode()))


def test_requests_go_to_the_least_busy_shard_and_slots_come_back() -> None:
    shards = [Recording("a"), Recording("b"), Recording("c")]
    transport = ShardedTransport(shards)

    async def go() -> None:
        open_responses = [
            await transport.handle_async_request(httpx.Request("GET", "http://x")) for _ in range(6)
        ]
        assert transport.load == (2, 2, 2)
        assert [s.seen for s in shards] == [2, 2, 2]
        for response in open_responses[:2]:
            await response.aread()
            await response.aclose()
        assert sum(transport.load) == 4
        await open_responses[2].aclose()
        await open_responses[2].aclose()  # closing twice releases once
        assert sum(transport.load) == 3

    asyncio.run(go())


def test_a_failed_request_releases_its_slot() -> None:
    transport = ShardedTransport([Recording("a", fail=True)])

    async def go() -> None:
        with pytest.raises(httpx.ConnectError):
            await transport.handle_async_request(httpx.Request("GET", "http://x"))

    asyncio.run(go())
    assert transport.load == (0,)


@pytest.mark.parametrize(("connections", "shards"), [(1, 1), (8, 1), (9, 2), (64, 8), (100, 13)])
def test_shard_count(connections: int, shards: int) -> None:
    assert len(ShardedTransport.for_connections(connections).load) == shards


def test_make_http_client_passes_client_options() -> None:
    async def go() -> None:
        async with make_http_client(4, base_url="http://example.test/v1") as http:
            assert str(http.base_url) == "http://example.test/v1/"

    asyncio.run(go())


def test_validation() -> None:
    with pytest.raises(ValueError, match="shards is empty"):
        ShardedTransport([])
    with pytest.raises(ValueError, match="max_connections"):
        ShardedTransport.for_connections(0)


def test_concurrent_requests_over_real_sockets_leave_no_slot_taken() -> None:
    async def go(base_url: str) -> tuple[int, ...]:
        transport = ShardedTransport.for_connections(16)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
            body = {"model": "m", "messages": [{"role": "user", "content": "你好"}]}
            replies = await asyncio.gather(*(http.post("/chat/completions", json=body) for _ in range(50)))
            assert all(r.status_code == 200 for r in replies)
            return transport.load

    with mockllm.serve(mockllm.MockConfig(latency_ms=20)) as mock:
        assert asyncio.run(go(mock.base_url)) == (0, 0)
