"""What the calibration view reads: the standing votes of a slice with their battle facts, answer
lengths, and the raters and model pairs the filters offer."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from judging.types import Source, Verdict
from storage.db.models import ArenaModel, Battle, Release, Response, Vote
from storage.votes.ledger import View, status_clause

__all__ = [
    "CalibrationVoteRow",
    "answer_lengths",
    "calibration_votes",
    "raters_by_source",
    "voted_model_pairs",
]

_CHUNK = 900  # bound parameters per IN (...) list, below SQLite's limit


@dataclass(frozen=True, slots=True)
class CalibrationVoteRow:
    """A standing vote with what calibration looks at; the verdict is about the battle's A and B
    (A is the response with the smaller id), ``left_is_a`` says which one was shown first."""

    vote_id: int
    battle_id: int
    question_id: int
    model_a: str  # model key of the battle's A
    model_b: str
    reference: bool  # either side is a reference model (author of imported gold answers)
    verdict: Verdict
    source: Source
    rater: str
    left_is_a: bool
    dimension: str
    release: str  # release tag
    created_at: datetime


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC (storage.db.models.utcnow).
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def calibration_votes(
    *,
    session: Session,
    up_to_vote_id: int,
    dimension: str | None = None,
    release_id: int | None = None,
) -> list[CalibrationVoteRow]:
    """Votes with an id up to ``up_to_vote_id``, in id order: what each rater stands by
    (``View.CALIBRATION``: undone, corrected and superseded votes left out; human votes an expert
    overruled kept, as what annotators said; gold votes kept for gold accuracy)."""
    model_a = aliased(ArenaModel)
    model_b = aliased(ArenaModel)
    query = (
        sa_select(  # type: ignore[call-overload]
            col(Vote.id),
            Vote.battle_id,
            Vote.question_id,
            model_a.key,
            model_b.key,
            model_a.reference,
            model_b.reference,
            Vote.verdict,
            Vote.source,
            Vote.rater,
            Vote.left_response_id,
            Battle.response_a_id,
            Vote.dimension,
            Release.tag,
            Vote.created_at,
        )
        .join(Battle, col(Battle.id) == col(Vote.battle_id))
        .join(Release, col(Release.id) == col(Vote.release_id))
        .join(model_a, col(model_a.id) == col(Vote.model_a_id))
        .join(model_b, col(model_b.id) == col(Vote.model_b_id))
        .where(col(Vote.id) <= up_to_vote_id)
        .where(status_clause(col(Vote.id), View.CALIBRATION))
        .order_by(col(Vote.id))
    )
    if dimension is not None:
        query = query.where(col(Vote.dimension) == dimension)
    if release_id is not None:
        query = query.where(col(Vote.release_id) == release_id)
    return [
        CalibrationVoteRow(
            vote_id=int(vid),
            battle_id=int(battle),
            question_id=int(question),
            model_a=str(a),
            model_b=str(b),
            reference=bool(ref_a) or bool(ref_b),
            verdict=Verdict(verdict),
            source=Source(source),
            rater=str(rater),
            left_is_a=left == response_a,
            dimension=str(dim),
            release=str(tag),
            created_at=_utc(created),
        )
        for vid, battle, question, a, b, ref_a, ref_b, verdict, source, rater, left, response_a, dim, tag, created in session.execute(
            query
        ).all()
    ]


def answer_lengths(*, session: Session, question_ids: Collection[int]) -> dict[tuple[int, str], int]:
    """Answer length in characters by (question id, model key); empty answers are left out (their
    length says nothing about the answer)."""
    ids = sorted(set(question_ids))
    out: dict[tuple[int, str], int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = session.execute(
            sa_select(col(Response.question_id), col(ArenaModel.key), func.length(col(Response.text)))
            .join(ArenaModel, col(ArenaModel.id) == col(Response.model_id))
            .where(col(Response.question_id).in_(chunk))
        ).all()
        out.update({(int(q), str(m)): int(n) for q, m, n in rows if n})
    return out


def raters_by_source(*, session: Session) -> dict[Source, tuple[str, ...]]:
    """Every rater who has voted, by source, sorted by name."""
    rows = session.execute(sa_select(col(Vote.source), col(Vote.rater)).distinct()).all()
    out: dict[Source, list[str]] = {source: [] for source in Source}
    for source, rater in rows:
        out[Source(source)].append(str(rater))
    return {source: tuple(sorted(names)) for source, names in out.items()}


def voted_model_pairs(*, session: Session) -> list[tuple[str, str]]:
    """The unordered model pairs (keys, sorted within and across pairs) that have votes; the gold
    items' reference authors are not models and never form a pair."""
    model_a = aliased(ArenaModel)
    model_b = aliased(ArenaModel)
    rows = session.execute(
        sa_select(col(model_a.key), col(model_b.key))
        .select_from(Vote)
        .join(model_a, col(model_a.id) == col(Vote.model_a_id))
        .join(model_b, col(model_b.id) == col(Vote.model_b_id))
        .where(col(model_a.reference).is_(False), col(model_b.reference).is_(False))  # no gold authors
        .distinct()
    ).all()
    pairs = {(min(str(a), str(b)), max(str(a), str(b))) for a, b in rows}
    return sorted(pairs)
