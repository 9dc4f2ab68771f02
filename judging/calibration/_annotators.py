"""Agreement among human annotators: Krippendorff's alpha, Fleiss' kappa, how often two humans
agree on the same battle (MT-Bench), consensus and gold.

Units are battles; a unit's values are the oriented verdicts of its human votes. **Category
convention** (the same for every agreement figure, judge or human): the three preference classes
A, B and tie, with ``both_unsafe`` a tie (neither answer is preferred). Alpha on all four verdicts
(``both_unsafe`` apart from ``tie``) is kept as a labelled variant, ``krippendorff_alpha_verdicts``.

Human–human agreement follows MT-Bench (Zheng et al. 2023, FastChat ``compute_agreement.py``):
every pair of votes by two different people on the same battle is one trial, agreeing when both
name the same class; the figure is agreeing pairs over all pairs (so it is the chance that two
random humans on a random battle agree, battles weighted by their pairs). "Without ties" drops the
pairs where either person said tie (or both_unsafe).

Alpha, Fleiss' kappa and the pair agreement need no annotator names; the per-annotator figures do,
and skip votes without a rater. An annotator is compared with the *other* humans' plurality on the
battle (leave-one-out, so they do not agree with themselves) and with the gold verdict where one
is known.
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
from judging.calibration._battles import (
    PREFERENCES,
    BattleKey,
    group_by_battle,
    oriented_verdict,
    plurality,
    preference,
    votes_of,
)
from judging.calibration._estimate import Bootstrap, Estimate, FloatArray, estimate_from_sums, ratio
from judging.interchange import ArenaVote
from judging.types import Source, Verdict

__all__ = ["AnnotatorAgreement", "AnnotatorReport", "annotator_report", "gold_from_votes"]

_VERDICTS = tuple(Verdict)

# columns of the per-battle pair sums
_PAIRS, _PAIRS_AGREE, _DECISIVE, _DECISIVE_AGREE = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class AnnotatorAgreement:
    """One annotator against the others' plurality and against gold (preference classes)."""

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
    categories: tuple[Verdict, ...]  # PREFERENCES: both_unsafe counts as a tie
    krippendorff_alpha: Estimate | None
    fleiss_kappa: Estimate | None
    krippendorff_alpha_verdicts: Estimate | None  # variant: the four verdicts, both_unsafe apart
    n_pairs: int  # pairs of votes by two people on the same battle
    agreement_with_ties: Estimate | None  # MT-Bench human-human agreement
    n_pairs_without_ties: int
    agreement_without_ties: Estimate | None
    annotators: tuple[AnnotatorAgreement, ...]  # sorted by rater name


def gold_from_votes(votes: Sequence[ArenaVote], source: Source = Source.EXPERT) -> dict[BattleKey, Verdict]:
    """Gold verdicts: the plurality of ``source`` votes per battle (battles without one are left out)."""
    gold = {}
    for battle, group in group_by_battle(votes_of(votes, source)).items():
        verdict = plurality(oriented_verdict(v) for v in group)
        if verdict is not None:
            gold[battle] = verdict
    return gold


def _unit_counts(
    battles: Sequence[list[ArenaVote]], categories: Sequence[Verdict], collapse: bool
) -> FloatArray:
    index = {v: k for k, v in enumerate(categories)}
    counts = np.zeros((len(battles), len(categories)))
    for row, group in zip(counts, battles, strict=True):
        for vote in group:
            verdict = oriented_verdict(vote)
            row[index[preference(verdict) if collapse else verdict]] += 1
    return counts


def _pair_sums(group: Sequence[ArenaVote]) -> FloatArray:
    """One battle's ``[pairs, agreeing pairs, pairs without a tie, agreeing pairs without a tie]``
    over the pairs of its votes by two different people (a vote without a rater is a person)."""
    row = np.zeros(4)
    classes = [preference(oriented_verdict(v)) for v in group]
    for i in range(len(group)):
        for j in range(i + 1, len(group)):
            if group[i].rater is not None and group[i].rater == group[j].rater:
                continue
            agree = classes[i] is classes[j]
            row[_PAIRS] += 1
            row[_PAIRS_AGREE] += agree
            if Verdict.TIE not in (classes[i], classes[j]):
                row[_DECISIVE] += 1
                row[_DECISIVE_AGREE] += agree
    return row


def annotator_report(
    votes: Sequence[ArenaVote], *, boot: Bootstrap, gold: Mapping[BattleKey, Verdict] | None = None
) -> AnnotatorReport:
    """Alpha, Fleiss' kappa, pair agreement and per-annotator agreement for the human votes.

    ``gold`` maps battles to their known verdict (oriented: A is the battle's ``model_low``); see
    ``gold_from_votes`` to take it from expert votes.
    """
    humans = votes_of(votes, Source.HUMAN)
    battles = group_by_battle(humans)
    pairable = [group for group in battles.values() if len(group) >= 2]
    counts = _unit_counts(pairable, PREFERENCES, collapse=True)
    verdict_counts = _unit_counts(pairable, _VERDICTS, collapse=False)
    pairs = np.array([_pair_sums(group) for group in pairable]).reshape(-1, 4)
    total = pairs.sum(axis=0)
    n_units = len(pairable)
    return AnnotatorReport(
        n_votes=len(humans),
        n_battles=n_units,
        categories=PREFERENCES,
        krippendorff_alpha=estimate_from_sums(
            alpha_sums(counts), krippendorff_alpha_from_sums, n_units, boot
        ),
        fleiss_kappa=estimate_from_sums(fleiss_sums(counts), fleiss_kappa_from_sums, n_units, boot),
        krippendorff_alpha_verdicts=estimate_from_sums(
            alpha_sums(verdict_counts), krippendorff_alpha_from_sums, n_units, boot
        ),
        n_pairs=int(total[_PAIRS]),
        agreement_with_ties=estimate_from_sums(pairs, ratio(_PAIRS_AGREE, _PAIRS), int(total[_PAIRS]), boot),
        n_pairs_without_ties=int(total[_DECISIVE]),
        agreement_without_ties=estimate_from_sums(
            pairs, ratio(_DECISIVE_AGREE, _DECISIVE), int(total[_DECISIVE]), boot
        ),
        annotators=_per_annotator(battles, gold or {}, boot),
    )


def _per_annotator(
    battles: Mapping[BattleKey, list[ArenaVote]], gold: Mapping[BattleKey, Verdict], boot: Bootstrap
) -> tuple[AnnotatorAgreement, ...]:
    # rater -> battle -> [n_consensus, agree_consensus, n_gold, agree_gold]
    sums: dict[str, dict[BattleKey, np.ndarray]] = defaultdict(dict)
    n_votes: dict[str, int] = defaultdict(int)
    for battle, group in battles.items():
        verdicts = [preference(oriented_verdict(v)) for v in group]
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
                row[3] += verdicts[k] is preference(gold[battle])
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
