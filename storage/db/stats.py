"""What the database holds: counts of releases, questions, models, responses and votes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.bank.releases import releases
from storage.db.models import (
    ArenaModel,
    Question,
    Release,
    Response,
    Vote,
)
from storage.votes.ledger import View, status_clause

__all__ = [
    "DbStats",
    "count_stats",
    "is_empty",
]


@dataclass(frozen=True)
class DbStats:
    releases: int
    questions: int
    questions_by_dimension: dict[str, int]
    models: int
    responses: int
    votes: int  # rows of the vote ledger (every vote, undo and ruling)
    standing_votes: int  # the votes that count for ratings (``View.RATED``)


def is_empty(*, session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Release)).one() == 0


def count_stats(*, session: Session) -> DbStats:
    def count(table: type) -> int:
        return int(session.exec(select(func.count()).select_from(table)).one())

    by_dim = session.exec(select(Question.dimension, func.count()).group_by(Question.dimension)).all()
    return DbStats(
        releases=len(releases(session=session)),  # gold items are not a release
        questions=count(Question),
        questions_by_dimension={dim: int(n) for dim, n in sorted(by_dim)},
        models=count(ArenaModel),
        responses=count(Response),
        votes=count(Vote),
        standing_votes=int(
            session.exec(
                select(func.count()).select_from(Vote).where(status_clause(col(Vote.id), View.RATED))
            ).one()
        ),
    )
