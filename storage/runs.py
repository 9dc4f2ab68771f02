"""Queries for endpoints, collection and judge runs, failures and unparsed judge replies."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.ledger import View, status_sql
from storage.models import ArenaModel, CallFailure, Endpoint, JudgeReply, Response, Run, utcnow

__all__ = [
    "EndpointRow",
    "MissingAnswer",
    "NewResponse",
    "RunRow",
    "add_response",
    "add_responses",
    "create_run",
    "ensure_arena_model",
    "finish_run",
    "judge_done",
    "judge_half_done",
    "judge_votes_in_release",
    "judged_battles",
    "list_endpoints",
    "list_runs",
    "missing_answers",
    "record_failure",
    "record_unparsed",
    "run_failures",
    "update_run",
    "upsert_endpoint",
]


@dataclass(frozen=True)
class EndpointRow:
    key: str
    display_name: str
    base_url: str
    model: str
    api_key_env: str | None
    organisation: str
    open_source: bool
    reasoning: bool
    params: dict[str, Any]
    role: str = "model"


@dataclass(frozen=True)
class RunRow:
    id: int
    kind: str
    params: dict[str, Any]
    status: str
    total: int
    done: int
    failed: int
    unparsed: int
    message: str


@dataclass(frozen=True)
class MissingAnswer:
    question_id: int
    question_text: str
    model_key: str


def upsert_endpoint(*, session: Session, row: EndpointRow) -> None:
    found = session.exec(select(Endpoint).where(Endpoint.key == row.key)).first()
    target = found or Endpoint(key=row.key, base_url=row.base_url, model=row.model)
    target.display_name = row.display_name
    target.base_url = row.base_url
    target.model = row.model
    target.api_key_env = row.api_key_env
    target.organisation = row.organisation
    target.open_source = row.open_source
    target.reasoning = row.reasoning
    target.params_json = json.dumps(row.params, ensure_ascii=False, sort_keys=True)
    target.role = row.role
    target.updated_at = utcnow()
    session.add(target)


def list_endpoints(*, session: Session) -> list[EndpointRow]:
    return [
        EndpointRow(
            e.key,
            e.display_name,
            e.base_url,
            e.model,
            e.api_key_env,
            e.organisation,
            e.open_source,
            e.reasoning,
            json.loads(e.params_json),
            e.role,
        )
        for e in session.exec(select(Endpoint).order_by(col(Endpoint.key))).all()
    ]


def ensure_arena_model(*, session: Session, row: EndpointRow) -> int:
    """The rated-model row for an endpoint, created on first collection."""
    model = session.exec(select(ArenaModel).where(ArenaModel.key == row.key)).first()
    if model is None:
        model = ArenaModel(key=row.key, display_name=row.display_name or row.key)
    model.organisation = row.organisation or model.organisation
    model.base_url = row.base_url
    model.model_name = row.model
    model.api_key_env = row.api_key_env
    model.open_source = row.open_source
    model.reasoning = row.reasoning
    model.params_json = json.dumps(row.params, ensure_ascii=False, sort_keys=True)
    session.add(model)
    session.flush()
    assert model.id is not None
    return model.id


def missing_answers(*, session: Session, release_id: int, model_keys: Sequence[str]) -> list[MissingAnswer]:
    """Every (question of the release, model) pair that has no stored answer yet."""
    if not model_keys:
        return []
    stmt = text(
        "SELECT q.id, q.text, m.key FROM question q CROSS JOIN arena_model m"
        " WHERE q.release_id = :rel AND m.key IN :keys"
        " AND NOT EXISTS (SELECT 1 FROM response r WHERE r.question_id = q.id AND r.model_id = m.id)"
        " ORDER BY q.id, m.key"
    ).bindparams(bindparam("keys", expanding=True))
    rows = session.execute(stmt, {"rel": release_id, "keys": list(model_keys)}).all()
    return [MissingAnswer(int(q), str(t), str(k)) for q, t, k in rows]


@dataclass(frozen=True)
class NewResponse:
    question_id: int
    model_key: str
    text: str
    reasoning_content: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: float | None
    finish_reason: str | None


def add_responses(*, session: Session, responses: Sequence[NewResponse]) -> int:
    """Store answers in one multi-row ``INSERT ... ON CONFLICT DO NOTHING``; returns how many rows
    were written (an answer already stored for the (question, model) — by another run — is not)."""
    if not responses:
        return 0
    keys = sorted({r.model_key for r in responses})
    model_ids = {
        str(k): int(i or 0)
        for k, i in session.execute(
            sa_select(col(ArenaModel.key), col(ArenaModel.id)).where(col(ArenaModel.key).in_(keys))
        ).all()
    }
    missing = [k for k in keys if k not in model_ids]
    if missing:
        raise LookupError(f"add_responses: models {missing} are not registered")
    now = utcnow()
    values = [
        {
            "question_id": r.question_id,
            "model_id": model_ids[r.model_key],
            "text": r.text,
            "reasoning_content": r.reasoning_content,
            "prompt_tokens": r.prompt_tokens,
            "completion_tokens": r.completion_tokens,
            "latency_ms": r.latency_ms,
            "finish_reason": r.finish_reason,
            "created_at": now,
        }
        for r in responses
    ]
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    stmt = (
        insert(Response)
        .on_conflict_do_nothing(index_elements=["question_id", "model_id"])
        .returning(col(Response.id))
    )
    return len(session.execute(stmt, values).all())


def add_response(
    *,
    session: Session,
    question_id: int,
    model_key: str,
    text_: str,
    reasoning_content: str | None,
    prompt_tokens: int | None,
    completion_tokens: int | None,
    latency_ms: float | None,
    finish_reason: str | None,
) -> bool:
    """Store one answer; False when an answer for (question, model) already exists."""
    row = NewResponse(
        question_id,
        model_key,
        text_,
        reasoning_content,
        prompt_tokens,
        completion_tokens,
        latency_ms,
        finish_reason,
    )
    return add_responses(session=session, responses=[row]) == 1


def create_run(*, session: Session, kind: str, params: dict[str, Any], total: int) -> int:
    run = Run(kind=kind, params_json=json.dumps(params, ensure_ascii=False), total=total)
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


def finish_run(*, session: Session, run_id: int, status: str, message: str = "") -> None:
    run = session.get(Run, run_id)
    if run is None:
        raise LookupError(f"finish_run: no run {run_id}")
    run.status, run.message, run.finished_at = status, message[:4000], utcnow()
    session.add(run)


def list_runs(*, session: Session, limit: int = 50) -> list[RunRow]:
    rows = session.exec(select(Run).order_by(col(Run.id).desc()).limit(limit)).all()
    return [
        RunRow(
            r.id or 0,
            r.kind,
            json.loads(r.params_json),
            r.status,
            r.total,
            r.done,
            r.failed,
            r.unparsed,
            r.message,
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
