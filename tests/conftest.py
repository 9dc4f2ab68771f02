"""Shared fixtures: a fresh data directory and database per test, never the developer's own."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from pipeline.startup.bootstrap import init_database
from pipeline.startup.settings import PROJECT_ROOT, Settings
from storage.db.engine import make_engine

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
# Storage and pipeline suites run on SQLite always, and on PostgreSQL too when it is configured.
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


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
