"""Battles as the sampled unit: the bootstrap resamples battles, the sandwich clusters by battle."""

from __future__ import annotations

import numpy as np
import pytest

from bench.coverage import Design, coverage, run
from judging.ratings import BradleyTerry, PairCounts, TieRule
from judging.types import Comparison, Outcome

MODELS = ["m0", "m1", "m2", "m3", "m4"]


def _votes(rng: np.random.Generator, battles: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One vote per battle: A's model, B's model and A's score (10% draws)."""
    true = np.array([0.8, 0.3, 0.0, -0.4, -0.7])
    a = rng.integers(0, 5, battles)
    b = rng.integers(0, 4, battles)
    b = b + (b >= a)
    p = 1.0 / (1.0 + np.exp(true[b] - true[a]))
    score = np.where(rng.random(battles) < p, 1.0, 0.0)
    score = np.where(rng.random(battles) < 0.1, 0.5, score)
    return a, b, score


def test_battle_cells_group_votes_by_battle_and_composition() -> None:
    # Seven votes in four battles (ids 7, 8, 9 on x-y, 3 on x-z), A's score as written:
    #   7: x-y 1 (x wins), y-x 0.5 (draw)      -> from x: 1 win, 0 losses, 1 draw
    #   8: y-x 1 (y wins), x-y 1 (x wins)      -> 1 win, 1 loss, 0 draws
    #   9: y-x 0.5, x-y 1                      -> 1 win, 0 losses, 1 draw (same as battle 7)
    #   3: x-z 1                               -> 1 win
    a, b = [0, 1, 1, 0, 1, 0, 0], [1, 0, 0, 1, 0, 1, 2]
    score = [1.0, 0.5, 1.0, 1.0, 0.5, 1.0, 1.0]
    counts = PairCounts.from_arrays(a, b, score, ["x", "y", "z"], battle=[7, 7, 8, 8, 9, 9, 3])
    cells = counts.battles
    table = sorted(
        zip(
            cells.i.tolist(),
            cells.j.tolist(),
            cells.wins.tolist(),
            cells.losses.tolist(),
            cells.draws.tolist(),
            cells.count.tolist(),
            strict=True,
        )
    )
    assert table == [(0, 1, 1.0, 0.0, 1.0, 2), (0, 1, 1.0, 1.0, 0.0, 1), (0, 2, 1.0, 0.0, 0.0, 1)]
    assert counts.n_battles == 4 and counts.n_votes == 7
    # the vote cells (and so the point fit) do not depend on the battles
    plain = PairCounts.from_arrays(a, b, score, ["x", "y", "z"])
    np.testing.assert_array_equal(plain.count, counts.count)
    assert plain.n_battles == 7


def test_a_battle_compares_one_pair() -> None:
    with pytest.raises(ValueError, match="battle 5 has votes on two model pairs"):
        PairCounts.from_arrays([0, 0], [1, 2], [1.0, 0.0], ["x", "y", "z"], battle=[5, 5])
    with pytest.raises(ValueError, match="battle must be integer ids"):
        PairCounts.from_arrays([0], [1], [1.0], ["x", "y"], battle=[0.5])


def test_cluster_sandwich_equals_the_vote_sandwich_with_one_vote_per_battle() -> None:
    # The textbook vote-level sandwich, written out here vote by vote: H = sum w p (1 - p) x x^T
    # + l2 I + 1 1^T / n, J = sum (w (y - p))^2 x x^T with x = e_a - e_b, and the centred
    # covariance C H^-1 J H^-1 C. Battles of one vote each must give exactly this.
    rng = np.random.default_rng(11)
    a, b, score = _votes(rng, 3000)
    weight = rng.choice([0.5, 1.0], size=a.size)
    bt = BradleyTerry()
    fit = bt.fit_counts(PairCounts.from_arrays(a, b, score, MODELS, weight=weight, battle=np.arange(a.size)))
    n = len(MODELS)
    x = np.zeros((a.size, n))
    x[np.arange(a.size), a] = 1.0
    x[np.arange(a.size), b] = -1.0
    p = 1.0 / (1.0 + np.exp(-(x @ fit.theta)))
    hessian = (x * (weight * p * (1 - p))[:, None]).T @ x + bt.l2 * np.eye(n) + 1.0 / n
    scores = x * (weight * (score - p))[:, None]
    h_inv = np.linalg.inv(hessian)
    centre = np.eye(n) - 1.0 / n
    textbook = centre @ h_inv @ (scores.T @ scores) @ h_inv @ centre
    np.testing.assert_allclose(bt.covariance(fit, robust=True), textbook, rtol=1e-12, atol=1e-12)
    # and without battle ids (every vote its own battle) it is the same
    plain = bt.fit_counts(PairCounts.from_arrays(a, b, score, MODELS, weight=weight))
    np.testing.assert_allclose(bt.covariance(plain), textbook, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("ties", [TieRule.HALF, TieRule.DAVIDSON])
def test_duplicated_votes_narrow_vote_intervals_but_not_battle_intervals(ties: TieRule) -> None:
    # Every battle voted twice the same way. Battle-level: the same battles with doubled totals,
    # so theta, H (x2) and J (x4) give the same covariance, and a battle resample has the same
    # distribution (with the same seed, the same draws). Vote-level: twice the votes, so the
    # widths shrink by 1/sqrt(2), although no new battle was seen.
    rng = np.random.default_rng(5)
    a, b, score = _votes(rng, 2000)
    battle = np.arange(a.size)
    twice = [np.concatenate([col, col]) for col in (a, b, score, battle)]
    bt = BradleyTerry(ties=ties, l2=0.0)
    single = bt.fit_counts(PairCounts.from_arrays(a, b, score, MODELS, battle=battle))
    doubled = bt.fit_counts(PairCounts.from_arrays(*twice[:3], MODELS, battle=twice[3]))
    naive = bt.fit_counts(PairCounts.from_arrays(*twice[:3], MODELS))
    np.testing.assert_allclose(doubled.ratings, single.ratings, atol=1e-8)

    def width(intervals) -> np.ndarray:  # type: ignore[no-untyped-def]
        return np.asarray(intervals.upper - intervals.lower)

    base = width(bt.sandwich(single))
    np.testing.assert_allclose(width(bt.sandwich(doubled)), base, rtol=1e-9)
    np.testing.assert_allclose(width(bt.sandwich(naive)), base / np.sqrt(2), rtol=1e-9)

    boot = width(bt.bootstrap(single, np.random.default_rng(1), rounds=400))
    np.testing.assert_allclose(
        width(bt.bootstrap(doubled, np.random.default_rng(1), rounds=400)), boot, rtol=1e-6
    )
    ratio = width(bt.bootstrap(naive, np.random.default_rng(1), rounds=400)) / boot
    assert np.all(np.abs(ratio - 1 / np.sqrt(2)) < 0.12), ratio


def test_bootstrap_resamples_battles_not_votes() -> None:
    # Two models, 40 battles of 10 votes each that always agree: 20 battles x wins, 20 y wins.
    # Battle-level, x's share of wins is a share of 40 battles: sd sqrt(0.25 / 40) = 0.079; the
    # gap d = logit(share) has slope 1 / (p (1 - p)) = 4 there, so sd(d) = 0.316, and each rating
    # (centred: d / 2 either side) has a 95% half-width of 1.96 * 0.158 * 400 / ln 10 = 53.8 Elo.
    # Vote-level the share would be one of 400 votes: sqrt(10) times narrower.
    votes = []
    for k in range(40):
        outcome = Outcome.A_WINS if k % 2 else Outcome.B_WINS
        votes += [(Comparison("x", "y", outcome), k)] * 10
    comparisons = [c for c, _ in votes]
    ids = [k for _, k in votes]
    bt = BradleyTerry(ties=TieRule.HALF)
    by_battle = bt.fit_counts(PairCounts.from_comparisons(comparisons, battles=ids))
    by_vote = bt.fit_counts(PairCounts.from_comparisons(comparisons))
    expected = 1.96 * 4 * np.sqrt(0.25 / 40) / 2 * 400 / np.log(10)
    for intervals in (bt.sandwich(by_battle), bt.bootstrap(by_battle, np.random.default_rng(3), rounds=2000)):
        half_width = (intervals.upper[0] - intervals.lower[0]) / 2
        assert half_width == pytest.approx(expected, rel=0.1)
    narrow = bt.sandwich(by_vote)
    assert (narrow.upper[0] - narrow.lower[0]) / 2 == pytest.approx(expected / np.sqrt(10), rel=0.05)


@pytest.mark.slow
def test_battle_intervals_cover_at_about_95_percent_where_vote_intervals_do_not() -> None:
    # bench/coverage.py in small: 60 replications x 8 models, 600 battles of 3 votes (the judge in
    # both orders + 1 annotator), within-battle correlation 0.5, so the design effect is 2 and
    # nominal 95% vote-level intervals cover about 83%. 480 model-runs: 0.95 has an MC se of 0.01.
    tallies, _, _ = run(Design(models=8, battles=600), (TieRule.HALF,), replications=60, rounds=300, seed=1)
    for kind in ("bootstrap", "sandwich"):
        ours = coverage(tallies[(TieRule.HALF, "battle", kind)])
        peer = coverage(tallies[(TieRule.HALF, "vote", kind)])
        assert 0.91 <= ours <= 0.985, f"battle {kind}: {ours:.3f}"
        assert peer < 0.91, f"vote {kind}: {peer:.3f} (the band should fail for vote-level intervals)"
