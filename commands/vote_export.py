"""``export-votes OUT [--release R] [--format csv|jsonl|arena] [--include-gold]``: votes out of the
database. Votes on gold items (and so the gold reference pseudo-models) leave only when asked for."""

from __future__ import annotations

from pathlib import Path

import typer

from pipeline.interchange.vote_export import VotesExportFormat, write_votes_export
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings

__all__ = ["register"]


def export_votes_command(
    out: Path = typer.Argument(..., help="Output file."),
    release: str | None = typer.Option(None, "--release", help="Only this release (default: all)."),
    format: str = typer.Option(
        "csv", "--format", help="csv|jsonl (interchange) or arena (Chatbot Arena battles)"
    ),
    include_gold: bool = typer.Option(
        False, "--include-gold", help="Add the votes on gold items (quality control, never rated)."
    ),
) -> None:
    """Export the standing votes (superseded ones left out) in the interchange or the Arena format."""
    try:
        kind = VotesExportFormat.parse(format)
        engine = prepare(Settings.from_env())
        size = write_votes_export(engine, out, format=kind, release=release, include_gold=include_gold)
    except ValueError as exc:  # DemoError and ReleaseError are ValueErrors
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {out} ({size:,} bytes)")


def register(app: typer.Typer) -> None:
    app.command("export-votes")(export_votes_command)
