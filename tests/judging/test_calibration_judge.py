"""Judge-versus-human agreement on a small set of votes worked by hand."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from judging.calibration import (
    BattleKey,
    Bootstrap,
    CalibrationSlice,
    calibration_report,
    consensus,
    judge_agreement,
    pair_with_humans,
    plurality,
)
from judging.interchange import ArenaVote
from judging.types import Side, Source, Verdict

H, J = Source.HUMAN, Source.JUDGE


def human(a: str, b: str, verdict: str, q: str, rater: str = "h") -> ArenaVote:
    return ArenaVote.of(a, b, verdict, source=H, rater=rater, question_id=q, shown_first=Side.A)


def judge(a: str, b: str, verdict: str, q: str, shown: Side = Side.A, name: str = "J") -> ArenaVote:
    return ArenaVote.of(a, b, verdict, source=J, rater=name, question_id=q, shown_first=shown)


# The battles (m1 sorts first, so A means m1 in the battle's orientation):
# q1: judge says m1 in both orders (A with m1 shown first; B with (m2, m1) shown m2 first)
#     -> consistent, judge = A. Humans: A, A (one of them written as (m2, m1) verdict B), tie.
# q2: judge prefers whatever is shown first: A with m1 first, A with (m2, m1) -> m2
#     -> the two orders disagree, judge = tie. Humans: B, B.
# q3: one judge verdict, both_unsafe (a tie class). Humans: tie, A.
# q4: humans only, no judge verdict: not paired.
VOTES = (
    judge("m1", "m2", "A", "q1"),
    judge("m2", "m1", "B", "q1"),
    human("m1", "m2", "A", "q1", "h1"),
    human("m2", "m1", "B", "q1", "h2"),
    human("m1", "m2", "tie", "q1", "h3"),
    judge("m1", "m2", "A", "q2"),
    judge("m2", "m1", "A", "q2"),
    human("m1", "m2", "B", "q2", "h1"),
    human("m1", "m2", "B", "q2", "h2"),
    judge("m1", "m2", "both_unsafe", "q3"),
    human("m1", "m2", "tie", "q3", "h1"),
    human("m1", "m2", "A", "q3", "h2"),
    human("m1", "m2", "A", "q4", "h1"),
)
# Pairs (human, judge): q1 (A,A) (A,A) (T,A); q2 (B,T) (B,T); q3 (T,T) (A,T)    -> n = 7
# with ties: agreeing q1 x2, q3 (T,T) -> 3/7
# without ties: only q1's (A,A) x2 have neither side tie -> 2/2
# kappa on A/B/T, rows human, columns judge:   A  B  T
#                                          A   2  0  1   (3)
#                                          B   0  0  2   (2)
#                                          T   1  0  1   (2)
#                                             (3)(0)(4)
# p_o = 3/7, p_e = (3*3 + 2*0 + 2*4) / 49 = 17/49, kappa = (21 - 17) / (49 - 17) = 1/8
# majority: q1 humans A,A,T -> A = judge A (agree); q2 B,B -> B vs judge tie; q3 T,A no plurality
#   -> with ties 1/2; without ties only q1 counts -> 1/1
HUMAN_LABELS = ["A", "A", "T", "B", "B", "T", "A"]
JUDGE_LABELS = ["A", "A", "A", "T", "T", "T", "T"]


def boot(seed: int = 0, rounds: int = 200) -> Bootstrap:
    return Bootstrap(np.random.default_rng(seed), rounds=rounds)


def test_agreement_by_hand() -> None:
    result = judge_agreement(VOTES, "J", boot=boot())
    assert result.n_votes == 7 and result.n_battles == 3 and result.n_votes_without_ties == 2
    assert result.agreement_with_ties is not None and result.agreement_with_ties.value == pytest.approx(3 / 7)
    assert result.agreement_without_ties is not None and result.agreement_without_ties.value == 1.0
    assert result.cohen_kappa is not None and result.cohen_kappa.value == pytest.approx(1 / 8)
    assert result.cohen_kappa.value == pytest.approx(cohen_kappa_score(HUMAN_LABELS, JUDGE_LABELS))
    assert result.n_majority_battles == 2
    assert result.majority_agreement_with_ties is not None
    assert result.majority_agreement_with_ties.value == pytest.approx(0.5)
    assert result.majority_agreement_without_ties is not None
    assert result.majority_agreement_without_ties.value == 1.0


def test_confusion_keeps_all_four_verdicts() -> None:
    confusion = judge_agreement(VOTES, "J", boot=boot()).confusion
    assert confusion.labels == (Verdict.A, Verdict.B, Verdict.TIE, Verdict.BOTH_UNSAFE)
    assert confusion.count(Verdict.A, Verdict.A) == 2
    assert confusion.count(Verdict.TIE, Verdict.A) == 1
    assert confusion.count(Verdict.B, Verdict.TIE) == 2  # q2: the judge's orders disagree
    assert confusion.count(Verdict.TIE, Verdict.BOTH_UNSAFE) == 1  # q3
    assert confusion.count(Verdict.A, Verdict.BOTH_UNSAFE) == 1
    assert confusion.total == 7


def test_drill_down_lists_the_votes_behind_a_cell() -> None:
    pairs = pair_with_humans(VOTES, "J")
    cell = [p for p in pairs if p.human_verdict is Verdict.B and p.judge_verdict is Verdict.TIE]
    assert {p.battle for p in cell} == {BattleKey("q2", None, "m1", "m2")}
    assert all(len(p.judge_votes) == 2 for p in cell)
    assert sum(p.agrees for p in pairs) == 3


def test_intervals_are_seeded_and_contain_the_value() -> None:
    first = judge_agreement(VOTES, "J", boot=boot(seed=5))
    second = judge_agreement(VOTES, "J", boot=boot(seed=5))
    assert first.agreement_with_ties == second.agreement_with_ties
    estimate = first.agreement_with_ties
    assert estimate is not None
    assert 0.0 <= estimate.lower <= estimate.value <= estimate.upper <= 1.0
    assert estimate.level == 0.95 and estimate.n == 7


def test_inputs_are_not_mutated() -> None:
    votes = list(VOTES)
    before = copy.deepcopy(votes)
    calibration_report(votes, boot=boot(rounds=20))
    assert votes == before


def test_consensus_and_plurality_rules() -> None:
    assert consensus([Verdict.A, Verdict.A]) is Verdict.A
    assert consensus([Verdict.A, Verdict.B]) is Verdict.TIE
    assert consensus([Verdict.BOTH_UNSAFE]) is Verdict.BOTH_UNSAFE
    assert plurality([Verdict.A, Verdict.A, Verdict.B]) is Verdict.A
    assert plurality([Verdict.A, Verdict.B]) is None
    assert plurality([]) is None


def test_judge_without_rater_raises() -> None:
    nameless = ArenaVote.of("m1", "m2", "A", source=J, question_id="q1")
    with pytest.raises(ValueError, match="has no rater"):
        calibration_report([*VOTES, nameless], boot=boot(rounds=10))


def test_judge_with_no_human_overlap_has_no_agreement() -> None:
    result = judge_agreement([judge("m1", "m2", "A", "q9", name="K"), *VOTES], "K", boot=boot())
    assert result.n_votes == 0 and result.agreement_with_ties is None and result.cohen_kappa is None


def test_report_and_slices() -> None:
    extra = judge("m1", "m3", "A", "q1", name="K")
    report = calibration_report([*VOTES, extra], boot=boot(rounds=50))
    assert [j.judge for j in report.judges] == ["J", "K"]
    assert report.n_human_votes == 8 and report.n_judge_votes == 6
    assert report.judge("J").agreement.n_votes == 7
    only_j = CalibrationSlice(judges=frozenset({"J"})).select([*VOTES, extra])
    assert extra not in only_j and len(only_j) == len(VOTES)
    pair = CalibrationSlice(model_pair=("m3", "m1")).select([*VOTES, extra])
    assert pair == (extra,)
    h1 = CalibrationSlice(annotators=frozenset({"h1"})).select(VOTES)
    assert {v.rater for v in h1 if v.source is H} == {"h1"}
