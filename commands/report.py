"""``report --release R [--out DIR]``: the release report as Markdown, CSV and JSON files.

Exit status 2 when the release is unknown or an option is invalid; nothing is written then.
"""

from __future__ import annotations

from pathlib import Path

import typer

from pipeline.publish.report import build_report
from pipeline.publish.report_files import write_report
from pipeline.publish.report_types import ReportOptions
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings

__all__ = ["register"]


def report_command(
    release: str = typer.Option(..., "--release", help="Release tag (published or draft)."),
    out: Path = typer.Option(Path("reports"), "--out", help="Directory for the files (created if needed)."),
    against: str | None = typer.Option(
        None, "--against", help="Release to compare ranks with (default: its parent, else the previous one)."
    ),
    min_votes: int = typer.Option(10, "--min-votes", min=0, help="Below this a model is provisional."),
    bootstrap: int = typer.Option(
        0,
        "--bootstrap",
        min=0,
        help="Bootstrap rounds for the rating intervals (0: fast sandwich intervals).",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap resampling."),
) -> None:
    """Per-dimension Bradley–Terry leaderboards with intervals, rank changes against the previous
    release, judge–human agreement, counts and each model's rating per release."""
    try:
        options = ReportOptions(
            intervals="bootstrap" if bootstrap else "sandwich",
            bootstrap_rounds=max(bootstrap, 2),
            min_votes=min_votes,
            seed=seed,
        )
        engine = prepare(Settings.from_env())
        report = build_report(engine, release, previous=against, options=options)
    except ValueError as exc:  # DemoError and ReleaseError are ValueErrors
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for path in write_report(report, out):
        typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
