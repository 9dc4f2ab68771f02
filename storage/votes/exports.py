"""Votes as export rows: model keys, verdict, who and when, with the release and question ids;
``vote_details`` adds what a public export or a result file shows beside them (per-side tags, the
rationale, and on request the question and both answers)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from judging.interchange import ArenaVote
from judging.types import Side, Source, Verdict
from storage.db.models import ArenaModel, Battle, Question, Release, Response, Vote
from storage.votes.ledger import View, status_clause

__all__ = ["VoteDetail", "arena_votes", "vote_details"]


@dataclass(frozen=True)
class VoteDetail:
    """One vote with its per-side tags (on ``vote.model_a`` / ``vote.model_b``) and rationale;
    the question and answer texts are empty unless asked for (``vote_details(with_text=True)``)."""

    vote_id: int
    vote: ArenaVote
    tags_a: tuple[str, ...]
    tags_b: tuple[str, ...]
    rationale: str
    question_text: str = ""
    answer_a: str = ""
    answer_b: str = ""


def _seconds(moment: datetime) -> float:
    # SQLite hands back naive datetimes; they were written in UTC (storage.db.models.utcnow).
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _tags(stored: str) -> tuple[str, ...]:
    value = json.loads(stored or "[]")
    return tuple(str(tag) for tag in value) if isinstance(value, list) else ()


def _query(release_id: int | None, views: Sequence[View], extra: Sequence[Any]) -> Any:
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
            *extra,
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
    return query.where(or_(*(status_clause(col(Vote.id), view) for view in views)))


def _vote(row: Sequence[Any]) -> ArenaVote:
    a, b, verdict, source, rater, left, response_a, dimension, tag, question, created = row[:11]
    return ArenaVote.of(
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


def arena_votes(
    *, session: Session, release_id: int | None = None, views: Sequence[View] = (View.RATED,)
) -> list[ArenaVote]:
    """Votes in id order as interchange votes (turn 1), those in any of ``views`` of the ledger
    (``storage.votes.ledger``): by default the votes that count for ratings."""
    return [_vote(row) for row in session.execute(_query(release_id, views, ())).all()]


def vote_details(
    *,
    session: Session,
    release_id: int | None = None,
    views: Sequence[View] = (View.RATED,),
    with_text: bool = False,
) -> list[VoteDetail]:
    """The votes of ``arena_votes`` (same order, same filter) with tags and rationale, and with
    ``with_text`` the question text and the answers of ``model_a`` and ``model_b``."""
    extra: list[Any] = [Vote.id, Vote.tags_a, Vote.tags_b, Vote.rationale]
    if with_text:
        response_a = aliased(Response)
        response_b = aliased(Response)
        extra += [Question.text, response_a.text, response_b.text]
        query = (
            _query(release_id, views, extra)
            .join(response_a, col(response_a.id) == col(Battle.response_a_id))
            .join(response_b, col(response_b.id) == col(Battle.response_b_id))
        )
    else:
        query = _query(release_id, views, extra)
    details = []
    for row in session.execute(query).all():
        vote_id, tags_a, tags_b, rationale, *texts = row[11:]
        question_text, answer_a, answer_b = texts if texts else ("", "", "")
        details.append(
            VoteDetail(
                vote_id=vote_id,
                vote=_vote(row),
                tags_a=_tags(tags_a),
                tags_b=_tags(tags_b),
                rationale=rationale or "",
                question_text=question_text,
                answer_a=answer_a,
                answer_b=answer_b,
            )
        )
    return details
