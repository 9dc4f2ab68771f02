"""Shared fixtures: a fresh data directory and database per test, never the developer's own."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.engine import Engine

from pipeline.startup.bootstrap import init_database
from pipeline.startup.settings import PROJECT_ROOT, Settings
from storage.db.engine import make_engine
from tests.suites import required_suites, unavailable

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
# Storage and pipeline suites run on SQLite always, and on PostgreSQL too. Without
# TEST_DATABASE_URL the PostgreSQL cases are skipped with the reason (failed when
# ARENA_REQUIRE_SUITES names postgres); `-m "not postgres"` leaves them out.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
NO_POSTGRES = "postgres: TEST_DATABASE_URL is not set (a PostgreSQL URL whose user may create schemas)"


def pytest_configure(config: pytest.Config) -> None:
    required_suites()  # an unknown name in ARENA_REQUIRE_SUITES stops the run before it starts
    # No per-example deadline (Hypothesis' default is 200 ms): timings are bench figures, and a
    # deadline fails a correct test on a loaded machine.
    hypothesis_settings.register_profile("arena", deadline=None)
    hypothesis_settings.load_profile("arena")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A PostgreSQL case without TEST_DATABASE_URL is skipped here, before its fixtures, so that
    the summary sums them up in one line (a skip from a fixture is listed once per test)."""
    if item.get_closest_marker("postgres") is not None and not os.environ.get("TEST_DATABASE_URL"):
        unavailable("postgres", NO_POSTGRES)


@contextmanager
def fresh_database(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """An empty database: a SQLite file, or a throwaway schema on the PostgreSQL server."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'arena.db'}")
        schema = None
    else:
        base = os.environ["TEST_DATABASE_URL"]
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = make_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        sep = "&" if "?" in base else "?"
        engine = make_engine(f"{base}{sep}options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        if schema is not None:
            admin = make_engine(os.environ["TEST_DATABASE_URL"])
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'arena.db'}",
        data_dir=tmp_path,
        demo_dir=PROJECT_ROOT / "demo",
        login_sleep_time=0.0,
    )


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database with the demo release: SQLite, and PostgreSQL when TEST_DATABASE_URL is set."""
    with fresh_database(request.param, tmp_path) as blank:
        url = blank.url.render_as_string(hide_password=False)
        settings = Settings(
            database_url=url, data_dir=tmp_path, demo_dir=PROJECT_ROOT / "demo", login_sleep_time=0.0
        )
        eng = init_database(settings, announce=lambda _msg: None)
        yield eng
        eng.dispose()


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20261130)
