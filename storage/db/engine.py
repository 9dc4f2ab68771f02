"""Engine factory: SQLite (WAL, busy timeout, foreign keys) by default, PostgreSQL by URL."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import create_engine

__all__ = ["create_schema", "make_engine", "sqlite_url"]

SQLITE_BUSY_TIMEOUT_MS = 10_000

log = logging.getLogger(__name__)


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
        db_path = url.split("///", 1)[1].split("?", 1)[0] if "///" in url else ""
        if db_path and db_path != ":memory:":
            _private_file(Path(db_path))
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _install_sqlite_pragmas(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _private_file(path: Path) -> None:
    """Make the SQLite file readable by its owner only (0600), in a folder only its owner can
    enter (0700) when this creates the folder. SQLite gives its -wal and -shm files the database
    file's permissions. An existing folder keeps its mode: it may be shared (``/tmp``) or managed
    by someone else; an existing database file is tightened to 0600."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            try:
                path.chmod(0o600)
            except PermissionError:  # someone else's file: theirs to protect; say so, go on
                log.warning("make_engine: cannot make %s private (mode 0600): not its owner", path)


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
        # Writers (see storage.db.session.write_session) begin IMMEDIATE: they take the write lock up
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
    from storage.db.migrate import upgrade

    upgrade(engine)
