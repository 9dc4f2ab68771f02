"""The token bucket on a fake clock, and the bounded worker pool."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import aclosing

import pytest
from hypothesis import given
from hypothesis import strategies as st

from judging.llm import TokenBucket, map_unordered


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_burst_then_steady_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10.0, burst=3, clock=clock, sleep=clock.sleep)
    waits = [bucket.reserve() for _ in range(6)]
    assert waits == pytest.approx([0, 0, 0, 0.1, 0.2, 0.3])


def test_idle_time_refills_the_bucket_but_not_beyond_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2.0, burst=2, clock=clock, sleep=clock.sleep)
    assert [bucket.reserve() for _ in range(3)] == pytest.approx([0, 0, 0.5])
    clock.now = 100.0
    assert [bucket.reserve() for _ in range(3)] == pytest.approx([0, 0, 0.5])


@given(
    rate=st.floats(0.5, 100),
    burst=st.integers(1, 5),
    gaps=st.lists(st.floats(0, 2), min_size=1, max_size=60),
)
def test_never_more_than_burst_plus_rate_times_window(rate: float, burst: int, gaps: list[float]) -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate, burst=burst, clock=clock, sleep=clock.sleep)
    starts = []
    for gap in gaps:
        clock.now += gap
        starts.append(clock.now + bucket.reserve())
    assert starts == sorted(starts)
    for i, begin in enumerate(starts):
        for j in range(i, len(starts)):
            window = starts[j] - begin
            assert j - i + 1 <= burst + rate * window + 1e-6


def test_concurrent_acquirers_get_distinct_slots() -> None:
    clock = FakeClock()
    granted: list[float] = []

    async def go() -> None:
        bucket = TokenBucket(5.0, burst=1, clock=clock, sleep=asyncio.sleep)

        async def one() -> None:
            wait = bucket.reserve()
            granted.append(clock.now + wait)

        await asyncio.gather(*(one() for _ in range(5)))

    asyncio.run(go())
    assert sorted(granted) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8])


def test_invalid_bucket() -> None:
    clock = FakeClock()
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(0, clock=clock, sleep=clock.sleep)
    with pytest.raises(ValueError, match="burst"):
        TokenBucket(1, burst=0, clock=clock, sleep=clock.sleep)


def test_map_unordered_yields_every_item_with_bounded_concurrency() -> None:
    running = 0
    peak = 0

    async def work(n: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001 * (n % 3))
        running -= 1
        return n * n

    async def go() -> dict[int, int]:
        return {done.item: done.result async for done in map_unordered(range(50), work, concurrency=4)}

    assert asyncio.run(go()) == {n: n * n for n in range(50)}
    assert peak == 4


def test_map_unordered_reraises_a_bug_and_cancels_the_rest() -> None:
    started: list[int] = []

    async def work(n: int) -> int:
        started.append(n)
        if n == 2:
            raise RuntimeError("bug")
        await asyncio.sleep(0.01)
        return n

    async def go() -> None:
        async for _ in map_unordered(range(100), work, concurrency=3):
            pass

    with pytest.raises(RuntimeError, match="bug"):
        asyncio.run(go())
    assert len(started) < 100


def test_map_unordered_stops_pulling_items_when_closed_early() -> None:
    pulled: list[int] = []

    def source() -> Iterator[int]:
        for n in range(1000):
            pulled.append(n)
            yield n

    async def work(n: int) -> int:
        await asyncio.sleep(0)
        return n

    async def go() -> None:
        async with aclosing(map_unordered(source(), work, concurrency=2)) as stream:  # type: ignore[arg-type]
            async for done in stream:
                if done.item >= 3:
                    break

    asyncio.run(go())
    assert len(pulled) < 20
