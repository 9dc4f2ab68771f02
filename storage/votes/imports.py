"""Lookups and the insert behind importing votes from a file (``pipeline/interchange/votes_import.py``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from judging.types import Source, Verdict
from storage.db.models import ArenaModel, Battle, Question, Response, Vote
from storage.votes.record import NewVote, battles_facts, vote_row

__all__ = [
    "ImportQuestion",
    "ImportedVote",
    "VoteFingerprint",
    "existing_battles",
    "import_questions",
    "import_responses",
    "insert_imported_votes",
    "people_raters",
    "used_idempotency_keys",
    "vote_fingerprints",
]

_CHUNK = 900  # bound parameters per IN (...) list, below SQLite's limit


@dataclass(frozen=True, slots=True)
class ImportQuestion:
    id: int
    dimension: str


@dataclass(frozen=True, slots=True)
class VoteFingerprint:
    """What makes a stored vote the same vote as one in a file (an export read back)."""

    battle_id: int
    source: Source
    rater: str
    verdict: Verdict
    left_response_id: int


@dataclass(frozen=True, slots=True)
class ImportedVote:
    battle_id: int
    source: Source
    rater: str
    verdict: Verdict  # about the battle's A (the smaller response id)
    left_response_id: int
    idempotency_key: str
    created_at: datetime
    tags_a: tuple[str, ...] = ()  # about the battle's A and B, like the verdict
    tags_b: tuple[str, ...] = ()
    rationale: str = ""


def _chunks(values: Collection[int]) -> list[list[int]]:
    ordered = sorted(set(values))
    return [ordered[k : k + _CHUNK] for k in range(0, len(ordered), _CHUNK)]


def import_questions(*, session: Session, release_id: int) -> dict[str, ImportQuestion]:
    """The questions of a release (retired ones too, old votes still point at them) by external id."""
    rows = session.execute(
        sa_select(col(Question.external_id), col(Question.id), col(Question.dimension)).where(
            col(Question.release_id) == release_id
        )
    ).all()
    return {str(ext): ImportQuestion(int(qid), str(dim)) for ext, qid, dim in rows}


def import_responses(*, session: Session, question_ids: Collection[int]) -> dict[tuple[int, str], int]:
    """Response ids by (question id, model key)."""
    out: dict[tuple[int, str], int] = {}
    for chunk in _chunks(question_ids):
        rows = session.execute(
            sa_select(col(Response.question_id), col(ArenaModel.key), col(Response.id))
            .join(ArenaModel, col(ArenaModel.id) == col(Response.model_id))
            .where(col(Response.question_id).in_(chunk))
        ).all()
        out.update({(int(q), str(m)): int(r) for q, m, r in rows})
    return out


def used_idempotency_keys(*, session: Session, keys: Collection[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        rows = session.execute(
            sa_select(col(Vote.idempotency_key)).where(col(Vote.idempotency_key).in_(chunk))
        ).all()
        found.update(str(r[0]) for r in rows)
    return found


def vote_fingerprints(*, session: Session, battle_ids: Collection[int]) -> dict[VoteFingerprint, list[float]]:
    """The stored votes of these battles: their creation times (Unix seconds) by fingerprint."""
    out: dict[VoteFingerprint, list[float]] = {}
    for chunk in _chunks(battle_ids):
        rows = session.execute(
            sa_select(
                col(Vote.battle_id),
                col(Vote.source),
                col(Vote.rater),
                col(Vote.verdict),
                col(Vote.left_response_id),
                col(Vote.created_at),
            ).where(col(Vote.battle_id).in_(chunk))
        ).all()
        for battle, source, rater, verdict, left, created in rows:
            moment = created if created.tzinfo else created.replace(tzinfo=UTC)
            key = VoteFingerprint(int(battle), Source(source), str(rater), Verdict(verdict), int(left))
            out.setdefault(key, []).append(moment.timestamp())
    return out


def insert_imported_votes(*, session: Session, votes: Sequence[ImportedVote]) -> int:
    """Append imported votes with their battles' facts copied, as ``record_vote`` does, keeping
    each file's time as its creation time: one query for the facts, one multi-row insert. An
    unknown battle or a left response outside it raises before anything is written."""
    if not votes:
        return 0
    facts = battles_facts(session=session, battle_ids={v.battle_id for v in votes})
    values = [
        vote_row(_new_vote(vote), facts.get(vote.battle_id), created_at=vote.created_at, caller=_CALLER)
        for vote in votes
    ]
    session.execute(insert(Vote), values)
    return len(values)


_CALLER = "insert_imported_votes"


def _new_vote(vote: ImportedVote) -> NewVote:
    return NewVote(
        vote.battle_id,
        Source(vote.source),
        vote.rater,
        Verdict(vote.verdict),
        vote.left_response_id,
        vote.idempotency_key,
        vote.tags_a,
        vote.tags_b,
        vote.rationale,
    )


def existing_battles(*, session: Session, question_ids: Collection[int]) -> dict[tuple[int, int, int], int]:
    """The battles already stored for these questions: (question id, response A, response B) -> id."""
    out: dict[tuple[int, int, int], int] = {}
    for chunk in _chunks(question_ids):
        rows = session.execute(
            sa_select(
                col(Battle.question_id), col(Battle.response_a_id), col(Battle.response_b_id), col(Battle.id)
            ).where(col(Battle.question_id).in_(chunk))
        ).all()
        out.update({(int(q), int(a), int(b)): int(i) for q, a, b, i in rows})
    return out


def people_raters(*, session: Session) -> set[str]:
    """Every name a human or an expert voted under (an import maps its own pseudonyms back to them)."""
    stmt = (
        sa_select(col(Vote.rater))
        .where(col(Vote.source).in_((Source.HUMAN.value, Source.EXPERT.value)))
        .distinct()
    )
    return {str(name) for name in session.execute(stmt).scalars().all()}
