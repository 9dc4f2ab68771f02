"""A worker: joins the open runs in the database and works their leased items until none is left.

Collect and judge runs are joined (their items — answers, battles — are leased).
``cli.py worker`` runs one per process, on as many machines as share the database (PostgreSQL;
``docs/scale-out.md``). Each round it ends the stale runs, lists the ``running`` runs it can work
on, and joins each through the same code path a second ``collect`` takes (``open_run(join=True)``
and work leases), so workers and the process that started the run split the items with no call
made twice. ``once`` stops after one round; ``idle_exit_s`` stops once no run has been open for
that long; otherwise it polls every ``poll_s`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from judging.llm import ChatClient
from judging.runs import RunKind, RunStatus
from pipeline.runs.collect import CollectSummary, collect
from pipeline.runs.judge import convergence_rule_of, run_judge
from pipeline.runs.overview import recent_runs
from storage.runs.bookkeeping import RunRow
from storage.runs.leases import DEFAULT_LEASE_TTL_S

__all__ = ["WorkerOptions", "WorkerReport", "open_runs", "work"]


@dataclass(frozen=True)
class WorkerOptions:
    once: bool = False  # one round over the open runs, then stop
    idle_exit_s: float | None = None  # stop after this long without an open run (None: never)
    poll_s: float = 2.0  # seconds between rounds when there is nothing to do
    lease_ttl_s: float = DEFAULT_LEASE_TTL_S

    def __post_init__(self) -> None:
        if not self.poll_s > 0 or not self.lease_ttl_s > 0:
            raise ValueError(f"WorkerOptions: poll_s and lease_ttl_s must be positive, got {self!r}")
        if self.idle_exit_s is not None and self.idle_exit_s < 0:
            raise ValueError(f"WorkerOptions: idle_exit_s must be >= 0, got {self.idle_exit_s!r}")


@dataclass(frozen=True)
class WorkerReport:
    """One run this worker joined: how many calls it made and rows it wrote there."""

    run_id: int
    kind: RunKind
    requested: int
    stored: int
    failed: int


log = logging.getLogger(__name__)

WORKABLE = (RunKind.COLLECT, RunKind.JUDGE)  # the kinds whose items are leased


def open_runs(engine: Engine, limit: int = 200) -> list[RunRow]:
    """The running runs a worker can join, oldest first (stale runs ended first)."""
    runs = [
        r for r in recent_runs(engine, limit=limit) if r.status is RunStatus.RUNNING and r.kind in WORKABLE
    ]
    return sorted(runs, key=lambda r: r.id)


async def _join(
    engine: Engine, client: ChatClient, run: RunRow, options: WorkerOptions, actor: str
) -> WorkerReport:
    """Work one open run through its kind's own entry point (which joins it)."""
    params = run.params
    if run.kind is RunKind.JUDGE:
        # the same parameters (the convergence rule's settings included), so run_judge joins this run
        judged = await run_judge(
            engine,
            client,
            release=str(params["release"]),
            judge=str(params["judge"]),
            strategy=str(params["strategy"]),
            budget=int(params["budget"]),
            rng=random.Random(),
            actor=actor,
            until_converged=convergence_rule_of(params),
            lease_ttl_s=options.lease_ttl_s,
        )
        return WorkerReport(judged.run_id, run.kind, judged.requested, judged.votes, judged.failed)
    summary: CollectSummary = await collect(
        engine,
        client,
        release=str(params["release"]),
        models=[str(m) for m in params["models"]],
        actor=actor,
        lease_ttl_s=options.lease_ttl_s,
    )
    return WorkerReport(summary.run_id, run.kind, summary.requested, summary.stored, summary.failed)


async def work(
    engine: Engine,
    client: ChatClient,
    options: WorkerOptions,
    *,
    actor: str = "worker",
    on_report: Callable[[WorkerReport], None] | None = None,
) -> list[WorkerReport]:
    """Join open runs round after round until told to stop (see the module docstring)."""
    reports: list[WorkerReport] = []
    refused: set[int] = set()  # runs this worker cannot work (an endpoint it does not know)
    idle_since = time.monotonic()
    while True:
        runs = [r for r in await asyncio.to_thread(open_runs, engine) if r.id not in refused]
        asked = 0
        for run in runs:
            try:
                report = await _join(engine, client, run, options, actor)
            except (LookupError, ValueError, KeyError) as exc:
                log.warning("worker: cannot work run %s: %s", run.id, exc)
                refused.add(run.id)
                continue
            reports.append(report)
            asked += report.requested
            if on_report is not None:
                on_report(report)
        if options.once:
            return reports
        now = time.monotonic()
        if runs:
            idle_since = now
        elif options.idle_exit_s is not None and now - idle_since >= options.idle_exit_s:
            return reports
        if not asked:  # nothing open, or only runs whose last items others hold: wait a little
            await asyncio.sleep(options.poll_s)
