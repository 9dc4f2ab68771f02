"""Read side of runs for the pages: recent runs, their failures and unparsed judge replies."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.db.models import CallFailure, JudgeReply
from storage.db.session import read_session
from storage.runs.bookkeeping import RunRow, list_runs, run_failures

__all__ = ["failures_of", "recent_runs", "unparsed_of"]


def recent_runs(engine: Engine, limit: int = 20) -> list[RunRow]:
    with read_session(engine) as session:
        return list_runs(session=session, limit=limit)


def failures_of(engine: Engine, run_id: int) -> list[CallFailure]:
    with read_session(engine) as session:
        return run_failures(session=session, run_id=run_id)


def unparsed_of(engine: Engine, run_id: int) -> list[JudgeReply]:
    with read_session(engine) as session:
        return list(
            session.exec(select(JudgeReply).where(JudgeReply.run_id == run_id).order_by(col(JudgeReply.id)))
        )
