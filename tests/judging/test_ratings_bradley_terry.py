"""Bradley–Terry: a table solved by hand, recovery, interval coverage and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judging.ratings import ELO_SCALE, BradleyTerry, IntervalMethod, PairCounts, TieRule
from judging.types import Comparison, Outcome

A, B, TIE = Outcome.A_WINS, Outcome.B_WINS, Outcome.TIE


def _chain_votes() -> list[Comparison]:
    # x-y: x wins 3, y wins 1, 2 ties;  y-z: y wins 2, z wins 1;  x and z never meet.
    return (
        [Comparison("x", "y", A)] * 3
        + [Comparison("y", "x", A)]
        + [Comparison("x", "y", TIE), Comparison("y", "x", Outcome.BOTH_BAD)]
        + [Comparison("z", "y", B)] * 2
        + [Comparison("y", "z", B)]
    )


def test_three_models_solved_by_hand_ties_half() -> None:
    # A chain has one free difference per edge, so the MLE is the log-odds of each edge.
    # Ties count half each way: x-y wins 3 + 1 = 4 against 1 + 1 = 2, so theta_x - theta_y = ln 2;
    # y-z is 2 against 1, so theta_y - theta_z = ln 2. Centred: theta = (ln 2, 0, -ln 2).
    # On the Elo scale ln 2 is 400 * log10(2) = 120.41199826559248 points.
    fit = BradleyTerry(l2=0.0).fit(_chain_votes())
    assert fit.models == ("x", "y", "z")
    expected = [1000 + 120.41199826559248, 1000.0, 1000 - 120.41199826559248]
    np.testing.assert_allclose(fit.ratings, expected, atol=1e-8)
    assert fit.identified
    # predicted P(x beats y) = 2/3 and P(x beats z) = 4/5 (odds 2 * 2)
    assert BradleyTerry(l2=0.0).win_probability(fit, "x", "y") == pytest.approx(2 / 3, abs=1e-10)
    assert BradleyTerry(l2=0.0).win_probability(fit, "x", "z") == pytest.approx(4 / 5, abs=1e-10)


def test_three_models_solved_by_hand_ties_dropped() -> None:
    # Without ties: x-y is 3 against 1 (ln 3), y-z 2 against 1 (ln 2). With z = 0 the thetas are
    # (ln 6, ln 2, 0), mean ln(12) / 3; in Elo points 400 * (log10(6), log10(2), 0) - 400 * log10(12) / 3
    # = (311.2605, 120.4120, 0) - 143.8908 = (167.3697, -23.4788, -143.8908).
    fit = BradleyTerry(ties=TieRule.DROP, l2=0.0).fit(_chain_votes())
    offset = 400 * math.log10(12) / 3
    expected = [1000 + 400 * math.log10(6) - offset, 1000 + 400 * math.log10(2) - offset, 1000 - offset]
    np.testing.assert_allclose(fit.ratings, expected, atol=1e-8)
    np.testing.assert_allclose(fit.ratings - 1000, [167.3697, -23.4788, -143.8908], atol=1e-4)


def test_rock_paper_scissors_is_a_three_way_tie() -> None:
    # x beats y 2-1, y beats z 2-1, z beats x 2-1: by symmetry every rating is the centre.
    votes = []
    for winner, loser in (("x", "y"), ("y", "z"), ("z", "x")):
        votes += [Comparison(winner, loser, A)] * 2 + [Comparison(loser, winner, A)]
    fit = BradleyTerry(l2=0.0).fit(votes)
    np.testing.assert_allclose(fit.ratings, [1000.0, 1000.0, 1000.0], atol=1e-9)


def test_anchor_pins_one_model() -> None:
    centred = BradleyTerry(l2=0.0).fit(_chain_votes())
    anchored = BradleyTerry(l2=0.0, anchor="z", center=1200.0).fit(_chain_votes())
    assert anchored.rating("z") == 1200.0
    np.testing.assert_allclose(np.diff(anchored.ratings), np.diff(centred.ratings), atol=1e-9)
    with pytest.raises(ValueError, match="anchor model 'nope'"):
        BradleyTerry(anchor="nope").fit(_chain_votes())


def test_maximum_likelihood_may_not_exist() -> None:
    # y never beats x: the plain MLE would send x to infinity
    votes = [Comparison("x", "y", A), Comparison("y", "z", A), Comparison("z", "y", A)]
    with pytest.raises(ValueError, match="use l2 > 0"):
        BradleyTerry(l2=0.0).fit(votes)
    fit = BradleyTerry().fit(votes)  # the default ridge keeps it finite
    assert not fit.identified
    assert np.all(np.isfinite(fit.ratings)) and fit.rating("x") > fit.rating("y")


def _simulate(
    rng: np.random.Generator, true_elo: np.ndarray, n_votes: int, tie_rate: float = 0.0
) -> PairCounts:
    n = len(true_elo)
    a = rng.integers(0, n, n_votes)
    b = rng.integers(0, n - 1, n_votes)
    b = b + (b >= a)
    p_a = 1.0 / (1.0 + 10.0 ** ((true_elo[b] - true_elo[a]) / 400.0))
    # ties as the model sees them: a draw is worth half a win, so P(A wins outright) is chosen to
    # keep A's expected score at p_a (ties then make outcomes less variable, not biased)
    p_win = np.clip((p_a - 0.5 * tie_rate) / (1.0 - tie_rate), 0.0, 1.0)
    score = np.where(rng.random(n_votes) < p_win, 1.0, 0.0)
    score = np.where(rng.random(n_votes) < tie_rate, 0.5, score)
    return PairCounts.from_arrays(a, b, score, [f"m{k}" for k in range(n)])


def test_recovers_known_ratings_from_seeded_data() -> None:
    rng = np.random.default_rng(20240601)
    true_elo = np.array([1250.0, 1100.0, 1040.0, 1000.0, 990.0, 900.0, 820.0, 700.0])
    fit = BradleyTerry().fit_counts(_simulate(rng, true_elo, 40_000))
    truth = true_elo - true_elo.mean() + 1000.0
    # with 40k votes the standard error per model is about 6 Elo points
    assert np.max(np.abs(fit.ratings - truth)) < 20.0
    assert list(np.argsort(-fit.ratings)[:4]) == [0, 1, 2, 3]


@pytest.mark.parametrize("ties", [TieRule.HALF, TieRule.DAVIDSON])
def test_default_penalty_is_within_a_hundredth_of_an_elo_point_of_the_mle_at_10k_votes(ties: TieRule) -> None:
    # 10,000 votes (10% ties) over 57 models, as many as an arena has: the default ridge may move
    # no rating by 0.01 Elo from the exact maximum-likelihood fit (l2 = 0): it is about 0.001
    # off here. The old default, l2 = 0.01, was about 0.1 Elo off.
    rng = np.random.default_rng(0)
    counts = _simulate(rng, rng.normal(1000.0, 150.0, 57), 10_000, tie_rate=0.1)
    exact = BradleyTerry(ties=ties, l2=0.0).fit_counts(counts)
    assert exact.identified
    off = np.max(np.abs(BradleyTerry(ties=ties).fit_counts(counts).ratings - exact.ratings))
    assert off < 0.01, f"default ridge is {off:.4f} Elo off the MLE"
    old = np.max(np.abs(BradleyTerry(ties=ties, l2=0.01).fit_counts(counts).ratings - exact.ratings))
    assert old > 0.01  # the test can tell the two apart


def test_bootstrap_and_sandwich_cover_the_truth_at_about_95_percent() -> None:
    # 25 runs x 10 models = 250 model-runs; each run: 3,000 votes, 1,000 bootstrap rounds.
    rng = np.random.default_rng(7)
    bt = BradleyTerry()
    hits = {IntervalMethod.BOOTSTRAP: 0, IntervalMethod.SANDWICH: 0}
    total = 0
    for _ in range(25):
        true_elo = rng.normal(1000.0, 120.0, 10)
        truth = true_elo - true_elo.mean() + 1000.0
        fit = bt.fit_counts(_simulate(rng, true_elo, 3_000, tie_rate=0.1))
        for ci in (bt.bootstrap(fit, rng, rounds=1000), bt.sandwich(fit)):
            hits[ci.method] += int(np.sum((ci.lower <= truth) & (truth <= ci.upper)))
        total += 10
    for method, hit in hits.items():
        assert 0.90 <= hit / total <= 0.98, f"{method} coverage {hit / total:.3f}"


def test_bootstrap_is_seeded_and_leaves_the_fit_alone() -> None:
    fit = BradleyTerry().fit(_chain_votes())
    before = fit.ratings.copy()
    first = BradleyTerry().bootstrap(fit, np.random.default_rng(1), rounds=200)
    second = BradleyTerry().bootstrap(fit, np.random.default_rng(1), rounds=200)
    np.testing.assert_array_equal(first.lower, second.lower)
    assert first.samples is not None and first.samples.shape == (200, 3)
    np.testing.assert_array_equal(fit.ratings, before)
    assert np.all(first.lower <= fit.ratings) and np.all(fit.ratings <= first.upper)
    with pytest.raises(TypeError, match="numpy Generator"):
        BradleyTerry().bootstrap(fit, 1, rounds=10)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rounds must be at least 2"):
        BradleyTerry().bootstrap(fit, np.random.default_rng(1), rounds=1)


def test_sandwich_matches_fisher_without_ties_and_is_narrower_with_them() -> None:
    rng = np.random.default_rng(3)
    true_elo = np.linspace(800, 1200, 6)
    bt = BradleyTerry()
    plain = bt.fit_counts(_simulate(rng, true_elo, 20_000))
    robust = np.diag(bt.covariance(plain, robust=True))
    fisher = np.diag(bt.covariance(plain, robust=False))
    # binary outcomes: the sandwich agrees with inverse Fisher up to sampling noise
    np.testing.assert_allclose(robust, fisher, rtol=0.1)
    tied = bt.fit_counts(_simulate(rng, true_elo, 20_000, tie_rate=0.4))
    # draws at 0.5 vary less than wins/losses, which only the sandwich notices
    assert np.all(np.diag(bt.covariance(tied, robust=True)) < np.diag(bt.covariance(tied, robust=False)))


def test_update_equals_fitting_everything() -> None:
    rng = np.random.default_rng(5)
    counts = _simulate(rng, np.array([1100.0, 1000.0, 950.0, 900.0]), 2_000, tie_rate=0.1)
    votes = [
        Comparison(counts.models[i], counts.models[j], Outcome.A_WINS if s == 1 else B if s == 0 else TIE)
        for i, j, s, c in zip(counts.i, counts.j, counts.score, counts.count, strict=True)
        for _ in range(c)
    ]
    bt = BradleyTerry()
    whole = bt.fit(votes)
    state = bt.initial()
    for start in range(0, len(votes), 500):
        state = bt.update(state, votes[start : start + 500])
    assert state.models == whole.models
    np.testing.assert_allclose(state.ratings, whole.ratings, atol=1e-9)


def test_scale_matches_elo_odds() -> None:
    # 400 Elo points are odds of 10:1
    assert ELO_SCALE * math.log(10.0) == pytest.approx(400.0)


MODELS = ["m0", "m1", "m2", "m3"]


@st.composite
def votes(draw: st.DrawFn) -> list[Comparison]:
    pairs = st.tuples(st.sampled_from(MODELS), st.sampled_from(MODELS)).filter(lambda p: p[0] != p[1])
    rows = draw(
        st.lists(
            st.tuples(pairs, st.sampled_from(list(Outcome)), st.sampled_from([1.0, 0.5])),
            min_size=1,
            max_size=40,
        )
    )
    return [Comparison(a, b, o, w) for (a, b), o, w in rows]


@settings(max_examples=60, deadline=None)
@given(votes(), st.sampled_from(list(TieRule)))
def test_swapping_sides_changes_nothing_and_flipping_outcomes_mirrors(
    data: list[Comparison], ties: TieRule
) -> None:
    bt = BradleyTerry(ties=ties)
    plain = bt.fit(data)
    swapped = bt.fit([c.swapped() for c in data])
    flipped = bt.fit([Comparison(c.model_a, c.model_b, c.outcome.swapped(), c.weight) for c in data])
    for m in plain.models:
        assert swapped.rating(m) == pytest.approx(plain.rating(m), abs=1e-6)
        assert flipped.rating(m) - 1000.0 == pytest.approx(1000.0 - plain.rating(m), abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(votes())
def test_fit_solves_the_penalised_score_equations(data: list[Comparison]) -> None:
    bt = BradleyTerry(l2=0.05)
    fit = bt.fit(data)
    wins = fit.counts.wins_matrix(bt.ties)
    p = 1.0 / (1.0 + np.exp(fit.theta[None, :] - fit.theta[:, None]))
    gradient = (wins - (wins + wins.T) * p).sum(axis=1) - bt.l2 * fit.theta
    np.testing.assert_allclose(gradient, 0.0, atol=1e-7)
