"""The database's schema for the command line: its revision, upgrades and downgrades, and an engine
on a database that must already exist at the newest revision (``cli.py stats`` reads, never creates).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from judging.errors import ArenaError
from pipeline.startup.settings import Settings
from storage.db.engine import make_engine
from storage.db.migrate import current_revision, downgrade, head_revision, upgrade

__all__ = [
    "DatabaseNotReadyError",
    "Revisions",
    "SchemaError",
    "downgrade_schema",
    "existing_database",
    "revisions",
    "schema_engine",
    "upgrade_schema",
]


class DatabaseNotReadyError(ArenaError):
    """The database is missing or not at the revision this code reads; the message says what to run."""


class SchemaError(ArenaError):
    """A schema change refused (a downgrade that would drop the votes without ``i_know``)."""


@dataclass(frozen=True)
class Revisions:
    current: str | None  # None: no schema yet
    head: str


def schema_engine(settings: Settings) -> Engine:
    """An engine on the settings' database (a missing SQLite file is created, empty)."""
    return make_engine(settings.database_url)


def revisions(engine: Engine) -> Revisions:
    return Revisions(current_revision(engine), head_revision())


def upgrade_schema(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade to ``revision``; returns the revision the database is at afterwards."""
    upgrade(engine, revision)
    return current_revision(engine)


def downgrade_schema(engine: Engine, revision: str, *, i_know: bool = False) -> str | None:
    """Downgrade to ``revision``; returns the revision afterwards (None: base). A downgrade that
    would drop the votes raises ``SchemaError`` unless ``i_know``."""
    try:
        downgrade(engine, revision, i_know=i_know)
    except RuntimeError as exc:  # the migrations refuse with RuntimeError
        raise SchemaError(str(exc)) from None
    return current_revision(engine)


def existing_database(settings: Settings) -> Engine:
    """An engine on the database the settings name, which must exist at the newest schema;
    ``DatabaseNotReadyError`` names the database otherwise. Creates nothing (``make_engine`` would
    create a missing SQLite file, so its path is checked first)."""
    url = make_url(settings.database_url)
    sqlite = url.get_backend_name() == "sqlite"
    where = url.database if sqlite else url.render_as_string(hide_password=True)
    missing_file = sqlite and not (url.database and Path(url.database).is_file())
    engine = None if missing_file else make_engine(settings.database_url)
    current = None if engine is None else current_revision(engine)
    if engine is None or current is None:
        raise DatabaseNotReadyError(f"no database at {where}; run `cli.py init`")
    head = head_revision()
    if current != head:
        raise DatabaseNotReadyError(
            f"the database at {where} is at schema revision {current}, this code reads {head}; "
            "run `cli.py db upgrade`"
        )
    return engine
