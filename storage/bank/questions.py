"""Question queries: the questions of a release, the whole bank's texts for duplicate checks,
and adding, replacing and retiring a draft's questions. Every function takes ``*, session``.

A question row keeps the typed columns the arena reads (text, dimension, reference answer) and,
in ``metadata_json``, the rest of the imported record, so that an export gives the record back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from judging.content import ContentCategory, categories_from_json, categories_to_json, collapses
from judging.dimensions import Dimension
from judging.questions import QuestionRecord
from judging.releases import ReleaseError, require_draft
from storage.bank.releases import is_release, question_rows
from storage.db.models import (
    Question,
    Release,
)

__all__ = [
    "BankEntry",
    "StoredQuestion",
    "add_question",
    "bank_entries",
    "external_id_for",
    "record_from_row",
    "release_questions",
    "replace_question",
    "retire_question",
    "set_categories",
]

EXTERNAL_ID_MAX = 128  # Question.external_id column width


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
    row.categories = categories_to_json(record.categories)
    row.sensitive = record.sensitive  # derived: self_harm among the categories
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
        categories=categories_from_json(row.categories),
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


def release_questions(
    *, session: Session, release_id: int, include_retired: bool = False
) -> list[StoredQuestion]:
    """The release's questions in the order they were added."""
    return [_stored(q) for q in question_rows(session, release_id, include_retired=include_retired)]


def bank_entries(*, session: Session) -> list[BankEntry]:
    """Every question text of every release, in id order (the gold items are not the bank)."""
    rows = session.exec(
        select(Question.id, Question.release_id, Question.external_id, Question.text)
        .join(Release, col(Release.id) == col(Question.release_id))
        .where(is_release())
        .order_by(col(Question.id))
    ).all()
    return [BankEntry(int(i or 0), int(r), e, t) for i, r, e, t in rows]


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


def set_categories(
    *, session: Session, release: Release, question_id: str, categories: tuple[ContentCategory, ...]
) -> tuple[ContentCategory, ...]:
    """Set a question's content categories (and the derived ``sensitive``); the previous ones are
    returned. A published release allows it (its triggers allow these two columns and nothing
    else): categories are care metadata, not the item being rated."""
    row = _row(session, release, question_id)
    if row is None:
        raise ReleaseError(f"set_categories: release {release.tag!r} has no question {question_id!r}")
    before = categories_from_json(row.categories)
    row.categories = categories_to_json(categories)
    row.sensitive = collapses(categories)
    session.add(row)
    session.flush()
    return before
