"""TrueSkill 1-vs-1 with draws: hand-worked update, the ``trueskill`` package as reference."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from statistics import NormalDist

import numpy as np
import pytest
import trueskill
from hypothesis import given, settings
from hypothesis import strategies as st

from judging.ratings import TrueSkillArrays, TrueSkillRater, TrueSkillState
from judging.ratings._trueskill import v_w_draw, v_w_win
from judging.types import Comparison, Outcome

MODELS = ["m0", "m1", "m2", "m3", "m4"]
PARAMS = {"mu": 25.0, "sigma": 25 / 3, "beta": 25 / 6, "tau": 25 / 300, "draw_probability": 0.10}


def test_first_win_worked_by_hand() -> None:
    rater = TrueSkillRater(**PARAMS)
    # var = (25/3)**2 + (25/300)**2 = 69.4513888889 (dynamics first)
    # c**2 = 2 * (25/6)**2 + 2 * var = 173.625, c = 13.1766839531
    # eps = Phi^-1(0.55) * sqrt(2) * 25/6 = 0.1256613469 * 5.8925565098 = 0.7404665875
    assert rater.draw_margin == pytest.approx(0.7404665875, abs=1e-10)
    # t = 0, e = eps / c = 0.0561952150, x = t - e
    # v = pdf(x) / cdf(x) = 0.3983128671 / 0.4775931465 = 0.8340003829
    # w = v * (v + x) = 0.8340003829 * 0.7778051679 = 0.6486898079
    v, w = v_w_win(0.0, 0.7404665875 / 13.1766839531)
    assert v == pytest.approx(0.8340003829, abs=1e-9)
    assert w == pytest.approx(0.6486898079, abs=1e-9)
    # mu_winner = 25 + var / c * v = 25 + 5.2707528 * 0.8340003829 = 29.3958316930
    # sigma = sqrt(var * (1 - var / c**2 * w)) = sqrt(69.4513888889 * 0.7405274) = 7.1714758070
    state = rater.fit([Comparison("A", "B", Outcome.A_WINS)])
    assert state.mu["A"] == pytest.approx(29.3958316930, abs=1e-9)
    assert state.mu["B"] == pytest.approx(50.0 - 29.3958316930, abs=1e-9)
    assert state.sigma["A"] == pytest.approx(7.1714758070, abs=1e-9)
    assert state.sigma["B"] == pytest.approx(7.1714758070, abs=1e-9)
    # the trueskill documentation prints 29.396 / 7.171 for this match
    assert (round(state.mu["A"], 3), round(state.sigma["A"], 3)) == (29.396, 7.171)
    assert state.conservative("A") == pytest.approx(29.3958316930 - 3 * 7.1714758070)


def test_first_draw_worked_by_hand() -> None:
    # t = 0: hi = e, lo = -e, v = (pdf(-e) - pdf(e)) / ... = 0 (means stay at 25)
    # w = (e pdf(e) + e pdf(e)) / (cdf(e) - cdf(-e)) = 0.9989478091
    # sigma = sqrt(69.4513888889 * (1 - 69.4513888889 / 173.625 * 0.9989478091)) = 6.4575156832
    v, w = v_w_draw(0.0, 0.0561952150)
    assert v == 0.0 and w == pytest.approx(0.9989478091, abs=1e-9)
    state = TrueSkillRater(**PARAMS).fit([Comparison("A", "B", Outcome.BOTH_BAD)])
    assert state.mu == {"A": 25.0, "B": 25.0}
    assert state.sigma["A"] == pytest.approx(6.4575156832, abs=1e-9)
    assert (state.draws["A"], state.games["B"]) == (1, 1)


def test_predictions_of_the_prior() -> None:
    rater = TrueSkillRater(**PARAMS)
    state = rater.initial(["A", "B"])
    # c = sqrt(2 * (25/6)**2 + 2 * (25/3)**2) = 13.1761569174, P(draw) = 2 Phi(eps / c) - 1
    p_draw = 2 * 0.5 * math.erfc(-0.7404665875 / 13.1761569174 / math.sqrt(2)) - 1
    assert rater.draw_probability(state, "A", "B") == pytest.approx(p_draw, abs=1e-9)
    assert p_draw == pytest.approx(0.0448155, abs=1e-6)
    assert rater.win_probability(state, "A", "B") == pytest.approx((1 - p_draw) / 2, abs=1e-9)
    later = rater.fit([Comparison("A", "B", Outcome.A_WINS)] * 3)
    total = (
        rater.win_probability(later, "A", "B")
        + rater.draw_probability(later, "A", "B")
        + rater.win_probability(later, "B", "A")
    )
    assert total == pytest.approx(1.0, abs=1e-12)
    assert rater.win_probability(later, "A", "B") > 0.8
    with pytest.raises(KeyError, match="unknown model 'C'"):
        rater.win_probability(later, "A", "C")


def _random_votes(seed: int, n: int, n_models: int = 12) -> list[Comparison]:
    # outcomes drawn uniformly: many upsets, so the tails of v and w are exercised too
    rng = random.Random(seed)
    models = [f"m{i}" for i in range(n_models)]
    return [Comparison(*rng.sample(models, 2), rng.choice(list(Outcome))) for _ in range(n)]


def _reference(votes: list[Comparison], backend: str | None) -> dict[str, trueskill.Rating]:
    env = trueskill.TrueSkill(backend=backend, **PARAMS)
    ratings: dict[str, trueskill.Rating] = {}
    for c in votes:
        ra = ratings.get(c.model_a, env.create_rating())
        rb = ratings.get(c.model_b, env.create_rating())
        if c.outcome is Outcome.B_WINS:
            rb, ra = trueskill.rate_1vs1(rb, ra, env=env)
        else:
            ra, rb = trueskill.rate_1vs1(ra, rb, drawn=c.outcome.is_draw, env=env)
        ratings[c.model_a], ratings[c.model_b] = ra, rb
    return ratings


def _exact_backend() -> tuple[Callable[..., float], Callable[..., float], Callable[..., float]]:
    """cdf, pdf and ppf to full double precision, in the package's backend signature."""
    normal = NormalDist()

    def cdf(x: float, mu: float = 0.0, sigma: float = 1.0) -> float:
        return 0.5 * math.erfc(-(x - mu) / (sigma * math.sqrt(2.0)))

    def pdf(x: float, mu: float = 0.0, sigma: float = 1.0) -> float:
        return normal.pdf((x - mu) / sigma) / sigma

    def ppf(q: float, mu: float = 0.0, sigma: float = 1.0) -> float:
        return mu + sigma * normal.inv_cdf(q)

    return cdf, pdf, ppf


def _max_gap_per_step(votes: list[Comparison], backend: object) -> float:
    """Largest |mu| or |sigma| gap between us and the package after every single update."""
    env = trueskill.TrueSkill(backend=backend, **PARAMS)
    rater = TrueSkillRater(**PARAMS)
    ours = rater.initial()
    ref: dict[str, trueskill.Rating] = {}
    worst = 0.0
    for c in votes:
        ours = rater.update(ours, [c])
        ra = ref.get(c.model_a, env.create_rating())
        rb = ref.get(c.model_b, env.create_rating())
        if c.outcome is Outcome.B_WINS:
            rb, ra = trueskill.rate_1vs1(rb, ra, env=env)
        else:
            ra, rb = trueskill.rate_1vs1(ra, rb, drawn=c.outcome.is_draw, env=env)
        ref[c.model_a], ref[c.model_b] = ra, rb
        for m, r in ((c.model_a, ra), (c.model_b, rb)):
            worst = max(worst, abs(ours.mu[m] - r.mu), abs(ours.sigma[m] - r.sigma))
    return worst


@pytest.mark.slow
def test_equals_the_trueskill_package_over_10000_sequential_updates() -> None:
    # The package's factor graph, given exact special functions, is the reference: our closed form
    # must agree to rounding after every one of 10,000 sequential updates.
    assert _max_gap_per_step(_random_votes(11, 10_000), backend=_exact_backend()) < 1e-9


@pytest.mark.slow
def test_equals_the_trueskill_package_with_scipy_backend() -> None:
    # the same with scipy's normal distribution (slower, so fewer updates)
    assert _max_gap_per_step(_random_votes(13, 1_500), backend="scipy") < 1e-9


@pytest.mark.slow
def test_close_to_the_trueskill_package_default_backend() -> None:
    # The package's default backend (None) approximates erfc with a Chebyshev fit whose relative
    # error is up to 1.2e-7, and inverts it for the draw margin; amplified through v and w that
    # moves ratings by up to ~5e-6 on uniform random outcomes. We use exact math.erfc, so the gap
    # to backend None is bounded by that approximation, not by 1e-6.
    votes = _random_votes(12, 10_000)
    ours = TrueSkillRater(**PARAMS).fit(votes)
    ref = _reference(votes, backend=None)
    gap = max(max(abs(ours.mu[m] - r.mu), abs(ours.sigma[m] - r.sigma)) for m, r in ref.items())
    assert gap < 2e-5


def test_replay_of_all_votes_equals_folding_in_chunks_and_arrays() -> None:
    votes = [
        Comparison(c.model_a, c.model_b, c.outcome, w)
        for c, w in zip(_random_votes(5, 3000), [1.0, 0.5, 2.0] * 1000, strict=True)
    ]
    rater = TrueSkillRater(**PARAMS)
    whole = rater.fit(votes)
    state: TrueSkillState = rater.initial()
    for start in range(0, len(votes), 101):
        state = rater.update(state, votes[start : start + 101])
    for m in whole.mu:
        assert state.mu[m] == pytest.approx(whole.mu[m], abs=1e-9)
        assert state.sigma[m] == pytest.approx(whole.sigma[m], abs=1e-9)
    assert state.wins == whole.wins

    index = {m: i for i, m in enumerate(whole.models)}
    a = np.array([index[c.model_a] for c in votes])
    b = np.array([index[c.model_b] for c in votes])
    score = np.array([c.outcome.score_a for c in votes])
    weight = np.array([c.weight for c in votes])
    first = rater.replay_arrays(a[:1000], b[:1000], score[:1000], len(index), weight=weight[:1000])
    rest = rater.replay_arrays(
        a[1000:], b[1000:], score[1000:], len(index), weight=weight[1000:], start=first
    )
    assert isinstance(rest, TrueSkillArrays)
    np.testing.assert_allclose(rest.mu, [whole.mu[m] for m in whole.models], atol=1e-9, rtol=0)
    np.testing.assert_allclose(rest.sigma, [whole.sigma[m] for m in whole.models], atol=1e-9, rtol=0)


def test_weight_tempers_the_update() -> None:
    rater = TrueSkillRater(**PARAMS)
    full = rater.fit([Comparison("A", "B", Outcome.A_WINS)])
    half = rater.fit([Comparison("A", "B", Outcome.A_WINS, weight=0.5)])
    double = rater.fit([Comparison("A", "B", Outcome.A_WINS, weight=2.0)])
    assert 25.0 < half.mu["A"] < full.mu["A"] < double.mu["A"]
    assert full.sigma["A"] < half.sigma["A"] < math.hypot(25 / 3, 25 / 300)
    assert double.sigma["A"] < full.sigma["A"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sigma": 0.0},
        {"beta": -1.0},
        {"tau": -0.1},
        {"draw_probability": 0.0},
        {"draw_probability": 1.0},
        {"mu": math.nan},
    ],
)
def test_bad_parameters_raise(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="TrueSkillRater"):
        TrueSkillRater(**kwargs)


def test_extreme_upset_stays_finite() -> None:
    rater = TrueSkillRater(**PARAMS)
    strong = rater.fit([Comparison("A", "B", Outcome.A_WINS)] * 400)
    upset = rater.update(strong, [Comparison("A", "B", Outcome.B_WINS), Comparison("A", "B", Outcome.TIE)])
    assert all(math.isfinite(x) and x > 0 for x in upset.sigma.values())
    assert all(math.isfinite(x) for x in upset.mu.values())


@st.composite
def comparisons(draw: st.DrawFn) -> list[Comparison]:
    pairs = st.tuples(st.sampled_from(MODELS), st.sampled_from(MODELS)).filter(lambda p: p[0] != p[1])
    rows = draw(st.lists(st.tuples(pairs, st.sampled_from(list(Outcome))), max_size=40))
    return [Comparison(a, b, o) for (a, b), o in rows]


@settings(max_examples=100, deadline=None)
@given(comparisons())
def test_swapping_sides_changes_nothing(votes: list[Comparison]) -> None:
    rater = TrueSkillRater(**PARAMS)
    plain = rater.fit(votes)
    swapped = rater.fit([c.swapped() for c in votes])
    for m in plain.mu:
        assert swapped.mu[m] == pytest.approx(plain.mu[m], abs=1e-9)
        assert swapped.sigma[m] == pytest.approx(plain.sigma[m], abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(comparisons())
def test_flipping_every_outcome_mirrors_the_means(votes: list[Comparison]) -> None:
    rater = TrueSkillRater(**PARAMS)
    plain = rater.fit(votes)
    flipped = rater.fit([Comparison(c.model_a, c.model_b, c.outcome.swapped()) for c in votes])
    for m in plain.mu:
        assert flipped.mu[m] - 25.0 == pytest.approx(25.0 - plain.mu[m], abs=1e-9)
        assert flipped.sigma[m] == pytest.approx(plain.sigma[m], abs=1e-9)
