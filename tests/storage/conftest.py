"""Storage suites run on SQLite always and on PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from pipeline.demo import load_demo, write_demo
from pipeline.settings import PROJECT_ROOT
from storage.engine import create_schema, make_engine
from storage.session import write_session

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


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a fresh database with the demo release loaded."""
    with fresh_database(request.param, tmp_path) as engine:
        create_schema(engine)
        with write_session(engine) as session:
            write_demo(load_demo(PROJECT_ROOT / "demo"), session=session)
        yield engine
