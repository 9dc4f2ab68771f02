"""Drilling into a calibration figure: the battles behind a cell."""

from __future__ import annotations

from dataclasses import dataclass

from judging.calibration import (
    BattleKey,
    oriented_verdict,
    pair_with_humans,
)
from judging.types import Verdict
from pipeline.views.calibration import BattleRef, CalibrationView

__all__ = ["DrillBattle", "cell_battles"]


@dataclass(frozen=True, slots=True)
class DrillBattle:
    """A battle behind a confusion cell; verdicts are oriented (A is the first model by name)."""

    battle: BattleKey
    ref: BattleRef | None  # None for a votes file
    human_verdicts: tuple[Verdict, ...]  # the cell's human votes on this battle
    judge_verdict: Verdict  # the judge's consensus over its verdicts on the battle
    judge_verdicts: tuple[Verdict, ...]


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
