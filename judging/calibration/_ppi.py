"""A judge-corrected Bradley–Terry leaderboard by prediction-powered inference (PPI++).

Many battles have an LLM judge's verdict; a random few also have human votes. The judge-only fit is
precise but biased (position, length, self-preference); the human-only fit is unbiased but noisy.
PPI (Angelopoulos et al., *Science* 2023; PPI++, Angelopoulos, Duchi & Zrnic 2023) fits on the
judge's verdicts and corrects with the judge's error measured on the battles that have both:

    theta = argmin  lam * mean_U l(theta; x, f) + mean_L [ l(theta; x, y) - lam * l(theta; x, f) ]

where ``l`` is the Bradley–Terry (logistic) loss of a battle ``x = e_a - e_b`` with target score
``f`` (the judge's mean score for A) or ``y`` (the humans' mean score for A), ``U`` are the battles
without human votes and ``L`` those with. The loss is ``softplus(d) - t d`` with ``d = theta_a -
theta_b``, so the objective stays convex for ``0 <= lam <= 1``. Its sandwich covariance
``H^-1 (lam^2 Var_U(grad_f) / N + Var_L(grad_y - lam grad_f) / n) H^-1`` widens the intervals by
the uncertainty of the correction. ``lam`` is tuned to minimise that variance (PPI++), so a good
judge narrows the human-only intervals and a useless one costs (almost) nothing.

The rows come from votes in ``judging.calibration._corrected`` (``battle_scores``), which also
builds the judge-corrected board.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import numpy.typing as npt
from scipy.special import expit, log_expit

from judging.calibration._estimate import FloatArray
from judging.ratings import BradleyTerry, IntervalMethod, RatingIntervals, TieRule

__all__ = ["BattleScores", "PPIFit", "ppi_bradley_terry"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class BattleScores:
    """One row per battle: its two models, the judge's mean score for A and the humans' (NaN: none)."""

    models: tuple[str, ...]
    a: IntArray
    b: IntArray
    judge: FloatArray
    human: FloatArray
    human_votes: IntArray  # human votes behind ``human`` (0 where it is NaN)
    judge_votes: IntArray

    def __post_init__(self) -> None:
        n = self.a.shape
        for name in ("b", "judge", "human", "human_votes", "judge_votes"):
            if getattr(self, name).shape != n:
                raise ValueError(f"BattleScores: {name} must have the shape of a, {n}")
        if self.a.size and (
            min(self.a.min(), self.b.min()) < 0 or max(self.a.max(), self.b.max()) >= len(self.models)
        ):
            raise ValueError(f"BattleScores: model indices must lie in [0, {len(self.models)})")
        if np.any(self.a == self.b):
            raise ValueError("BattleScores: a battle compares a model with itself")
        if np.any((self.judge < 0) | (self.judge > 1) | ~np.isfinite(self.judge)):
            raise ValueError("BattleScores: judge scores must lie in [0, 1]")
        labelled = ~np.isnan(self.human)
        if np.any((self.human[labelled] < 0) | (self.human[labelled] > 1)):
            raise ValueError("BattleScores: human scores must lie in [0, 1] (or be NaN)")

    @property
    def labelled(self) -> npt.NDArray[np.bool_]:
        return ~np.isnan(self.human)


@dataclass(frozen=True, eq=False)
class PPIFit:
    """The corrected fit: Elo-scale ratings with intervals, and what the correction rested on."""

    intervals: RatingIntervals
    theta: FloatArray = field(repr=False)  # natural log-strengths, centred
    covariance: FloatArray = field(repr=False)  # of theta (natural units)
    power: float  # lam: 0 is human-only, 1 is classic PPI
    n_labelled: int  # battles with human votes
    n_unlabelled: int


def _scatter(k: int, a: IntArray, b: IntArray, g: FloatArray) -> FloatArray:
    """``sum_i g_i (e_a - e_b)``."""
    return np.asarray(np.bincount(a, g, minlength=k) - np.bincount(b, g, minlength=k), dtype=np.float64)


def _laplacian(k: int, a: IntArray, b: IntArray, w: FloatArray) -> FloatArray:
    off = np.bincount(a * k + b, w, minlength=k * k).reshape(k, k)
    off = off + off.T
    return np.diag(off.sum(axis=1)) - off


def _gradients(k: int, a: IntArray, b: IntArray, residual: FloatArray) -> FloatArray:
    """Per-battle gradients ``x_i * residual_i`` as rows ``(battles, k)``."""
    rows = np.zeros((residual.size, k))
    r = np.arange(residual.size)
    rows[r, a] = residual
    rows[r, b] = -residual
    return rows


def _cov(rows: FloatArray) -> FloatArray:
    if rows.shape[0] < 2:
        return np.zeros((rows.shape[1], rows.shape[1]))
    centred = rows - rows.mean(axis=0)
    return np.asarray(centred.T @ centred / (rows.shape[0] - 1))


class _Problem:
    """The PPI objective for one ``lam``: ``sum_i c_i softplus(d_i) - t_i d_i + ridge/2 |theta|^2``."""

    def __init__(self, s: BattleScores, lam: float, ridge: float) -> None:
        lab = s.labelled
        n, big_n = int(lab.sum()), int((~lab).sum())
        f = s.judge
        y = np.where(lab, s.human, 0.0)
        self.k, self.a, self.b, self.ridge = len(s.models), s.a, s.b, ridge
        self.c = np.where(lab, (1.0 - lam) / n, lam / big_n if big_n else 0.0)
        self.t = np.where(lab, (y - lam * f) / n, lam * f / big_n if big_n else 0.0)

    def value(self, theta: FloatArray) -> float:
        d = theta[self.a] - theta[self.b]
        softplus = -log_expit(-d)
        return float((self.c * softplus - self.t * d).sum() + 0.5 * self.ridge * (theta @ theta))

    def solve(self, max_iter: int = 100, tol: float = 1e-12) -> FloatArray:
        k = self.k
        theta = np.zeros(k)
        current = self.value(theta)
        for _ in range(max_iter):
            d = theta[self.a] - theta[self.b]
            p = expit(d)
            gradient = _scatter(k, self.a, self.b, self.c * p - self.t) + self.ridge * theta
            hessian = _laplacian(k, self.a, self.b, self.c * p * (1.0 - p)) + self.ridge * np.eye(k) + 1.0 / k
            step = -np.linalg.solve(hessian, gradient)
            scale = 1.0
            for _ in range(60):  # backtrack while the objective would rise
                candidate = theta + scale * step
                value = self.value(candidate)
                if value <= current + 1e-15 * abs(current):
                    break
                scale *= 0.5
            theta, previous, current = candidate, current, value
            if (
                abs(previous - current) <= tol * max(1.0, abs(current))
                and np.max(np.abs(scale * step)) < 1e-9
            ):
                break
        return np.asarray(theta - theta.mean())


def _pieces(
    s: BattleScores, theta: FloatArray, ridge: float = 0.0
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``H^-1`` (on contrasts), judge gradients on U and L, human gradients on L.

    A model that never loses (or never wins) drives ``p (1 - p)`` to zero on its games; the
    ridge keeps ``H`` invertible and the pseudo-inverse is the last resort, so such a model gets
    a very wide interval instead of an error.
    """
    k = len(s.models)
    lab = s.labelled
    p = expit(theta[s.a] - theta[s.b])
    hessian = _laplacian(k, s.a, s.b, p * (1.0 - p)) / p.size + ridge * np.eye(k) + 1.0 / k
    try:
        h_inv = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        h_inv = np.linalg.pinv(hessian)
    grad_f = _gradients(k, s.a, s.b, p - s.judge)
    grad_y = _gradients(k, s.a[lab], s.b[lab], p[lab] - s.human[lab])
    return h_inv, grad_f[~lab], grad_f[lab], grad_y


def _tuned_power(s: BattleScores, theta: FloatArray, ridge: float = 0.0) -> float:
    """PPI++'s variance-minimising ``lam`` (clipped to [0, 1]), evaluated at ``theta``."""
    h_inv, g_f_u, g_f_l, g_y = _pieces(s, theta, ridge)
    n, big_n = g_y.shape[0], g_f_u.shape[0]
    if big_n == 0:
        return 0.0
    cross = (g_y - g_y.mean(axis=0)).T @ (g_f_l - g_f_l.mean(axis=0)) / n
    var_f = _cov(np.vstack([g_f_u, g_f_l]))
    denominator = 2.0 * (1.0 + n / big_n) * np.trace(h_inv @ var_f @ h_inv)
    if denominator <= 0:
        return 0.0
    lam = np.trace(h_inv @ (cross + cross.T) @ h_inv) / denominator
    return float(np.clip(lam, 0.0, 1.0))


def ppi_bradley_terry(
    battles: BattleScores,
    *,
    model: BradleyTerry | None = None,
    level: float = 0.95,
    power: float | None = None,
) -> PPIFit:
    """Prediction-powered Bradley–Terry ratings with normal intervals on ``model``'s Elo scale.

    ``power`` fixes ``lam`` (1 is classic PPI, 0 ignores the judge); ``None`` tunes it (PPI++).
    ``model`` gives the scale, centre or anchor and the ridge ``l2`` (applied as on summed losses).
    """
    bt = model or BradleyTerry()
    if bt.ties is not TieRule.HALF:
        raise ValueError(
            "ppi_bradley_terry: needs ties counted half (TieRule.HALF); a judge score can be 0.5"
        )
    if not 0.0 < level < 1.0:
        raise ValueError(f"ppi_bradley_terry: level must lie in (0, 1), got {level!r}")
    if power is not None and not 0.0 <= power <= 1.0:
        raise ValueError(f"ppi_bradley_terry: power must lie in [0, 1], got {power!r}")
    lab = battles.labelled
    n, big_n = int(lab.sum()), int((~lab).sum())
    if n < 2:
        raise ValueError(f"ppi_bradley_terry: needs at least 2 battles with human votes, got {n}")
    k = len(battles.models)
    ridge = bt.l2 / battles.a.size
    lam = power
    if big_n == 0:
        lam = 0.0  # every judged battle has human votes: the judge has nothing to add
    elif lam is None:
        # tune at the human-only fit: bounded even when the judge says a model never loses
        # (at lam = 1 the judge-driven fit can run off to infinity and H would be singular)
        lam = _tuned_power(battles, _Problem(battles, 0.0, ridge).solve(), ridge)
    theta = _Problem(battles, lam, ridge).solve()
    h_inv, g_f_u, g_f_l, g_y = _pieces(battles, theta, ridge)
    middle = _cov(g_y - lam * g_f_l) / n
    if big_n:
        middle = middle + lam * lam * _cov(g_f_u) / big_n
    centre = np.eye(k) - 1.0 / k
    cov = centre @ h_inv @ middle @ h_inv @ centre
    if bt.anchor is None:
        reference = theta.mean()
        var = np.diag(cov)
    else:
        j = battles.models.index(bt.anchor)
        reference = theta[j]
        var = np.diag(cov) + cov[j, j] - 2.0 * cov[:, j]
    ratings = bt.center + bt.scale * (theta - reference)
    half = NormalDist().inv_cdf(0.5 + level / 2.0) * bt.scale * np.sqrt(np.maximum(var, 0.0))
    intervals = RatingIntervals(
        models=battles.models,
        rating=_frozen(ratings),
        lower=_frozen(ratings - half),
        upper=_frozen(ratings + half),
        level=level,
        method=IntervalMethod.SANDWICH,
    )
    return PPIFit(intervals, _frozen(theta), _frozen(cov), float(lam), n, big_n)


def _frozen(array: FloatArray) -> FloatArray:
    out = np.array(array, dtype=np.float64)
    out.setflags(write=False)
    return out
