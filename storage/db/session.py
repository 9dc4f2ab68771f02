"""Session helpers: short read sessions and write sessions that lock early on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

__all__ = ["read_session", "write_session"]


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error.

    On SQLite the transaction starts with ``BEGIN IMMEDIATE`` (see ``storage.db.engine``).
    """
    immediate = engine.execution_options(sqlite_immediate=True)
    with Session(immediate, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
