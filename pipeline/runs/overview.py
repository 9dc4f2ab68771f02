"""Read side of runs for the pages and ``cli.py runs``: recent runs, their failures and unparsed
judge replies, and the running run a start would join.

Whoever looks ends the stale runs first (``end_stale_runs``): a run whose processes were killed
shows ``failed`` with its message, never ``running`` forever."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from judging.runs import RunKind
from storage.db.models import CallFailure, JudgeReply
from storage.db.session import read_session, write_session
from storage.runs.bookkeeping import RunRow, list_runs, run_failures, running_like
from storage.runs.leases import fail_stale_runs, stale_runs

__all__ = ["end_stale_runs", "failures_of", "recent_runs", "running_run", "unparsed_of"]


def end_stale_runs(engine: Engine) -> list[int]:
    """End ``failed`` the running runs nobody has shown a sign of life for within their lease
    time; their ids. Reads first, so a look at healthy runs writes nothing."""
    with read_session(engine) as session:
        if not stale_runs(session):
            return []
    with write_session(engine) as session:
        return fail_stale_runs(session)


def recent_runs(engine: Engine, limit: int = 20) -> list[RunRow]:
    """The latest runs, newest first (stale ones ended first)."""
    end_stale_runs(engine)
    with read_session(engine) as session:
        return list_runs(session=session, limit=limit)


def running_run(engine: Engine, *, kind: RunKind, params: dict[str, object]) -> int | None:
    """The live run of ``kind`` doing the work ``params`` describe (stale ones ended first), or
    None: a second start of it joins it (``open_run(join=True)``) or is refused."""
    end_stale_runs(engine)
    with read_session(engine) as session:
        return running_like(session=session, kind=kind, params=dict(params))


def failures_of(engine: Engine, run_id: int) -> list[CallFailure]:
    with read_session(engine) as session:
        return run_failures(session=session, run_id=run_id)


def unparsed_of(engine: Engine, run_id: int) -> list[JudgeReply]:
    with read_session(engine) as session:
        return list(
            session.exec(select(JudgeReply).where(JudgeReply.run_id == run_id).order_by(col(JudgeReply.id)))
        )
