"""``db current | upgrade [REV] | downgrade REV [--i-know]``: the schema migrations from the CLI.

The same revisions as ``alembic`` with the project's ``alembic.ini``; a downgrade that would drop
the vote table is refused (exit status 2) unless ``--i-know``.
"""

from __future__ import annotations

import typer

__all__ = ["register"]


def _engine():  # type: ignore[no-untyped-def]
    from pipeline.startup.settings import Settings
    from storage.db.engine import make_engine

    return make_engine(Settings.from_env().database_url)


def current_command() -> None:
    """Print the database's revision and the newest one."""
    from storage.db.migrate import current_revision, head_revision

    typer.echo(f"current: {current_revision(_engine()) or '-'}  head: {head_revision()}")


def upgrade_command(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Upgrade the schema (default: to the newest revision)."""
    from storage.db.migrate import current_revision, upgrade

    engine = _engine()
    upgrade(engine, revision)
    typer.echo(f"at {current_revision(engine)}")


def downgrade_command(
    revision: str = typer.Argument(..., help="Target revision (e.g. -1, 0004, base)."),
    i_know: bool = typer.Option(False, "--i-know", help="Allow a downgrade that drops the votes."),
) -> None:
    """Downgrade the schema; refused when it would drop the votes, unless --i-know."""
    from storage.db.migrate import current_revision, downgrade

    engine = _engine()
    try:
        downgrade(engine, revision, i_know=i_know)
    except RuntimeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"at {current_revision(engine) or 'base'}")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Schema migrations (Alembic).")
    group.command("current")(current_command)
    group.command("upgrade")(upgrade_command)
    group.command("downgrade")(downgrade_command)
    app.add_typer(group, name="db")
