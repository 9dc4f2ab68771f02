"""Interval ranks, leaderboard rows, win-rate matrices and slices."""

from __future__ import annotations

import math
from types import MappingProxyType

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judging.ratings import (
    BoardSettings,
    BradleyTerry,
    EloRater,
    IntervalMethod,
    Leaderboard,
    PairCounts,
    RatingIntervals,
    RatingMethod,
    TaggedComparison,
    TieRule,
    TrueSkillRater,
    VoteSlice,
    interval_ranks,
    leaderboard,
    predicted_win_matrix,
    rate_columns,
    win_rate_matrix,
)
from judging.types import Comparison, Outcome, Source

A, B, TIE = Outcome.A_WINS, Outcome.B_WINS, Outcome.TIE


def test_interval_ranks_worked_example() -> None:
    # p: [10, 20], q: [15, 25], r: [30, 40]
    # best rank = 1 + models whose lower bound is above my upper bound:
    #   p: r (30 > 20) -> 2;  q: r (30 > 25) -> 2;  r: nobody -> 1
    # worst rank = n - models whose upper bound is below my lower bound:
    #   p: 3 - 0 = 3;  q: 3 - 0 = 3 (p's 20 is not below 15);  r: 3 - 2 = 1
    ranks = interval_ranks([10.0, 15.0, 30.0], [20.0, 25.0, 40.0])
    assert ranks.best.tolist() == [2, 2, 1]
    assert ranks.worst.tolist() == [3, 3, 1]
    with pytest.raises(ValueError, match="lower bound exceeds its upper bound at 1"):
        interval_ranks([0.0, 5.0], [1.0, 4.0])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(0, 100)), min_size=1, max_size=12))
def test_interval_ranks_are_consistent(bounds: list[tuple[float, float]]) -> None:
    lower = np.asarray([lo for lo, _ in bounds])
    upper = lower + np.asarray([width for _, width in bounds])
    ranks = interval_ranks(lower, upper)
    n = len(bounds)
    assert np.all((ranks.best >= 1) & (ranks.best <= ranks.worst) & (ranks.worst <= n))
    # the point ranking (by midpoint) always lies inside every model's range
    order = np.argsort(-(lower + upper) / 2, kind="stable")
    point_rank = np.empty(n, dtype=int)
    point_rank[order] = np.arange(1, n + 1)
    assert np.all((ranks.best <= point_rank) & (point_rank <= ranks.worst))


def _votes() -> list[Comparison]:
    return (
        [Comparison("x", "y", A)] * 6
        + [Comparison("y", "x", A)] * 2
        + [Comparison("x", "y", TIE)] * 2
        + [Comparison("y", "z", A)] * 3
        + [Comparison("x", "z", A)]
    )


def test_leaderboard_from_bradley_terry_marks_provisional_models() -> None:
    bt = BradleyTerry()
    fit = bt.fit(_votes())
    board = Leaderboard.from_intervals("bt", bt.sandwich(fit), fit.votes, min_votes=5)
    assert [row.model for row in board.rows] == ["x", "y", "z"]
    assert {row.model: row.votes for row in board.rows} == {"x": 11, "y": 13, "z": 4}
    assert [row.provisional for row in board.rows] == [False, False, True]
    for row in board.rows:
        assert row.lower is not None and row.upper is not None
        assert row.lower <= row.rating <= row.upper and 1 <= row.rank <= row.rank_worst <= 3
    assert board.level == 0.95 and board.method == "bt" and board.interval is IntervalMethod.SANDWICH
    assert board.interval_label() == "95% sandwich interval (clustered by battle)"


def test_leaderboards_for_elo_and_trueskill() -> None:
    elo = Leaderboard.from_elo(EloRater().fit(_votes()), min_votes=5)
    assert [r.rank for r in elo.rows] == [1, 2, 3] and elo.rows[0].lower is None and elo.level is None
    assert elo.interval is None and elo.interval_label() == "none"
    state = TrueSkillRater().fit(_votes())
    ts = Leaderboard.from_trueskill(state)
    row = ts.rows[0]
    # the band is mu +- 3 sigma and its lower end the conservative rating; no coverage is claimed
    assert row.lower == pytest.approx(state.mu[row.model] - 3 * state.sigma[row.model], rel=1e-12)
    assert row.upper == pytest.approx(state.mu[row.model] + 3 * state.sigma[row.model], rel=1e-12)
    assert ts.level is None and ts.interval is IntervalMethod.POSTERIOR
    assert "3 sigma" in ts.interval_label() and "%" not in ts.interval_label()


def test_win_rate_matrix_worked_example() -> None:
    counts = PairCounts.from_comparisons(_votes())
    half = win_rate_matrix(counts)
    # x-y: x won 6, y won 2, 2 ties -> x scores (6 + 1) / 10 = 0.7
    assert half.get("x", "y") == pytest.approx(0.7) and half.get("y", "x") == pytest.approx(0.3)
    assert half.get("z", "y") == 0.0 and half.get("x", "z") == 1.0
    assert math.isnan(half.get("x", "x"))
    dropped = win_rate_matrix(counts, TieRule.DROP)
    assert dropped.get("x", "y") == pytest.approx(6 / 8)
    lonely = win_rate_matrix(PairCounts.from_comparisons([Comparison("x", "y", A)], ["x", "y", "w"]))
    assert math.isnan(lonely.get("x", "w"))


def test_predicted_win_matrix_is_complementary() -> None:
    for model in (BradleyTerry(), EloRater(), TrueSkillRater()):
        state = model.fit(_votes())
        matrix = predicted_win_matrix(model, state, ["x", "y", "z"])
        off = ~np.eye(3, dtype=bool)
        assert np.all((matrix.values[off] > 0) & (matrix.values[off] < 1))
        if not isinstance(model, TrueSkillRater):  # TrueSkill keeps some mass for draws
            np.testing.assert_allclose((matrix.values + matrix.values.T)[off], 1.0)
        assert matrix.get("x", "z") > 0.5


def test_rating_intervals_validate() -> None:
    with pytest.raises(ValueError, match="level"):
        RatingIntervals(("a",), np.zeros(1), np.zeros(1), np.zeros(1), 1.5, IntervalMethod.SANDWICH)


def _tagged() -> list[TaggedComparison]:
    return [
        TaggedComparison(
            Comparison("x", "y", A), dimension="privacy", release="v250101", source=Source.HUMAN
        ),
        TaggedComparison(
            Comparison("x", "y", B), dimension="privacy", release="v250101", source=Source.JUDGE
        ),
        TaggedComparison(
            Comparison("y", "z", A, weight=2.0), dimension="fairness", release="v250101", source=Source.EXPERT
        ),
        TaggedComparison(
            Comparison("x", "z", TIE), dimension="privacy", release="v250201", source=Source.JUDGE
        ),
    ]


def test_slices_filter_and_weight_by_source() -> None:
    votes = _tagged()
    assert len(VoteSlice().select(votes)) == 4
    assert [c.outcome for c in VoteSlice(dimension="privacy", release="v250101").select(votes)] == [A, B]
    weighted = VoteSlice(source_weights={Source.HUMAN: 1.0, Source.EXPERT: 3.0, Source.JUDGE: 0.0}).select(
        votes
    )
    assert [(c.model_a, c.weight) for c in weighted] == [("x", 1.0), ("y", 6.0)]
    assert isinstance(VoteSlice(source_weights={Source.HUMAN: 1.0}).source_weights, MappingProxyType)


def test_slice_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="every source weight 0"):
        VoteSlice(source_weights={Source.JUDGE: 0.0})
    with pytest.raises(ValueError, match="'judge' must be >= 0"):
        VoteSlice(source_weights={Source.JUDGE: -1.0})
    untagged = [TaggedComparison(Comparison("x", "y", A))]
    with pytest.raises(ValueError, match="has no source"):
        VoteSlice(source_weights={Source.JUDGE: 1.0}).select(untagged)


def test_leaderboard_entry_point_for_each_method() -> None:
    votes = [*_votes(), Comparison("z", "x", A)]  # z wins once: the ratings are identified
    bt = leaderboard(RatingMethod.parse("bt"), votes, BoardSettings(min_votes=5))
    booted = leaderboard(RatingMethod.BT, votes, BoardSettings(bootstrap_rounds=200))
    assert [r.model for r in bt.rows] == [r.model for r in booted.rows] == ["x", "y", "z"]
    assert booted.interval is IntervalMethod.BOOTSTRAP and bt.interval is IntervalMethod.SANDWICH
    assert leaderboard(RatingMethod.ELO, votes).rows[0].lower is None
    assert leaderboard(RatingMethod.TRUESKILL, votes).method == "trueskill"
    with pytest.raises(ValueError, match="was not replayed"):
        leaderboard(RatingMethod.ELO, votes, BoardSettings(online=False))
    with pytest.raises(ValueError, match="unknown method 'glicko'"):
        RatingMethod.parse("glicko")


def test_a_board_whose_ratings_are_not_identified_claims_no_interval() -> None:
    # z never wins: its maximum-likelihood rating is minus infinity, only the ridge keeps it finite.
    # A sandwich interval there is narrow and wrong, so none is claimed and every rank is open.
    for chosen in (BoardSettings(), BoardSettings(bootstrap_rounds=50)):
        board = leaderboard(RatingMethod.BT, _votes(), chosen)
        assert not board.identified and board.level is None and board.interval is None
        assert [r.model for r in board.rows] == ["x", "y", "z"]  # the data's order is kept
        assert all(r.lower is None and r.upper is None for r in board.rows)
        assert {(r.rank, r.rank_worst) for r in board.rows} == {(1, 3)}
        assert board.interval_label() == "none"
    identified = leaderboard(RatingMethod.BT, [*_votes(), Comparison("z", "x", A)])
    assert identified.identified and all(r.lower is not None for r in identified.rows)


def test_rate_columns_rates_only_models_with_votes_of_positive_weight() -> None:
    # models: x y z w; w never plays, z plays only in a zero-weight vote
    a, b = [0, 0, 1, 2, 0], [1, 1, 0, 0, 1]
    score = [1.0, 0.5, 1.0, 1.0, 0.0]
    weight = [1.0, 1.0, 2.0, 0.0, 1.0]
    boards = rate_columns(a, b, score, ("x", "y", "z", "w"), BoardSettings(), weight=weight)
    assert boards is not None
    assert boards.models == ("x", "y") and boards.n_votes == 4
    # weighted: x wins 1 + half a draw = 1.5; y wins half a draw + 2 (weight 2) + 1 = 3.5
    p = boards.bradley_terry.win_probability(boards.fit, "x", "y")
    assert p == pytest.approx(1.5 / 5.0, abs=1e-3)  # the MLE of one pair: its win share
    assert {r.model for r in boards.online} == {"x", "y"}
    assert rate_columns([0], [1], [1.0], ("x", "y"), BoardSettings(), weight=[0.0]) is None
