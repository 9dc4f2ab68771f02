"""Safety Arena command line: headless set-up, statistics, imports, runs and exports.

Start-up imports only typer: each command imports what it needs when it runs, and the commands of
``commands/`` are loaded only when used (``commands.LazyCommands``), so ``--help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from commands import LazyCommands

if TYPE_CHECKING:
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

    from pipeline.startup.schema import DatabaseNotReadyError, existing_database
    from pipeline.views.stats import database_stats

    try:
        engine = existing_database(_settings())
    except DatabaseNotReadyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    result = database_stats(engine)
    if as_json:
        typer.echo(json.dumps(asdict(result), ensure_ascii=False))
    else:
        for key, value in asdict(result).items():
            typer.echo(f"{key}: {value}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
