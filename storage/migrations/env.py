"""Alembic environment: the schema is SQLModel.metadata from storage.db.models.

``storage.db.migrate`` hands over a live connection (the app, the CLI and the tests go that way). From
the shell (``alembic upgrade head`` with the project's ``alembic.ini``) the database is
``DATABASE_URL``, else ``<ARENA_DATA_DIR or ./data>/arena.db`` — the same rule as the app's
settings — opened with the project's engine factory (WAL, busy timeout, foreign keys).
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import context
from sqlmodel import SQLModel

from storage.db import models  # noqa: F401  (registers the tables)
from storage.db.engine import make_engine


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


config = context.config
if "connection" in config.attributes:
    _run(config.attributes["connection"])
else:
    data_dir = Path(os.environ.get("ARENA_DATA_DIR", "data"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'arena.db'}"
    engine = make_engine(url)
    try:
        with engine.begin() as shell_connection:  # one transaction: a refused step undoes the others
            _run(shell_connection)
    finally:
        engine.dispose()
