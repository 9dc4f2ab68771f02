"""Engine factory: SQLite (WAL, busy timeout, foreign keys) by default, PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import create_engine

__all__ = ["create_schema", "make_engine", "sqlite_url"]

SQLITE_BUSY_TIMEOUT_MS = 10_000


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path)}"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Build an engine for ``url``.

    For SQLite every new connection gets ``journal_mode=WAL`` (readers never block the writer),
    a ``busy_timeout`` (a locked database is waited on, not reported as an error) and
    ``foreign_keys=ON``. The pysqlite driver's own transaction handling is switched off so that
    write transactions can start with ``BEGIN IMMEDIATE`` and never lose an update.
    """
    if url.startswith("sqlite"):
        db_path = url.split("///", 1)[-1]
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _install_sqlite_pragmas(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (see _on_begin) instead of pysqlite's deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers (see storage.session.write_session) begin IMMEDIATE: they take the write lock up
        # front, so a read-then-write transaction cannot lose an update to a concurrent writer and
        # lock waits happen at BEGIN under busy_timeout. Readers stay deferred and never block.
        if connection.get_execution_options().get("sqlite_immediate"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def create_schema(engine: Engine) -> None:
    """Bring the database to the newest schema with the Alembic migrations (``storage/migrations``).

    The same revisions create an empty SQLite or PostgreSQL database and upgrade one created by
    an earlier revision. Votes are made append-only by the first revision (database triggers).
    """
    from storage.migrate import upgrade

    upgrade(engine)
