"""The checks a draft must pass before ``cli.py release cycle`` publishes it: its events' candidates
all decided, no near duplicates of published questions, anchors unchanged, the target mix met."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.engine import Engine

from judging.questions import DEFAULT_THRESHOLD, find_duplicates
from pipeline.bank.events import CandidateStatus
from pipeline.bank.verification import approvals_of, mark_stale_candidates
from pipeline.bank.verification_config import (
    DraftProgress,
    ReleaseTarget,
    VerificationConfig,
    draft_progress,
    load_release_target,
    load_verification_config,
)
from storage.bank import candidates as candidate_store
from storage.bank import questions as question_store
from storage.bank import releases as release_store
from storage.db.session import read_session

__all__ = [
    "DraftCheck",
    "DraftProblem",
    "ProblemKind",
    "check_draft",
]


class ProblemKind(StrEnum):
    NOT_A_DRAFT = "not_a_draft"
    SHORT = "short"  # a dimension below its target
    UNVERIFIED = "unverified"  # an event question without an approved candidate under the rule
    STALE = "stale"  # an event question whose candidate went stale
    DUPLICATE = "duplicate"  # duplicates a published question or another new one
    ANCHORS = "anchors"  # the previous release's anchors are not carried over


@dataclass(frozen=True)
class DraftProblem:
    kind: ProblemKind
    message: str


@dataclass(frozen=True)
class DraftCheck:
    draft: str
    progress: DraftProgress
    problems: tuple[DraftProblem, ...]
    notes: tuple[str, ...] = ()  # what is worth knowing but does not stop the cycle

    @property
    def ok(self) -> bool:
        return not self.problems


# --- the check ---------------------------------------------------------------------------------


def _event_problems(
    candidates: Sequence[candidate_store.CandidateInfo],
    questions: Sequence[question_store.StoredQuestion],
    config: VerificationConfig,
) -> list[DraftProblem]:
    by_question = {c.question_id: c for c in candidates if c.question_id is not None}
    problems = []
    for q in questions:
        if q.anchor or not q.source.startswith("event:"):
            continue
        candidate = by_question.get(q.id)
        name = q.record.question_id
        if candidate is None:
            problems.append(
                DraftProblem(
                    ProblemKind.UNVERIFIED,
                    f"{name}: came from an event, but no verified candidate leads to it",
                )
            )
        elif candidate.status == CandidateStatus.STALE:
            problems.append(DraftProblem(ProblemKind.STALE, f"{name}: its candidate {candidate.id} is stale"))
        elif candidate.status != CandidateStatus.APPROVED:
            problems.append(
                DraftProblem(
                    ProblemKind.UNVERIFIED, f"{name}: its candidate {candidate.id} is {candidate.status}"
                )
            )
        elif len(approvals_of(candidate)) < config.required_approvals:
            problems.append(
                DraftProblem(
                    ProblemKind.UNVERIFIED,
                    f"{name}: approved by {len(approvals_of(candidate))} expert(s), the rule now needs "
                    f"{config.required_approvals}; retire it (or lower the rule)",
                )
            )
    return problems


def _duplicate_problems(
    new: Sequence[question_store.StoredQuestion],
    published: Sequence[tuple[str, question_store.StoredQuestion]],
    threshold: float,
) -> list[DraftProblem]:
    matches = find_duplicates(
        [q.record.text for q in new], [q.record.text for _tag, q in published], threshold=threshold
    )
    problems = []
    for m in matches:
        question = new[m.candidate].record.question_id
        if m.in_bank:
            tag, other = published[m.other]
            what = f"{tag} question {other.record.question_id}"
        else:
            what = f"question {new[m.other].record.question_id} of this draft"
        problems.append(
            DraftProblem(
                ProblemKind.DUPLICATE, f"{question}: duplicates {what} (similarity {m.similarity:.2f})"
            )
        )
    return problems


def _anchor_problems(
    releases: Sequence[release_store.ReleaseSummary], release: release_store.ReleaseSummary
) -> list[DraftProblem]:
    published = [r for r in releases if not r.is_draft]
    if not published:
        return []  # the first release has nothing to carry over
    newest = max(published, key=lambda r: (r.published_at or r.created_at, r.id))
    start = f"start a draft from it (release create NEW --from {newest.tag}) and move the new questions there"
    if release.parent_tag is None:
        return [
            DraftProblem(
                ProblemKind.ANCHORS,
                f"draft {release.tag} was not started from a published release, so no anchors are carried over; {start}",
            )
        ]
    if release.parent_tag != newest.tag:
        return [
            DraftProblem(
                ProblemKind.ANCHORS,
                f"draft {release.tag} carries the anchors of {release.parent_tag}, but the newest published "
                f"release is {newest.tag}; {start}",
            )
        ]
    return []


def _target_problems(
    progress: DraftProgress, parent_tag: str | None, target: ReleaseTarget
) -> tuple[list[DraftProblem], list[str]]:
    """Per dimension: short of the target (a problem), over it (a note), too few anchors carried
    over from the parent (a problem)."""
    problems: list[DraftProblem] = []
    notes: list[str] = []
    for d in progress.dimensions:
        if d.verified < d.target:
            problems.append(
                DraftProblem(
                    ProblemKind.SHORT,
                    f"{d.dimension.value}: {d.verified} new question(s), target {d.target} ({d.missing} short)",
                )
            )
        elif d.verified > d.target:
            notes.append(
                f"{d.dimension.value}: {d.verified} new questions, {d.verified - d.target} over the target"
            )
        if parent_tag is not None and d.anchors < target.min_anchors_per_dimension:
            problems.append(
                DraftProblem(
                    ProblemKind.ANCHORS,
                    f"{d.dimension.value}: {d.anchors} anchor(s) carried over from {parent_tag}, "
                    f"at least {target.min_anchors_per_dimension} wanted",
                )
            )
    return problems, notes


def check_draft(
    engine: Engine,
    draft: str,
    *,
    target: ReleaseTarget | None = None,
    config: VerificationConfig | None = None,
    now: datetime | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> DraftCheck:
    """Whether ``draft`` may be published now (see the module docstring); raises
    ``ReleaseNotFoundError`` for an unknown draft."""
    target = target or load_release_target(engine)
    config = config or load_verification_config(engine)
    went_stale = mark_stale_candidates(engine, config=config, now=now)
    with read_session(engine) as session:
        summaries = release_store.release_summaries(session=session)
        summary = next((s for s in summaries if s.tag == draft), None)
        if summary is None:
            release_store.release_by_tag(session=session, tag=draft)  # raises with the known releases
            raise release_store.ReleaseNotFoundError(f"check_draft: no release {draft!r}")
        if not summary.is_draft:
            problem = DraftProblem(ProblemKind.NOT_A_DRAFT, f"{draft} is already published")
            return DraftCheck(draft, draft_progress(engine, None, target), (problem,))
        questions = question_store.release_questions(session=session, release_id=summary.id)
        published: list[tuple[str, question_store.StoredQuestion]] = []
        for s in summaries:
            if not s.is_draft:
                published.extend(
                    (s.tag, q) for q in question_store.release_questions(session=session, release_id=s.id)
                )
        linked = candidate_store.list_candidates(
            session=session, statuses=[CandidateStatus.APPROVED, CandidateStatus.STALE]
        )
        pending = candidate_store.list_candidates(session=session, statuses=[CandidateStatus.PENDING])
    progress = draft_progress(engine, draft, target)
    problems, notes = _target_problems(progress, summary.parent_tag, target)
    problems.extend(_anchor_problems(summaries, summary))
    problems.extend(_event_problems(linked, questions, config))
    problems.extend(_duplicate_problems([q for q in questions if not q.anchor], published, threshold))
    if went_stale:
        notes.append(
            f"{len(went_stale)} candidate(s) went stale now (not verified within {config.stale_after_days} days); "
            "they are not in the draft"
        )
    if pending:
        notes.append(
            f"{len(pending)} candidate(s) still wait in the verification queue; they are not in this release"
        )
    return DraftCheck(draft, progress, tuple(problems), tuple(notes))
