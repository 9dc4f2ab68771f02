"""Endpoints, answer collection and LLM-judge runs from the command line."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from judging.llm import RegistryError
from judging.scheduling import ConvergenceRule, StopReason
from pipeline.runs.collect import collect, resolve_models
from pipeline.runs.common import Progress as RunProgress
from pipeline.runs.common import RunOptions, chat_client
from pipeline.runs.judge import run_judge
from pipeline.runs.registry import endpoint_configs, endpoint_roles, import_registry
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings


def _engine():
    return prepare(Settings.from_env())


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
    )


def register(app: typer.Typer) -> None:
    models = typer.Typer(help="OpenAI-compatible endpoints: models to evaluate and LLM judges.")
    app.add_typer(models, name="endpoints")

    @models.command("import")
    def endpoints_import(path: Path) -> None:
        """Import a registry file (YAML or TOML): `models:` records and an optional `judges:` key list."""
        try:
            keys = import_registry(_engine(), path)
        except RegistryError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"imported {len(keys)} endpoints: {', '.join(keys)}")

    @models.command("list")
    def endpoints_list() -> None:
        """The registered endpoints (API keys are referenced by variable name, never shown)."""
        engine = _engine()
        roles = endpoint_roles(engine)
        for key, c in endpoint_configs(engine).items():
            typer.echo(
                f"{key:<24} {roles[key]:<6} {c.base_url:<36} model={c.model} key_env={c.api_key_env or '-'}"
            )

    @app.command("collect")
    def collect_cmd(
        release: str = typer.Option(..., "--release", help="Release tag, e.g. v261201."),
        models_spec: str = typer.Option("all", "--models", help="Comma-separated endpoint keys, or 'all'."),
        concurrency: int = typer.Option(16, help="Concurrent requests."),
        rps: float = typer.Option(0.0, help="Requests per second (0: no limit beyond concurrency)."),
        timeout: float = typer.Option(120.0, help="Seconds per request."),
        retries: int = typer.Option(5, help="Attempts per request, the first included."),
    ) -> None:
        """Fetch every missing answer (idempotent; a rerun after a crash asks only for what is missing)."""
        engine = _engine()
        try:
            keys = resolve_models(engine, models_spec)
        except (LookupError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        options = RunOptions(
            concurrency=concurrency, requests_per_second=rps or None, timeout_s=timeout, max_attempts=retries
        )

        async def main():
            with _bar() as bar:
                task = bar.add_task(f"collect {release}", total=None, note="")

                def progress(p: RunProgress) -> None:
                    bar.update(task, total=p.total, completed=p.done + p.failed, note=f"failed {p.failed}")

                async with chat_client(options) as client:
                    return await collect(engine, client, release=release, models=keys, on_progress=progress)

        try:
            summary = asyncio.run(main())
        except LookupError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(json.dumps(summary.__dict__))
        if summary.failed:
            typer.echo(
                f"{summary.failed} requests failed after retries; they are recorded in run {summary.run_id} and a rerun retries them",
                err=True,
            )
        if summary.requested and not summary.stored:
            typer.echo(f"error: every request failed (run {summary.run_id}); nothing was stored", err=True)
            raise typer.Exit(1)

    @app.command("judge")
    def judge_cmd(
        release: str = typer.Option(..., "--release", help="Release tag."),
        judge: str = typer.Option(
            ..., "--judge", help="Endpoint key of the judge; a comma-separated list forms a panel."
        ),
        strategy: str = typer.Option("random", help="active | swiss | round_robin | random"),
        budget: int = typer.Option(100, help="Battles this judge should have judged in the release."),
        seed: int = typer.Option(0, help="Seed of the scheduler's random choices."),
        concurrency: int = typer.Option(16),
        rps: float = typer.Option(0.0),
        timeout: float = typer.Option(120.0),
        retries: int = typer.Option(5),
        parse_attempts: int = typer.Option(3, help="Re-asks when a reply has no strict verdict marker."),
        until_converged: bool = typer.Option(
            False,
            "--until-converged",
            help="Stop before the budget once the judge's ranking has settled (docs/scheduling.md).",
        ),
        check_every: int | None = typer.Option(
            None, help="With --until-converged: battles between checks (default: five per model)."
        ),
        min_per_pair: int | None = typer.Option(
            None, help="With --until-converged: verdicts each pair of rank neighbours needs (default 10)."
        ),
        patience: int | None = typer.Option(
            None, help="With --until-converged: checks the rank ranges must hold still over (default 3)."
        ),
    ) -> None:
        """Judge battles in both orders; verdicts are stored as votes with source 'judge'."""
        given = {"every": check_every, "min_per_pair": min_per_pair, "patience": patience}
        try:
            rule = (
                ConvergenceRule(budget, **{k: v for k, v in given.items() if v is not None})  # type: ignore[arg-type]
                if until_converged
                else None
            )
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        engine = _engine()
        options = RunOptions(
            concurrency=concurrency, requests_per_second=rps or None, timeout_s=timeout, max_attempts=retries
        )

        async def main():
            with _bar() as bar:
                task = bar.add_task(f"judge {release} with {judge}", total=None, note="")

                def progress(p: RunProgress) -> None:
                    bar.update(
                        task,
                        total=p.total,
                        completed=p.done + p.failed + p.unparsed,
                        note=f"unparsed {p.unparsed} failed {p.failed}",
                    )

                async with chat_client(options) as client:
                    return await run_judge(
                        engine,
                        client,
                        release=release,
                        judge=judge,
                        strategy=strategy,
                        budget=budget,
                        rng=random.Random(seed),
                        max_parse_attempts=parse_attempts,
                        on_progress=progress,
                        until_converged=rule,
                    )

        try:
            summary = asyncio.run(main())
        except (LookupError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(json.dumps({**summary.__dict__, "saved": summary.saved}))
        if summary.stopped is StopReason.STABLE_RANKS:
            typer.echo(
                f"converged: stopped after {summary.battles} comparisons (battles); "
                f"budget {summary.budget}; saved {summary.saved}"
            )
        elif summary.stopped is StopReason.BUDGET:
            typer.echo(f"not converged within the budget of {summary.budget} comparisons (battles)")
        if summary.requested and not summary.votes and (summary.failed or summary.unparsed):
            typer.echo(
                f"error: every judge call failed or was unparsed (run {summary.run_id}); no vote was stored",
                err=True,
            )
            raise typer.Exit(1)
