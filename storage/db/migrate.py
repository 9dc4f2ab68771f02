"""Schema migrations (Alembic) for SQLite and PostgreSQL, driven from code.

``upgrade(engine)`` brings any database — empty, or created by an earlier revision — to the
newest schema; the same revisions serve both engines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

__all__ = ["current_revision", "downgrade", "head_revision", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _config(connection: Connection | None = None, *, i_know: bool = False) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    config.attributes["i_know"] = i_know
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade to ``revision`` in one transaction.

    On SQLite, a migration that changes a table's constraints copies the table; foreign keys are
    switched off for that (a PRAGMA outside the transaction) and checked before committing.
    """
    if revision == "head" and current_revision(engine) == head_revision():
        return  # nothing to do (and no foreign-key scan over a large database)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw: Any = connection.connection.driver_connection
        if sqlite:
            connection.commit()  # no transaction may be open: SQLite ignores this PRAGMA inside one
            raw.execute("PRAGMA foreign_keys=OFF")  # on the driver connection: no SQLAlchemy autobegin
        try:
            with connection.begin():
                command.upgrade(_config(connection), revision)
                if sqlite:
                    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if problems:
                        raise RuntimeError(f"upgrade: foreign key violations after migrating: {problems[:5]}")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def downgrade(engine: Engine, revision: str, *, i_know: bool = False) -> None:
    """Downgrade to ``revision`` in one transaction. Going below the foundation drops every vote
    and is refused unless ``i_know``."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw: Any = connection.connection.driver_connection
        if sqlite:
            connection.commit()
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                command.downgrade(_config(connection, i_know=i_know), revision)
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def autogenerate(engine: Engine, message: str, rev_id: str) -> None:
    """Write a new revision from the difference between the database and the models (dev tool)."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True, rev_id=rev_id)
