"""Start collection and judge runs in a background thread (for the admin Runs page).

Progress lives in the ``run`` table, so any page (or another app replica) can show it. A second
start of a collect or judge run that is already running (same parameters, a live heartbeat) is
refused with the running run's id; two starts at the same instant (two admins, two replicas)
still make one run, since the run itself joins the running one (``docs/scale-out.md``).
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from sqlalchemy.engine import Engine

from judging.runs import RunKind
from pipeline.runs.collect import collect, collect_params
from pipeline.runs.common import RunOptions, chat_client
from pipeline.runs.judge import judge_params, run_judge
from pipeline.runs.overview import running_run

__all__ = ["launch_collect", "launch_judge"]

log = logging.getLogger(__name__)


def _thread(name: str, coro_factory: Callable[[], Coroutine[Any, Any, None]]) -> threading.Thread:
    def target() -> None:
        try:
            asyncio.run(coro_factory())
        except Exception:  # the run itself is marked failed in the database; keep the app alive
            log.exception("%s failed", name)

    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def launch_collect(
    engine: Engine, *, release: str, models: Sequence[str], options: RunOptions, actor: str
) -> int | None:
    """Start the collect in a background thread and return None; or, when the same collect is
    already running, start nothing and return that run's id."""
    running = running_run(engine, kind=RunKind.COLLECT, params=collect_params(release, models))
    if running is not None:
        return running

    async def main() -> None:
        async with chat_client(options) as client:
            await collect(engine, client, release=release, models=list(models), actor=actor)

    _thread(f"collect-{release}", main)
    return None


def launch_judge(
    engine: Engine,
    *,
    release: str,
    judge: str,
    strategy: str,
    budget: int,
    options: RunOptions,
    actor: str,
    seed: int,
) -> int | None:
    """Start the judge run in a background thread and return None; or, when the same judge run
    is already running, start nothing and return that run's id."""
    params = judge_params(release, judge, strategy, budget, until_converged=None)
    running = running_run(engine, kind=RunKind.JUDGE, params=params)
    if running is not None:
        return running

    async def main() -> None:
        async with chat_client(options) as client:
            await run_judge(
                engine,
                client,
                release=release,
                judge=judge,
                strategy=strategy,
                budget=budget,
                rng=random.Random(seed),
                actor=actor,
            )

    _thread(f"judge-{release}-{judge}", main)
    return None
