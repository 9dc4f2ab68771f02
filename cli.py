"""Safety Arena command line: headless set-up, statistics, imports, runs and exports."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import typer

from commands import register_all
from pipeline.bootstrap import prepare
from pipeline.demo import DemoError
from pipeline.settings import Settings
from storage.queries import count_stats
from storage.session import read_session

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Safety Arena command line.")


def _settings() -> Settings:
    return Settings.from_env()


@app.command()
def init() -> None:
    """Create the database (default data/arena.db; DATABASE_URL overrides), load the demo release
    into an empty database and create the first admin account."""
    try:
        prepare(_settings())
    except DemoError as exc:
        typer.echo(f"error: demo data failed validation; the database was left untouched.\n  {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def stats(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Counts of releases, questions (per dimension), models, responses and votes."""
    try:
        engine = prepare(_settings())
    except DemoError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    with read_session(engine) as session:
        result = count_stats(session=session)
    if as_json:
        typer.echo(json.dumps(asdict(result), ensure_ascii=False))
    else:
        for key, value in asdict(result).items():
            typer.echo(f"{key}: {value}")


register_all(app)


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
