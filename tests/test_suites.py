"""The suite says what it cannot run: pytest as a process, without Chromium and without
TEST_DATABASE_URL, skips those tests with the reason; with ARENA_REQUIRE_SUITES naming the suite
the same run fails and names what is missing (what .ci/run relies on)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow  # each case is a pytest process of its own

NO_CHROMIUM = "/nonexistent/chromium"
POSTGRES_CASES = ("tests/storage/test_migrations.py", "-k", "postgresql")


def _pytest(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("ARENA_REQUIRE_SUITES", "TEST_DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=PROJECT_ROOT,
        env={**environ, "CHROMIUM": NO_CHROMIUM, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_without_chromium_pytest_tests_e2e_skips_the_browser_tests_with_the_reason():
    out = _pytest("tests/e2e")
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.search(
        rf"SKIPPED \[\d+\] tests/e2e/conftest\.py:\d+: e2e: no Chromium at {NO_CHROMIUM}", out.stdout
    )
    assert re.search(r"\d+ passed, \d+ skipped", out.stdout)  # tests that need no browser still run


def test_a_required_e2e_suite_without_chromium_fails_and_names_it():
    out = _pytest("tests/e2e/test_double_click.py", ARENA_REQUIRE_SUITES="e2e")
    assert out.returncode == 1
    assert f"no Chromium at {NO_CHROMIUM}" in out.stdout
    assert "ARENA_REQUIRE_SUITES requires the e2e suite" in out.stdout


def test_without_test_database_url_the_postgresql_cases_skip_with_the_reason():
    out = _pytest(*POSTGRES_CASES)
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.search(
        r"SKIPPED \[\d+\] tests/conftest\.py:\d+: postgres: TEST_DATABASE_URL is not set", out.stdout
    )
    assert re.search(r"^\d+ skipped, \d+ deselected", out.stdout, re.MULTILINE)


def test_a_required_postgres_suite_without_test_database_url_fails_and_names_it():
    out = _pytest(*POSTGRES_CASES, ARENA_REQUIRE_SUITES="postgres")
    assert out.returncode == 1
    assert "TEST_DATABASE_URL is not set" in out.stdout
    assert "ARENA_REQUIRE_SUITES requires the postgres suite" in out.stdout


def test_an_unknown_required_suite_stops_the_run():
    out = _pytest(*POSTGRES_CASES, ARENA_REQUIRE_SUITES="e2e,browser")
    assert out.returncode == pytest.ExitCode.USAGE_ERROR
    assert "ARENA_REQUIRE_SUITES: unknown suite browser (known: e2e, postgres)" in out.stderr
