"""Reading the votes that count, in id order: rows for the rating views, integer-coded columns
for the in-memory vote log, and the human votes of one slice for the queue's active policy. Every
function takes ``*, session``."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from judging.ledger import Status
from judging.types import Source, Verdict
from storage.db.models import (
    ArenaModel,
    Vote,
)
from storage.votes.ledger import View, status_clause

__all__ = [
    "SliceVote",
    "VoteRow",
    "dimensions_of_votes",
    "human_votes_in_slice",
    "latest_vote_id",
    "vote_codes_after",
    "votes_after",
    "votes_by_rater",
]


@dataclass(frozen=True, slots=True)
class VoteRow:
    """A vote as the rating views read it."""

    id: int
    model_a_id: int
    model_b_id: int
    verdict: Verdict
    dimension: str
    source: Source
    release_id: int


def latest_vote_id(*, session: Session) -> int:
    newest = session.exec(select(func.max(col(Vote.id)))).one()
    return int(newest or 0)


def votes_after(*, session: Session, after_id: int, limit: int = 50_000) -> list[VoteRow]:
    """The votes that count (``View.RATED``) with an id above ``after_id``, in id order."""
    rows = session.execute(
        sa_select(  # type: ignore[call-overload]
            col(Vote.id),
            Vote.model_a_id,
            Vote.model_b_id,
            Vote.verdict,
            Vote.dimension,
            Vote.source,
            Vote.release_id,
        )
        .where(col(Vote.id) > after_id, status_clause(col(Vote.id), View.RATED))
        .order_by(col(Vote.id))
        .limit(limit)
    ).all()
    return [VoteRow(int(i), int(a), int(b), Verdict(v), d, Source(s), int(r)) for i, a, b, v, d, s, r in rows]


class SliceVote(NamedTuple):
    """A human vote of a slice, as the active policy's convergence check reads it."""

    model_a: str  # the model key of canonical A
    model_b: str
    verdict: Verdict


def human_votes_in_slice(
    *, session: Session, release_id: int | None = None, dimensions: Collection[str] | None = None
) -> list[SliceVote]:
    """The human votes that count (``View.RATED``, as :func:`votes_after`) between two models that
    are not references, in release ``release_id`` (every release if None) and in ``dimensions``
    (every dimension if None or empty), in id order: filtered in the database, so the judge's
    votes, however many, are never read."""
    model_a, model_b = aliased(ArenaModel), aliased(ArenaModel)
    query = (
        sa_select(col(model_a.key), col(model_b.key), col(Vote.verdict))  # type: ignore[call-overload]
        .join(model_a, col(model_a.id) == col(Vote.model_a_id))
        .join(model_b, col(model_b.id) == col(Vote.model_b_id))
        .where(
            col(Vote.source) == Source.HUMAN.value,
            col(model_a.reference).is_(False),
            col(model_b.reference).is_(False),
            status_clause(col(Vote.id), View.RATED),
        )
    )
    if release_id is not None:
        query = query.where(col(Vote.release_id) == release_id)
    if dimensions:
        query = query.where(col(Vote.dimension).in_(sorted(set(dimensions))))
    rows = session.execute(query.order_by(col(Vote.id))).all()
    return [SliceVote(str(a), str(b), Verdict(v)) for a, b, v in rows]


def votes_by_rater(*, session: Session, rater: str) -> int:
    return int(session.exec(select(func.count()).select_from(Vote).where(Vote.rater == rater)).one())


# Integer codes for the rating views (see pipeline.views.vote_log): verdict as twice A's score (the
# score itself is ``Verdict.score_a``), source by position, dimension by position among the five
# (-1: another dimension string), and the ledger status: 1 counts for ratings, 0 does not, -1 the
# row is a retraction (no verdict at all).
VERDICT_CODES = {v.value: round(2 * v.score_a) for v in Verdict}

SOURCE_CODES = ("human", "judge", "expert")

DIMENSION_CODES = ("public_safety", "fairness", "privacy", "truthfulness", "mental_health")


def _case(column: str, codes: dict[str, int], default: int) -> str:
    whens = " ".join(f"WHEN '{value}' THEN {code}" for value, code in codes.items())
    return f"CASE {column} {whens} ELSE {default} END"


def vote_codes_after(*, session: Session, after_id: int, limit: int = 250_000) -> list[tuple[int, ...]]:
    """(id, model A id, model B id, verdict code, dimension code, source code, release id, status
    code, battle id) of the ledger rows after ``after_id``, in id order, as plain integer tuples read straight
    from the driver's cursor: a million votes in about a second."""
    rated = {s: 1 for s in View.RATED.statuses} | {Status.RETRACTION.value: -1}
    sql = (
        "SELECT v.id, v.model_a_id, v.model_b_id, "
        + _case("v.verdict", VERDICT_CODES, -1)
        + ", "
        + _case("v.dimension", {d: k for k, d in enumerate(DIMENSION_CODES)}, -1)
        + ", "
        + _case("v.source", {s: k for k, s in enumerate(SOURCE_CODES)}, -1)
        + ", v.release_id, "
        + _case("s.status", rated, 0)
        + ", v.battle_id FROM vote v LEFT JOIN vote_status s ON s.vote_id = v.id"
        + f" WHERE v.id > {int(after_id)} ORDER BY v.id LIMIT {int(limit)}"
    )
    result = session.connection().exec_driver_sql(sql)
    assert result.cursor is not None
    return list(result.cursor.fetchall())


def dimensions_of_votes(*, session: Session, vote_ids: Sequence[int]) -> dict[int, str]:
    """The dimension strings of the given votes (for dimensions outside the five codes)."""
    out: dict[int, str] = {}
    for start in range(0, len(vote_ids), 900):
        chunk = [int(v) for v in vote_ids[start : start + 900]]
        rows = session.exec(select(Vote.id, Vote.dimension).where(col(Vote.id).in_(chunk))).all()
        out.update({int(i or 0): str(d) for i, d in rows})
    return out
