"""``report --release R [--out DIR] [--livesecbench OUT [--force]]``: the release report as
Markdown, CSV and JSON files, and LiveSecBench's result files of a published release.

Exit status 2 when the release is unknown (or a draft, for ``--livesecbench``), OUT exists and is
not empty (without ``--force``) or an option is invalid; nothing is written then.
"""

from __future__ import annotations

from pathlib import Path

import typer

from pipeline.publish.livesecbench import build_results
from pipeline.publish.livesecbench_files import check_target, result_files, write_results
from pipeline.publish.report import build_report
from pipeline.publish.report_files import write_report
from pipeline.publish.report_types import ReportOptions
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings

__all__ = ["register"]


def report_command(
    release: str = typer.Option(..., "--release", help="Release tag (published or draft)."),
    out: Path | None = typer.Option(
        None, "--out", help="Directory for the report files (created if needed; default: reports)."
    ),
    livesecbench: Path | None = typer.Option(
        None,
        "--livesecbench",
        help="Also (or, without --out, only) write LiveSecBench's result files of a published release "
        "into this directory: absent or empty (or --force).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace the content of a non-empty --livesecbench OUT."
    ),
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
    release, judge–human agreement, counts and each model's rating per release; with
    --livesecbench, LiveSecBench's result files (models.csv, stats.csv, Elo history/raw CSVs,
    pk_details.xlsx, summary_report.md)."""
    try:
        options = ReportOptions(
            intervals="bootstrap" if bootstrap else "sandwich",
            bootstrap_rounds=max(bootstrap, 2),
            min_votes=min_votes,
            seed=seed,
        )
        if livesecbench is not None:
            check_target(livesecbench, force=force)
        engine = prepare(Settings.from_env())
        report = (
            None
            if out is None and livesecbench is not None
            else build_report(engine, release, previous=against, options=options)
        )
        results = (
            None
            if livesecbench is None
            else build_results(engine, release, previous=against, options=options)
        )
        written = [] if report is None else write_report(report, out or Path("reports"))
        if results is not None and livesecbench is not None:
            files = write_results(result_files(results), livesecbench, force=force)
            if not results.models:
                typer.echo(f"note: release {release} has no votes yet; the result files say so", err=True)
            typer.echo(f"wrote {len(files)} LiveSecBench result files into {livesecbench}")
    except (ValueError, OSError) as exc:  # DemoError, ReleaseError, LiveSecBenchError are ValueErrors
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for path in written:
        typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
