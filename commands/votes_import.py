"""``import-votes FILE [--release R]``: votes in the interchange format into the database."""

from __future__ import annotations

from pathlib import Path

import typer

from commands import max_bytes_option
from judging.votes_file import DEFAULT_MAX_BYTES
from pipeline.interchange.votes_import import import_votes
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings

__all__ = ["register"]


def import_votes_command(
    votes_file: Path = typer.Argument(
        ..., help="Votes file: .csv, .jsonl, or .json (a JSON list, e.g. the Arena-format export)."
    ),
    release: str | None = typer.Option(
        None, "--release", help="Put every vote in this release (default: each vote's release column)."
    ),
    max_bytes: int = max_bytes_option(DEFAULT_MAX_BYTES),
    keep_duplicates: bool = typer.Option(
        False, "--keep-duplicates", help="Import identical rows as separate votes (default: once)."
    ),
) -> None:
    """Import votes (all or nothing; errors name the line and field). Questions and both answers
    must already exist; importing the same file again adds nothing."""
    try:
        engine = prepare(Settings.from_env())
        summary = import_votes(
            engine, votes_file, release=release, max_bytes=max_bytes, keep_duplicates=keep_duplicates
        )
    except ValueError as exc:  # DemoError, ReleaseError and VotesFileError are ValueErrors
        typer.echo(f"error: {exc}", err=True)
        typer.echo("nothing was imported", err=True)
        raise typer.Exit(2) from None
    if summary.duplicates:
        typer.echo(f"note: {summary.duplicates}", err=True)
    typer.echo(
        f"read {summary.read} votes: imported {summary.imported}, already present {summary.already_present}"
        f" (releases: {', '.join(summary.releases)})"
    )


def register(app: typer.Typer) -> None:
    app.command("import-votes")(import_votes_command)
