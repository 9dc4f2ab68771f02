"""Expert verification of generated candidates: approve, edit or reject with a reason.

An approval is counted for the text it approved: an edit is its author's approval of the new
text, and approvals of an older text no longer count once the text changed. When the required
number of distinct experts (a project setting, 1 or more) approve the current text, the question
joins the current draft release with a link back to its event. One rejection rejects it.

The pace: the queue is served oldest first, and a candidate not verified within the setting's
``stale_after_days`` of entering the queue becomes *stale* (``mark_stale_candidates``, run by the
Verify page, the generate and release-cycle commands, and before every review): it leaves the
queue and never joins a draft on its own; an admin can put it back (``requeue_candidate``), and
then only approvals given after that count. The release's target mix (``ReleaseTarget``: new
verified questions per dimension, anchors carried over) is what the Verify page counts against
and what ``cli.py release cycle`` checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.engine import Engine
from sqlmodel import Session

from judging.content import ContentCategory, parse_categories, propose_categories
from judging.dimensions import Dimension
from judging.errors import ArenaError
from judging.generation import (
    MAX_QUESTION_CHARS,
)
from judging.questions import QuestionRecord
from judging.releases import ReleaseError, require_draft
from judging.roles import REVIEWER_ROLES, Role
from pipeline.bank.events import CandidateStatus
from pipeline.bank.verification_config import VerificationConfig, load_verification_config
from storage.bank import candidates as candidate_store
from storage.bank import events as event_store
from storage.bank import questions as question_store
from storage.bank import releases as release_store
from storage.bank.candidates import ReviewInfo
from storage.db.models import Release, utcnow
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.people.users import get_user

__all__ = [
    "REVIEWER_ROLES",
    "Decision",
    "ReviewError",
    "ReviewInfo",
    "ReviewOutcome",
    "approvals_of",
    "mark_stale_candidates",
    "proposed_categories",
    "requeue_candidate",
    "review_candidate",
    "review_queue",
    "stale_candidates",
]


class Decision(StrEnum):
    APPROVE = "approve"
    EDIT = "edit"  # approve a corrected text
    REJECT = "reject"


class ReviewError(ArenaError, ValueError):
    """A review was refused (not pending, no reason, not a reviewer, an empty edit...)."""


@dataclass(frozen=True)
class ReviewOutcome:
    candidate_id: int
    status: CandidateStatus
    approvals: tuple[str, ...]  # reviewers whose standing decision approves the current text
    required: int
    question_id: int | None  # the bank question it became, once approved
    release: str | None  # the draft it joined


def approvals_of(candidate: candidate_store.CandidateInfo) -> tuple[str, ...]:
    """Reviewers whose latest review approves (or edits to) the candidate's current text, given
    since it (re-)entered the queue."""
    latest: dict[str, candidate_store.ReviewInfo] = {}
    for review in candidate.reviews:
        if candidate.queued_at is None or review.created_at >= candidate.queued_at:
            latest[review.reviewer] = review
    return tuple(
        reviewer
        for reviewer, review in latest.items()
        if review.decision in (Decision.APPROVE, Decision.EDIT) and review.text == candidate.text
    )


def mark_stale_candidates(
    engine: Engine, *, config: VerificationConfig | None = None, now: datetime | None = None
) -> tuple[int, ...]:
    """Turn the pending candidates not verified within the window stale; their ids."""
    config = config or load_verification_config(engine)
    moment = utcnow() if now is None else now
    with write_session(engine) as session:
        ids = candidate_store.mark_stale(
            session=session, queued_before=config.stale_before(moment), now=moment
        )
        if ids:
            audit(
                session=session,
                actor="system",
                action="candidate.stale",
                detail={"candidate_ids": ids, "stale_after_days": config.stale_after_days},
            )
    return tuple(ids)


def _queued(candidate: candidate_store.CandidateInfo) -> datetime:
    return candidate.queued_at or candidate.created_at


def review_queue(engine: Engine, *, reviewer: str) -> list[candidate_store.CandidateInfo]:
    """Pending candidates this reviewer has not yet approved in their current form, oldest in the
    queue first."""
    with read_session(engine) as session:
        pending = candidate_store.list_candidates(session=session, statuses=[CandidateStatus.PENDING])
    queue = [c for c in pending if reviewer not in approvals_of(c)]
    return sorted(queue, key=lambda c: (_queued(c), c.id))


def stale_candidates(engine: Engine) -> list[candidate_store.CandidateInfo]:
    with read_session(engine) as session:
        return candidate_store.list_candidates(session=session, statuses=[CandidateStatus.STALE])


def requeue_candidate(engine: Engine, candidate_id: int, *, actor: str, now: datetime | None = None) -> None:
    """An admin puts a stale candidate back into the queue; its window starts again now, and
    approvals given before count no more."""
    moment = utcnow() if now is None else now
    with write_session(engine) as session:
        user = get_user(session=session, username=actor)
        if user is None or not user.active or Role.ADMIN not in user.roles:
            raise ReviewError(f"requeue_candidate: {actor!r} is not an active admin")
        try:
            candidate_store.requeue_candidate(session=session, candidate_id=candidate_id, now=moment)
        except ValueError as exc:  # LookupError is left to the caller
            raise ReviewError(str(exc)) from None
        audit(session=session, actor=actor, action="candidate.requeue", detail={"candidate_id": candidate_id})


def _draft(session: Session, release: str | None, today: date) -> Release:
    """The named draft; else the one open draft; else a new ``draft-YYMMDD``."""
    if release is not None:
        found = release_store.release_by_tag(session=session, tag=release)
        require_draft(found, action="add verified questions to")
        return found
    drafts = [s for s in release_store.release_summaries(session=session) if s.is_draft]
    if len(drafts) > 1:
        names = ", ".join(d.tag for d in drafts)
        raise ReleaseError(f"review_candidate: several drafts are open ({names}); choose one with release=")
    if drafts:
        return release_store.release_by_tag(session=session, tag=drafts[0].tag)
    return release_store.create_draft(session=session, tag=f"draft-{today:%y%m%d}")


def _record(
    candidate: candidate_store.CandidateInfo,
    event: event_store.EventInfo,
    approvers: Sequence[str],
    categories: tuple[ContentCategory, ...] | None,
) -> QuestionRecord:
    return QuestionRecord(
        question_id=f"event-{event.id}-{candidate.id}",
        dimension=Dimension(candidate.dimension),
        text=candidate.text,
        categories=proposed_categories(candidate) if categories is None else categories,
        metadata={
            "source": "event",
            "event_id": event.id,
            "event_title": event.title,
            "event_date": event.event_date.isoformat(),
            "source_url": event.source_url,
            "candidate_id": candidate.id,
            "reference_note": candidate.reference_note,
            "generator": candidate.generator,
            "prompt_version": candidate.prompt_version,
            "edited": candidate.edited,
            "approved_by": list(approvers),
        },
    )


def proposed_categories(candidate: candidate_store.CandidateInfo) -> tuple[ContentCategory, ...]:
    """The content categories the lexicon proposes for a generated question's current text."""
    return propose_categories(candidate.text)


def _check(
    candidate: candidate_store.CandidateInfo, decision: Decision, reason: str, edited_text: str | None
) -> None:
    if candidate.status == CandidateStatus.STALE:
        raise ReviewError(
            f"review_candidate: candidate {candidate.id} is stale (not verified in time); "
            "an admin can put it back in the queue"
        )
    if candidate.status != CandidateStatus.PENDING:
        raise ReviewError(f"review_candidate: candidate {candidate.id} is {candidate.status}, not pending")
    if decision in (Decision.EDIT, Decision.REJECT) and not reason.strip():
        raise ReviewError(f"review_candidate: decision {decision.value!r} needs a reason")
    if decision is Decision.EDIT:
        text = (edited_text or "").strip()
        if not text or len(text) > MAX_QUESTION_CHARS:
            raise ReviewError(
                f"review_candidate: edited_text must be 1-{MAX_QUESTION_CHARS} characters, got {len(text)}"
            )
        if text == candidate.text:
            raise ReviewError("review_candidate: edited_text is the current text; approve it instead")
    elif edited_text is not None:
        raise ReviewError(f"review_candidate: edited_text is only for an edit, not for {decision.value!r}")


def review_candidate(
    engine: Engine,
    candidate_id: int,
    *,
    reviewer: str,
    decision: Decision,
    reason: str = "",
    edited_text: str | None = None,
    release: str | None = None,
    config: VerificationConfig | None = None,
    now: datetime | None = None,
    categories: Sequence[str] | None = None,
) -> ReviewOutcome:
    """Record one expert's decision and settle the candidate when the rule is met, atomically.

    ``categories`` are the content categories the question is approved with, as the reviewer
    confirmed or edited them; None means the lexicon's proposal for the (final) text. Each review
    keeps the ones its reviewer chose (``ReviewInfo.categories``); the question gets those of the
    review that completes the approval. An unknown name raises ContentCategoryError before
    anything is written."""
    decision = Decision(decision)
    chosen = None if categories is None else parse_categories(categories)
    config = config or load_verification_config(engine)
    moment = utcnow() if now is None else now
    mark_stale_candidates(engine, config=config, now=moment)  # a late review finds it stale
    with write_session(engine) as session:
        _check_reviewer(session, reviewer)
        candidate = candidate_store.candidate_row(session=session, candidate_id=candidate_id)
        _check(candidate, decision, reason, edited_text)
        _add_review(
            session,
            candidate,
            reviewer=reviewer,
            decision=decision,
            reason=reason,
            edited_text=edited_text,
            categories=chosen,
        )
        candidate = candidate_store.candidate_row(session=session, candidate_id=candidate_id)
        approvers = approvals_of(candidate)
        required = config.required_approvals
        if decision is Decision.REJECT:
            candidate_store.decide_candidate(
                session=session, candidate_id=candidate_id, status=CandidateStatus.REJECTED, now=moment
            )
            return ReviewOutcome(candidate_id, CandidateStatus.REJECTED, approvers, required, None, None)
        if len(approvers) < required:
            return ReviewOutcome(candidate_id, CandidateStatus.PENDING, approvers, required, None, None)
        question_id, tag = _approve(
            session,
            candidate,
            approvers,
            reviewer=reviewer,
            release=release,
            moment=moment,
            categories=chosen,
        )
        return ReviewOutcome(candidate_id, CandidateStatus.APPROVED, approvers, required, question_id, tag)


def _check_reviewer(session: Session, reviewer: str) -> None:
    user = get_user(session=session, username=reviewer)
    if user is None or not user.active or not set(user.roles) & set(REVIEWER_ROLES):
        raise ReviewError(f"review_candidate: reviewer {reviewer!r} is not an active expert or admin")


def _add_review(
    session: Session,
    candidate: candidate_store.CandidateInfo,
    *,
    reviewer: str,
    decision: Decision,
    reason: str,
    edited_text: str | None,
    categories: tuple[ContentCategory, ...] | None,
) -> None:
    """Append the review (an edit carries its text; the categories the reviewer chose, if any)
    and its audit row."""
    new_text = (edited_text or "").strip() if decision is Decision.EDIT else candidate.text
    candidate_store.add_review(
        session=session,
        candidate_id=candidate.id,
        reviewer=reviewer,
        decision=decision.value,
        reason=reason.strip(),
        edited_text=new_text if decision is Decision.EDIT else None,
        text=new_text,
        categories=categories,
    )
    audit(
        session=session,
        actor=reviewer,
        action="candidate.review",
        detail={"candidate_id": candidate.id, "decision": decision.value},
    )


def _approve(
    session: Session,
    candidate: candidate_store.CandidateInfo,
    approvers: tuple[str, ...],
    *,
    reviewer: str,
    release: str | None,
    moment: datetime,
    categories: tuple[ContentCategory, ...] | None,
) -> tuple[int, str]:
    """Add the approved text to the draft as a question; its id and the draft's tag."""
    event = event_store.event_info(session=session, event_id=candidate.event_id)
    draft = _draft(session, release, moment.date())
    question_id = question_store.add_question(
        session=session,
        release=draft,
        record=_record(candidate, event, approvers, categories),
        source=f"event:{event.id}",
    )
    candidate_store.link_question(
        session=session, question_id=question_id, event_id=event.id, safe_note=candidate.reference_note
    )
    candidate_store.decide_candidate(
        session=session,
        candidate_id=candidate.id,
        status=CandidateStatus.APPROVED,
        now=moment,
        question_id=question_id,
    )
    audit(
        session=session,
        actor=reviewer,
        action="candidate.approved",
        detail={"candidate_id": candidate.id, "release": draft.tag, "question_id": question_id},
    )
    return question_id, draft.tag
