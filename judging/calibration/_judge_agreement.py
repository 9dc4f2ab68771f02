"""How often an LLM judge agrees with the human votes on the same battles.

Humans are the reference (``source=human``). Each human vote is paired with the judge's verdict on
the same (question, turn, unordered model pair); a judge that judged the battle more than once (both
shown orders) and disagreed with itself counts as ``tie`` there. "With ties" compares the three
preference classes A / B / tie (``both_unsafe`` is a tie); "without ties" keeps the pairs where
neither side said tie or both_unsafe. Intervals resample battles, since the votes on one battle
share the judge's verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from judging.calibration._agreement import ConfusionMatrix, confusion_matrix, kappa_from_table
from judging.calibration._battles import (
    BattleKey,
    consensus,
    group_by_battle,
    oriented_verdict,
    plurality,
    preference,
    votes_of,
)
from judging.calibration._estimate import Bootstrap, Estimate, FloatArray, estimate_from_sums, ratio
from judging.interchange import ArenaVote
from judging.types import Source, Verdict

__all__ = ["JudgeAgreement", "VotePair", "judge_agreement", "pair_with_humans"]

_CLASS = {Verdict.A: 0, Verdict.B: 1, Verdict.TIE: 2, Verdict.BOTH_UNSAFE: 2}

# columns of the per-battle sums
_PAIRS, _AGREE, _DECISIVE, _DECISIVE_AGREE = 0, 1, 2, 3
_TABLE = slice(4, 13)  # 3 x 3 human-by-judge preference table
_MAJ, _MAJ_AGREE, _MAJ_DECISIVE, _MAJ_DECISIVE_AGREE = 13, 14, 15, 16
_WIDTH = 17


@dataclass(frozen=True, slots=True)
class VotePair:
    """A human vote and the judge's verdict on the same battle, both oriented to the battle key."""

    battle: BattleKey
    human: ArenaVote
    human_verdict: Verdict
    judge_verdict: Verdict  # the judge's consensus over its verdicts on the battle
    judge_votes: tuple[ArenaVote, ...]

    @property
    def agrees(self) -> bool:
        """Same preference class (A, B or tie, with both_unsafe a tie)."""
        return preference(self.human_verdict) is preference(self.judge_verdict)

    @property
    def decisive(self) -> bool:
        """Neither side said tie or both_unsafe."""
        return self.human_verdict in (Verdict.A, Verdict.B) and self.judge_verdict in (Verdict.A, Verdict.B)


@dataclass(frozen=True, eq=False)
class JudgeAgreement:
    """One judge against the human votes (per vote) and the per-battle human majority."""

    judge: str
    n_votes: int  # human votes paired with a verdict of this judge
    n_votes_without_ties: int
    n_battles: int
    agreement_with_ties: Estimate | None
    agreement_without_ties: Estimate | None
    cohen_kappa: Estimate | None  # on the three preference classes, per vote
    n_majority_battles: int  # battles whose human votes have a unique plurality
    majority_agreement_with_ties: Estimate | None
    majority_agreement_without_ties: Estimate | None
    confusion: ConfusionMatrix[Verdict]  # rows: human verdict, columns: judge verdict (all four)


def pair_with_humans(votes: Sequence[ArenaVote], judge: str) -> tuple[VotePair, ...]:
    """Every human vote on a battle the judge also judged, with the judge's verdict there.

    This is the drill-down behind every agreement figure: filter it by any cell.
    """
    judged = group_by_battle(votes_of(votes, Source.JUDGE, judge))
    pairs: list[VotePair] = []
    for battle, humans in group_by_battle(votes_of(votes, Source.HUMAN)).items():
        judge_votes = judged.get(battle)
        if judge_votes is None:
            continue
        verdict = consensus(oriented_verdict(v) for v in judge_votes)
        pairs.extend(
            VotePair(battle, human, oriented_verdict(human), verdict, tuple(judge_votes)) for human in humans
        )
    return tuple(pairs)


def _battle_sums(pairs: Sequence[VotePair]) -> FloatArray:
    row = np.zeros(_WIDTH)
    judge = _CLASS[pairs[0].judge_verdict]
    for pair in pairs:
        human = _CLASS[pair.human_verdict]
        row[_PAIRS] += 1
        row[_AGREE] += pair.agrees
        row[_DECISIVE] += pair.decisive
        row[_DECISIVE_AGREE] += pair.decisive and pair.agrees
        row[_TABLE.start + 3 * human + judge] += 1
    majority = plurality(preference(p.human_verdict) for p in pairs)
    if majority is not None:
        row[_MAJ] = 1
        row[_MAJ_AGREE] = _CLASS[majority] == judge
        if majority is not Verdict.TIE and judge != _CLASS[Verdict.TIE]:
            row[_MAJ_DECISIVE] = 1
            row[_MAJ_DECISIVE_AGREE] = _CLASS[majority] == judge
    return row


def _kappa(sums: FloatArray) -> FloatArray:
    return kappa_from_table(sums[..., _TABLE].reshape((*sums.shape[:-1], 3, 3)))


def judge_agreement(votes: Sequence[ArenaVote], judge: str, *, boot: Bootstrap) -> JudgeAgreement:
    """Agreement, Cohen's kappa and the confusion matrix of ``judge`` against the human votes."""
    pairs = pair_with_humans(votes, judge)
    by_battle: dict[BattleKey, list[VotePair]] = {}
    for pair in pairs:
        by_battle.setdefault(pair.battle, []).append(pair)
    sums = np.array([_battle_sums(group) for group in by_battle.values()]).reshape(-1, _WIDTH)
    total = sums.sum(axis=0)
    n_votes, n_decisive, n_majority = int(total[_PAIRS]), int(total[_DECISIVE]), int(total[_MAJ])
    return JudgeAgreement(
        judge=judge,
        n_votes=n_votes,
        n_votes_without_ties=n_decisive,
        n_battles=len(by_battle),
        agreement_with_ties=estimate_from_sums(sums, ratio(_AGREE, _PAIRS), n_votes, boot),
        agreement_without_ties=estimate_from_sums(sums, ratio(_DECISIVE_AGREE, _DECISIVE), n_decisive, boot),
        cohen_kappa=estimate_from_sums(sums, _kappa, n_votes, boot),
        n_majority_battles=n_majority,
        majority_agreement_with_ties=estimate_from_sums(sums, ratio(_MAJ_AGREE, _MAJ), n_majority, boot),
        majority_agreement_without_ties=estimate_from_sums(
            sums, ratio(_MAJ_DECISIVE_AGREE, _MAJ_DECISIVE), int(total[_MAJ_DECISIVE]), boot
        ),
        confusion=confusion_matrix(
            [p.human_verdict for p in pairs], [p.judge_verdict for p in pairs], tuple(Verdict)
        ),
    )
