"""Backoff delays and Retry-After parsing."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from judging.llm import AuthError, RateLimited, RetryPolicy, ServerError, parse_retry_after


@pytest.mark.parametrize(
    ("value", "date", "expected"),
    [
        ("5", None, 5.0),
        (" 0.25 ", None, 0.25),
        ("-3", None, 0.0),
        ("nan", None, None),
        ("soon", None, None),
        (None, None, None),
        # An HTTP date is measured against the response's Date header: 90 s apart.
        ("Wed, 21 Oct 2015 07:29:30 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", 90.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Wed, 21 Oct 2015 07:29:30 GMT", None, None),
        ("Wed, 21 Oct 2015 07:29:30 GMT", "garbage", None),
    ],
)
def test_parse_retry_after(value: str | None, date: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, date) == expected


def test_only_retryable_errors_within_the_attempt_limit_are_retried() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert policy.should_retry(ServerError("x", status=500), 1)
    assert policy.should_retry(ServerError("x", status=500), 2)
    assert not policy.should_retry(ServerError("x", status=500), 3)
    assert not policy.should_retry(AuthError("x", status=401), 1)


@given(attempt=st.integers(1, 12), seed=st.integers(0, 2**32))
def test_backoff_is_jittered_between_half_and_full_step(attempt: int, seed: int) -> None:
    policy = RetryPolicy(backoff_base_s=0.5, backoff_max_s=8.0)
    step = min(8.0, 0.5 * 2 ** (attempt - 1))
    delay = policy.delay(ServerError("x"), attempt, random.Random(seed))
    assert step / 2 <= delay <= step


def test_retry_after_is_a_lower_bound_and_is_capped() -> None:
    policy = RetryPolicy(backoff_base_s=0.1, retry_after_max_s=60.0)
    rng = random.Random(0)
    assert policy.delay(RateLimited("x", retry_after=3.0), 1, rng) == 3.0
    assert policy.delay(RateLimited("x", retry_after=3600.0), 1, rng) == 60.0
    assert policy.delay(RateLimited("x", retry_after=0.0), 1, rng) >= 0.05  # backoff still applies


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
