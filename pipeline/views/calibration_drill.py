"""Drilling into a calibration figure: the battles behind a cell, and one battle's votes and
answers with the model names hidden."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from judging.calibration import (
    BattleKey,
    oriented_verdict,
    pair_with_humans,
)
from judging.types import Side, Source, Verdict
from pipeline.views.calibration import BattleRef, CalibrationView
from pipeline.workflow.adjudication import votes_of
from pipeline.workflow.voting import masked_view

__all__ = [
    "BattleDetail",
    "DetailVote",
    "DrillBattle",
    "battle_detail",
    "cell_battles",
]


@dataclass(frozen=True, slots=True)
class DrillBattle:
    """A battle behind a confusion cell; verdicts are oriented (A is the first model by name)."""

    battle: BattleKey
    ref: BattleRef | None  # None for a votes file
    human_verdicts: tuple[Verdict, ...]  # the cell's human votes on this battle
    judge_verdict: Verdict  # the judge's consensus over its verdicts on the battle
    judge_verdicts: tuple[Verdict, ...]


@dataclass(frozen=True, slots=True)
class DetailVote:
    source: Source
    rater: str
    verdict: Verdict  # oriented like the detail's answers
    shown_first: Side  # which of the detail's answers was shown first
    rationale: str


@dataclass(frozen=True, slots=True)
class BattleDetail:
    """A battle for the drill-down, without model identities: answer A is the first model by name
    (the orientation of the confusion matrix), texts masked for self-identification."""

    battle_id: int
    dimension: str
    sub_dimension: str
    sensitive: bool
    question_text: str
    text_a: str
    text_b: str
    votes: tuple[DetailVote, ...]


# -- the drill-down ---------------------------------------------------------------------------------


def cell_battles(
    view: CalibrationView, judge: str, human: Verdict, judged: Verdict
) -> tuple[DrillBattle, ...]:
    """The battles behind one cell of a judge's confusion matrix (human verdict ``human``, judge
    verdict ``judged``, both oriented), most human votes first."""
    grouped: dict[BattleKey, list[Verdict]] = {}
    judge_votes: dict[BattleKey, tuple[Verdict, ...]] = {}
    for pair in pair_with_humans(view.votes, judge):
        if pair.human_verdict is human and pair.judge_verdict is judged:
            grouped.setdefault(pair.battle, []).append(pair.human_verdict)
            judge_votes[pair.battle] = tuple(oriented_verdict(v) for v in pair.judge_votes)
    out = [
        DrillBattle(key, view.battles.get(key), tuple(humans), judged, judge_votes[key])
        for key, humans in grouped.items()
    ]
    return tuple(sorted(out, key=lambda b: (-len(b.human_verdicts), b.battle)))


def battle_detail(engine: Engine, ref: BattleRef, *, marker: str = "［已隐去模型名］") -> BattleDetail:
    """The question, both answers (masked) and every standing vote of a battle, oriented like the
    calibration figures."""
    view = masked_view(engine, ref.battle_id, marker=marker)
    text_a, text_b = (view.text_a, view.text_b) if ref.a_is_low else (view.text_b, view.text_a)
    first_response = view.response_a_id if ref.a_is_low else view.response_b_id
    votes = tuple(
        DetailVote(
            source=v.source,
            rater=v.rater,
            verdict=v.verdict if ref.a_is_low else v.verdict.swapped(),
            shown_first=Side.A if v.left_response_id == first_response else Side.B,
            rationale=v.rationale,
        )
        for v in votes_of(engine, ref.battle_id)
    )
    return BattleDetail(
        battle_id=ref.battle_id,
        dimension=view.dimension,
        sub_dimension=view.sub_dimension,
        sensitive=view.sensitive,
        question_text=view.question_text,
        text_a=text_a,
        text_b=text_b,
        votes=votes,
    )
