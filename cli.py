"""Safety Arena command line: headless set-up, statistics, imports, runs and exports.

Start-up imports only typer: each command imports what it needs when it runs, and the commands of
``commands/`` are loaded only when used (``commands.LazyCommands``), so ``--help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from commands import LazyCommands

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from pipeline.startup.settings import Settings

app = typer.Typer(
    cls=LazyCommands, add_completion=False, no_args_is_help=True, help="Safety Arena command line."
)


def _settings() -> Settings:
    from pipeline.startup.settings import Settings

    return Settings.from_env()


@app.command()
def init() -> None:
    """Create the database (default data/arena.db; DATABASE_URL overrides), load the demo release
    into an empty database and create the first admin account."""
    from pipeline.startup.bootstrap import prepare
    from pipeline.startup.demo import DemoError

    try:
        prepare(_settings())
    except DemoError as exc:
        typer.echo(f"error: demo data failed validation; the database was left untouched.\n  {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def stats(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Counts of releases, questions (per dimension), models, responses and votes. Reads only: a
    missing or out-of-date database is reported, never created or migrated."""
    import json
    from dataclasses import asdict

    from storage.db.session import read_session
    from storage.db.stats import count_stats

    engine = _existing_database(_settings())
    with read_session(engine) as session:
        result = count_stats(session=session)
    if as_json:
        typer.echo(json.dumps(asdict(result), ensure_ascii=False))
    else:
        for key, value in asdict(result).items():
            typer.echo(f"{key}: {value}")


def _existing_database(settings: Settings) -> Engine:
    """An engine on the database the settings name, which must exist at the newest schema; exits
    with status 1 naming the database otherwise. Creates nothing (``make_engine`` would create a
    missing SQLite file, so its path is checked first)."""
    from sqlalchemy.engine import make_url

    from storage.db.engine import make_engine
    from storage.db.migrate import current_revision, head_revision

    url = make_url(settings.database_url)
    sqlite = url.get_backend_name() == "sqlite"
    where = url.database if sqlite else url.render_as_string(hide_password=True)
    missing_file = sqlite and not (url.database and Path(url.database).is_file())
    engine = None if missing_file else make_engine(settings.database_url)
    current = None if engine is None else current_revision(engine)
    if engine is None or current is None:
        typer.echo(f"error: no database at {where}; run `cli.py init`", err=True)
        raise typer.Exit(1)
    head = head_revision()
    if current != head:
        typer.echo(
            f"error: the database at {where} is at schema revision {current}, this code reads {head}; "
            "run `cli.py db upgrade`",
            err=True,
        )
        raise typer.Exit(1)
    return engine


def main() -> None:
    app()


if __name__ == "__main__":
    main()
