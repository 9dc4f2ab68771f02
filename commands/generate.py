"""``generate --events new|ID,ID --per-dimension N --generator G``: candidate questions for events.

Resumable like ``collect`` and ``judge``: only the dimensions of an event that have no candidates
yet are asked for, so a rerun after an interruption, a malformed reply or a failed request asks
for exactly what is missing. The candidates enter the verification queue (the Verify page).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import Engine

from judging.generation import MAX_PER_DIMENSION
from pipeline.bank.verification import mark_stale_candidates
from pipeline.runs.common import RunOptions
from pipeline.runs.generation_batch import (
    BatchProgress,
    BatchSummary,
    PlannedGeneration,
    plan_generation,
    run_generation_batch,
)
from pipeline.startup.bootstrap import prepare
from pipeline.startup.demo import DemoError
from pipeline.startup.settings import Settings

__all__ = ["register"]


def _engine() -> Engine:
    try:
        return prepare(Settings.from_env())
    except DemoError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _events(spec: str) -> str | list[int]:
    text = spec.strip()
    if text == "new":
        return "new"
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f"expected 'new' or event ids like 3,4, got {spec!r}") from None


def generate_command(
    events: str = typer.Option(..., "--events", help="'new' (events lacking candidates) or ids: 3,4."),
    per_dimension: int = typer.Option(
        3,
        "--per-dimension",
        min=1,
        max=MAX_PER_DIMENSION,
        help="Questions asked per event and dimension.",
    ),
    generator: str = typer.Option(..., "--generator", help="Endpoint key of the generator LLM."),
    again: bool = typer.Option(
        False, "--again", help="With ids: ask every dimension once more, even those with candidates."
    ),
    concurrency: int = typer.Option(4, help="Concurrent requests (one event at a time)."),
    timeout: float = typer.Option(120.0, help="Seconds per request."),
    retries: int = typer.Option(3, help="Attempts per request, the first included."),
) -> None:
    """Generate candidate questions from events with progress; resumable; fills the verification queue."""
    engine = _engine()
    try:
        plan = plan_generation(engine, _events(events), again=again)
    except (LookupError, ValueError) as exc:
        _refuse(exc)
    stale = mark_stale_candidates(engine)
    if stale:
        typer.echo(f"{len(stale)} candidates were not verified in time and are now stale")
    if not _announce(plan):
        return
    options = RunOptions(concurrency=concurrency, timeout_s=timeout, max_attempts=retries)
    try:
        summary = _generate_with_bar(engine, plan, generator, per_dimension, options)
    except (LookupError, ValueError) as exc:
        _refuse(exc)
    _report(summary)


def _refuse(exc: Exception) -> NoReturn:
    """Bad input: the message on stderr, exit status 2."""
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2) from None


def _announce(plan: Sequence[PlannedGeneration]) -> bool:
    """Say which named events have nothing left to ask; whether anything is left at all."""
    for item in plan:
        if not item.dimensions:
            typer.echo(
                f"event {item.event_id}: every dimension has candidates already (--again asks once more)"
            )
    if not any(p.dimensions for p in plan):
        typer.echo("nothing to generate (cli.py events list shows the events and their candidates)")
        return False
    return True


def _generate_with_bar(
    engine: Engine,
    plan: Sequence[PlannedGeneration],
    generator: str,
    per_dimension: int,
    options: RunOptions,
) -> BatchSummary:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
    ) as bar:
        task = bar.add_task(f"generate with {generator}", total=None, note="")

        def progress(p: BatchProgress) -> None:
            bar.update(
                task,
                total=p.requests,
                completed=p.answered,
                note=f"event {min(p.events_done + 1, p.events)}/{p.events} · queued {p.pending} "
                f"· malformed {p.malformed} · failed {p.failed}",
            )

        return run_generation_batch(
            engine,
            plan,
            generator=generator,
            per_dimension=per_dimension,
            options=options,
            on_progress=progress,
        )


def _report(summary: BatchSummary) -> None:
    for run in summary.runs:
        typer.echo(
            f"event {run.event_id}: {run.requests} requests, {run.pending} queued, {run.duplicates} duplicates, "
            f"{run.malformed} malformed, {run.failed} failed (run {run.run_id})"
        )
    typer.echo(
        f"{summary.pending} candidates entered the verification queue; {summary.duplicates} duplicates filtered"
    )
    if summary.failed or summary.malformed:
        typer.echo(
            f"{summary.failed} requests failed and {summary.malformed} replies were malformed; "
            "run the same command again to ask for those dimensions once more",
            err=True,
        )


def register(app: typer.Typer) -> None:
    app.command("generate")(generate_command)
