"""Engine factory: SQLite (WAL, busy timeout, foreign keys) by default, PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, create_engine

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


_SQLITE_APPEND_ONLY = (
    "CREATE TRIGGER IF NOT EXISTS vote_append_only_update BEFORE UPDATE ON vote "
    "BEGIN SELECT RAISE(ABORT, 'votes are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS vote_append_only_delete BEFORE DELETE ON vote "
    "BEGIN SELECT RAISE(ABORT, 'votes are append-only'); END",
)
_POSTGRES_APPEND_ONLY = (
    "CREATE OR REPLACE FUNCTION vote_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'votes are append-only'; END; $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS vote_append_only ON vote",
    "CREATE TRIGGER vote_append_only BEFORE UPDATE OR DELETE ON vote "
    "FOR EACH ROW EXECUTE FUNCTION vote_append_only()",
)


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet, and make the vote table append-only.

    Votes are the source of truth: the database itself refuses UPDATE and DELETE on them, so a
    correction can only be a new vote that supersedes the old one.
    """
    from storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)

    SQLModel.metadata.create_all(engine)
    statements = _SQLITE_APPEND_ONLY if engine.dialect.name == "sqlite" else _POSTGRES_APPEND_ONLY
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
