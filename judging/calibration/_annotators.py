"""Agreement among human annotators: Krippendorff's alpha, Fleiss' kappa, consensus and gold.

Units are battles; a unit's values are the oriented verdicts of its human votes (all four
verdicts are categories: tie and both_unsafe say different things about two answers). Alpha and
Fleiss' kappa need no annotator names; the per-annotator figures do, and skip votes without a
rater. An annotator is compared with the *other* humans' plurality on the battle (leave-one-out,
so they do not agree with themselves) and with the gold verdict where one is known.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from judging.calibration._agreement import (
    alpha_sums,
    fleiss_kappa_from_sums,
    fleiss_sums,
    krippendorff_alpha_from_sums,
)
from judging.calibration._battles import BattleKey, group_by_battle, oriented_verdict, plurality, votes_of
from judging.calibration._estimate import Bootstrap, Estimate, estimate_from_sums, ratio
from judging.interchange import ArenaVote
from judging.types import Source, Verdict

__all__ = ["AnnotatorAgreement", "AnnotatorReport", "annotator_report", "gold_from_votes"]

_CATEGORIES = tuple(Verdict)
_INDEX = {v: k for k, v in enumerate(_CATEGORIES)}


@dataclass(frozen=True, slots=True)
class AnnotatorAgreement:
    """One annotator against the others' plurality and against gold."""

    rater: str
    n_votes: int
    n_with_consensus: int  # votes on battles where the other humans have a unique plurality
    with_consensus: Estimate | None
    n_with_gold: int
    with_gold: Estimate | None


@dataclass(frozen=True, eq=False)
class AnnotatorReport:
    """Inter-annotator reliability over battles with two or more human votes."""

    n_votes: int
    n_battles: int  # battles with at least two human votes (the pairable units)
    categories: tuple[Verdict, ...]
    krippendorff_alpha: Estimate | None
    fleiss_kappa: Estimate | None
    annotators: tuple[AnnotatorAgreement, ...]  # sorted by rater name


def gold_from_votes(votes: Sequence[ArenaVote], source: Source = Source.EXPERT) -> dict[BattleKey, Verdict]:
    """Gold verdicts: the plurality of ``source`` votes per battle (battles without one are left out)."""
    gold = {}
    for battle, group in group_by_battle(votes_of(votes, source)).items():
        verdict = plurality(oriented_verdict(v) for v in group)
        if verdict is not None:
            gold[battle] = verdict
    return gold


def annotator_report(
    votes: Sequence[ArenaVote], *, boot: Bootstrap, gold: Mapping[BattleKey, Verdict] | None = None
) -> AnnotatorReport:
    """Alpha, Fleiss' kappa and per-annotator agreement for the human votes in ``votes``.

    ``gold`` maps battles to their known verdict (oriented: A is the battle's ``model_low``); see
    ``gold_from_votes`` to take it from expert votes.
    """
    humans = votes_of(votes, Source.HUMAN)
    battles = group_by_battle(humans)
    counts = np.zeros((len(battles), len(_CATEGORIES)))
    for row, group in zip(counts, battles.values(), strict=True):
        for vote in group:
            row[_INDEX[oriented_verdict(vote)]] += 1
    pairable = counts.sum(axis=1) >= 2
    counts = counts[pairable]
    n_units = int(pairable.sum())
    return AnnotatorReport(
        n_votes=len(humans),
        n_battles=n_units,
        categories=_CATEGORIES,
        krippendorff_alpha=estimate_from_sums(
            alpha_sums(counts), krippendorff_alpha_from_sums, n_units, boot
        ),
        fleiss_kappa=estimate_from_sums(fleiss_sums(counts), fleiss_kappa_from_sums, n_units, boot),
        annotators=_per_annotator(battles, gold or {}, boot),
    )


def _per_annotator(
    battles: Mapping[BattleKey, list[ArenaVote]], gold: Mapping[BattleKey, Verdict], boot: Bootstrap
) -> tuple[AnnotatorAgreement, ...]:
    # rater -> battle -> [n_consensus, agree_consensus, n_gold, agree_gold]
    sums: dict[str, dict[BattleKey, np.ndarray]] = defaultdict(dict)
    n_votes: dict[str, int] = defaultdict(int)
    for battle, group in battles.items():
        verdicts = [oriented_verdict(v) for v in group]
        for k, vote in enumerate(group):
            if vote.rater is None:
                continue
            n_votes[vote.rater] += 1
            row = sums[vote.rater].setdefault(battle, np.zeros(4))
            others = plurality(verdicts[:k] + verdicts[k + 1 :])
            if others is not None:
                row[0] += 1
                row[1] += verdicts[k] is others
            if battle in gold:
                row[2] += 1
                row[3] += verdicts[k] is gold[battle]
    result = []
    for rater in sorted(sums):
        table = np.array(list(sums[rater].values()))
        total = table.sum(axis=0)
        result.append(
            AnnotatorAgreement(
                rater=rater,
                n_votes=n_votes[rater],
                n_with_consensus=int(total[0]),
                with_consensus=estimate_from_sums(table, ratio(1, 0), int(total[0]), boot),
                n_with_gold=int(total[2]),
                with_gold=estimate_from_sums(table, ratio(3, 2), int(total[2]), boot),
            )
        )
    return tuple(result)
