"""``db current | upgrade [REV] | downgrade REV [--i-know]``: the schema migrations from the CLI.

The same revisions as ``alembic`` with the project's ``alembic.ini``; a downgrade that would drop
the vote table is refused (exit status 2) unless ``--i-know``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = ["register"]


def _engine() -> Engine:
    from pipeline.startup.schema import schema_engine
    from pipeline.startup.settings import Settings

    return schema_engine(Settings.from_env())


def current_command() -> None:
    """Print the database's revision and the newest one."""
    from pipeline.startup.schema import revisions

    found = revisions(_engine())
    typer.echo(f"current: {found.current or '-'}  head: {found.head}")


def upgrade_command(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Upgrade the schema (default: to the newest revision)."""
    from pipeline.startup.schema import upgrade_schema

    typer.echo(f"at {upgrade_schema(_engine(), revision)}")


def downgrade_command(
    revision: str = typer.Argument(..., help="Target revision (e.g. -1, 0004, base)."),
    i_know: bool = typer.Option(False, "--i-know", help="Allow a downgrade that drops the votes."),
) -> None:
    """Downgrade the schema; refused when it would drop the votes, unless --i-know (a refusal is a
    ``SchemaError``: ``error: ...`` and exit status 2, from ``cli.py``'s handler)."""
    from pipeline.startup.schema import downgrade_schema

    typer.echo(f"at {downgrade_schema(_engine(), revision, i_know=i_know) or 'base'}")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Schema migrations (Alembic).")
    group.command("current")(current_command)
    group.command("upgrade")(upgrade_command)
    group.command("downgrade")(downgrade_command)
    app.add_typer(group, name="db")
