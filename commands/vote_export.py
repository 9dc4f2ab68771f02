"""``export-votes OUT [--release R] [--format csv|jsonl|arena|arena-jsonl] [--include-gold]
[--real-names]``: votes out of the database, with per-side tags and rationales. Votes on gold items
(and so the gold reference pseudo-models) leave only when asked for. People appear under stable
pseudonyms unless ``--real-names`` (an internal export; the audit trail records it)."""

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
        "csv",
        "--format",
        help="csv|jsonl (interchange) or arena|arena-jsonl (Chatbot Arena battles, JSON list or lines)",
    ),
    include_gold: bool = typer.Option(
        False, "--include-gold", help="Add the votes on gold items (quality control, never rated)."
    ),
    real_names: bool = typer.Option(
        False,
        "--real-names",
        "--internal",
        help="Keep annotators' user names (internal use; audited). Default: stable pseudonyms.",
    ),
) -> None:
    """Export the standing votes (superseded ones left out) in the interchange or the Arena format."""
    try:
        kind = VotesExportFormat.parse(format)
        engine = prepare(Settings.from_env())
        size = write_votes_export(
            engine, out, format=kind, release=release, include_gold=include_gold, real_names=real_names
        )
    except ValueError as exc:  # DemoError and ReleaseError are ValueErrors
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {out} ({size:,} bytes)")


def register(app: typer.Typer) -> None:
    app.command("export-votes")(export_votes_command)
