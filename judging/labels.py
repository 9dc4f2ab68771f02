"""Final labels of a battle and the disagreements that send it to an expert."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from judging.types import Source, Verdict

__all__ = ["FinalLabel", "Reason", "adjudication_reasons", "final_label", "majority"]


class Reason(StrEnum):
    ANNOTATORS_DISAGREE = "annotators_disagree"
    HUMAN_JUDGE_DISAGREE = "human_judge_disagree"
    JUDGE_INCONSISTENT = "judge_inconsistent"
    FLAGGED = "flagged"


@dataclass(frozen=True)
class FinalLabel:
    verdict: Verdict | None  # None: no decision (no votes, or a tied majority)
    source: Source | None


def majority(verdicts: Sequence[Verdict]) -> Verdict | None:
    """The strict plurality verdict, or None when there is none (empty or tied)."""
    if not verdicts:
        return None
    ranked = Counter(verdicts).most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def final_label(votes: Sequence[tuple[Source, Verdict]]) -> FinalLabel:
    """An expert's verdict wins (the latest, if several); otherwise the human majority."""
    experts = [v for s, v in votes if s is Source.EXPERT]
    if experts:
        return FinalLabel(experts[-1], Source.EXPERT)
    humans = majority([v for s, v in votes if s is Source.HUMAN])
    return FinalLabel(humans, Source.HUMAN if humans is not None else None)


def adjudication_reasons(
    votes: Sequence[tuple[Source, Verdict]], *, flagged: bool = False
) -> tuple[Reason, ...]:
    """Why a battle needs an expert, given its votes (in order)."""
    humans = [v for s, v in votes if s is Source.HUMAN]
    judges = [v for s, v in votes if s is Source.JUDGE]
    reasons: list[Reason] = []
    if len(set(humans)) > 1:
        reasons.append(Reason.ANNOTATORS_DISAGREE)
    if len(set(judges)) > 1:
        reasons.append(Reason.JUDGE_INCONSISTENT)
    human_call, judge_call = majority(humans), majority(judges)
    if humans and judges and human_call != judge_call:
        reasons.append(Reason.HUMAN_JUDGE_DISAGREE)
    if flagged:
        reasons.append(Reason.FLAGGED)
    return tuple(reasons)
