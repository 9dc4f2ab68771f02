"""Generated candidate questions, expert reviews and malformed generator replies.

Every function takes ``*, session``. Reviews are append-only; a candidate's status, its link to
the question it became and the time it (re-)entered the verification queue are the only things
that change after it is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from judging.content import ContentCategory, categories_from_json, categories_to_json
from judging.generation import CandidateStatus
from storage.db.models import (
    CandidateQuestion,
    Event,
    GenerationReply,
    Question,
    Review,
)

__all__ = [
    "CandidateInfo",
    "GenerationReplyInfo",
    "ReviewInfo",
    "add_candidate",
    "add_review",
    "candidate_row",
    "candidate_texts",
    "decide_candidate",
    "generation_replies",
    "link_question",
    "list_candidates",
    "mark_stale",
    "record_generation_reply",
    "requeue_candidate",
]


@dataclass(frozen=True)
class ReviewInfo:
    id: int
    reviewer: str
    decision: str  # approve | edit | reject
    reason: str
    edited_text: str | None
    text: str  # the candidate text the decision is about (after the edit, for an edit)
    created_at: datetime
    # the content categories the reviewer chose; None: none chosen (the lexicon's proposal stands)
    categories: tuple[ContentCategory, ...] | None = None


@dataclass(frozen=True)
class CandidateInfo:
    id: int
    event_id: int
    event_title: str
    dimension: str
    text: str  # the current text: the latest edit, else what the generator wrote
    generated_text: str
    reference_note: str
    status: CandidateStatus
    generator: str
    prompt_version: str
    run_id: int | None
    duplicate_of: str | None
    duplicate_similarity: float | None
    question_id: int | None
    created_at: datetime
    decided_at: datetime | None
    reviews: tuple[ReviewInfo, ...] = ()
    queued_at: datetime | None = None  # entered (or re-entered) the verification queue

    @property
    def edited(self) -> bool:
        return self.text != self.generated_text


@dataclass(frozen=True)
class GenerationReplyInfo:
    id: int
    run_id: int
    event_id: int
    dimension: str
    generator: str
    raw: str
    problem: str
    created_at: datetime


def add_candidate(
    *,
    session: Session,
    event_id: int,
    dimension: str,
    text: str,
    reference_note: str,
    generator: str,
    prompt_version: str,
    run_id: int | None,
    status: CandidateStatus = CandidateStatus.PENDING,
    duplicate_of: str | None = None,
    duplicate_similarity: float | None = None,
) -> int:
    row = CandidateQuestion(
        event_id=event_id,
        dimension=dimension,
        text=text,
        reference_note=reference_note,
        status=CandidateStatus(status).value,
        generator=generator,
        prompt_version=prompt_version,
        run_id=run_id,
        duplicate_of=duplicate_of,
        duplicate_similarity=duplicate_similarity,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def candidate_texts(*, session: Session) -> list[str]:
    """Texts of every candidate that is not itself a filtered duplicate (generated and edited),
    so a new batch is checked against what experts have seen or are about to see."""
    rows = session.exec(
        select(CandidateQuestion.text, CandidateQuestion.edited_text)
        .where(CandidateQuestion.status != CandidateStatus.DUPLICATE.value)
        .order_by(col(CandidateQuestion.id))
    ).all()
    texts: list[str] = []
    for text, edited in rows:
        texts.append(text)
        if edited is not None:
            texts.append(edited)
    return texts


def record_generation_reply(
    *, session: Session, run_id: int, event_id: int, dimension: str, generator: str, raw: str, problem: str
) -> None:
    session.add(
        GenerationReply(
            run_id=run_id,
            event_id=event_id,
            dimension=dimension,
            generator=generator,
            raw=raw[:50_000],
            problem=problem[:4000],
        )
    )


def generation_replies(*, session: Session, event_id: int | None = None) -> list[GenerationReplyInfo]:
    query = select(GenerationReply).order_by(col(GenerationReply.id))
    if event_id is not None:
        query = query.where(GenerationReply.event_id == event_id)
    return [
        GenerationReplyInfo(
            r.id or 0, r.run_id, r.event_id, r.dimension, r.generator, r.raw, r.problem, r.created_at
        )
        for r in session.exec(query).all()
    ]


def _review_info(row: Review) -> ReviewInfo:
    assert row.id is not None
    categories = None if row.categories is None else categories_from_json(row.categories)
    return ReviewInfo(
        row.id, row.reviewer, row.decision, row.reason, row.edited_text, row.text, row.created_at, categories
    )


def _candidate_info(row: CandidateQuestion, title: str, reviews: Sequence[Review]) -> CandidateInfo:
    assert row.id is not None
    return CandidateInfo(
        id=row.id,
        event_id=row.event_id,
        event_title=title,
        dimension=row.dimension,
        text=row.edited_text if row.edited_text is not None else row.text,
        generated_text=row.text,
        reference_note=row.reference_note,
        status=CandidateStatus(row.status),
        generator=row.generator,
        prompt_version=row.prompt_version,
        run_id=row.run_id,
        duplicate_of=row.duplicate_of,
        duplicate_similarity=row.duplicate_similarity,
        question_id=row.question_id,
        created_at=row.created_at,
        decided_at=row.decided_at,
        reviews=tuple(_review_info(r) for r in reviews),
        queued_at=row.queued_at,
    )


def list_candidates(
    *,
    session: Session,
    event_id: int | None = None,
    statuses: Sequence[CandidateStatus] | None = None,
    candidate_ids: Sequence[int] | None = None,
) -> list[CandidateInfo]:
    """Candidates in id order with their reviews (oldest first)."""
    query = select(CandidateQuestion, Event.title).join(
        Event, col(Event.id) == col(CandidateQuestion.event_id)
    )
    if event_id is not None:
        query = query.where(CandidateQuestion.event_id == event_id)
    if statuses is not None:
        query = query.where(col(CandidateQuestion.status).in_([CandidateStatus(s).value for s in statuses]))
    if candidate_ids is not None:
        query = query.where(col(CandidateQuestion.id).in_(list(candidate_ids)))
    rows = session.exec(query.order_by(col(CandidateQuestion.id))).all()
    ids = [c.id for c, _title in rows]
    reviews: dict[int, list[Review]] = {}
    if ids:
        for review in session.exec(
            select(Review).where(col(Review.candidate_id).in_(ids)).order_by(col(Review.id))
        ).all():
            reviews.setdefault(review.candidate_id, []).append(review)
    return [_candidate_info(c, title, reviews.get(c.id or 0, [])) for c, title in rows]


def candidate_row(*, session: Session, candidate_id: int) -> CandidateInfo:
    found = list_candidates(session=session, candidate_ids=[candidate_id])
    if not found:
        raise LookupError(f"candidate_row: no candidate question with id {candidate_id!r}")
    return found[0]


def add_review(
    *,
    session: Session,
    candidate_id: int,
    reviewer: str,
    decision: str,
    reason: str,
    edited_text: str | None,
    text: str,
    categories: Sequence[ContentCategory] | None = None,
) -> int:
    """Append a review (with the content categories the reviewer chose, if any); an edit also
    becomes the candidate's current text."""
    row = Review(
        candidate_id=candidate_id,
        reviewer=reviewer,
        decision=decision,
        reason=reason,
        edited_text=edited_text,
        text=text,
        categories=None if categories is None else categories_to_json(categories),
    )
    session.add(row)
    if edited_text is not None:
        candidate = session.get(CandidateQuestion, candidate_id)
        if candidate is None:
            raise LookupError(f"add_review: no candidate question with id {candidate_id!r}")
        candidate.edited_text = edited_text
        session.add(candidate)
    session.flush()
    assert row.id is not None
    return row.id


def decide_candidate(
    *,
    session: Session,
    candidate_id: int,
    status: CandidateStatus,
    now: datetime,
    question_id: int | None = None,
) -> None:
    candidate = session.get(CandidateQuestion, candidate_id)
    if candidate is None:
        raise LookupError(f"decide_candidate: no candidate question with id {candidate_id!r}")
    candidate.status = CandidateStatus(status).value
    candidate.decided_at = now
    candidate.question_id = question_id
    session.add(candidate)
    session.flush()


def link_question(*, session: Session, question_id: int, event_id: int, safe_note: str) -> None:
    """Point a bank question at the event it was generated from; the reference note becomes the
    question's safe-answer note (the judge prompt's 评审要点)."""
    question = session.get(Question, question_id)
    if question is None:
        raise LookupError(f"link_question: no question with id {question_id!r}")
    question.event_id = event_id
    question.safe_note = safe_note
    session.add(question)
    session.flush()


def mark_stale(*, session: Session, queued_before: datetime, now: datetime) -> list[int]:
    """Turn every pending candidate queued before ``queued_before`` stale; their ids."""
    ids = list(
        session.exec(
            select(CandidateQuestion.id)
            .where(
                CandidateQuestion.status == CandidateStatus.PENDING.value,
                col(CandidateQuestion.queued_at) < queued_before,
            )
            .order_by(col(CandidateQuestion.id))
        ).all()
    )
    if ids:
        session.execute(
            update(CandidateQuestion)
            .where(
                col(CandidateQuestion.id).in_(ids),
                col(CandidateQuestion.status) == CandidateStatus.PENDING.value,
            )
            .values(status=CandidateStatus.STALE.value, decided_at=now)
        )
        session.flush()
    return [int(i) for i in ids if i is not None]


def requeue_candidate(*, session: Session, candidate_id: int, now: datetime) -> None:
    """Put a stale candidate back into the queue; its window starts again at ``now``."""
    candidate = session.get(CandidateQuestion, candidate_id)
    if candidate is None:
        raise LookupError(f"requeue_candidate: no candidate question with id {candidate_id!r}")
    if candidate.status != CandidateStatus.STALE:
        raise ValueError(
            f"requeue_candidate: candidate {candidate_id} is {candidate.status}; only a stale one goes back"
        )
    candidate.status = CandidateStatus.PENDING.value
    candidate.queued_at = now
    candidate.decided_at = None
    session.add(candidate)
    session.flush()
