"""Endpoints, answer collection and LLM-judge runs from the command line."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import NoReturn, TypeVar

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import Engine

from judging.llm import ChatClient, RegistryError
from judging.runs import RunKind
from judging.scheduling import ConvergenceRule, StopReason
from pipeline.runs.collect import CollectSummary, collect, resolve_models
from pipeline.runs.common import DEFAULT_LEASE_TTL_S, ProgressFn, RunOptions, chat_client
from pipeline.runs.common import Progress as RunProgress
from pipeline.runs.judge import JudgeSummary, run_judge
from pipeline.runs.registry import endpoint_list, import_registry
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings

__all__ = ["register"]

T = TypeVar("T")


def _engine() -> Engine:
    return prepare(Settings.from_env())


def _refuse(exc: Exception) -> NoReturn:
    """Bad input: the message on stderr, exit status 2."""
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2) from None


def _options(concurrency: int, rps: float, timeout: float, retries: int) -> RunOptions:
    return RunOptions(
        concurrency=concurrency, requests_per_second=rps or None, timeout_s=timeout, max_attempts=retries
    )


async def _with_bar(
    description: str,
    options: RunOptions,
    note: Callable[[RunProgress], str],
    start: Callable[[ChatClient, ProgressFn], Awaitable[T]],
) -> T:
    """Run ``start`` with its own client and a progress bar fed by the run's progress."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
    ) as bar:
        task = bar.add_task(description, total=None, note="")

        def progress(p: RunProgress) -> None:
            bar.update(task, total=p.total, completed=p.done + p.failed + p.unparsed, note=note(p))

        async with chat_client(options) as client:
            return await start(client, progress)


def endpoints_import(path: Path) -> None:
    """Import a registry file (YAML or TOML): `models:` records and an optional `judges:` key list."""
    try:
        keys = import_registry(_engine(), path)
    except RegistryError as exc:
        _refuse(exc)
    typer.echo(f"imported {len(keys)} endpoints: {', '.join(keys)}")


def endpoints_list() -> None:
    """The registered endpoints, switched-off ones marked (API keys are referenced by variable name,
    never shown)."""
    for info in endpoint_list(_engine()):
        c = info.config
        typer.echo(
            f"{c.key:<24} {info.role:<6} {c.base_url:<36} model={c.model} key_env={c.api_key_env or '-'}"
            + ("" if info.enabled else " (switched off)")
        )


def collect_command(
    release: str = typer.Option(..., "--release", help="Release tag, e.g. v261201."),
    models_spec: str = typer.Option("all", "--models", help="Comma-separated endpoint keys, or 'all'."),
    concurrency: int = typer.Option(16, help="Concurrent requests."),
    rps: float = typer.Option(0.0, help="Requests per second (0: no limit beyond concurrency)."),
    timeout: float = typer.Option(120.0, help="Seconds per request."),
    retries: int = typer.Option(5, help="Attempts per request, the first included."),
    lease_ttl: float = typer.Option(
        DEFAULT_LEASE_TTL_S,
        "--lease-ttl",
        help="Seconds a crashed process's items stay leased (docs/scale-out.md).",
    ),
) -> None:
    """Fetch every missing answer (idempotent; a rerun after a crash asks only for what is missing).
    A second collect of the same release and models, or `worker`, joins the run and splits the items."""
    engine = _engine()
    try:
        keys = resolve_models(engine, models_spec)
        _positive("--lease-ttl", lease_ttl)
    except (LookupError, ValueError) as exc:
        _refuse(exc)

    async def start(client: ChatClient, progress: ProgressFn) -> CollectSummary:
        return await collect(
            engine, client, release=release, models=keys, on_progress=progress, lease_ttl_s=lease_ttl
        )

    bar = _with_bar(f"collect {release}", _options(concurrency, rps, timeout, retries), _collect_note, start)
    try:
        summary = asyncio.run(bar)
    except LookupError as exc:
        _refuse(exc)
    _report_collect(summary)


def _positive(option: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{option} must be a positive number of seconds, got {value!r}")


def worker_command(
    once: bool = typer.Option(False, "--once", help="Work the runs open now, then stop."),
    idle_exit: float | None = typer.Option(
        None, "--idle-exit", help="Stop after this many seconds without an open run (default: never)."
    ),
    poll: float = typer.Option(2.0, "--poll", help="Seconds between looks for open runs."),
    concurrency: int = typer.Option(16, help="Concurrent requests of this worker."),
    rps: float = typer.Option(0.0, help="Requests per second (0: no limit beyond concurrency)."),
    timeout: float = typer.Option(120.0, help="Seconds per request."),
    retries: int = typer.Option(5, help="Attempts per request, the first included."),
    lease_ttl: float = typer.Option(
        DEFAULT_LEASE_TTL_S, "--lease-ttl", help="Seconds a crashed worker's items stay leased."
    ),
) -> None:
    """Join the open collect and judge runs in the database and work their items until none is left; run
    one per machine against one PostgreSQL to scale out (docs/scale-out.md)."""
    from pipeline.runs.worker import WorkerOptions, WorkerReport, work

    try:
        _positive("--lease-ttl", lease_ttl)
        _positive("--poll", poll)
        options = WorkerOptions(once=once, idle_exit_s=idle_exit, poll_s=poll, lease_ttl_s=lease_ttl)
    except ValueError as exc:
        _refuse(exc)
    engine = _engine()

    def said(report: WorkerReport) -> None:
        typer.echo(json.dumps({**report.__dict__, "kind": report.kind.value}))

    async def main() -> list[WorkerReport]:
        async with chat_client(_options(concurrency, rps, timeout, retries)) as client:
            return await work(engine, client, options, on_report=said)

    reports = asyncio.run(main())
    typer.echo(f"worker: joined {len(reports)} runs, {sum(r.stored for r in reports)} rows written", err=True)


def runs_command(
    limit: int = typer.Option(20, help="How many of the latest runs."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines."),
) -> None:
    """The latest runs and their status; a run whose processes stopped showing signs of life is
    ended `failed` first (never `running` forever)."""
    from pipeline.runs.overview import recent_runs

    for run in recent_runs(_engine(), limit=limit):
        row = {
            "id": run.id,
            "kind": run.kind.value,
            "status": run.status.value,
            "total": run.total,
            "done": run.done,
            "failed": run.failed,
            "unparsed": run.unparsed,
            "message": run.message,
        }
        tags = ""
        if run.kind is RunKind.JUDGE:  # its verdicts kept without usable harm tags
            row |= {"tags_missing": run.tags_missing, "tags_invalid": run.tags_invalid}
            tags = f" tags missing {run.tags_missing} invalid {run.tags_invalid}"
        if as_json:
            typer.echo(json.dumps(row, ensure_ascii=False))
        else:
            typer.echo(
                f"#{run.id:<5} {run.kind.value:<8} {run.status.value:<9} done {run.done}/{run.total}"
                f" failed {run.failed} unparsed {run.unparsed}{tags} {run.message}".rstrip()
            )


def _collect_note(p: RunProgress) -> str:
    return f"failed {p.failed}"


def _report_collect(summary: CollectSummary) -> None:
    typer.echo(json.dumps(summary.__dict__))
    if summary.failed:
        typer.echo(
            f"{summary.failed} requests failed after retries; they are recorded in run {summary.run_id} and a rerun retries them",
            err=True,
        )
    if summary.requested and not summary.stored:
        typer.echo(f"error: every request failed (run {summary.run_id}); nothing was stored", err=True)
        raise typer.Exit(1)


def _convergence_rule(
    budget: int, every: int | None, min_per_pair: int | None, patience: int | None
) -> ConvergenceRule:
    """The rule of ``--until-converged``: the options given over the rule's defaults."""
    rule = ConvergenceRule(budget, every=every)
    if patience is not None:
        rule = replace(rule, patience=patience)
    if min_per_pair is not None:
        rule = replace(rule, min_per_pair=min_per_pair)
    return rule


def judge_command(
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
    lease_ttl: float = typer.Option(
        DEFAULT_LEASE_TTL_S,
        "--lease-ttl",
        help="Seconds a crashed process's battles stay leased (docs/scale-out.md).",
    ),
) -> None:
    """Judge battles in both orders; verdicts are stored as votes with source 'judge'.
    A second judge of the same release and settings joins the run and splits the battles."""
    try:
        rule = _convergence_rule(budget, check_every, min_per_pair, patience) if until_converged else None
        _positive("--lease-ttl", lease_ttl)
    except ValueError as exc:
        _refuse(exc)
    engine = _engine()

    async def start(client: ChatClient, progress: ProgressFn) -> JudgeSummary:
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
            lease_ttl_s=lease_ttl,
        )

    bar = _with_bar(
        f"judge {release} with {judge}", _options(concurrency, rps, timeout, retries), _judge_note, start
    )
    try:
        summary = asyncio.run(bar)
    except (LookupError, ValueError) as exc:
        _refuse(exc)
    _report_judge(summary)


def _judge_note(p: RunProgress) -> str:
    return f"unparsed {p.unparsed} failed {p.failed}"


def _report_judge(summary: JudgeSummary) -> None:
    typer.echo(json.dumps({**summary.__dict__, "saved": summary.saved}))
    if summary.stopped is StopReason.STABLE_RANKS:
        typer.echo(
            f"converged: stopped after {summary.battles} comparisons (battles); "
            f"budget {summary.budget}; saved {summary.saved}"
        )
    elif summary.stopped is StopReason.BUDGET:
        typer.echo(f"not converged within the budget of {summary.budget} comparisons (battles)")
    if summary.tags_missing or summary.tags_invalid:
        typer.echo(
            f"harm tags: {summary.tags_missing} verdicts without tag lines, {summary.tags_invalid} "
            "with malformed tag lines; their verdicts count, no tags were recorded for them"
        )
    if summary.requested and not summary.votes and (summary.failed or summary.unparsed):
        typer.echo(
            f"error: every judge call failed or was unparsed (run {summary.run_id}); no vote was stored",
            err=True,
        )
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    endpoints = typer.Typer(help="OpenAI-compatible endpoints: models to evaluate and LLM judges.")
    endpoints.command("import")(endpoints_import)
    endpoints.command("list")(endpoints_list)
    app.add_typer(endpoints, name="endpoints")
    app.command("collect")(collect_command)
    app.command("judge")(judge_command)
    app.command("worker")(worker_command)
    app.command("runs")(runs_command)
