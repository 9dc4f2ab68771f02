"""Votes as export rows: model keys, verdict, who and when, with the release and question ids."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from judging.interchange import ArenaVote
from judging.types import Side, Source, Verdict
from storage.db.models import ArenaModel, Battle, Question, Release, Vote
from storage.votes.ledger import View, status_clause

__all__ = ["arena_votes"]


def _seconds(moment: datetime) -> float:
    # SQLite hands back naive datetimes; they were written in UTC (storage.db.models.utcnow).
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def arena_votes(
    *, session: Session, release_id: int | None = None, views: Sequence[View] = (View.RATED,)
) -> list[ArenaVote]:
    """Votes in id order as interchange votes (turn 1), those in any of ``views`` of the ledger
    (``storage.votes.ledger``): by default the votes that count for ratings."""
    model_a = aliased(ArenaModel)
    model_b = aliased(ArenaModel)
    query = (
        sa_select(  # type: ignore[call-overload]
            model_a.key,
            model_b.key,
            Vote.verdict,
            Vote.source,
            Vote.rater,
            Vote.left_response_id,
            Battle.response_a_id,
            Vote.dimension,
            Release.tag,
            Question.external_id,
            Vote.created_at,
        )
        .join(Battle, col(Battle.id) == col(Vote.battle_id))
        .join(Question, col(Question.id) == col(Vote.question_id))
        .join(Release, col(Release.id) == col(Vote.release_id))
        .join(model_a, col(model_a.id) == col(Vote.model_a_id))
        .join(model_b, col(model_b.id) == col(Vote.model_b_id))
        .order_by(col(Vote.id))
    )
    if release_id is not None:
        query = query.where(col(Vote.release_id) == release_id)
    query = query.where(or_(*(status_clause(col(Vote.id), view) for view in views)))
    return [
        ArenaVote.of(
            a,
            b,
            Verdict(verdict),
            source=Source(source),
            rater=rater,
            shown_first=Side.A if left == response_a else Side.B,
            dimension=dimension,
            release=tag,
            question_id=question,
            turn=1,
            tstamp=_seconds(created),
        )
        for a, b, verdict, source, rater, left, response_a, dimension, tag, question, created in session.execute(
            query
        ).all()
    ]
