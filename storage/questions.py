"""Question bank and release queries. Every function takes ``*, session``.

A release is a draft until it is published; a published release is frozen: every function here
that writes questions refuses one with ``ReleaseFrozenError`` (edits go to a new draft, started
from it, which carries its questions over as anchors), and the database refuses to change its
questions or to un-publish it (migration 0005).

The gold items live in a row of the same table with ``kind = 'gold'`` (``gold_container``); it is
not a release. ``releases`` is the one query that lists releases, and every function here that
looks a release up or counts its questions goes through it (``release_by_tag`` refuses the gold
container by name with ``GoldItemsError``).

A question row keeps the typed columns the arena reads (text, dimension, reference answer) and,
in ``metadata_json``, the rest of the imported record, so that an export gives the record back.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from judging.dimensions import Dimension
from judging.questions import QuestionRecord
from storage.models import Question, Release

__all__ = [
    "DRAFT",
    "PUBLISHED",
    "BankEntry",
    "GoldItemsError",
    "ReleaseError",
    "ReleaseFrozenError",
    "ReleaseKind",
    "ReleaseNotFoundError",
    "ReleaseSummary",
    "StoredQuestion",
    "add_question",
    "bank_entries",
    "check_published_tag",
    "create_draft",
    "external_id_for",
    "gold_container",
    "publish",
    "record_from_row",
    "release_by_tag",
    "release_questions",
    "release_summaries",
    "releases",
    "replace_question",
    "require_draft",
    "retire_question",
]

DRAFT = "draft"
PUBLISHED = "published"

EXTERNAL_ID_MAX = 128  # Question.external_id column width
_DRAFT_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_PUBLISHED_TAG = re.compile(r"^v\d{6}$")


class ReleaseError(ValueError):
    """A release operation was refused (unknown release, bad tag, frozen release...)."""


class ReleaseNotFoundError(ReleaseError, LookupError):
    pass


class ReleaseFrozenError(ReleaseError):
    """The release is published; its questions can no longer change."""


class GoldItemsError(ReleaseError):
    """The name is the gold items' container, which is not a release."""


class ReleaseKind(StrEnum):
    """``release.kind``: a question release, or the container of the gold items."""

    RELEASE = "release"
    GOLD = "gold"


@dataclass(frozen=True)
class ReleaseSummary:
    id: int
    tag: str
    title: str
    status: str  # draft | published
    notes: str
    parent_tag: str | None
    created_at: datetime
    published_at: datetime | None
    questions: int  # not retired
    anchors: int  # not retired, carried over from the parent
    retired: int
    by_dimension: Mapping[str, int] = field(default_factory=dict)  # not retired, every dimension

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT


@dataclass(frozen=True)
class StoredQuestion:
    id: int
    release_id: int
    external_id: str
    record: QuestionRecord
    source: str
    anchor: bool
    anchor_of_id: int | None
    retired: bool


@dataclass(frozen=True, slots=True)
class BankEntry:
    """A question text of the bank, for duplicate checks."""

    id: int
    release_id: int
    external_id: str
    text: str


def external_id_for(question_id: str) -> str:
    """The column value for ``question_id``: itself, or a digest when longer than the column
    (LiveSecBench uses whole question texts as ids); the full id stays in ``metadata_json``."""
    if len(question_id) <= EXTERNAL_ID_MAX:
        return question_id
    return "sha256:" + hashlib.sha256(question_id.encode("utf-8")).hexdigest()


def _envelope(record: QuestionRecord) -> str:
    data: dict[str, Any] = {}
    if external_id_for(record.question_id) != record.question_id:
        data["question_id"] = record.question_id
    data.update(
        dimension_label=record.dimension_label,
        language=record.language,
        version=record.version,
        release_date=record.release_date,
        reference_answers=list(record.reference_answers),
        metadata=dict(record.metadata),
        extra=dict(record.extra),
    )
    return json.dumps(data, ensure_ascii=False)


def _apply(row: Question, record: QuestionRecord) -> None:
    row.external_id = external_id_for(record.question_id)
    row.dimension = record.dimension.value
    row.sub_dimension = record.sub_dimension
    row.text = record.text
    row.reference_answer = "\n\n".join(record.reference_answers) if record.reference_answers else None
    row.sensitive = record.sensitive
    row.metadata_json = _envelope(record)


def record_from_row(row: Question) -> QuestionRecord:
    """The record a row stores. Rows written before the bank existed (the demo) have no
    envelope: their own columns give the record."""
    data = json.loads(row.metadata_json or "{}")
    if "reference_answers" in data:
        references = tuple(data["reference_answers"])
    else:
        references = (row.reference_answer,) if row.reference_answer else ()
    return QuestionRecord(
        question_id=data.get("question_id", row.external_id),
        dimension=Dimension(row.dimension),
        text=row.text,
        sub_dimension=row.sub_dimension,
        reference_answers=references,
        language=data.get("language", "zh"),
        version=data.get("version", 1),
        release_date=data.get("release_date", ""),
        metadata=data.get("metadata", {}),
        extra=data.get("extra", {}),
        dimension_label=data.get("dimension_label", ""),
        sensitive=row.sensitive,
    )


def _stored(row: Question) -> StoredQuestion:
    assert row.id is not None
    return StoredQuestion(
        id=row.id,
        release_id=row.release_id,
        external_id=row.external_id,
        record=record_from_row(row),
        source=row.source,
        anchor=row.anchor,
        anchor_of_id=row.anchor_of_id,
        retired=row.retired,
    )


def _is_release() -> ColumnElement[bool]:
    """The filter every release query uses: the gold container is not a release."""
    return col(Release.kind) == ReleaseKind.RELEASE.value


def releases(*, session: Session) -> list[Release]:
    """Every release (drafts and published), oldest first; never the gold items' container."""
    return list(session.exec(select(Release).where(_is_release()).order_by(col(Release.id))).all())


def _gold_refusal(tag: str) -> GoldItemsError:
    return GoldItemsError(
        f"{tag!r} holds the gold items, which are not a release: they cannot be published, "
        "edited as a draft, rated, reported or exported as one (gold votes: export-votes --include-gold)"
    )


def release_by_tag(*, session: Session, tag: str) -> Release:
    """The release tagged ``tag``; ``GoldItemsError`` for the gold items' container."""
    release = session.exec(select(Release).where(Release.tag == tag)).first()
    if release is not None and release.kind != ReleaseKind.RELEASE.value:
        raise _gold_refusal(tag)
    if release is None:
        known = ", ".join(r.tag for r in releases(session=session)) or "none"
        raise ReleaseNotFoundError(f"release_by_tag: no release {tag!r} (releases: {known})")
    return release


def gold_container(*, session: Session, tag: str, title: str) -> Release:
    """The container of the gold items (``kind = 'gold'``), created as ``tag`` on first use."""
    found = session.exec(
        select(Release).where(Release.kind == ReleaseKind.GOLD.value).order_by(col(Release.id))
    ).first()
    if found is not None:
        return found
    if session.exec(select(Release.id).where(Release.tag == tag)).first() is not None:
        raise ReleaseError(
            f"gold_container: release {tag!r} exists and is not the gold items; rename it to import gold items"
        )
    container = Release(tag=tag, title=title, status=DRAFT, kind=ReleaseKind.GOLD.value)
    session.add(container)
    session.flush()
    return container


def require_draft(release: Release, *, action: str) -> None:
    """Raise ReleaseFrozenError unless ``release`` is a draft; ``action`` says what was refused."""
    if release.status != DRAFT:
        raise ReleaseFrozenError(
            f"cannot {action} release {release.tag!r}: it is {release.status} and frozen; "
            f"start a new draft from it (release create NEW --from {release.tag}) and edit that"
        )


def _questions(session: Session, release_id: int, *, include_retired: bool) -> list[Question]:
    query = select(Question).where(Question.release_id == release_id)
    if not include_retired:
        query = query.where(col(Question.retired).is_(False))
    return list(session.exec(query.order_by(col(Question.id))).all())


def release_questions(
    *, session: Session, release_id: int, include_retired: bool = False
) -> list[StoredQuestion]:
    """The release's questions in the order they were added."""
    return [_stored(q) for q in _questions(session, release_id, include_retired=include_retired)]


def release_summaries(*, session: Session) -> list[ReleaseSummary]:
    """Every release, oldest first, with its question counts (never the gold items)."""
    rows = releases(session=session)
    tags = {r.id: r.tag for r in rows}
    columns = (Question.release_id, Question.dimension, Question.retired, Question.anchor)
    counts = session.execute(
        sa_select(*columns, func.count()).group_by(*columns)  # type: ignore[call-overload]
    ).all()
    per: dict[int, dict[str, Any]] = {}
    for release_id, dimension, retired, anchor, n in counts:
        entry = per.setdefault(release_id, {"questions": 0, "anchors": 0, "retired": 0, "dims": {}})
        if retired:
            entry["retired"] += n
            continue
        entry["questions"] += n
        entry["anchors"] += n if anchor else 0
        entry["dims"][dimension] = entry["dims"].get(dimension, 0) + n
    summaries = []
    for r in rows:
        assert r.id is not None
        entry = per.get(r.id, {"questions": 0, "anchors": 0, "retired": 0, "dims": {}})
        by_dimension = {d.value: entry["dims"].get(d.value, 0) for d in Dimension}
        summaries.append(
            ReleaseSummary(
                id=r.id,
                tag=r.tag,
                title=r.title,
                status=r.status,
                notes=r.notes,
                parent_tag=tags.get(r.parent_id) if r.parent_id is not None else None,
                created_at=r.created_at,
                published_at=r.published_at,
                questions=entry["questions"],
                anchors=entry["anchors"],
                retired=entry["retired"],
                by_dimension=by_dimension,
            )
        )
    return summaries


def bank_entries(*, session: Session) -> list[BankEntry]:
    """Every question text of every release, in id order (the gold items are not the bank)."""
    rows = session.exec(
        select(Question.id, Question.release_id, Question.external_id, Question.text)
        .join(Release, col(Release.id) == col(Question.release_id))
        .where(_is_release())
        .order_by(col(Question.id))
    ).all()
    return [BankEntry(int(i or 0), int(r), e, t) for i, r, e, t in rows]


def create_draft(
    *, session: Session, tag: str, title: str = "", notes: str = "", parent: Release | None = None
) -> Release:
    """A new draft; started from a published ``parent``, it carries the parent's questions over
    as anchors (same question ids, ``anchor_of_id`` pointing at the parent's row)."""
    if not _DRAFT_TAG.match(tag):
        raise ReleaseError(
            f"create_draft: tag {tag!r} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    taken = session.exec(select(Release.kind).where(Release.tag == tag)).first()
    if taken == ReleaseKind.GOLD.value:
        raise ReleaseError(f"create_draft: tag {tag!r} is the gold items' name; choose another")
    if taken is not None:
        raise ReleaseError(f"create_draft: a release with tag {tag!r} already exists")
    if parent is not None and parent.status != PUBLISHED:
        raise ReleaseError(
            f"create_draft: parent {parent.tag!r} is a {parent.status}; start from a published release"
        )
    draft = Release(tag=tag, title=title, notes=notes, status=DRAFT, parent_id=parent.id if parent else None)
    session.add(draft)
    session.flush()
    assert draft.id is not None
    if parent is not None and parent.id is not None:
        for q in _questions(session, parent.id, include_retired=False):
            session.add(
                Question(
                    release_id=draft.id,
                    external_id=q.external_id,
                    dimension=q.dimension,
                    sub_dimension=q.sub_dimension,
                    text=q.text,
                    safe_note=q.safe_note,
                    reference_answer=q.reference_answer,
                    sensitive=q.sensitive,
                    metadata_json=q.metadata_json,
                    source=q.source,
                    anchor=True,
                    anchor_of_id=q.id,
                )
            )
        session.flush()
    return draft


def _row(session: Session, release: Release, question_id: str) -> Question | None:
    return session.exec(
        select(Question).where(
            Question.release_id == release.id, Question.external_id == external_id_for(question_id)
        )
    ).first()


def add_question(*, session: Session, release: Release, record: QuestionRecord, source: str = "") -> int:
    """Add a question to a draft; its question_id must be new to the release."""
    require_draft(release, action="add questions to")
    assert release.id is not None
    if _row(session, release, record.question_id) is not None:
        raise ReleaseError(
            f"add_question: release {release.tag!r} already has question {record.question_id!r}"
        )
    row = Question(release_id=release.id, external_id="", dimension="", text="", source=source[:255])
    _apply(row, record)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def replace_question(
    *, session: Session, release: Release, record: QuestionRecord, source: str | None = None
) -> int:
    """Replace the content of a draft's question with the same question_id (and un-retire it).

    A changed anchor stops being an anchor: it is no longer the item rated in the parent release.
    """
    require_draft(release, action="edit questions of")
    row = _row(session, release, record.question_id)
    if row is None:
        raise ReleaseError(
            f"replace_question: release {release.tag!r} has no question {record.question_id!r}"
        )
    if record_from_row(row) != record:
        row.anchor = False
    _apply(row, record)
    row.retired = False
    if source is not None:
        row.source = source[:255]
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def retire_question(*, session: Session, release: Release, question_id: str) -> None:
    """Drop a question from a draft; the row stays (flagged) so the diff can list it."""
    require_draft(release, action="retire questions of")
    row = _row(session, release, question_id)
    if row is None:
        raise ReleaseError(f"retire_question: release {release.tag!r} has no question {question_id!r}")
    row.retired = True
    session.add(row)
    session.flush()


def check_published_tag(tag: str) -> None:
    """A published tag is ``vYYMMDD`` with a real date."""
    if not _PUBLISHED_TAG.match(tag):
        raise ReleaseError(f"publish: tag {tag!r} must look like vYYMMDD (for example v251215)")
    try:
        date(2000 + int(tag[1:3]), int(tag[3:5]), int(tag[5:7]))
    except ValueError:
        raise ReleaseError(f"publish: tag {tag!r} is not a calendar date") from None


def publish(
    *, session: Session, release: Release, tag: str, now: datetime, notes: str | None = None
) -> Release:
    """Freeze a draft under the tag ``vYYMMDD``; from then on its questions cannot change."""
    if release.kind != ReleaseKind.RELEASE.value:
        raise _gold_refusal(release.tag)
    require_draft(release, action="publish")
    check_published_tag(tag)
    taken = session.exec(select(Release.id).where(Release.tag == tag, Release.id != release.id)).first()
    if taken is not None:
        raise ReleaseError(f"publish: another release already has tag {tag!r}")
    assert release.id is not None
    if not _questions(session, release.id, include_retired=False):
        raise ReleaseError(f"publish: release {release.tag!r} has no questions")
    release.tag = tag
    release.status = PUBLISHED
    release.published_at = now
    if notes is not None:
        release.notes = notes
    session.add(release)
    session.flush()
    return release
