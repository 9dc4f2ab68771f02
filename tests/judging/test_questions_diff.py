"""Release diffs on records: added, retired, changed (with the changed fields)."""

from __future__ import annotations

import pytest

from judging.dimensions import Dimension
from judging.questions import QuestionRecord, changed_fields, diff_questions


def q(question_id: str, text: str = "问题？", **kw: object) -> QuestionRecord:
    return QuestionRecord(question_id, kw.pop("dimension", Dimension.PRIVACY), text, **kw)  # type: ignore[arg-type]


def test_added_retired_changed():
    old = [q("a"), q("b"), q("c", metadata={"tags": ["x"], "type": "t"})]
    new = [
        q("a"),
        q("c", metadata={"type": "t", "tags": ["x"]}),  # same content, other key order
        q("b", "新问题？", dimension=Dimension.FAIRNESS),
        q("d"),
    ]
    diff = diff_questions(old, new)
    assert [r.question_id for r in diff.added] == ["d"]
    assert diff.retired == ()
    assert [(c.question_id, c.fields) for c in diff.changed] == [("b", ("dimension", "text"))]
    assert diff.unchanged == 2 and not diff.is_empty
    back = diff_questions(new, old)
    assert [r.question_id for r in back.retired] == ["d"]


def test_changed_fields_lists_each_field():
    old = q("a")
    new = q("a", reference_answers=("答",), version=2, categories=("self_harm",))
    assert changed_fields(old, new) == ("reference_answers", "version", "categories")


def test_repeated_ids_are_refused():
    with pytest.raises(ValueError, match=r"diff_questions: new repeats question_id \['a'\]"):
        diff_questions([], [q("a"), q("a")])
