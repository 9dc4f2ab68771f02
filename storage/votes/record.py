"""Recording a vote: the battle's facts read first, then one short write transaction.

Every function takes ``*, session``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from judging.ledger import EntryKind
from judging.types import Source, Verdict
from storage.db.models import (
    Battle,
    Question,
    Response,
    Vote,
    utcnow,
)
from storage.votes.ledger import restate_battles

__all__ = [
    "BattleFacts",
    "VoteRecord",
    "battle_facts",
    "record_vote",
]


@dataclass(frozen=True)
class VoteRecord:
    vote_id: int
    created: bool  # False when the idempotency key had already been used


@dataclass(frozen=True, slots=True)
class BattleFacts:
    """The facts a vote copies from its battle. Battles never change, so they can be read
    before the write transaction and keep that transaction (and SQLite's write lock) short."""

    battle_id: int
    response_a_id: int
    response_b_id: int
    model_a_id: int
    model_b_id: int
    question_id: int
    release_id: int
    dimension: str


def battle_facts(*, session: Session, battle_id: int) -> BattleFacts:
    row = session.execute(
        sa_select(  # type: ignore[call-overload]
            col(Battle.id),
            col(Battle.response_a_id),
            col(Battle.response_b_id),
            col(Question.id),
            col(Question.release_id),
            col(Question.dimension),
        )
        .join(Question, col(Question.id) == col(Battle.question_id))
        .where(col(Battle.id) == battle_id)
    ).first()
    if row is None:
        raise LookupError(f"battle_facts: no battle with id {battle_id}")
    models = dict(
        session.execute(
            sa_select(col(Response.id), col(Response.model_id)).where(col(Response.id).in_([row[1], row[2]]))
        ).all()
    )
    return BattleFacts(
        int(row[0]),
        int(row[1]),
        int(row[2]),
        int(models[row[1]]),
        int(models[row[2]]),
        int(row[3]),
        int(row[4]),
        str(row[5]),
    )


def record_vote(
    *,
    session: Session,
    battle_id: int,
    source: Source,
    rater: str,
    verdict: Verdict,
    left_response_id: int,
    idempotency_key: str,
    tags_a: Sequence[str] = (),
    tags_b: Sequence[str] = (),
    rationale: str = "",
    shown_at: datetime | None = None,
    prompt_version: str | None = None,
    supersedes_id: int | None = None,
    kind: EntryKind = EntryKind.VOTE,
    facts: BattleFacts | None = None,
) -> VoteRecord:
    """Append one ledger row (a vote, or with ``kind`` a retraction of ``supersedes_id``) and
    restate the battle's statuses (``storage.votes.ledger``). The same idempotency key stored twice yields one row (a double click
    or a retried request records one vote): one ``INSERT ... ON CONFLICT DO NOTHING``, so a
    concurrent duplicate never fails and never adds a row. Pass ``facts`` (read beforehand)
    to keep the write transaction to that single statement."""
    facts = facts or battle_facts(session=session, battle_id=battle_id)
    if facts.battle_id != battle_id:
        raise ValueError(f"record_vote: facts are for battle {facts.battle_id}, not {battle_id}")
    if left_response_id not in (facts.response_a_id, facts.response_b_id):
        raise ValueError(
            f"record_vote: left_response_id {left_response_id} is not part of battle {battle_id}"
        )
    if supersedes_id is not None:
        _check_supersedes(session, supersedes_id, battle_id=battle_id, rater=rater, source=Source(source))
    values = {
        "battle_id": battle_id,
        "source": Source(source).value,
        "rater": rater,
        "verdict": Verdict(verdict).value,
        "left_response_id": left_response_id,
        "tags_a": json.dumps(list(tags_a), ensure_ascii=False),
        "tags_b": json.dumps(list(tags_b), ensure_ascii=False),
        "rationale": rationale,
        "idempotency_key": idempotency_key,
        "supersedes_id": supersedes_id,
        "kind": EntryKind(kind).value,
        "prompt_version": prompt_version,
        "model_a_id": facts.model_a_id,
        "model_b_id": facts.model_b_id,
        "question_id": facts.question_id,
        "release_id": facts.release_id,
        "dimension": facts.dimension,
        "shown_at": shown_at,
        "created_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    stmt = (
        insert(Vote)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(col(Vote.id))
    )
    new_id = session.execute(stmt).scalar()
    if new_id is not None:
        restate_battles(session=session, battle_ids=[battle_id])
        return VoteRecord(int(new_id), created=True)
    existing = session.exec(select(Vote.id).where(Vote.idempotency_key == idempotency_key)).first()
    if existing is None:  # pragma: no cover - the conflict row must exist
        raise LookupError(f"record_vote: idempotency key {idempotency_key!r} conflicted but no vote has it")
    return VoteRecord(int(existing), created=False)


def _check_supersedes(
    session: Session, target_id: int, *, battle_id: int, rater: str, source: Source
) -> None:
    """A correction or retraction names an earlier vote of the same rater on the same battle."""
    target = session.get(Vote, target_id)
    if target is None or target.kind != EntryKind.VOTE.value:
        raise ValueError(f"record_vote: supersedes_id {target_id} is not a vote")
    if target.battle_id != battle_id:
        raise ValueError(
            f"record_vote: supersedes_id {target_id} is a vote on battle {target.battle_id}, not {battle_id}"
        )
    if target.rater != rater or target.source != source.value:
        raise ValueError(
            f"record_vote: supersedes_id {target_id} is {target.rater!r}'s vote; only its rater can replace it"
        )
