"""``site --release vYYMMDD OUT/``: the static site of a published release (docs/site.md).

Exit status 2, with nothing written, for an unknown or draft release, an OUT that exists and is not
empty (unless ``--force``), a bad model metadata file or an invalid option.
"""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["register"]


def site_command(
    out: Path = typer.Argument(..., help="Directory for the site: absent or empty (or --force)."),
    release: str = typer.Option(
        ..., "--release", help="Published release tag (vYYMMDD); drafts are refused."
    ),
    models: Path | None = typer.Option(
        None,
        "--models",
        help="Model metadata file (YAML, TOML or JSON): organisation, open_weights, release_date, provider, url.",
    ),
    force: bool = typer.Option(False, "--force", help="Replace the content of a non-empty OUT."),
    min_votes: int = typer.Option(10, "--min-votes", min=0, help="Below this a model is provisional."),
    bootstrap: int = typer.Option(
        0,
        "--bootstrap",
        min=0,
        help="Bootstrap rounds for the rating intervals (0: fast sandwich intervals).",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap resampling."),
) -> None:
    """A self-contained static site of a published release: leaderboards with intervals, charts,
    model cards, questions and diff, methodology with calibration, history and downloads (report
    files, anonymised battles, LiveSecBench result files) in Chinese and English."""
    from pipeline.publish.report_types import ReportOptions
    from pipeline.publish.site import (
        build_site,
        check_target,
        read_model_metadata,
        render_site,
        write_site,
    )
    from pipeline.startup.bootstrap import prepare
    from pipeline.startup.settings import Settings

    try:
        check_target(out, force=force)
        metadata = read_model_metadata(models) if models is not None else None
        options = ReportOptions(
            intervals="bootstrap" if bootstrap else "sandwich",
            bootstrap_rounds=max(bootstrap, 2),
            min_votes=min_votes,
            seed=seed,
        )
        engine = prepare(Settings.from_env())
        content = build_site(engine, release, metadata=metadata, options=options)
        paths = write_site(render_site(content), out, force=force)
    except (ValueError, OSError) as exc:  # DemoError, ReleaseError and SiteError are ValueErrors
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if not content.report.counts.votes:
        typer.echo(f"note: release {release} has no votes yet; the site says so", err=True)
    typer.echo(f"wrote {len(paths)} files into {out} (open {out / 'index.html'})")


def register(app: typer.Typer) -> None:
    app.command("site")(site_command)
