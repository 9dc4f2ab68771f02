"""The one run skeleton collect, judge and generate share, and the client factory.

``open_run`` starts a run row (``running``) and yields a ``RunLog``: the counters, failed calls,
progress saved to the row and reported to the caller. When the body returns the run ends
``finished`` (or what the body concluded with ``RunLog.conclude``); when it raises, whatever it
raised, the run ends ``failed`` with the error as its message, and the error propagates. A run is
never left ``running`` by an exception.
"""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from judging.llm import ChatClient, ChatFailure, ClientSettings, RetryPolicy, make_http_client
from judging.runs import RunKind, RunStatus
from storage.bank.releases import release_by_tag
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.runs.bookkeeping import create_run, finish_run, record_failure, update_run

__all__ = [
    "Progress",
    "ProgressFn",
    "RunCounters",
    "RunLog",
    "RunOptions",
    "chat_client",
    "finish",
    "open_run",
    "release_id",
    "start_run",
]


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


def release_id(engine: Engine, tag: str) -> int:
    """The id of the release a run works on; an unknown tag or the gold items raise
    ``ReleaseError`` (``ReleaseNotFoundError`` is also a ``LookupError``) with the known releases."""
    with read_session(engine) as session:
        release = release_by_tag(session=session, tag=tag)
    assert release.id is not None
    return release.id


def start_run(engine: Engine, *, kind: RunKind, params: dict[str, Any], total: int, actor: str) -> int:
    """A new ``running`` run row and its audit entry; the run's id."""
    kind = RunKind(kind)
    with write_session(engine) as session:
        run_id = create_run(session=session, kind=kind, params=params, total=total)
        audit(session=session, actor=actor, action=f"run.{kind.value}", detail={"run_id": run_id, **params})
    return run_id


def finish(
    engine: Engine, run_id: int, counters: RunCounters, *, status: RunStatus, message: str = ""
) -> None:
    """Save the final counters and end the run with ``status``."""
    with write_session(engine) as session:
        update_run(
            session=session,
            run_id=run_id,
            done=counters.done,
            failed=counters.failed,
            unparsed=counters.unparsed,
        )
        finish_run(session=session, run_id=run_id, status=RunStatus(status), message=message)


class RunLog:
    """An open run: its counters, its failed calls and its progress (see ``open_run``)."""

    def __init__(self, engine: Engine, run_id: int, total: int, on_progress: ProgressFn | None) -> None:
        self.engine = engine
        self.id = run_id
        self.total = total
        self.counters = RunCounters()
        self.status = RunStatus.FINISHED
        self.message = ""
        self._on_progress = on_progress

    def record_failure(
        self,
        session: Session,
        failure: ChatFailure | None,
        *,
        endpoint: str,
        question_id: int | None = None,
        battle_id: int | None = None,
        context: str = "",
        attempts: int = 0,
    ) -> None:
        """Count a call that failed after its retries and store it (``failure`` None: no reply
        arrived, after ``attempts``); ``context`` prefixes the stored message."""
        self.counters.failed += 1
        record_failure(
            session=session,
            run_id=self.id,
            endpoint=endpoint,
            question_id=question_id,
            battle_id=battle_id,
            kind=str(failure.kind) if failure else "unknown",
            message=context + (failure.message if failure else "no reply"),
            status=failure.status if failure else None,
            attempts=failure.attempts if failure else attempts,
        )

    def save(self, session: Session) -> None:
        """Write the counters to the run row (in the caller's transaction)."""
        update_run(
            session=session,
            run_id=self.id,
            done=self.counters.done,
            failed=self.counters.failed,
            unparsed=self.counters.unparsed,
        )

    def progress(self) -> Progress:
        c = self.counters
        return Progress(self.id, self.total, c.done, c.failed, c.unparsed)

    def report(self) -> None:
        """Tell the caller where the run is (after the counters are committed)."""
        if self._on_progress is not None:
            self._on_progress(self.progress())

    def conclude(self, status: RunStatus, message: str = "") -> None:
        """How the run ends if its body returns (``finished`` unless said otherwise)."""
        self.status, self.message = status, message


@asynccontextmanager
async def open_run(
    engine: Engine,
    *,
    kind: RunKind,
    params: dict[str, Any],
    total: int,
    actor: str,
    on_progress: ProgressFn | None = None,
) -> AsyncIterator[RunLog]:
    """Start a run, yield its ``RunLog``, and end it: as concluded when the body returns,
    ``failed`` with the error's class and message when it raises (the error propagates)."""
    run = RunLog(
        engine, start_run(engine, kind=kind, params=params, total=total, actor=actor), total, on_progress
    )
    try:
        yield run
    except BaseException as exc:
        finish(engine, run.id, run.counters, status=RunStatus.FAILED, message=f"{type(exc).__name__}: {exc}")
        raise
    c = run.counters
    if run.status is RunStatus.FINISHED and c.failed and not c.done and not c.unparsed:
        # nothing came back: a run whose every call failed has not finished its work
        run.conclude(RunStatus.FAILED, "every request failed; see the recorded failures")
    finish(engine, run.id, run.counters, status=run.status, message=run.message)
