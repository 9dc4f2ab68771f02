"""Annotator reliability on votes: alpha, Fleiss' kappa, agreement with consensus and with gold."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from judging.calibration import BattleKey, Bootstrap, annotator_report, gold_from_votes
from judging.interchange import ArenaVote
from judging.types import Source, Verdict


def vote(rater: str, verdict: str, q: str, source: Source = Source.HUMAN, swap: bool = False) -> ArenaVote:
    if swap:  # the same judgement written with the models the other way round
        return ArenaVote.of(
            "m2", "m1", Verdict.parse(verdict).swapped(), source=source, rater=rater, question_id=q
        )
    return ArenaVote.of("m1", "m2", verdict, source=source, rater=rater, question_id=q)


# Units (battles) and the verdicts of r1, r2, r3 (A = m1):
#   u1: A A A    u2: A B -    u3: B B -    u4: A B tie    u5: tie - -
# alpha (nominal) = 13/58 and Fleiss' kappa = 4/29, as worked in test_calibration_agreement.
VOTES = [
    vote("r1", "A", "u1"),
    vote("r2", "A", "u1", swap=True),
    vote("r3", "A", "u1"),
    vote("r1", "A", "u2"),
    vote("r2", "B", "u2"),
    vote("r1", "B", "u3"),
    vote("r2", "B", "u3", swap=True),
    vote("r1", "A", "u4"),
    vote("r2", "B", "u4"),
    vote("r3", "tie", "u4"),
    vote("r1", "tie", "u5"),
    vote("expert", "B", "u2", source=Source.EXPERT),
    ArenaVote.of("m1", "m2", "A", source=Source.JUDGE, rater="judge", question_id="u1"),  # not an annotator
]


def boot() -> Bootstrap:
    return Bootstrap(np.random.default_rng(3), rounds=200)


def test_alpha_and_fleiss_by_hand() -> None:
    report = annotator_report(VOTES, boot=boot())
    assert report.n_votes == 11 and report.n_battles == 4
    assert report.krippendorff_alpha is not None
    assert report.krippendorff_alpha.value == pytest.approx(13 / 58)
    assert report.fleiss_kappa is not None
    assert report.fleiss_kappa.value == pytest.approx(4 / 29)
    # the same units through the krippendorff package (raters x units, A=0, B=1, tie=2)
    data = [[0, 0, 1, 0, 2], [0, 1, 1, 1, np.nan], [0, np.nan, np.nan, 2, np.nan]]
    reference = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert report.krippendorff_alpha.value == pytest.approx(reference)


def test_each_annotator_against_the_others_and_gold() -> None:
    gold = gold_from_votes(VOTES)
    assert gold == {BattleKey("u2", None, "m1", "m2"): Verdict.B}
    report = annotator_report(VOTES, boot=boot(), gold=gold)
    by_rater = {a.rater: a for a in report.annotators}
    assert list(by_rater) == ["r1", "r2", "r3"]
    # r1: u1 others (A, A) -> A agree; u2 others (B) -> disagree; u3 others (B) -> agree;
    #     u4 others (B, tie) -> no plurality; u5 no others   -> 2/3
    r1 = by_rater["r1"]
    assert r1.n_votes == 5 and r1.n_with_consensus == 3
    assert r1.with_consensus is not None and r1.with_consensus.value == pytest.approx(2 / 3)
    # r2: u1 agree, u2 (others A) disagree, u3 agree, u4 (A, tie) none -> 2/3
    assert by_rater["r2"].with_consensus is not None
    assert by_rater["r2"].with_consensus.value == pytest.approx(2 / 3)
    # r3: u1 others (A, A) agree; u4 others (A, B) none -> 1/1
    assert by_rater["r3"].with_consensus is not None and by_rater["r3"].with_consensus.value == 1.0
    # gold on u2 is B: r1 said A, r2 said B, r3 did not vote there
    assert r1.with_gold is not None and r1.with_gold.value == 0.0 and r1.n_with_gold == 1
    assert by_rater["r2"].with_gold is not None and by_rater["r2"].with_gold.value == 1.0
    assert by_rater["r3"].with_gold is None and by_rater["r3"].n_with_gold == 0


def test_perfect_agreement_gives_one() -> None:
    votes = [vote(r, v, q) for q, v in (("a", "A"), ("b", "B"), ("c", "tie")) for r in ("r1", "r2", "r3")]
    report = annotator_report(votes, boot=boot())
    assert report.krippendorff_alpha is not None and report.krippendorff_alpha.value == pytest.approx(1.0)
    assert report.fleiss_kappa is not None and report.fleiss_kappa.value == pytest.approx(1.0)


def test_no_pairable_units_gives_no_figures() -> None:
    report = annotator_report([vote("r1", "A", "q1"), vote("r2", "B", "q2")], boot=boot())
    assert report.n_battles == 0
    assert report.krippendorff_alpha is None and report.fleiss_kappa is None
