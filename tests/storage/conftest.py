"""Storage suites run on SQLite always and on PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from pipeline.startup.demo import load_demo, write_demo
from pipeline.startup.settings import PROJECT_ROOT
from storage.db.engine import create_schema
from storage.db.migrate import current_revision, head_revision, upgrade
from storage.db.session import write_session
from tests.conftest import BACKENDS, fresh_database


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a fresh database with the demo release loaded."""
    with fresh_database(request.param, tmp_path) as engine:
        create_schema(engine)
        with write_session(engine) as session:
            write_demo(load_demo(PROJECT_ROOT / "demo"), session=session)
        yield engine


@contextmanager
def upgraded_from(
    backend: str, tmp_path: Path, revision: str, rows: Sequence[str], *, to: str | None = None
) -> Iterator[Engine]:
    """An engine on a fresh database created at ``revision``, given ``rows`` (SQL statements, one
    transaction) and then upgraded to ``to`` (default: head): a migration test's scaffold."""
    with fresh_database(backend, tmp_path) as engine:
        upgrade(engine, revision)
        assert current_revision(engine) == revision
        with engine.begin() as conn:
            for statement in rows:
                conn.execute(text(statement))
        upgrade(engine, to or "head")
        assert current_revision(engine) == (to or head_revision())
        yield engine
