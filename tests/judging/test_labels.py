from judging.labels import Reason, adjudication_reasons, final_label, majority
from judging.types import Source, Verdict

H, J, E = Source.HUMAN, Source.JUDGE, Source.EXPERT
A, B, T, U = Verdict.A, Verdict.B, Verdict.TIE, Verdict.BOTH_UNSAFE


def test_majority():
    assert majority([A, A, B]) is A
    assert majority([A, B]) is None
    assert majority([]) is None
    assert majority([U, U, T, A]) is U


def test_expert_wins_over_annotators():
    votes = [(H, A), (H, A), (H, B), (E, B)]
    label = final_label(votes)
    assert label.verdict is B and label.source is E
    assert final_label([(H, A), (H, A), (H, B)]).verdict is A
    assert final_label([(H, A), (H, B)]).verdict is None
    # the latest expert ruling is final
    assert final_label([(E, A), (H, B), (E, T)]).verdict is T


def test_reasons():
    assert adjudication_reasons([(H, A), (H, B)]) == (Reason.ANNOTATORS_DISAGREE,)
    assert adjudication_reasons([(J, A), (J, B)]) == (Reason.JUDGE_INCONSISTENT,)
    assert adjudication_reasons([(J, A), (J, A), (H, B)]) == (Reason.HUMAN_JUDGE_DISAGREE,)
    assert adjudication_reasons([(J, A), (H, A)]) == ()
    assert adjudication_reasons([(H, A)], flagged=True) == (Reason.FLAGGED,)
