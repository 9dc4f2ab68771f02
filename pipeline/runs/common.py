"""What collection and judge runs share: run bookkeeping, batched commits, the client factory."""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from judging.llm import ChatClient, ClientSettings, RetryPolicy, make_http_client
from storage.db.session import write_session
from storage.people.audit import audit
from storage.runs.bookkeeping import create_run, finish_run, update_run

__all__ = ["Progress", "ProgressFn", "RunCounters", "RunOptions", "chat_client", "finish", "start_run"]


@dataclass(frozen=True)
class Progress:
    run_id: int
    total: int
    done: int
    failed: int
    unparsed: int = 0


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class RunOptions:
    """Client limits for a run (one client per run: rate limits are per provider)."""

    concurrency: int = 16
    requests_per_second: float | None = None  # None: bounded by concurrency only
    timeout_s: float = 120.0
    max_attempts: int = 5
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0


@dataclass
class RunCounters:
    done: int = 0
    failed: int = 0
    unparsed: int = 0


@asynccontextmanager
async def chat_client(
    options: RunOptions, *, rng: random.Random | None = None, environ: Mapping[str, str] | None = None
) -> AsyncIterator[ChatClient]:
    settings = ClientSettings(
        max_concurrency=options.concurrency,
        requests_per_second=options.requests_per_second,
        timeout_s=options.timeout_s,
        retry=RetryPolicy(
            max_attempts=options.max_attempts,
            backoff_base_s=options.backoff_base_s,
            backoff_max_s=options.backoff_max_s,
        ),
    )
    async with make_http_client(options.concurrency) as http:
        yield ChatClient(http, settings, rng=rng or random.Random(), environ=dict(environ or os.environ))


def start_run(engine: Engine, *, kind: str, params: dict[str, Any], total: int, actor: str) -> int:
    with write_session(engine) as session:
        run_id = create_run(session=session, kind=kind, params=params, total=total)
        audit(session=session, actor=actor, action=f"run.{kind}", detail={"run_id": run_id, **params})
    return run_id


def finish(engine: Engine, run_id: int, counters: RunCounters, *, status: str, message: str = "") -> None:
    with write_session(engine) as session:
        update_run(
            session=session,
            run_id=run_id,
            done=counters.done,
            failed=counters.failed,
            unparsed=counters.unparsed,
        )
        finish_run(session=session, run_id=run_id, status=status, message=message)
