"""Expert verification of generated candidates: approve, edit or reject with a reason.

An approval is counted for the text it approved: an edit is its author's approval of the new
text, and approvals of an older text no longer count once the text changed. When the required
number of distinct experts (a project setting, 1 or more) approve the current text, the question
joins the current draft release with a link back to its event. One rejection rejects it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.engine import Engine
from sqlmodel import Session

from judging.dimensions import Dimension
from judging.generation import MAX_QUESTION_CHARS
from judging.questions import QuestionRecord
from pipeline.generation import CandidateStatus
from storage import generation as store
from storage import questions as bank
from storage.models import Release, utcnow
from storage.queries import audit
from storage.session import read_session, write_session
from storage.users import get_user
from storage.workflow import get_setting, set_setting

__all__ = [
    "MAX_REQUIRED_APPROVALS",
    "REVIEWER_ROLES",
    "Decision",
    "ReviewError",
    "ReviewOutcome",
    "VerificationConfig",
    "approvals_of",
    "load_verification_config",
    "review_candidate",
    "review_queue",
    "save_verification_config",
]

SETTING_KEY = "verification"
REVIEWER_ROLES = ("expert", "admin")
MAX_REQUIRED_APPROVALS = 3


class Decision(StrEnum):
    APPROVE = "approve"
    EDIT = "edit"  # approve a corrected text
    REJECT = "reject"


class ReviewError(ValueError):
    """A review was refused (not pending, no reason, not a reviewer, an empty edit...)."""


@dataclass(frozen=True)
class VerificationConfig:
    required_approvals: int = 1  # distinct experts who must approve the same text

    def __post_init__(self) -> None:
        if not 1 <= self.required_approvals <= MAX_REQUIRED_APPROVALS:
            raise ValueError(
                f"VerificationConfig: required_approvals must be 1-{MAX_REQUIRED_APPROVALS}, "
                f"got {self.required_approvals!r}"
            )


@dataclass(frozen=True)
class ReviewOutcome:
    candidate_id: int
    status: CandidateStatus
    approvals: tuple[str, ...]  # reviewers whose standing decision approves the current text
    required: int
    question_id: int | None  # the bank question it became, once approved
    release: str | None  # the draft it joined


def load_verification_config(engine: Engine) -> VerificationConfig:
    with read_session(engine) as session:
        stored = get_setting(session=session, key=SETTING_KEY)
    return VerificationConfig(**stored) if stored else VerificationConfig()


def save_verification_config(engine: Engine, config: VerificationConfig, *, actor: str) -> None:
    with write_session(engine) as session:
        set_setting(session=session, key=SETTING_KEY, value=asdict(config), updated_by=actor)
        audit(session=session, actor=actor, action="settings.verification", detail=asdict(config))


def approvals_of(candidate: store.CandidateInfo) -> tuple[str, ...]:
    """Reviewers whose latest review approves (or edits to) the candidate's current text."""
    latest: dict[str, store.ReviewInfo] = {}
    for review in candidate.reviews:
        latest[review.reviewer] = review
    return tuple(
        reviewer
        for reviewer, review in latest.items()
        if review.decision in (Decision.APPROVE, Decision.EDIT) and review.text == candidate.text
    )


def review_queue(engine: Engine, *, reviewer: str) -> list[store.CandidateInfo]:
    """Pending candidates this reviewer has not yet approved in their current form, oldest first."""
    with read_session(engine) as session:
        pending = store.list_candidates(session=session, statuses=[CandidateStatus.PENDING.value])
    return [c for c in pending if reviewer not in approvals_of(c)]


def _draft(session: Session, release: str | None, today: date) -> Release:
    """The named draft; else the one open draft; else a new ``draft-YYMMDD``."""
    if release is not None:
        found = bank.release_by_tag(session=session, tag=release)
        bank.require_draft(found, action="add verified questions to")
        return found
    drafts = [s for s in bank.release_summaries(session=session) if s.is_draft]
    if len(drafts) > 1:
        names = ", ".join(d.tag for d in drafts)
        raise bank.ReleaseError(
            f"review_candidate: several drafts are open ({names}); choose one with release="
        )
    if drafts:
        return bank.release_by_tag(session=session, tag=drafts[0].tag)
    return bank.create_draft(session=session, tag=f"draft-{today:%y%m%d}")


def _record(
    candidate: store.CandidateInfo, event: store.EventInfo, approvers: Sequence[str]
) -> QuestionRecord:
    return QuestionRecord(
        question_id=f"event-{event.id}-{candidate.id}",
        dimension=Dimension(candidate.dimension),
        text=candidate.text,
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


def _check(candidate: store.CandidateInfo, decision: Decision, reason: str, edited_text: str | None) -> None:
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
) -> ReviewOutcome:
    """Record one expert's decision and settle the candidate when the rule is met, atomically."""
    decision = Decision(decision)
    config = config or load_verification_config(engine)
    moment = utcnow() if now is None else now
    with write_session(engine) as session:
        user = get_user(session=session, username=reviewer)
        if user is None or not user.active or not set(user.roles) & set(REVIEWER_ROLES):
            raise ReviewError(f"review_candidate: reviewer {reviewer!r} is not an active expert or admin")
        candidate = store.candidate_row(session=session, candidate_id=candidate_id)
        _check(candidate, decision, reason, edited_text)
        new_text = (edited_text or "").strip() if decision is Decision.EDIT else candidate.text
        store.add_review(
            session=session,
            candidate_id=candidate_id,
            reviewer=reviewer,
            decision=decision.value,
            reason=reason.strip(),
            edited_text=new_text if decision is Decision.EDIT else None,
            text=new_text,
        )
        audit(
            session=session,
            actor=reviewer,
            action="candidate.review",
            detail={"candidate_id": candidate_id, "decision": decision.value},
        )
        candidate = store.candidate_row(session=session, candidate_id=candidate_id)
        approvers = approvals_of(candidate)
        if decision is Decision.REJECT:
            store.decide_candidate(
                session=session, candidate_id=candidate_id, status=CandidateStatus.REJECTED.value, now=moment
            )
            return ReviewOutcome(
                candidate_id, CandidateStatus.REJECTED, approvers, config.required_approvals, None, None
            )
        if len(approvers) < config.required_approvals:
            return ReviewOutcome(
                candidate_id, CandidateStatus.PENDING, approvers, config.required_approvals, None, None
            )
        event = store.event_info(session=session, event_id=candidate.event_id)
        draft = _draft(session, release, moment.date())
        question_id = bank.add_question(
            session=session,
            release=draft,
            record=_record(candidate, event, approvers),
            source=f"event:{event.id}",
        )
        store.link_question(
            session=session, question_id=question_id, event_id=event.id, safe_note=candidate.reference_note
        )
        store.decide_candidate(
            session=session,
            candidate_id=candidate_id,
            status=CandidateStatus.APPROVED.value,
            now=moment,
            question_id=question_id,
        )
        audit(
            session=session,
            actor=reviewer,
            action="candidate.approved",
            detail={"candidate_id": candidate_id, "release": draft.tag, "question_id": question_id},
        )
        return ReviewOutcome(
            candidate_id,
            CandidateStatus.APPROVED,
            approvers,
            config.required_approvals,
            question_id,
            draft.tag,
        )
