"""Run bookkeeping: a run's progress row, its failed calls and unparsed judge replies, and what a
judge has already done in a release (for resuming)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session, col, select

from judging.runs import RunKind, RunStatus
from storage.db.models import (
    CallFailure,
    JudgeReply,
    Run,
    utcnow,
)
from storage.votes.ledger import View, status_sql

__all__ = [
    "RUN_META_KEYS",
    "RunRow",
    "add_to_run",
    "create_run",
    "finish_run",
    "judge_done",
    "judge_half_done",
    "judge_votes_in_release",
    "judged_battles",
    "list_runs",
    "record_failure",
    "record_unparsed",
    "run_failures",
    "running_like",
    "update_run",
]

# Run parameters that say how a process works, not what the run does: left out when a start is
# compared with the runs already running (``running_like``).
RUN_META_KEYS = frozenset({"lease_ttl_s"})
_RUN_START_LOCK = 0x5AFE_0010  # PostgreSQL advisory lock: one find-or-create of a run at a time


@dataclass(frozen=True)
class RunRow:
    id: int
    kind: RunKind
    params: dict[str, Any]
    status: RunStatus
    total: int
    done: int
    failed: int
    unparsed: int
    message: str
    # judge runs: of ``done``, verdicts kept with no tags because their harm-tag lines were
    # absent / malformed (``judging.judge.TagStatus``); 0 for other kinds
    tags_missing: int = 0
    tags_invalid: int = 0


def create_run(*, session: Session, kind: RunKind, params: dict[str, Any], total: int) -> int:
    """A new run row, ``running``, with its parameters; its id."""
    run = Run(
        kind=RunKind(kind).value,  # an unknown kind raises here, not on the Runs page
        params_json=json.dumps(params, ensure_ascii=False),
        status=RunStatus.RUNNING.value,
        total=total,
    )
    session.add(run)
    session.flush()
    assert run.id is not None
    return run.id


def update_run(
    *, session: Session, run_id: int, done: int, failed: int, unparsed: int = 0, total: int | None = None
) -> None:
    run = session.get(Run, run_id)
    if run is None:
        raise LookupError(f"update_run: no run {run_id}")
    run.done, run.failed, run.unparsed = done, failed, unparsed
    if total is not None:
        run.total = total
    session.add(run)


def add_to_run(
    *,
    session: Session,
    run_id: int,
    done: int = 0,
    failed: int = 0,
    unparsed: int = 0,
    tags_missing: int = 0,
    tags_invalid: int = 0,
) -> None:
    """Add to the run's counters in place (``done = done + :n``): several processes working on one
    run each add what they wrote, so the row counts every row actually written. A judge adds its
    ``tags_missing`` / ``tags_invalid`` in the transaction that stores those verdicts."""
    result = session.execute(
        text(
            "UPDATE run SET done = done + :d, failed = failed + :f, unparsed = unparsed + :u,"
            " tags_missing = tags_missing + :tm, tags_invalid = tags_invalid + :ti WHERE id = :id"
        ),
        {"d": done, "f": failed, "u": unparsed, "tm": tags_missing, "ti": tags_invalid, "id": run_id},
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise LookupError(f"add_to_run: no run {run_id}")


def _work_of(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in RUN_META_KEYS}


def running_like(*, session: Session, kind: RunKind, params: dict[str, Any]) -> int | None:
    """The oldest ``running`` run of ``kind`` doing the same work (``params`` equal, leaving out
    ``RUN_META_KEYS``), or None. On PostgreSQL it first takes a transaction-scoped advisory lock,
    so two processes starting the same run at once find-or-create one row, not two (SQLite's
    write transaction already begins IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _RUN_START_LOCK})
    wanted = _work_of(json.loads(json.dumps(params)))  # compared as stored: tuples become lists
    rows = session.exec(
        select(Run)
        .where(Run.kind == RunKind(kind).value, Run.status == RunStatus.RUNNING.value)
        .order_by(col(Run.id))
    ).all()
    return next((r.id for r in rows if _work_of(json.loads(r.params_json)) == wanted), None)


def finish_run(*, session: Session, run_id: int, status: RunStatus, message: str = "") -> None:
    status = RunStatus(status)
    if status is RunStatus.RUNNING:
        raise ValueError(f"finish_run: a run ends finished or failed, got status {status!r}")
    run = session.get(Run, run_id)
    if run is None:
        raise LookupError(f"finish_run: no run {run_id}")
    run.status, run.message, run.finished_at = status.value, message[:4000], utcnow()
    session.add(run)


def list_runs(*, session: Session, limit: int = 50) -> list[RunRow]:
    rows = session.exec(select(Run).order_by(col(Run.id).desc()).limit(limit)).all()
    return [
        RunRow(
            r.id or 0,
            RunKind.parse(r.kind),
            json.loads(r.params_json),
            RunStatus.parse(r.status),
            r.total,
            r.done,
            r.failed,
            r.unparsed,
            r.message,
            r.tags_missing,
            r.tags_invalid,
        )
        for r in rows
    ]


def record_failure(
    *,
    session: Session,
    run_id: int,
    endpoint: str,
    kind: str,
    message: str,
    status: int | None,
    attempts: int,
    question_id: int | None = None,
    battle_id: int | None = None,
) -> None:
    session.add(
        CallFailure(
            run_id=run_id,
            endpoint=endpoint,
            question_id=question_id,
            battle_id=battle_id,
            kind=kind,
            status=status,
            message=message[:4000],
            attempts=attempts,
        )
    )


def run_failures(*, session: Session, run_id: int, limit: int = 500) -> list[CallFailure]:
    return list(
        session.exec(
            select(CallFailure).where(CallFailure.run_id == run_id).order_by(col(CallFailure.id)).limit(limit)
        )
    )


def record_unparsed(
    *,
    session: Session,
    run_id: int,
    judge: str,
    battle_id: int,
    left_response_id: int,
    prompt_version: str,
    raw: str,
    attempts: int,
) -> None:
    session.add(
        JudgeReply(
            run_id=run_id,
            judge=judge,
            battle_id=battle_id,
            left_response_id=left_response_id,
            prompt_version=prompt_version,
            raw=raw,
            attempts=attempts,
        )
    )


def judge_done(
    *, session: Session, judge: str, prompt_version: str, battle_ids: Sequence[int]
) -> set[tuple[int, int]]:
    """(battle id, left response id) pairs among ``battle_ids`` this judge already has a stored
    verdict for (asked per batch: reading every verdict of the judge would grow with the table)."""
    if not battle_ids:
        return set()
    stmt = text(
        "SELECT battle_id, left_response_id FROM vote"
        " WHERE source = 'judge' AND rater = :j AND prompt_version = :v AND battle_id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    rows = session.execute(stmt, {"j": judge, "v": prompt_version, "ids": [int(b) for b in battle_ids]}).all()
    return {(int(b), int(left)) for b, left in rows}


def judge_votes_in_release(*, session: Session, judge: str, release_id: int) -> list[tuple[str, str, str]]:
    """(model A key, model B key, verdict) of this judge's votes in a release, in vote order."""
    rows = session.execute(
        text(
            "SELECT ma.key, mb.key, v.verdict FROM vote v"
            " JOIN arena_model ma ON ma.id = v.model_a_id JOIN arena_model mb ON mb.id = v.model_b_id"
            f" WHERE v.source = 'judge' AND v.rater = :j AND v.release_id = :r AND {status_sql('v', View.RATED)}"
            " ORDER BY v.id"
        ),
        {"j": judge, "r": release_id},
    ).all()
    return [(str(a), str(b), str(v)) for a, b, v in rows]


def judge_half_done(*, session: Session, judge: str, prompt_version: str, release_id: int) -> list[int]:
    """Battles of the release this judge has judged in one order only (an interrupted run)."""
    rows = session.execute(
        text(
            "SELECT battle_id FROM vote WHERE source = 'judge' AND rater = :j AND prompt_version = :v"
            " AND release_id = :r GROUP BY battle_id HAVING COUNT(DISTINCT left_response_id) = 1 ORDER BY battle_id"
        ),
        {"j": judge, "v": prompt_version, "r": release_id},
    ).all()
    return [int(r[0]) for r in rows]


def judged_battles(*, session: Session, judge: str, prompt_version: str, release_id: int) -> int:
    """How many battles of the release this judge has at least one verdict on."""
    row = session.execute(
        text(
            "SELECT COUNT(DISTINCT battle_id) FROM vote WHERE source = 'judge' AND rater = :j"
            " AND prompt_version = :v AND release_id = :r"
        ),
        {"j": judge, "v": prompt_version, "r": release_id},
    ).one()
    return int(row[0])
