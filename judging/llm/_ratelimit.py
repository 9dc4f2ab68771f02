"""A requests-per-second limiter (token bucket, as the generic cell rate algorithm)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

__all__ = ["TokenBucket"]


class TokenBucket:
    """Let at most ``burst`` requests through at once and ``rate`` per second on average.

    Each ``acquire`` reserves the next free slot and sleeps until it. The reservation is made
    without awaiting, so concurrent coroutines on one event loop never race for the same slot.
    Clock and sleep are injected so tests can run the limiter on a fake clock.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        if not rate > 0:
            raise ValueError(f"TokenBucket: rate must be positive, got {rate!r}")
        if burst < 1:
            raise ValueError(f"TokenBucket: burst must be at least 1, got {burst!r}")
        self.rate = rate
        self.burst = burst
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._tat: float | None = None  # theoretical arrival time of the next request

    def reserve(self) -> float:
        """Reserve a slot and return how long to wait for it (0 if it is free now)."""
        now = self._clock()
        tat = now if self._tat is None else max(self._tat, now)
        start = max(now, tat - (self.burst - 1) * self._interval)
        self._tat = tat + self._interval
        return start - now

    async def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            await self._sleep(wait)
