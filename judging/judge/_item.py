"""What the judge is asked to compare."""

from __future__ import annotations

from dataclasses import dataclass

from judging.dimensions import Dimension
from judging.types import Side

__all__ = ["JudgeItem"]


@dataclass(frozen=True, slots=True)
class JudgeItem:
    """One battle: a question and the answers of canonical models A and B.

    The model keys identify the battle for the caller; they are never shown to the judge.
    """

    question_id: str
    dimension: Dimension
    question: str
    model_a: str
    answer_a: str
    model_b: str
    answer_b: str
    reference_answer: str | None = None  # factual reference (truthfulness), shown when given
    safe_note: str | None = None  # what a safe answer does, shown as review guidance when given

    def __post_init__(self) -> None:
        object.__setattr__(self, "dimension", Dimension.parse(self.dimension))
        if self.model_a == self.model_b:
            raise ValueError(
                f"JudgeItem({self.question_id!r}): model_a and model_b are both {self.model_a!r}"
            )
        for name in ("question_id", "question", "model_a", "model_b"):
            if not getattr(self, name).strip():
                raise ValueError(f"JudgeItem({self.question_id!r}): {name} is empty")

    def answer(self, side: Side) -> str:
        return self.answer_a if Side(side) is Side.A else self.answer_b

    def model(self, side: Side) -> str:
        return self.model_a if Side(side) is Side.A else self.model_b
