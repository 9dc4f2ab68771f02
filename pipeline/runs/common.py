"""The one run skeleton collect, judge and generate share, and the client factory.

``open_run`` starts a run row (``running``) and yields a ``RunLog``: the counters, failed calls,
progress saved to the row and reported to the caller. When the body returns the run ends
``finished`` (or what the body concluded with ``RunLog.conclude``); when it raises, whatever it
raised, the run ends ``failed`` with the error as its message, and the error propagates. A run is
never left ``running`` by an exception.

Shared runs (``docs/scale-out.md``): with ``join=True`` a start finds a ``running`` run of the
same kind and parameters and joins it instead of starting a second one (``RunLog.joined``).
Each process is a lease holder (``RunLog.holder``, ``host:pid:random``) that claims its work
items with ``storage.runs.leases`` and ``RunLog.lease_ttl_s``; while the run is open a thread
stamps the run's heartbeat and renews the holder's leases every ``lease_ttl_s / 3``. Counters
are added to the row (``RunLog.save`` adds what this process wrote since its last committed
save), so the row counts every row written by every process. When a body raises while another
holder still works on the run, this process only gives its leases back and leaves the run to the
others. Any start first ends ``failed`` the runs nobody has shown a sign of life for within their
lease time (``storage.runs.leases.fail_stale_runs``): a killed worker never leaves a run
``running`` forever.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from judging.llm import ChatClient, ChatFailure, ClientSettings, RetryPolicy, make_http_client
from judging.runs import RunKind, RunStatus
from storage.bank.releases import release_by_tag
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.runs.bookkeeping import (
    add_to_run,
    create_run,
    finish_run,
    record_failure,
    running_like,
    update_run,
)
from storage.runs.leases import (
    DEFAULT_LEASE_TTL_S,
    fail_stale_runs,
    heartbeat,
    live_holders,
    others_working,
    release,
    renew,
)

__all__ = [
    "DEFAULT_LEASE_TTL_S",
    "Progress",
    "ProgressFn",
    "RunCounters",
    "RunLog",
    "RunOptions",
    "chat_client",
    "finish",
    "new_holder",
    "open_run",
    "release_dead_here",
    "release_id",
    "start_run",
]


log = logging.getLogger(__name__)


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


def new_holder() -> str:
    """A lease holder's name: this host, this process, and a random part (one per run opened)."""
    return f"{socket.gethostname()[:120]}:{os.getpid()}:{secrets.token_hex(4)}"


def _dead_here(holder: str) -> bool:
    """Whether ``holder`` (``host:pid:random``) is a process of this host that no longer runs."""
    parts = holder.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname()[:120] or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:  # someone else's live process
        return False
    return False


def release_dead_here(engine: Engine, *, scope: str) -> list[str]:
    """Give back at once the leases in ``scope`` of processes on this host that are gone (killed):
    a rerun on the same machine need not wait for their leases to expire. Holders on other hosts
    are left to their lease time. The holders released."""
    with read_session(engine) as session:
        dead = [h for h in live_holders(session, scope=scope) if _dead_here(h)]
    if dead:
        with write_session(engine) as session:
            for holder in dead:
                release(session, holder=holder, scope=scope)
    return dead


def start_run(engine: Engine, *, kind: RunKind, params: dict[str, Any], total: int, actor: str) -> int:
    """A new ``running`` run row and its audit entry; the run's id."""
    return _start_or_join(engine, kind=kind, params=params, total=total, actor=actor, join=False)[0]


def _start_or_join(
    engine: Engine, *, kind: RunKind, params: dict[str, Any], total: int, actor: str, join: bool
) -> tuple[int, bool]:
    """End the stale runs, then join a running run doing the same work (``join``) or start one;
    (run id, joined)."""
    kind = RunKind(kind)
    with write_session(engine) as session:
        fail_stale_runs(session)
        run_id = running_like(session=session, kind=kind, params=params) if join else None
        joined = run_id is not None
        if run_id is None:
            run_id = create_run(session=session, kind=kind, params=params, total=total)
        detail: dict[str, object] = {"run_id": run_id, **params, **({"joined": True} if joined else {})}
        audit(session=session, actor=actor, action=f"run.{kind.value}", detail=detail)
        heartbeat(session, run_id=run_id)
    return run_id, joined


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

    def __init__(
        self,
        engine: Engine,
        run_id: int,
        total: int,
        on_progress: ProgressFn | None,
        *,
        joined: bool = False,
        lease_ttl_s: float = DEFAULT_LEASE_TTL_S,
    ) -> None:
        self.engine = engine
        self.id = run_id
        self.total = total
        self.counters = RunCounters()
        self.status = RunStatus.FINISHED
        self.message = ""
        self.joined = joined  # another process started this run; this one joined it
        self.holder = new_holder()  # this process's name on its leases
        self.lease_ttl_s = lease_ttl_s
        self._saved = RunCounters()  # what committed saves have added to the row
        self._pending: dict[int, RunCounters] = {}  # saves of a transaction not yet committed
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
        """Add to the run row what the counters gained since the last save (in the caller's
        transaction). Saves count as made once their transaction commits: after a rollback the
        next save adds the same gain again; several saves in one transaction add each gain once.
        One writing transaction at a time (the writers of collect and judge are)."""
        now = replace(self.counters)
        base = self._pending.get(id(session), self._saved)
        add_to_run(
            session=session,
            run_id=self.id,
            done=now.done - base.done,
            failed=now.failed - base.failed,
            unparsed=now.unparsed - base.unparsed,
        )
        if id(session) not in self._pending:
            event.listen(session, "after_commit", self._committed)
            event.listen(session, "after_rollback", self._rolled_back)
        self._pending[id(session)] = now

    def _committed(self, session: Session) -> None:
        self._saved = self._pending.pop(id(session), self._saved)

    def _rolled_back(self, session: Session) -> None:
        self._pending.pop(id(session), None)

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


class _Heartbeat:
    """A thread that stamps the run's heartbeat and renews the holder's leases every
    ``lease_ttl_s / 3`` while the run is open (a thread: a busy event loop does not stop it)."""

    def __init__(self, run: RunLog) -> None:
        self.run = run
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-run-{run.id}", daemon=True)

    def _beat(self) -> None:
        run = self.run
        while not self.stopped.wait(run.lease_ttl_s / 3):
            try:
                # two transactions: the renewal never waits (SKIP LOCKED); the heartbeat then takes
                # only the run row, so neither holds a lock the writer waits for (it deadlocked:
                # run row here then leases, leases in the writer then the run row)
                with write_session(run.engine) as session:
                    renew(session, holder=run.holder, ttl_s=run.lease_ttl_s)
                with write_session(run.engine) as session:
                    heartbeat(session, run_id=run.id)
            except Exception:  # a locked or lost database: try again next beat; the run goes on
                log.warning("run %s: heartbeat failed", run.id, exc_info=True)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopped.set()
        self.thread.join()


def _end(run: RunLog, status: RunStatus, message: str) -> None:
    """Save what is left of the counters, give back unfinished leases, and end the run (unless
    another holder still works on it: then it is theirs to end)."""
    with write_session(run.engine) as session:
        release(session, holder=run.holder)  # lease rows before the run row (storage.runs.leases)
        run.save(session)
        if others_working(session, run_id=run.id, holder=run.holder):
            return
        finish_run(session=session, run_id=run.id, status=RunStatus(status), message=message)


def _end_on_error(run: RunLog, exc: BaseException) -> None:
    """The body raised: give back the leases; end the run ``failed`` unless another holder still
    works on it (then it is theirs to finish)."""
    with write_session(run.engine) as session:
        release(session, holder=run.holder)  # lease rows before the run row (storage.runs.leases)
        run.save(session)
        if others_working(session, run_id=run.id, holder=run.holder):
            return
        finish_run(
            session=session, run_id=run.id, status=RunStatus.FAILED, message=f"{type(exc).__name__}: {exc}"
        )


@asynccontextmanager
async def open_run(
    engine: Engine,
    *,
    kind: RunKind,
    params: dict[str, Any],
    total: int,
    actor: str,
    on_progress: ProgressFn | None = None,
    join: bool = False,
    lease_ttl_s: float = DEFAULT_LEASE_TTL_S,
) -> AsyncIterator[RunLog]:
    """Start a run (or, with ``join``, join the running one doing the same work), yield its
    ``RunLog`` with a heartbeat running, and end it: as concluded when the body returns,
    ``failed`` with the error's class and message when it raises (the error propagates)."""
    if not lease_ttl_s > 0:
        raise ValueError(f"open_run: lease_ttl_s must be positive, got {lease_ttl_s!r}")
    params = {**params, "lease_ttl_s": lease_ttl_s}
    run_id, joined = _start_or_join(engine, kind=kind, params=params, total=total, actor=actor, join=join)
    run = RunLog(engine, run_id, total, on_progress, joined=joined, lease_ttl_s=lease_ttl_s)
    with _Heartbeat(run):
        try:
            yield run
        except BaseException as exc:
            _end_on_error(run, exc)
            raise
    c = run.counters
    if run.status is RunStatus.FINISHED and c.failed and not c.done and not c.unparsed:
        # nothing came back: a run whose every call failed has not finished its work
        run.conclude(RunStatus.FAILED, "every request failed; see the recorded failures")
    _end(run, run.status, run.message)
