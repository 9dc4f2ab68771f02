"""Bias figures recover biases injected into synthetic judges and humans."""

from __future__ import annotations

import numpy as np
import pytest

from judging.calibration import Bootstrap, Estimate, RaterBias, annotator_bias, human_bias, judge_bias
from judging.interchange import ArenaVote
from judging.types import Side, Source, Verdict

MODELS = ("m0", "m1", "m2", "m3")
N_BATTLES = 2000
TOLERANCE = 0.03  # about three standard errors at these sample sizes


def battles(rng: np.random.Generator) -> list[tuple[str, str, str]]:
    """``(question_id, model_a, model_b)``; answer lengths are drawn independently of everything."""
    out = []
    for q in range(N_BATTLES):
        a, b = rng.choice(len(MODELS), size=2, replace=False)
        out.append((f"q{q}", MODELS[a], MODELS[b]))
    return out


def lengths_for(rng: np.random.Generator, items: list[tuple[str, str, str]]) -> dict[tuple[str, str], float]:
    return {(q, m): float(rng.integers(100, 1000)) for q, a, b in items for m in (a, b)}


def both_orders(
    items: list[tuple[str, str, str]],
    pick: object,
    name: str,
    source: Source = Source.JUDGE,
) -> list[ArenaVote]:
    """Every battle judged with A shown first and with B shown first; ``pick`` names the winner."""
    votes = []
    for q, a, b in items:
        for shown in (Side.A, Side.B):
            first, second = (a, b) if shown is Side.A else (b, a)
            winner = pick(q, first, second)  # type: ignore[operator]
            verdict = Verdict.A if winner == a else Verdict.B
            votes.append(
                ArenaVote.of(a, b, verdict, source=source, rater=name, shown_first=shown, question_id=q)
            )
    return votes


def close(estimate: Estimate | None, truth: float) -> None:
    assert estimate is not None
    assert estimate.value == pytest.approx(truth, abs=TOLERANCE)
    assert estimate.lower <= truth + TOLERANCE and truth - TOLERANCE <= estimate.upper


@pytest.fixture
def world() -> tuple[list[tuple[str, str, str]], dict[tuple[str, str], float], np.random.Generator]:
    rng = np.random.default_rng(20261130)
    items = battles(rng)
    return items, lengths_for(rng, items), rng


def bias_of(
    votes: list[ArenaVote], name: str, lengths: dict[tuple[str, str], float], **kw: object
) -> RaterBias:
    return judge_bias(
        votes, name, boot=Bootstrap(np.random.default_rng(1), rounds=300), lengths=lengths, **kw
    )  # type: ignore[arg-type]


def test_position_bias_is_recovered(world) -> None:
    items, lengths, rng = world
    # picks the first-shown answer with probability 0.7, whatever the answers are
    votes = both_orders(items, lambda q, first, second: first if rng.random() < 0.7 else second, "pos")
    bias = bias_of(votes, "pos", lengths)
    close(bias.first_shown_win_rate, 0.7)
    close(bias.longer_answer_win_rate, 0.5)
    # same winner in both orders: first then second (0.7 * 0.3) or second then first (0.3 * 0.7)
    close(bias.swap_consistency, 0.42)
    assert bias.n_verdicts == 2 * N_BATTLES


def test_length_bias_is_recovered(world) -> None:
    items, lengths, rng = world

    def pick(q: str, first: str, second: str) -> str:
        longer, shorter = (first, second) if lengths[(q, first)] > lengths[(q, second)] else (second, first)
        return longer if rng.random() < 0.8 else shorter

    votes = both_orders(items, pick, "len")
    bias = bias_of(votes, "len", lengths)
    close(bias.longer_answer_win_rate, 0.8)
    close(bias.first_shown_win_rate, 0.5)
    close(bias.swap_consistency, 0.8**2 + 0.2**2)


def test_self_preference_is_recovered(world) -> None:
    items, lengths, rng = world

    def fair(q: str, first: str, second: str) -> str:
        return first if rng.random() < 0.5 else second

    def vain(q: str, first: str, second: str) -> str:
        if "m0" in (first, second):
            other = second if first == "m0" else first
            return "m0" if rng.random() < 0.8 else other
        return fair(q, first, second)

    votes = both_orders(items, vain, "m0-judge") + both_orders(items, fair, "crowd", source=Source.HUMAN)
    bias = bias_of(votes, "m0-judge", lengths, own_model="m0")
    own = bias.self_preference
    assert own is not None and own.model == "m0"
    close(own.judge_score, 0.8)
    close(own.human_score_matched, 0.5)
    close(own.excess, 0.3)
    # a judge that is not told its model reports no self-preference
    assert bias_of(votes, "m0-judge", lengths).self_preference is None


def test_human_position_bias_is_recovered(world) -> None:
    items, lengths, rng = world
    votes = []
    for q, a, b in items:
        shown = Side.A if rng.random() < 0.5 else Side.B
        first, second = (a, b) if shown is Side.A else (b, a)
        winner = first if rng.random() < 0.6 else second
        verdict = Verdict.A if winner == a else Verdict.B
        votes.append(
            ArenaVote.of(a, b, verdict, source=Source.HUMAN, rater="x", shown_first=shown, question_id=q)
        )
    bias = human_bias(votes, boot=Bootstrap(np.random.default_rng(2), rounds=300), lengths=lengths)
    close(bias.first_shown_win_rate, 0.6)
    close(bias.longer_answer_win_rate, 0.5)
    assert bias.swap_consistency is None and bias.self_preference is None


def test_unknown_order_and_single_order_give_no_figure() -> None:
    votes = [
        ArenaVote.of("m0", "m1", "A", source=Source.JUDGE, rater="j", question_id="q1"),
        ArenaVote.of("m0", "m1", "tie", source=Source.JUDGE, rater="j", question_id="q2", shown_first=Side.B),
    ]
    bias = judge_bias(votes, "j", boot=Bootstrap(np.random.default_rng(0), rounds=10))
    assert bias.first_shown_win_rate is None  # the only ordered verdict is a tie
    assert bias.swap_consistency is None  # no battle was seen in both orders
    assert bias.longer_answer_win_rate is None  # no lengths given


def test_ties_do_not_count_as_wins_for_the_first_shown() -> None:
    votes = [
        ArenaVote.of("m0", "m1", "A", source=Source.JUDGE, rater="j", question_id="q1", shown_first=Side.A),
        ArenaVote.of("m0", "m1", "A", source=Source.JUDGE, rater="j", question_id="q2", shown_first=Side.B),
        ArenaVote.of("m0", "m1", "tie", source=Source.JUDGE, rater="j", question_id="q3", shown_first=Side.A),
        ArenaVote.of("m0", "m1", "B", source=Source.JUDGE, rater="j", question_id="q4", shown_first=Side.B),
    ]
    # decisive verdicts with known order: q1 (first wins), q2 (second wins), q4 (first wins) -> 2/3
    bias = judge_bias(votes, "j", boot=Bootstrap(np.random.default_rng(0), rounds=10))
    assert bias.first_shown_win_rate is not None
    assert bias.first_shown_win_rate.value == pytest.approx(2 / 3)
    assert bias.first_shown_win_rate.n == 3


def test_each_annotator_position_bias_singles_out_the_one_who_always_picks_left() -> None:
    """Three annotators on the same 12 battles (m0 vs m1; A shown first on even battles):

    - ``lefty`` always picks the answer shown on the left: 12 decisive votes, 12 for the first
      shown -> 1.0, and every resample of battles gives 1.0, so the interval [1, 1] excludes 0.5;
    - ``honest`` always prefers m0: m0 is shown first on 6 battles -> 6/12 = 0.5;
    - ``tier`` says tie on 4 battles and m0 on the 8 others (m0 first on 4 of those) -> 4/8 = 0.5
      over 8 decisive votes (ties are not votes for either side).
    """
    votes = []
    for k in range(12):
        shown = Side.A if k % 2 == 0 else Side.B
        q = f"q{k}"
        left = Verdict.A if shown is Side.A else Verdict.B
        tier = "tie" if k < 4 else "A"
        for rater, verdict in (("lefty", left), ("honest", Verdict.A), ("tier", tier)):
            votes.append(
                ArenaVote.of(
                    "m0", "m1", verdict, source=Source.HUMAN, rater=rater, shown_first=shown, question_id=q
                )
            )
    votes.append(ArenaVote.of("m0", "m1", "A", source=Source.HUMAN, shown_first=Side.A, question_id="q0"))
    biases = annotator_bias(votes, boot=Bootstrap(np.random.default_rng(5), rounds=400))
    by_rater = {b.rater: b for b in biases}
    assert list(by_rater) == ["honest", "lefty", "tier"]  # sorted; the vote without a rater is left out
    lefty = by_rater["lefty"].first_shown_win_rate
    assert lefty is not None and (lefty.value, lefty.lower, lefty.upper, lefty.n) == (1.0, 1.0, 1.0, 12)
    assert by_rater["lefty"].position_biased
    honest = by_rater["honest"].first_shown_win_rate
    assert honest is not None and honest.value == 0.5 and honest.contains(0.5)
    assert not by_rater["honest"].position_biased
    tier = by_rater["tier"].first_shown_win_rate
    assert tier is not None and tier.value == 0.5 and tier.n == 8
    assert not by_rater["tier"].position_biased
    assert all(b.source is Source.HUMAN and b.n_verdicts == 12 for b in biases)
