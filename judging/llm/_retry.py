"""When to retry a failed request and how long to wait first."""

from __future__ import annotations

import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from judging.llm._errors import RequestError

__all__ = ["RetryPolicy", "parse_retry_after"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Jittered exponential backoff; ``max_attempts`` counts the first try."""

    max_attempts: int = 4
    backoff_base_s: float = 1.0
    backoff_max_s: float = 30.0
    retry_after_max_s: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"RetryPolicy: max_attempts must be at least 1, got {self.max_attempts!r}")
        if self.backoff_base_s < 0 or self.backoff_max_s < 0 or self.retry_after_max_s < 0:
            raise ValueError("RetryPolicy: backoff and Retry-After limits must be non-negative")

    def should_retry(self, error: RequestError, attempt: int) -> bool:
        return error.retryable and attempt < self.max_attempts

    def delay(self, error: RequestError, attempt: int, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based).

        "Equal jitter": half the exponential step is fixed, half is random, so clients that failed
        together do not retry together. A server's Retry-After is a lower bound (capped, so one
        absurd header cannot stall a run for hours).
        """
        step = min(self.backoff_max_s, self.backoff_base_s * 2.0 ** (attempt - 1))
        delay = step / 2 + rng.uniform(0, step / 2)
        if error.retry_after is not None:
            delay = max(delay, min(error.retry_after, self.retry_after_max_s))
        return delay


def parse_retry_after(value: str | None, date: str | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds, or an HTTP date.

    An HTTP date is measured against the response's own ``Date`` header, so no wall clock is
    read here; without a ``Date`` header a date-valued Retry-After is ignored (None).
    """
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # reject NaN
    if date is None:
        return None
    try:
        target = parsedate_to_datetime(text)
        now = parsedate_to_datetime(date)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, (target - now).total_seconds())
