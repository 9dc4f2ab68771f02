"""Shared fixtures: a fresh data directory and database per test, never the developer's own."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from pipeline.bootstrap import init_database
from pipeline.settings import PROJECT_ROOT, Settings

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'arena.db'}",
        data_dir=tmp_path,
        demo_dir=PROJECT_ROOT / "demo",
        login_sleep_time=0.0,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = init_database(settings, announce=lambda _msg: None)
    yield eng
    eng.dispose()


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20261130)
