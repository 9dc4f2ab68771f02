"""TrueSkill for one-versus-one comparisons with draws, in closed form.

This is the two-player special case of the TrueSkill factor graph (Herbrich, Minka & Graepel,
2007): with a single difference variable the message passing converges in one step, so the update
is a direct formula. With ``c**2 = 2*beta**2 + var_a + var_b``, ``t = (mu_winner - mu_loser) / c``
and the draw margin ``eps = Phi^-1((p + 1) / 2) * sqrt(2) * beta`` scaled to ``e = eps / c``::

    win:   v = pdf(t - e) / cdf(t - e)                      w = v * (v + t - e)
    draw:  v = (pdf(-e - t) - pdf(e - t)) / (cdf(e - t) - cdf(-e - t))   (for t >= 0, odd in t)
           w = v**2 + ((e - t) pdf(e - t) - (-e - t) pdf(-e - t)) / (cdf(e - t) - cdf(-e - t))
    mu_winner += var_winner / c * v      mu_loser -= var_loser / c * v
    var_i     *= 1 - var_i / c**2 * w

where ``var_i`` already includes the dynamics ``tau**2`` added before the match. It matches the
``trueskill`` package's ``rate_1vs1`` (the reference in the tests) but runs as one scalar loop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from judging.ratings._encoding import array_columns, encode, start_values
from judging.ratings._tally import Tally, frozen
from judging.types import Comparison

__all__ = ["TrueSkillArrays", "TrueSkillRater", "TrueSkillState"]

_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _pdf(x: float) -> float:
    return _INV_SQRT_2PI * math.exp(-0.5 * x * x)


def _cdf(x: float) -> float:
    # erfc keeps full relative precision in the lower tail, where 1 + erf(x) would cancel
    return 0.5 * math.erfc(-x * _INV_SQRT2)


def v_w_win(t: float, e: float) -> tuple[float, float]:
    """TrueSkill's mean (v) and variance (w) corrections after the side ahead by ``t`` wins."""
    x = t - e
    denom = _cdf(x)
    if denom > 0.0:
        v = _pdf(x) / denom
        return v, v * (v + x)
    # cdf underflowed (an upset beyond ~38 standard deviations): the asymptotic limits
    return -x, 1.0


def v_w_draw(t: float, e: float) -> tuple[float, float]:
    """TrueSkill's corrections after a draw; ``v`` is odd in ``t``, ``w`` even."""
    s = abs(t)
    hi = e - s
    lo = -e - s
    denom = _cdf(hi) - _cdf(lo)
    if denom > 0.0:
        p_hi = _pdf(hi)
        p_lo = _pdf(lo)
        v = (p_lo - p_hi) / denom
        w = v * v + (hi * p_hi - lo * p_lo) / denom
    else:
        v, w = hi, 1.0
    return (-v if t < 0.0 else v), w


def _fold(
    mu: list[float],
    var: list[float],
    a: Sequence[int],
    b: Sequence[int],
    score: Sequence[float],
    weight: Sequence[float],
    two_beta_sq: float,
    tau_sq: float,
    margin: float,
) -> None:
    """The one TrueSkill loop: update ``mu`` and ``var`` (working copies) in place."""
    sqrt = math.sqrt
    for i, j, s, wt in zip(a, b, score, weight, strict=True):
        mu_a = mu[i]
        mu_b = mu[j]
        var_a = var[i] + tau_sq
        var_b = var[j] + tau_sq
        c_sq = two_beta_sq + var_a + var_b
        c = sqrt(c_sq)
        e = margin / c
        if s == 1.0:
            v, w = v_w_win((mu_a - mu_b) / c, e)
        elif s == 0.0:
            v, w = v_w_win((mu_b - mu_a) / c, e)
            v = -v
        else:
            v, w = v_w_draw((mu_a - mu_b) / c, e)
        # v > 0 moves A up and B down by the same standardised amount
        new_mu_a = mu_a + var_a / c * v
        new_mu_b = mu_b - var_b / c * v
        new_var_a = var_a * (1.0 - var_a / c_sq * w)
        new_var_b = var_b * (1.0 - var_b / c_sq * w)
        if wt != 1.0:
            # A weighted vote tempers the match's Gaussian message (posterior / prior in natural
            # parameters) by the power ``wt``; precision can only grow, so variances stay positive.
            new_mu_a, new_var_a = _temper(mu_a, var_a, new_mu_a, new_var_a, wt)
            new_mu_b, new_var_b = _temper(mu_b, var_b, new_mu_b, new_var_b, wt)
        mu[i] = new_mu_a
        mu[j] = new_mu_b
        var[i] = new_var_a
        var[j] = new_var_b


def _temper(mu0: float, var0: float, mu1: float, var1: float, power: float) -> tuple[float, float]:
    pi0 = 1.0 / var0
    pi1 = 1.0 / var1
    pi = pi0 + power * (pi1 - pi0)
    tau = mu0 * pi0 + power * (mu1 * pi1 - mu0 * pi0)
    return tau / pi, 1.0 / pi


@dataclass(frozen=True, slots=True)
class TrueSkillState:
    """TrueSkill means, standard deviations and game counts per model (read-only mappings)."""

    mu: Mapping[str, float]
    sigma: Mapping[str, float]
    games: Mapping[str, int]
    wins: Mapping[str, int]
    losses: Mapping[str, int]
    draws: Mapping[str, int]

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self.mu)

    def rating(self, model: str) -> tuple[float, float]:
        """``(mu, sigma)`` of ``model``."""
        try:
            return self.mu[model], self.sigma[model]
        except KeyError:
            raise KeyError(f"TrueSkillState.rating: unknown model {model!r}") from None

    def conservative(self, model: str, k: float = 3.0) -> float:
        """The conservative skill estimate ``mu - k * sigma`` (TrueSkill's leaderboard value)."""
        mu, sigma = self.rating(model)
        return mu - k * sigma


class TrueSkillArrays(NamedTuple):
    """Result of an array replay: per-model means and standard deviations."""

    mu: npt.NDArray[np.float64]
    sigma: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, init=False)
class TrueSkillRater:
    """One-versus-one TrueSkill with draws (ties and both-bad are draws).

    Parameters follow the ``trueskill`` package: prior ``mu``/``sigma``, performance noise
    ``beta``, dynamics ``tau`` (added to each variance before a match) and the prior probability
    of a draw, from which the draw margin is derived (stored as ``prior_draw_probability``, since
    ``draw_probability`` is the method that predicts a draw between two models). A comparison's
    weight other than 1 tempers its update (see ``_fold``); weight 1 is exact TrueSkill.
    """

    mu: float
    sigma: float
    beta: float
    tau: float
    prior_draw_probability: float
    draw_margin: float = field(repr=False, compare=False)

    def __init__(
        self,
        mu: float = 25.0,
        sigma: float = 25.0 / 3.0,
        beta: float = 25.0 / 6.0,
        tau: float = 25.0 / 300.0,
        draw_probability: float = 0.10,
    ) -> None:
        params = {"mu": mu, "sigma": sigma, "beta": beta, "tau": tau, "draw_probability": draw_probability}
        for name, value in params.items():
            if not math.isfinite(value):
                raise ValueError(f"TrueSkillRater: {name} must be finite, got {value!r}")
        if not sigma > 0:
            raise ValueError(f"TrueSkillRater: sigma must be positive, got {sigma!r}")
        if not beta > 0:
            raise ValueError(f"TrueSkillRater: beta must be positive, got {beta!r}")
        if not tau >= 0:
            raise ValueError(f"TrueSkillRater: tau must be non-negative, got {tau!r}")
        if not 0.0 < draw_probability < 1.0:
            raise ValueError(f"TrueSkillRater: draw_probability must lie in (0, 1), got {draw_probability!r}")
        # size-2 match: the performance difference has standard deviation sqrt(2) * beta
        margin = NormalDist().inv_cdf((draw_probability + 1.0) / 2.0) * math.sqrt(2.0) * beta
        for name, value in (
            ("mu", mu),
            ("sigma", sigma),
            ("beta", beta),
            ("tau", tau),
            ("prior_draw_probability", draw_probability),
            ("draw_margin", margin),
        ):
            object.__setattr__(self, name, float(value))

    def initial(self, models: Iterable[str] = ()) -> TrueSkillState:
        """The state before any vote; ``models`` are pre-registered at the prior."""
        names = list(dict.fromkeys(models))
        zeros = dict.fromkeys(names, 0)
        return TrueSkillState(
            mu=frozen(dict.fromkeys(names, self.mu)),
            sigma=frozen(dict.fromkeys(names, self.sigma)),
            games=frozen(dict(zeros)),
            wins=frozen(dict(zeros)),
            losses=frozen(dict(zeros)),
            draws=frozen(dict(zeros)),
        )

    def update(self, state: TrueSkillState, comparisons: Iterable[Comparison]) -> TrueSkillState:
        """Fold ``comparisons`` into ``state`` in order; returns a new state, ``state`` is unchanged."""
        tally = Tally.copy_of(state.games, state.wins, state.losses, state.draws)
        votes = encode(state.mu, comparisons, tally)
        n_new = len(votes.models) - len(state.mu)
        mu = [*state.mu.values()] + [self.mu] * n_new
        var = [s * s for s in state.sigma.values()] + [self.sigma * self.sigma] * n_new
        self._fold(mu, var, votes.a, votes.b, votes.score, votes.weight)
        return TrueSkillState(
            mu=frozen(dict(zip(votes.models, mu, strict=True))),
            sigma=frozen({m: math.sqrt(v) for m, v in zip(votes.models, var, strict=True)}),
            games=frozen(tally.games),
            wins=frozen(tally.wins),
            losses=frozen(tally.losses),
            draws=frozen(tally.draws),
        )

    def fit(self, comparisons: Iterable[Comparison]) -> TrueSkillState:
        """Replay ``comparisons`` from the prior."""
        return self.update(self.initial(), comparisons)

    def win_probability(self, state: TrueSkillState, model_a: str, model_b: str) -> float:
        """Probability that A strictly beats B (performance gap beyond the draw margin)."""
        gap, c = self._gap(state, model_a, model_b)
        return _cdf((gap - self.draw_margin) / c)

    def draw_probability(self, state: TrueSkillState, model_a: str, model_b: str) -> float:
        """Probability that A and B draw (performance gap within the draw margin)."""
        gap, c = self._gap(state, model_a, model_b)
        return _cdf((self.draw_margin - gap) / c) - _cdf((-self.draw_margin - gap) / c)

    def _gap(self, state: TrueSkillState, model_a: str, model_b: str) -> tuple[float, float]:
        mu_a, sigma_a = state.rating(model_a)
        mu_b, sigma_b = state.rating(model_b)
        return mu_a - mu_b, math.sqrt(2.0 * self.beta**2 + sigma_a**2 + sigma_b**2)

    def replay_arrays(
        self,
        a_idx: npt.ArrayLike,
        b_idx: npt.ArrayLike,
        score: npt.ArrayLike,
        n_models: int,
        *,
        weight: npt.ArrayLike | None = None,
        start: TrueSkillArrays | None = None,
    ) -> TrueSkillArrays:
        """Fast replay over integer model indices (score 1 = A wins, 0 = B wins, 0.5 = draw).

        ``start`` is the state to fold from (default: every model at the prior). Inputs are not
        modified; returns new arrays.
        """
        where = "TrueSkillRater.replay_arrays"
        a, b, s, w = array_columns(where, a_idx, b_idx, score, n_models, weight)
        mu = start_values(where, None if start is None else start.mu, n_models, self.mu)
        sigma = start_values(where, None if start is None else start.sigma, n_models, self.sigma)
        var = [x * x for x in sigma]
        self._fold(mu, var, a, b, s, w)
        return TrueSkillArrays(np.asarray(mu, dtype=np.float64), np.sqrt(np.asarray(var, dtype=np.float64)))

    def _fold(
        self,
        mu: list[float],
        var: list[float],
        a: Sequence[int],
        b: Sequence[int],
        score: Sequence[float],
        weight: Sequence[float],
    ) -> None:
        _fold(mu, var, a, b, score, weight, 2.0 * self.beta**2, self.tau**2, self.draw_margin)
