"""Run an async function over many items with a fixed number of workers, yielding as they finish."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

from judging.llm._types import Done

__all__ = ["map_unordered"]

T = TypeVar("T")
R = TypeVar("R")


class _Finished:
    """Sentinel put on the queue once every worker has stopped."""

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


async def _worker(
    source: Iterator[T], fn: Callable[[T], Awaitable[R]], queue: asyncio.Queue[Done[T, R] | _Finished]
) -> None:
    # next() is synchronous, so workers on one event loop never take the same item.
    for item in source:
        result = await fn(item)
        await queue.put(Done(item, result))


async def _supervise(workers: list[asyncio.Task[None]], queue: asyncio.Queue[Done[T, R] | _Finished]) -> None:
    """Wait for the workers; the first error cancels the rest and reaches the consumer."""
    error: BaseException | None = None
    try:
        await asyncio.gather(*workers)
    except Exception as exc:  # re-raised in the consumer
        error = exc
        for task in workers:
            task.cancel()
    await queue.put(_Finished(error))


async def map_unordered(
    items: Iterable[T], fn: Callable[[T], Awaitable[R]], *, concurrency: int
) -> AsyncGenerator[Done[T, R], None]:
    """Yield ``Done(item, await fn(item))`` in completion order, at most ``concurrency`` at a time.

    Items are pulled lazily, so a generator of a million items is fine. ``fn`` is expected to
    return failures as values; if it raises, the remaining work is cancelled and the error is
    re-raised here. Use ``contextlib.aclosing`` when you may stop iterating early, so the workers
    are cancelled promptly.
    """
    if concurrency < 1:
        raise ValueError(f"map_unordered: concurrency must be at least 1, got {concurrency!r}")
    source = iter(items)
    # Bounded: a slow consumer (say, a database write per result) pauses the workers.
    queue: asyncio.Queue[Done[T, R] | _Finished] = asyncio.Queue(maxsize=concurrency)

    workers = [asyncio.create_task(_worker(source, fn, queue)) for _ in range(concurrency)]
    supervisor = asyncio.create_task(_supervise(workers, queue))
    try:
        while True:
            entry = await queue.get()
            if isinstance(entry, _Finished):
                if entry.error is not None:
                    raise entry.error
                return
            yield entry
    finally:
        for task in (*workers, supervisor):
            task.cancel()
        await asyncio.gather(*workers, supervisor, return_exceptions=True)
