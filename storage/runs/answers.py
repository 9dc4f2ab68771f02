"""Collected answers: which (question, model) pairs of a release still miss one, and storing them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from storage.db.models import (
    ArenaModel,
    Response,
    utcnow,
)

__all__ = [
    "MissingAnswer",
    "NewResponse",
    "add_response",
    "add_responses",
    "answered",
    "missing_answers",
]


@dataclass(frozen=True)
class MissingAnswer:
    question_id: int
    question_text: str
    model_key: str


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


def answered(*, session: Session, pairs: Sequence[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which of the (question id, model key) pairs already have a stored answer (a worker checks
    the items it just claimed: another run may have stored some since it listed them)."""
    if not pairs:
        return set()
    stmt = text(
        "SELECT r.question_id, m.key FROM response r JOIN arena_model m ON m.id = r.model_id"
        " WHERE r.question_id IN :qs AND m.key IN :keys"
    ).bindparams(bindparam("qs", expanding=True), bindparam("keys", expanding=True))
    wanted = set(pairs)
    rows = session.execute(
        stmt, {"qs": sorted({q for q, _ in wanted}), "keys": sorted({k for _, k in wanted})}
    ).all()
    return {(int(q), str(k)) for q, k in rows} & wanted


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
