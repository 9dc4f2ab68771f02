"""Suites that need something from the machine (a browser, a PostgreSQL server): skipped with the
reason when it is missing, or failed when ``ARENA_REQUIRE_SUITES`` names the suite (CI sets it)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NoReturn

import pytest

__all__ = ["REQUIRE_ENV", "SUITES", "required_suites", "unavailable"]

REQUIRE_ENV = "ARENA_REQUIRE_SUITES"
SUITES = ("e2e", "postgres")


def required_suites(env: Mapping[str, str] | None = None) -> frozenset[str]:
    """The suites ``ARENA_REQUIRE_SUITES`` (comma-separated) names; an unknown name is an error."""
    env = os.environ if env is None else env
    names = frozenset(n.strip() for n in env.get(REQUIRE_ENV, "").split(",") if n.strip())
    unknown = sorted(names - set(SUITES))
    if unknown:
        raise pytest.UsageError(
            f"{REQUIRE_ENV}: unknown suite {', '.join(unknown)} (known: {', '.join(SUITES)})"
        )
    return names


def unavailable(suite: str, missing: str) -> NoReturn:
    """Skip the current test because ``missing`` is missing, or fail it if ``suite`` is required."""
    __tracebackhide__ = True  # the skip is reported at the caller's line, so one line sums them up
    if suite not in SUITES:
        raise ValueError(f"unavailable: suite must be one of {SUITES}, got {suite!r}")
    if suite in required_suites():
        pytest.fail(f"{missing}, and {REQUIRE_ENV} requires the {suite} suite", pytrace=False)
    pytest.skip(missing)
