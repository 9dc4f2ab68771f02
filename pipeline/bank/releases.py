"""Release lifecycle: start a draft (optionally from a published release), edit it, publish it
under a frozen ``vYYMMDD`` tag, and compare two releases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from judging.questions import QuestionDiff, QuestionRecord, diff_questions
from judging.releases import ReleaseError, ReleaseNotFoundError
from storage.bank import questions as question_store
from storage.bank import releases as release_store
from storage.db.models import utcnow
from storage.db.session import read_session, write_session
from storage.people.audit import audit

__all__ = [
    "ReleaseDiff",
    "create_release",
    "diff_releases",
    "edit_question",
    "list_release_summaries",
    "open_drafts",
    "publish_release",
    "release_questions",
    "retire_question",
]


@dataclass(frozen=True)
class ReleaseDiff:
    """``new`` compared with ``old`` (by default its parent): added, retired, changed questions."""

    old_tag: str
    new_tag: str
    diff: QuestionDiff


def list_release_summaries(engine: Engine) -> list[release_store.ReleaseSummary]:
    """Every release, oldest first, with counts per dimension."""
    with read_session(engine) as session:
        return release_store.release_summaries(session=session)


def open_drafts(engine: Engine) -> list[release_store.ReleaseSummary]:
    return [s for s in list_release_summaries(engine) if s.is_draft]


def _summary(engine: Engine, tag: str) -> release_store.ReleaseSummary:
    for summary in list_release_summaries(engine):
        if summary.tag == tag:
            return summary
    raise ReleaseNotFoundError(f"no release {tag!r}")


def create_release(
    engine: Engine,
    tag: str,
    *,
    title: str = "",
    notes: str = "",
    parent: str | None = None,
    actor: str = "system",
) -> release_store.ReleaseSummary:
    """A new draft; with ``parent`` (a published tag) it starts with the parent's questions as anchors."""
    with write_session(engine) as session:
        parent_release = None if parent is None else release_store.release_by_tag(session=session, tag=parent)
        draft = release_store.create_draft(
            session=session, tag=tag, title=title, notes=notes, parent=parent_release
        )
        audit(session=session, actor=actor, action="release.create", detail={"tag": tag, "parent": parent})
        assert draft.id is not None
    return _summary(engine, tag)


def publish_release(
    engine: Engine,
    draft: str,
    *,
    tag: str | None = None,
    notes: str | None = None,
    now: datetime | None = None,
    actor: str = "system",
) -> release_store.ReleaseSummary:
    """Freeze ``draft`` as ``tag`` (default ``v`` + the local date of ``now`` as YYMMDD)."""
    moment = utcnow() if now is None else now
    final_tag = f"v{moment.astimezone():%y%m%d}" if tag is None else tag
    with write_session(engine) as session:
        release = release_store.release_by_tag(session=session, tag=draft)
        release_store.publish(session=session, release=release, tag=final_tag, now=moment, notes=notes)
        audit(
            session=session, actor=actor, action="release.publish", detail={"draft": draft, "tag": final_tag}
        )
    return _summary(engine, final_tag)


def release_questions(
    engine: Engine, release: str, *, include_retired: bool = False
) -> list[question_store.StoredQuestion]:
    with read_session(engine) as session:
        found = release_store.release_by_tag(session=session, tag=release)
        assert found.id is not None
        return question_store.release_questions(
            session=session, release_id=found.id, include_retired=include_retired
        )


def edit_question(engine: Engine, release: str, record: QuestionRecord, *, actor: str = "system") -> None:
    """Replace a draft question's content (matched by question_id); a published release refuses."""
    with write_session(engine) as session:
        found = release_store.release_by_tag(session=session, tag=release)
        question_store.replace_question(session=session, release=found, record=record)
        audit(
            session=session,
            actor=actor,
            action="question.edit",
            detail={"release": release, "question_id": record.question_id},
        )


def retire_question(engine: Engine, release: str, question_id: str, *, actor: str = "system") -> None:
    """Drop a question from a draft; a published release refuses."""
    with write_session(engine) as session:
        found = release_store.release_by_tag(session=session, tag=release)
        question_store.retire_question(session=session, release=found, question_id=question_id)
        audit(
            session=session,
            actor=actor,
            action="question.retire",
            detail={"release": release, "question_id": question_id},
        )


def diff_releases(engine: Engine, new: str, *, old: str | None = None) -> ReleaseDiff:
    """Added, retired and changed questions of ``new`` against ``old`` (default: its parent)."""
    with read_session(engine) as session:
        after = release_store.release_by_tag(session=session, tag=new)
        if old is None:
            if after.parent_id is None:
                raise ReleaseError(
                    f"diff_releases: release {new!r} has no parent; name the release to compare with"
                )
            parent = next(
                s for s in release_store.release_summaries(session=session) if s.id == after.parent_id
            )
            old = parent.tag
        before = release_store.release_by_tag(session=session, tag=old)
        assert before.id is not None and after.id is not None
        old_records = [
            q.record for q in question_store.release_questions(session=session, release_id=before.id)
        ]
        new_records = [
            q.record for q in question_store.release_questions(session=session, release_id=after.id)
        ]
    return ReleaseDiff(old_tag=old, new_tag=new, diff=diff_questions(old_records, new_records))
