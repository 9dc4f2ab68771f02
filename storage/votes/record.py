"""Recording votes: the battle's facts read first, then one short write transaction — one vote
(``record_vote``: a person's click) or many in one statement (``record_votes``: a judge run's
batch of verdicts).

Every function takes ``*, session``."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text
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
    "NewVote",
    "VoteRecord",
    "battle_facts",
    "battles_facts",
    "record_vote",
    "record_votes",
    "vote_row",
]

_CHUNK = 500  # rows per statement: far below SQLite's bound-parameter limit


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
    vote = NewVote(
        battle_id,
        Source(source),
        rater,
        Verdict(verdict),
        left_response_id,
        idempotency_key,
        tuple(tags_a),
        tuple(tags_b),
        rationale,
        prompt_version,
    )
    values = vote_row(
        vote,
        facts,
        created_at=utcnow(),
        kind=kind,
        supersedes_id=supersedes_id,
        shown_at=shown_at,
        caller="record_vote",
    )
    if supersedes_id is not None:
        _check_supersedes(session, supersedes_id, battle_id=battle_id, rater=rater, source=Source(source))
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


@dataclass(frozen=True, slots=True)
class NewVote:
    """One vote of a batch (``record_votes``): a verdict about the battle's canonical A and B,
    the response shown on the left, and per-side tags (canonical A and B as well)."""

    battle_id: int
    source: Source
    rater: str
    verdict: Verdict
    left_response_id: int
    idempotency_key: str
    tags_a: tuple[str, ...] = ()
    tags_b: tuple[str, ...] = ()
    rationale: str = ""
    prompt_version: str | None = None


_FACTS = text(
    "SELECT b.id, b.response_a_id, b.response_b_id, ra.model_id, rb.model_id, q.id, q.release_id, q.dimension"
    " FROM battle b JOIN question q ON q.id = b.question_id"
    " JOIN response ra ON ra.id = b.response_a_id JOIN response rb ON rb.id = b.response_b_id"
    " WHERE b.id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def battles_facts(*, session: Session, battle_ids: Collection[int]) -> dict[int, BattleFacts]:
    """``battle_facts`` of many battles, one query per 500; an unknown id is simply absent."""
    ids = sorted(set(battle_ids))
    out: dict[int, BattleFacts] = {}
    for start in range(0, len(ids), _CHUNK):
        for r in session.execute(_FACTS, {"ids": ids[start : start + _CHUNK]}).all():
            facts = BattleFacts(
                int(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]), str(r[7])
            )
            out[facts.battle_id] = facts
    return out


def vote_row(
    vote: NewVote,
    facts: BattleFacts | None,
    *,
    created_at: datetime,
    kind: EntryKind = EntryKind.VOTE,
    supersedes_id: int | None = None,
    shown_at: datetime | None = None,
    caller: str = "record_votes",
) -> dict[str, Any]:
    """The ``vote`` table row of one ledger entry: the vote's fields, its battle's facts copied
    (``facts``; ``None``, an unknown battle, raises ``LookupError``), the tags as JSON lists.
    A left response outside the battle raises ``ValueError``; ``caller`` names the function in
    both messages. Every writer of votes (``record_vote``, ``record_votes``, imports) builds its
    rows here."""
    if facts is None or facts.battle_id != vote.battle_id:
        raise LookupError(f"{caller}: no battle with id {vote.battle_id}")
    if vote.left_response_id not in (facts.response_a_id, facts.response_b_id):
        raise ValueError(
            f"{caller}: left_response_id {vote.left_response_id} is not part of battle {vote.battle_id}"
        )
    return {
        "battle_id": vote.battle_id,
        "source": Source(vote.source).value,
        "rater": vote.rater,
        "verdict": Verdict(vote.verdict).value,
        "left_response_id": vote.left_response_id,
        "tags_a": json.dumps(list(vote.tags_a), ensure_ascii=False),
        "tags_b": json.dumps(list(vote.tags_b), ensure_ascii=False),
        "rationale": vote.rationale,
        "idempotency_key": vote.idempotency_key,
        "supersedes_id": supersedes_id,
        "kind": EntryKind(kind).value,
        "prompt_version": vote.prompt_version,
        "model_a_id": facts.model_a_id,
        "model_b_id": facts.model_b_id,
        "question_id": facts.question_id,
        "release_id": facts.release_id,
        "dimension": facts.dimension,
        "shown_at": shown_at,
        "created_at": created_at,
    }


def record_votes(*, session: Session, votes: Sequence[NewVote]) -> list[VoteRecord]:
    """Append many votes (never retractions) with the rules of ``record_vote``: the battles' facts
    copied (read in one query; an unknown battle or a left response outside it raises before
    anything is written), one ``INSERT ... ON CONFLICT (idempotency_key) DO NOTHING`` for all
    of them, and the touched battles restated once. One ``VoteRecord`` per vote, in order: a key
    stored before (or twice in the batch) yields the existing row with ``created`` False."""
    if not votes:
        return []
    facts = battles_facts(session=session, battle_ids={v.battle_id for v in votes})
    now = utcnow()
    rows = [vote_row(vote, facts.get(vote.battle_id), created_at=now) for vote in votes]
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    # one statement compiled once and cached, executed for every row (SQLAlchemy batches the rows
    # into multi-row INSERTs with RETURNING); a .values(rows) statement is compiled anew per batch
    table = Vote.__table__  # type: ignore[attr-defined]
    stmt = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id, table.c.idempotency_key)
    )
    created = {str(key): int(vote_id) for vote_id, key in session.execute(stmt, rows).all()}
    if created:
        restate_battles(
            session=session, battle_ids={v.battle_id for v in votes if v.idempotency_key in created}
        )
    return _records(session, votes, created)


def _records(session: Session, votes: Sequence[NewVote], created: dict[str, int]) -> list[VoteRecord]:
    """The outcome of each vote of a batch, given the keys its insert created."""
    missing = sorted({v.idempotency_key for v in votes} - created.keys())
    existing: dict[str, int] = {}
    for start in range(0, len(missing), _CHUNK):
        found = session.execute(
            sa_select(col(Vote.idempotency_key), col(Vote.id)).where(  # type: ignore[call-overload]
                col(Vote.idempotency_key).in_(missing[start : start + _CHUNK])
            )
        ).all()
        existing.update({str(k): int(i) for k, i in found})
    out: list[VoteRecord] = []
    first = set(created)
    for vote in votes:
        key = vote.idempotency_key
        if key in first:
            first.discard(key)  # a key twice in the batch: its second occurrence created nothing
            out.append(VoteRecord(created[key], created=True))
        else:
            out.append(VoteRecord(created.get(key) or existing[key], created=False))
    return out
