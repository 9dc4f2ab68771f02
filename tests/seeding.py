"""Seeding helpers for tests: a random battle a rater has not judged, and the same as a vote
item. The app never picks battles this way (the queue does, pipeline/workflow/queue.py); tests use
these to lay down votes quickly. Also an event with candidate questions waiting for verification.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import date
from itertools import combinations
from typing import NamedTuple

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from judging.dimensions import Dimension
from judging.types import Source, Verdict
from pipeline.bank.events import EventInput, add_event
from pipeline.workflow.voting import VoteItem
from storage.bank.candidates import add_candidate
from storage.db.models import Battle, Question, Response, Vote, utcnow
from storage.db.session import read_session, write_session
from storage.votes.battles import get_or_create_battle
from storage.votes.record import record_vote

__all__ = [
    "CANDIDATE_NOTE",
    "SeededCandidates",
    "next_item",
    "pick_battle_for",
    "seed_candidates",
    "seed_demo_votes",
]


def pick_battle_for(
    *,
    session: Session,
    rater: str,
    rng: random.Random,
    dimensions: Sequence[str] | None = None,
    release_id: int | None = None,
    attempts: int = 50,
) -> Battle | None:
    """A random battle (question + two responses) the rater has not voted on yet.

    Chooses a random question, then a random pair of its responses; gives up after ``attempts``
    draws that all hit battles the rater has already judged.
    """
    q = select(Question.id)
    if release_id is not None:
        q = q.where(Question.release_id == release_id)
    if dimensions:
        q = q.where(col(Question.dimension).in_(list(dimensions)))
    question_ids = [int(i) for i in session.exec(q).all() if i is not None]
    if not question_ids:
        return None
    for _ in range(attempts):
        qid = rng.choice(question_ids)
        responses = list(session.exec(select(Response.id).where(Response.question_id == qid)).all())
        if len(responses) < 2:
            continue
        pair = rng.sample(responses, 2)
        low, high = sorted(int(r) for r in pair if r is not None)
        voted = session.exec(
            select(Vote.id)
            .join(Battle, col(Battle.id) == col(Vote.battle_id))
            .where(
                Vote.rater == rater,
                Battle.question_id == qid,
                Battle.response_a_id == low,
                Battle.response_b_id == high,
            )
        ).first()
        if voted is None:
            return get_or_create_battle(session=session, question_id=qid, response_ids=(low, high))
    return None


def next_item(
    engine: Engine,
    *,
    rater: str,
    rng: random.Random,
    dimensions: Sequence[str] | None = None,
    release_id: int | None = None,
) -> VoteItem | None:
    """A battle the rater has not judged, with a random left/right order."""
    with write_session(engine) as session:
        battle = pick_battle_for(
            session=session, rater=rater, rng=rng, dimensions=dimensions, release_id=release_id
        )
        if battle is None:
            return None
        assert battle.id is not None
        left = battle.response_a_id if rng.random() < 0.5 else battle.response_b_id
        # the key is unique across processes: never drawn from a (possibly seeded) RNG
        return VoteItem(battle.id, left, uuid.uuid4().hex, utcnow())


def seed_demo_votes(engine: Engine, *, rater: str, questions: int = 12, rationale: str = "") -> None:
    """Human votes by ``rater`` on every pair of answers to the first ``questions`` questions of the
    demo database (A wins, except B on every fourth question), as a published board's tests need."""
    with read_session(engine) as session:
        responses = session.exec(select(Response).order_by(col(Response.question_id), col(Response.id))).all()
    by_question: dict[int, list[Response]] = {}
    for response in responses:
        by_question.setdefault(response.question_id, []).append(response)
    with write_session(engine) as session:
        for n, (question, answers) in enumerate(sorted(by_question.items())[:questions]):
            for first, second in combinations(answers, 2):
                battle = get_or_create_battle(
                    session=session, question_id=question, response_ids=(first.id, second.id)
                )
                record_vote(
                    session=session,
                    battle_id=battle.id,
                    source=Source.HUMAN,
                    rater=rater,
                    verdict=Verdict.A if n % 4 else Verdict.B,
                    left_response_id=battle.response_a_id,
                    idempotency_key=f"seed-{battle.id}",
                    rationale=rationale,
                )


# a seeded candidate's reference note (the care tests look for it on the Verify page)
CANDIDATE_NOTE = "先稳定情绪，鼓励联系心理援助热线。"


class SeededCandidates(NamedTuple):
    event_id: int
    ids: list[int]  # the candidates, in the order of their texts


def seed_candidates(engine: Engine, texts: Sequence[str], *, note: str = CANDIDATE_NOTE) -> SeededCandidates:
    """One mental-health event and a generated candidate question (pending) per text, each with
    the reference note ``note``."""
    event_id = add_event(
        engine,
        EventInput(
            title="某地事件",
            event_date=date(2026, 7, 1),
            summary="摘要",
            dimensions=(Dimension.MENTAL_HEALTH,),
        ),
        actor="test",
    )
    with write_session(engine) as session:
        ids = [
            add_candidate(
                session=session,
                event_id=event_id,
                dimension=Dimension.MENTAL_HEALTH.value,
                text=text,
                reference_note=note,
                generator="gen",
                prompt_version="test",
                run_id=None,
            )
            for text in texts
        ]
    return SeededCandidates(event_id, ids)
