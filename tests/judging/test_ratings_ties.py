"""Davidson's tie model: a draw is a third outcome with its own parameter nu."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.coverage import Design, coverage, davidson_probabilities, run
from judging.ratings import ELO_SCALE, BradleyTerry, PairCounts, PairWins, TieRule
from judging.ratings._likelihood import likelihood_of
from judging.types import Comparison, Outcome

A, B, TIE = Outcome.A_WINS, Outcome.B_WINS, Outcome.TIE


def _two_models() -> list[Comparison]:
    # x-y: x wins 6, y wins 2, 4 draws (one of them "both unsafe", also a draw)
    return (
        [Comparison("x", "y", A)] * 6
        + [Comparison("y", "x", A)] * 2
        + [Comparison("x", "y", TIE)] * 3
        + [Comparison("y", "x", Outcome.BOTH_BAD)]
    )


def test_two_models_solved_by_hand() -> None:
    # Two models: the Davidson MLE matches the three shares. P(x)/P(y) = e^d = 6/2, so d = ln 3
    # (the gap of decisive votes alone: 400 log10 3 = 190.85 Elo). P(draw) = nu / Z = 4/12 with
    # Z = e^(d/2) + e^(-d/2) + nu = sqrt 3 + 1/sqrt 3 + nu = 4/sqrt 3 + nu, so nu = 2/sqrt 3.
    # Half-win BT instead sees (6 + 2) against (2 + 2): a gap of 400 log10 2 = 120.41 Elo,
    # compressed by the draws.
    davidson = BradleyTerry(ties=TieRule.DAVIDSON, l2=0.0).fit(_two_models())
    gap = 400 * math.log10(3)
    np.testing.assert_allclose(davidson.ratings, [1000 + gap / 2, 1000 - gap / 2], atol=1e-8)
    assert davidson.tie_parameter == pytest.approx(2 / math.sqrt(3), rel=1e-10)
    assert davidson.ties is TieRule.DAVIDSON and davidson.identified
    half = BradleyTerry(ties=TieRule.HALF, l2=0.0).fit(_two_models())
    assert half.rating("x") - half.rating("y") == pytest.approx(400 * math.log10(2), abs=1e-8)
    assert half.tie_parameter is None
    # the predicted score of x counts a draw half: P(x) + P(draw) / 2 = 6/12 + 2/12 = 2/3
    model = BradleyTerry(ties=TieRule.DAVIDSON, l2=0.0)
    assert model.win_probability(davidson, "x", "y") == pytest.approx(2 / 3, abs=1e-10)
    assert model.win_probability(davidson, "y", "x") == pytest.approx(1 / 3, abs=1e-10)


def test_recovers_seeded_strengths_and_tie_parameter() -> None:
    # 6 models, 60,000 votes drawn from Davidson with nu = 0.7: the standard error of a rating
    # is about 4 Elo and of nu about 0.008.
    rng = np.random.default_rng(2026)
    true_elo = np.array([180.0, 90.0, 30.0, -20.0, -100.0, -180.0])
    theta = true_elo / ELO_SCALE
    n_votes = 60_000
    a = rng.integers(0, 6, n_votes)
    b = rng.integers(0, 5, n_votes)
    b = b + (b >= a)
    probs = davidson_probabilities(theta[a] - theta[b], 0.7)
    u = rng.random(n_votes)
    score = np.where(u < probs[:, 0], 1.0, np.where(u < probs[:, 0] + probs[:, 1], 0.0, 0.5))
    counts = PairCounts.from_arrays(a, b, score, [f"m{k}" for k in range(6)])
    fit = BradleyTerry(ties=TieRule.DAVIDSON).fit_counts(counts)
    truth = 1000 + true_elo - true_elo.mean()
    assert np.max(np.abs(fit.ratings - truth)) < 15.0
    assert fit.tie_parameter is not None and abs(fit.tie_parameter - 0.7) < 0.03
    # half-win BT on the same votes is compressed towards the centre
    half = BradleyTerry(ties=TieRule.HALF).fit_counts(counts)
    assert np.ptp(half.ratings) < 0.85 * np.ptp(fit.ratings)


def test_without_draws_davidson_is_plain_bradley_terry() -> None:
    # As nu -> 0 (kappa = ln nu -> -inf) Davidson's likelihood is Bradley–Terry's:
    # e^(d/2) / (e^(d/2) + e^(-d/2)) = 1 / (1 + e^-d).
    rng = np.random.default_rng(4)
    n, pairs = 4, np.array([[0, 1], [0, 2], [1, 3], [2, 3], [0, 3]])
    forward = rng.integers(1, 20, len(pairs)).astype(float)
    backward = rng.integers(1, 20, len(pairs)).astype(float)
    theta = rng.normal(0, 1, (1, n))
    two = likelihood_of(PairWins(pairs[:, 0], pairs[:, 1], forward[None], backward[None]), n, 0.0)
    three = likelihood_of(
        PairWins(pairs[:, 0], pairs[:, 1], forward[None], backward[None], np.zeros((1, len(pairs)))), n, 0.0
    )
    for kappa in (-30.0, -60.0):
        with_kappa = np.append(theta, [[kappa]], axis=1)
        assert three.log_likelihood(with_kappa)[0] == pytest.approx(two.log_likelihood(theta)[0], abs=1e-9)
    # and the fits agree: with no draws the ridge sends nu to (nearly) zero
    votes = [Comparison("x", "y", A)] * 30 + [Comparison("y", "x", A)] * 10 + [Comparison("y", "z", A)] * 25
    votes += [Comparison("z", "y", A)] * 20 + [Comparison("z", "x", A)] * 5 + [Comparison("x", "z", A)] * 15
    plain = BradleyTerry().fit(votes)
    davidson = BradleyTerry(ties=TieRule.DAVIDSON).fit(votes)
    assert davidson.tie_parameter is not None and davidson.tie_parameter < 1e-4
    np.testing.assert_allclose(davidson.ratings, plain.ratings, atol=0.01)
    with pytest.raises(ValueError, match="no draws"):
        BradleyTerry(ties=TieRule.DAVIDSON, l2=0.0).fit(votes)


def test_davidson_score_equations_hold_with_a_ridge() -> None:
    # the fitted point is a stationary point of the penalised likelihood (gradient ~ 0)
    rng = np.random.default_rng(8)
    a = rng.integers(0, 5, 3000)
    b = rng.integers(0, 4, 3000)
    b = b + (b >= a)
    score = rng.choice([0.0, 0.5, 1.0], size=3000, p=[0.4, 0.25, 0.35])
    bt = BradleyTerry(ties=TieRule.DAVIDSON, l2=0.05)
    fit = bt.fit_counts(PairCounts.from_arrays(a, b, score, [f"m{k}" for k in range(5)]))
    pairs = fit.counts.pair_wins(TieRule.DAVIDSON)
    assert pairs.draws is not None
    rows = PairWins(pairs.i, pairs.j, pairs.forward[None], pairs.backward[None], pairs.draws[None])
    gradient, _ = likelihood_of(rows, 5, bt.l2).gradient(fit.params()[None])
    np.testing.assert_allclose(gradient, 0.0, atol=1e-8)


def test_tie_rule_is_checked() -> None:
    assert TieRule.parse("davidson") is TieRule.DAVIDSON
    with pytest.raises(ValueError, match="expected one of half, drop, davidson"):
        TieRule.parse("rao-kupper")
    fit = BradleyTerry().fit(_two_models())
    with pytest.raises(ValueError, match="ties='half'"):
        BradleyTerry(ties=TieRule.DAVIDSON).sandwich(fit)


@pytest.mark.slow
def test_davidson_intervals_cover_raw_strengths() -> None:
    # bench/coverage.py in small, with draws (nu = 0.8, about a quarter of the votes): battle-level
    # Davidson intervals cover the raw strengths at about 95%; vote-level ones at about 83%.
    design = Design(models=8, battles=600, nu=0.8)
    tallies, nus, _ = run(design, (TieRule.DAVIDSON,), replications=60, rounds=300, seed=2)
    for kind in ("bootstrap", "sandwich"):
        ours = coverage(tallies[(TieRule.DAVIDSON, "battle", kind)])
        peer = coverage(tallies[(TieRule.DAVIDSON, "vote", kind)])
        assert 0.91 <= ours <= 0.985, f"battle {kind}: {ours:.3f}"
        assert peer < 0.91, f"vote {kind}: {peer:.3f}"
    assert float(np.mean(nus)) == pytest.approx(0.8, abs=0.05)
