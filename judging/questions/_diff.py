"""What changed between two question sets: added, retired and changed questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from judging.questions._record import QuestionRecord

__all__ = ["QuestionChange", "QuestionDiff", "changed_fields", "diff_questions"]

# Fields whose difference makes a question "changed" (everything but its identity).
_COMPARED = tuple(f.name for f in fields(QuestionRecord) if f.name != "question_id")


def changed_fields(old: QuestionRecord, new: QuestionRecord) -> tuple[str, ...]:
    """Names of the fields that differ (mappings compare by content, not key order)."""
    return tuple(name for name in _COMPARED if getattr(old, name) != getattr(new, name))


@dataclass(frozen=True)
class QuestionChange:
    question_id: str
    fields: tuple[str, ...]
    old: QuestionRecord
    new: QuestionRecord


@dataclass(frozen=True)
class QuestionDiff:
    """``new`` against ``old``, matched by question_id; each part in the order of its release."""

    added: tuple[QuestionRecord, ...]
    retired: tuple[QuestionRecord, ...]
    changed: tuple[QuestionChange, ...]
    unchanged: int

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.retired or self.changed)


def diff_questions(old: Sequence[QuestionRecord], new: Sequence[QuestionRecord]) -> QuestionDiff:
    """Questions only in ``new`` are added, only in ``old`` retired, in both with different
    content changed. Raises ValueError when a side repeats a question_id."""
    for side, records in (("old", old), ("new", new)):
        ids = [r.question_id for r in records]
        if len(set(ids)) != len(ids):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"diff_questions: {side} repeats question_id {repeated[:5]}")
    before = {r.question_id: r for r in old}
    after = {r.question_id: r for r in new}
    changed: list[QuestionChange] = []
    unchanged = 0
    for record in new:
        previous = before.get(record.question_id)
        if previous is None:
            continue
        names = changed_fields(previous, record)
        if names:
            changed.append(QuestionChange(record.question_id, names, previous, record))
        else:
            unchanged += 1
    return QuestionDiff(
        added=tuple(r for r in new if r.question_id not in before),
        retired=tuple(r for r in old if r.question_id not in after),
        changed=tuple(changed),
        unchanged=unchanged,
    )
