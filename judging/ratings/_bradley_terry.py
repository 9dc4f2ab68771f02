"""Bradley–Terry maximum likelihood on aggregated pair counts, with bootstrap and sandwich intervals.

``P(i beats j) = 1 / (1 + exp(theta_j - theta_i))``; ratings are ``theta`` on the Elo scale
(``400 / ln 10`` points per unit, so 400 points are 10:1 odds), centred on ``center`` or with the
``anchor`` model pinned there. The fit is Newton's method on the wins per pair (one row per table,
so one call fits a table or a whole stack of resamples); the bootstrap reuses the point fit's
Hessian for every resample (chord iterations) and falls back to Newton for any row that stalls.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import NormalDist
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.special import expit

from judging.ratings._arrays import read_only
from judging.ratings._intervals import IntervalMethod, RatingIntervals
from judging.ratings._pairs import PairCounts, PairWins, TieRule
from judging.types import Comparison

__all__ = ["ELO_SCALE", "BTFit", "BradleyTerry"]

FloatArray = npt.NDArray[np.float64]

ELO_SCALE = 400.0 / math.log(10.0)  # Elo points per unit of log-odds

_BOOTSTRAP_CHUNK = 250  # rounds fitted together: bounds memory to a few (chunk, pairs) arrays


@dataclass(frozen=True, eq=False)
class BTFit:
    """A Bradley–Terry fit: log-strengths, Elo-scale ratings and the counts they came from."""

    models: tuple[str, ...]
    theta: FloatArray  # natural log-strengths, as fitted (sum zero)
    ratings: FloatArray  # Elo scale
    counts: PairCounts
    iterations: int
    identified: bool  # the plain MLE exists: every split of the models has wins both ways

    @property
    def by_model(self) -> Mapping[str, float]:
        return MappingProxyType(dict(zip(self.models, self.ratings.tolist(), strict=True)))

    @property
    def votes(self) -> Mapping[str, int]:
        """Votes each model took part in (unweighted)."""
        return MappingProxyType(dict(zip(self.models, self.counts.votes_per_model().tolist(), strict=True)))

    def index(self, model: str) -> int:
        try:
            return self.models.index(model)
        except ValueError:
            raise KeyError(f"BTFit: unknown model {model!r}") from None

    def rating(self, model: str) -> float:
        return float(self.ratings[self.index(model)])


@dataclass(frozen=True, slots=True)
class BradleyTerry:
    """Bradley–Terry with ties as half wins (or dropped), reported on the Elo scale.

    ``l2`` is a ridge penalty ``l2 / 2 * sum(theta**2)`` on the log-strengths. It keeps the fit
    finite when a model has won (or lost) every game, which is common early on and in bootstrap
    resamples; with arena-sized data its effect is far below 0.01 Elo. Set it to 0 for the plain
    MLE, which then requires a strongly connected comparison graph.
    """

    ties: TieRule = TieRule.HALF
    scale: float = ELO_SCALE
    center: float = 1000.0
    anchor: str | None = None
    l2: float = 0.01
    tol: float = 1e-10
    max_iter: int = 100

    def __post_init__(self) -> None:
        if not isinstance(self.ties, TieRule):
            raise TypeError(f"BradleyTerry: ties must be a TieRule, got {self.ties!r}")
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"BradleyTerry: scale must be positive, got {self.scale!r}")
        if not math.isfinite(self.center):
            raise ValueError(f"BradleyTerry: center must be finite, got {self.center!r}")
        if not (math.isfinite(self.l2) and self.l2 >= 0):
            raise ValueError(f"BradleyTerry: l2 must be non-negative, got {self.l2!r}")
        if not self.max_iter >= 1:
            raise ValueError(f"BradleyTerry: max_iter must be at least 1, got {self.max_iter!r}")

    # -- the rating-model protocol ------------------------------------------------------------

    def initial(self, models: Iterable[str] = ()) -> BTFit:
        """A fit with no votes (every model at the centre)."""
        return self.fit_counts(PairCounts.from_comparisons([], list(models)))

    def fit(self, comparisons: Iterable[Comparison]) -> BTFit:
        return self.fit_counts(PairCounts.from_comparisons(comparisons))

    def update(self, state: BTFit, comparisons: Iterable[Comparison]) -> BTFit:
        """Refit on the old counts plus ``comparisons`` (warm-started from ``state``)."""
        counts = state.counts.merged(PairCounts.from_comparisons(comparisons))
        start = np.zeros(counts.n_models)
        start[: len(state.models)] = state.theta
        return self.fit_counts(counts, start=start)

    def win_probability(self, state: BTFit, model_a: str, model_b: str) -> float:
        """Predicted probability that A beats B (a draw counts half under ``TieRule.HALF``)."""
        return float(expit(state.theta[state.index(model_a)] - state.theta[state.index(model_b)]))

    # -- fitting --------------------------------------------------------------------------------

    def fit_counts(self, counts: PairCounts, *, start: npt.ArrayLike | None = None) -> BTFit:
        """Maximum-likelihood (ridge-penalised if ``l2 > 0``) fit on aggregated counts."""
        n = counts.n_models
        if self.anchor is not None and self.anchor not in counts.models:
            raise ValueError(f"BradleyTerry.fit: anchor model {self.anchor!r} has no votes in this slice")
        pairs = counts.pair_wins(self.ties)
        identified = _identified(pairs, n)
        if self.l2 == 0 and not identified:
            raise ValueError(
                "BradleyTerry.fit: with l2=0 the maximum-likelihood ratings do not exist for these votes "
                "(some group of models never lost, or never won, against the rest); use l2 > 0"
            )
        theta0 = np.zeros((1, n)) if start is None else np.asarray(start, dtype=np.float64).reshape(1, n)
        wins = PairWins(pairs.i, pairs.j, pairs.forward[None], pairs.backward[None])
        theta, iterations = _newton(wins, theta0, self.l2, self.tol, self.max_iter)
        return BTFit(
            models=counts.models,
            theta=read_only(theta[0]),
            ratings=read_only(self._to_rating(theta, counts.models)[0]),
            counts=counts,
            iterations=iterations,
            identified=identified,
        )

    def _to_rating(self, theta: FloatArray, models: tuple[str, ...]) -> FloatArray:
        """Elo-scale ratings for a stack of ``theta`` rows (centred, or anchored)."""
        if theta.shape[-1] == 0:
            return theta.copy()
        if self.anchor is None:
            reference = theta.mean(axis=-1, keepdims=True)
        else:
            k = models.index(self.anchor)
            reference = theta[..., k : k + 1]
        return self.center + self.scale * (theta - reference)

    # -- intervals ------------------------------------------------------------------------------

    def bootstrap(
        self, fit: BTFit, rng: np.random.Generator, *, rounds: int = 1000, level: float = 0.95
    ) -> RatingIntervals:
        """Percentile intervals from ``rounds`` multinomial resamples of the votes.

        Resampling N votes with replacement is a multinomial draw over the pair-count cells. Every
        round is refitted from ``fit``, a chunk of rounds at a time, with the point fit's Hessian
        (see ``_chord``); rows that stall are finished by full Newton.
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"BradleyTerry.bootstrap: rng must be a numpy Generator, got {type(rng).__name__}"
            )
        if rounds < 2:
            raise ValueError(f"BradleyTerry.bootstrap: rounds must be at least 2, got {rounds!r}")
        _check_level("BradleyTerry.bootstrap", level)
        counts = fit.counts
        total = counts.n_votes
        if total == 0:
            raise ValueError("BradleyTerry.bootstrap: there are no votes to resample")
        share = counts.count / total
        hessian_inverse = np.asarray(np.linalg.inv(self._information(fit)), dtype=np.float64)
        samples = np.empty((rounds, counts.n_models))
        tol = max(self.tol, _BOOTSTRAP_TOL)
        for start in range(0, rounds, _BOOTSTRAP_CHUNK):
            size = min(_BOOTSTRAP_CHUNK, rounds - start)
            wins = counts.pair_wins(self.ties, count=rng.multinomial(total, share, size=size))
            theta0 = np.broadcast_to(fit.theta, (size, counts.n_models))
            theta, converged = _chord(wins, theta0, hessian_inverse, self.l2, tol, _CHORD_ITERATIONS)
            if not converged.all():
                rest = PairWins(wins.i, wins.j, wins.forward[~converged], wins.backward[~converged])
                theta[~converged], _ = _newton(rest, theta[~converged], self.l2, self.tol, self.max_iter)
            samples[start : start + size] = self._to_rating(theta, counts.models)
        tail = (1.0 - level) / 2.0
        lower, upper = np.quantile(samples, [tail, 1.0 - tail], axis=0)
        # rows and ranks read lower <= rating <= upper; a percentile interval can (rarely) leave the
        # point estimate out, so it is stretched to include it
        rating = fit.ratings
        return RatingIntervals(
            models=fit.models,
            rating=rating,
            lower=read_only(np.minimum(lower, rating)),
            upper=read_only(np.maximum(upper, rating)),
            level=level,
            method=IntervalMethod.BOOTSTRAP,
            samples=read_only(samples),
        )

    def sandwich(self, fit: BTFit, *, level: float = 0.95) -> RatingIntervals:
        """Normal intervals with the robust covariance ``H^-1 J H^-1``: fast enough for live views.

        ``H`` is the Fisher information (``sum w p (1 - p)`` per pair), ``J`` the empirical variance
        of the per-vote scores (``sum w**2 (y - p)**2``), which stays honest when ties make the
        outcomes less variable than the binary model assumes.
        """
        _check_level("BradleyTerry.sandwich", level)
        cov = self.covariance(fit, robust=True)
        if self.anchor is None:
            var = np.diag(cov)
        else:
            k = fit.index(self.anchor)
            var = np.diag(cov) + cov[k, k] - 2.0 * cov[:, k]
        half = NormalDist().inv_cdf(0.5 + level / 2.0) * self.scale * np.sqrt(np.maximum(var, 0.0))
        return RatingIntervals(
            models=fit.models,
            rating=fit.ratings,
            lower=read_only(fit.ratings - half),
            upper=read_only(fit.ratings + half),
            level=level,
            method=IntervalMethod.SANDWICH,
        )

    def covariance(self, fit: BTFit, *, robust: bool = True) -> FloatArray:
        """Covariance of the centred log-strengths ``theta - mean(theta)`` (natural units).

        ``robust`` gives the sandwich ``H^-1 J H^-1``, otherwise the inverse Fisher information.
        ``H`` is singular along the common level, which the data cannot see; it is inverted with a
        ``1 1^T / n`` term added and the level projected out again.
        """
        n = fit.counts.n_models
        h_inv = np.linalg.inv(self._information(fit))
        centre = np.eye(n) - 1.0 / n
        if not robust:
            return np.asarray(centre @ h_inv @ centre, dtype=np.float64)
        # J sums the squared score of every vote: (y - p)^2 per cell, so it needs the cells
        counts = fit.counts
        keep = np.ones(counts.score.shape, dtype=bool) if self.ties is TieRule.HALF else counts.score != 0.5
        i, j = counts.i[keep], counts.j[keep]
        y, w, c = counts.score[keep], counts.weight[keep], counts.count[keep]
        p = expit(fit.theta[i] - fit.theta[j])
        h_inv_centred = centre @ h_inv
        return np.asarray(
            h_inv_centred @ _laplacian(n, i, j, c * (w * (y - p)) ** 2) @ h_inv_centred.T, dtype=np.float64
        )

    def _information(self, fit: BTFit) -> FloatArray:
        """Negative Hessian of the penalised log-likelihood at ``fit``, plus the gauge ``1 1^T / n``."""
        pairs = fit.counts.pair_wins(self.ties)
        wins = PairWins(pairs.i, pairs.j, pairs.forward[None], pairs.backward[None])
        design = _Design.of(wins, fit.counts.n_models)
        _, p = design.gradient(wins, fit.theta[None], self.l2)
        return design.hessian(wins, p, self.l2)[0]


def _laplacian(n: int, i: npt.NDArray[np.int64], j: npt.NDArray[np.int64], values: FloatArray) -> FloatArray:
    """``sum_k values_k (e_i - e_j)(e_i - e_j)^T`` as a dense matrix."""
    off = np.bincount(i * n + j, values, minlength=n * n).reshape(n, n)
    off = off + off.T
    return np.diag(off.sum(axis=1)) - off


def _identified(pairs: PairWins, n: int) -> bool:
    """The MLE exists iff the 'has beaten' graph is strongly connected."""
    if n < 2:
        return False
    source = np.concatenate([pairs.i, pairs.j])
    target = np.concatenate([pairs.j, pairs.i])
    won = np.concatenate([pairs.forward, pairs.backward]) > 0  # an edge only where a win happened
    beaten = sparse.csr_matrix((np.ones(int(won.sum())), (source[won], target[won])), shape=(n, n))
    components, _ = connected_components(beaten, directed=True, connection="strong")
    return bool(components == 1)


_BOOTSTRAP_TOL = 1e-8  # log-odds; 2e-6 Elo points, far inside any interval
_CHORD_ITERATIONS = 30  # fixed-Hessian steps per bootstrap row before falling back to Newton
_TRUST = 0.1  # Newton steps at most this long (in log-odds) are taken without a line search


def _pair_log_likelihood(wins: PairWins, theta: FloatArray, l2: float) -> FloatArray:
    """Penalised log-likelihood per row."""
    diff = theta[:, wins.i] - theta[:, wins.j]
    loss = wins.forward * np.logaddexp(0.0, -diff) + wins.backward * np.logaddexp(0.0, diff)
    return -loss.sum(axis=-1) - 0.5 * l2 * (theta * theta).sum(axis=-1)


class _Design(NamedTuple):
    """Pair-by-model incidence (+1 for i, -1 for j), transposed, and its absolute value."""

    incidence_t: sparse.csr_matrix
    degree_t: sparse.csr_matrix
    n: int

    @classmethod
    def of(cls, wins: PairWins, n: int) -> _Design:
        pairs = len(wins.i)
        rows = np.repeat(np.arange(pairs), 2)
        cols = np.stack([wins.i, wins.j], axis=1).ravel()
        signs = np.tile([1.0, -1.0], pairs)
        return cls(
            sparse.csr_matrix((signs, (cols, rows)), shape=(n, pairs)),
            sparse.csr_matrix((np.abs(signs), (cols, rows)), shape=(n, pairs)),
            n,
        )

    def gradient(self, wins: PairWins, theta: FloatArray, l2: float) -> tuple[FloatArray, FloatArray]:
        """Gradient of the penalised log-likelihood per row, and the win probabilities per pair."""
        p = expit(theta[:, wins.i] - theta[:, wins.j])
        residual = wins.forward - (wins.forward + wins.backward) * p
        return np.asarray(self.incidence_t @ residual.T).T - l2 * theta, p

    def hessian(self, wins: PairWins, p: FloatArray, l2: float) -> FloatArray:
        """Negative Hessian per row plus the gauge term ``1 1^T / n``."""
        n = self.n
        curvature = (wins.forward + wins.backward) * p * (1.0 - p)
        hessian = np.full((p.shape[0], n * n), 1.0 / n)
        hessian[:, wins.i * n + wins.j] -= curvature
        hessian[:, wins.j * n + wins.i] -= curvature
        diagonal = np.arange(n) * (n + 1)
        hessian[:, diagonal] += np.asarray(self.degree_t @ curvature.T).T + l2
        return hessian.reshape(-1, n, n)


def _newton(
    wins: PairWins, theta: FloatArray, l2: float, tol: float, max_iter: int
) -> tuple[FloatArray, int]:
    """Maximise the (penalised) BT log-likelihood for a stack of rows of pair wins.

    ``wins.forward``/``backward`` are ``(rows, pairs)`` and ``theta`` is ``(rows, n)``; every row is
    an independent problem (one table, or one bootstrap resample each). Newton steps solve
    ``(H + 1 1^T / n) step = gradient``: the rank-one term fixes the free common level when
    ``l2 = 0`` and leaves contrasts alone. Long steps are halved while the likelihood would drop;
    steps shorter than ``_TRUST`` are safe on this smooth concave objective and skip the check.
    """
    theta = theta.copy()
    n = theta.shape[1]
    if n == 0 or len(wins.i) == 0:
        return np.zeros_like(theta), 0  # no votes: every model at the common level
    design = _Design.of(wins, n)
    for iteration in range(1, max_iter + 1):
        gradient, p = design.gradient(wins, theta, l2)
        step = np.linalg.solve(design.hessian(wins, p, l2), gradient[:, :, None])[:, :, 0]
        long = np.abs(step).max(axis=1) > _TRUST
        if long.any():
            step[long] = _backtrack(wins, theta[long], step[long], l2, long)
        theta = theta + step
        if np.abs(step).max() < tol:
            return theta, iteration
    return theta, max_iter


def _chord(
    wins: PairWins, theta: FloatArray, hessian_inverse: FloatArray, l2: float, tol: float, max_iter: int
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Newton with one fixed Hessian (the point fit's) for every row: a bootstrap resample's
    Hessian differs from it by sampling noise, so each step still cuts the error by a large factor,
    and a step costs a matrix product instead of a solve per row. Returns the converged rows."""
    theta = theta.copy()
    design = _Design.of(wins, theta.shape[1])
    iterating = np.ones(theta.shape[0], dtype=bool)
    converged = np.zeros(theta.shape[0], dtype=bool)
    previous = np.full(theta.shape[0], np.inf)
    for _ in range(max_iter):
        gradient, _ = design.gradient(wins, theta, l2)
        step = gradient @ hessian_inverse
        size = np.abs(step).max(axis=1)
        iterating &= size < previous  # steps that stop shrinking are left to full Newton
        theta[iterating] += step[iterating]
        converged |= iterating & (size < tol)
        iterating &= ~converged
        previous = size
        if not iterating.any():
            break
    return theta, converged


def _backtrack(
    wins: PairWins, theta: FloatArray, step: FloatArray, l2: float, rows: npt.NDArray[np.bool_]
) -> FloatArray:
    """Halve each row's step until the log-likelihood does not drop."""
    part = PairWins(wins.i, wins.j, wins.forward[rows], wins.backward[rows])
    before = _pair_log_likelihood(part, theta, l2)
    step = step.copy()
    for _ in range(60):
        worse = _pair_log_likelihood(part, theta + step, l2) < before - 1e-12 * np.abs(before)
        if not worse.any():
            break
        step[worse] *= 0.5
    return step


def _check_level(where: str, level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"{where}: level must lie in (0, 1), got {level!r}")
