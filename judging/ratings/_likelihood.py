"""The pair likelihoods Bradley–Terry fits: two outcomes (win or loss), or three (Davidson's draw).

Both are written for a stack of rows (one table, or one bootstrap resample per row) over the same
pairs. Parameters are ``(rows, k)``: the natural log-strengths ``theta`` of the ``n`` models and,
for Davidson, the log tie parameter ``kappa = ln nu`` as column ``n``. Each gives the penalised
log-likelihood, its gradient, the negative Hessian (with the gauge term ``1 1^T / n`` that fixes the
free common level of ``theta``), and the per-battle scores the cluster sandwich sums.

Davidson (1970), with ``d = theta_i - theta_j``:
``P(i wins) = e^(d/2) / Z``, ``P(j wins) = e^(-d/2) / Z``, ``P(draw) = nu / Z``,
``Z = e^(d/2) + e^(-d/2) + nu``. Given a decisive outcome, ``P(i wins) = 1 / (1 + e^-d)``: the
strengths are on the same scale as plain Bradley–Terry without draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from judging.ratings._numeric import GroupSum, expit
from judging.ratings._pairs import PairWins

__all__ = ["Davidson", "PairLikelihood", "TwoOutcomes", "likelihood_of"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class _Design(NamedTuple):
    """The pair-by-model incidence (+1 for ``i``, -1 for ``j``) as sums of pair columns."""

    i: IntArray
    j: IntArray
    to_i: GroupSum  # a pair's value to its model i
    to_j: GroupSum  # a pair's value to its model j
    n: int

    @classmethod
    def of(cls, i: IntArray, j: IntArray, n: int) -> _Design:
        return cls(i, j, GroupSum(i, n), GroupSum(j, n), n)

    def spread(self, per_pair: FloatArray) -> FloatArray:
        """``sum_pairs per_pair * (e_i - e_j)`` per row: ``(rows, pairs)`` -> ``(rows, n)``."""
        out = self.to_i(per_pair)
        out -= self.to_j(per_pair)
        return out

    def laplacian(self, per_pair: FloatArray, l2: float) -> FloatArray:
        """``sum_pairs per_pair (e_i - e_j)(e_i - e_j)^T + l2 I + 1 1^T / n`` per row."""
        n = self.n
        out = np.full((per_pair.shape[0], n * n), 1.0 / n)
        out[:, self.i * n + self.j] -= per_pair
        out[:, self.j * n + self.i] -= per_pair
        diagonal = np.arange(n) * (n + 1)
        out[:, diagonal] += self.to_i(per_pair) + self.to_j(per_pair) + l2
        return out.reshape(-1, n, n)


class PairLikelihood(Protocol):
    """What the Newton and chord solvers need from a likelihood over a stack of rows."""

    @property
    def rows(self) -> int: ...

    def log_likelihood(self, params: FloatArray) -> FloatArray: ...

    def gradient(self, params: FloatArray) -> tuple[FloatArray, object]:
        """Gradient per row, and what ``hessian`` needs at the same point."""
        ...

    def hessian(self, at: object) -> FloatArray: ...

    def subset(self, keep: BoolArray) -> PairLikelihood: ...


@dataclass(frozen=True)
class TwoOutcomes:
    """Bradley–Terry: ``P(i beats j) = 1 / (1 + exp(theta_j - theta_i))``; a draw is already folded
    into ``forward``/``backward`` (half each way) or left out."""

    wins: PairWins  # forward/backward are (rows, pairs)
    design: _Design
    l2: float

    @property
    def rows(self) -> int:
        return int(self.wins.forward.shape[0])

    def log_likelihood(self, params: FloatArray) -> FloatArray:
        diff = params[:, self.wins.i] - params[:, self.wins.j]
        loss = self.wins.forward * np.logaddexp(0.0, -diff) + self.wins.backward * np.logaddexp(0.0, diff)
        return np.asarray(
            -loss.sum(axis=-1) - 0.5 * self.l2 * (params * params).sum(axis=-1), dtype=np.float64
        )

    def gradient(self, params: FloatArray) -> tuple[FloatArray, object]:
        p = expit(params[:, self.wins.i] - params[:, self.wins.j])
        residual = self.wins.forward - (self.wins.forward + self.wins.backward) * p
        return self.design.spread(residual) - self.l2 * params, p

    def hessian(self, at: object) -> FloatArray:
        p = np.asarray(at)
        curvature = (self.wins.forward + self.wins.backward) * p * (1.0 - p)
        return self.design.laplacian(curvature, self.l2)

    def subset(self, keep: BoolArray) -> TwoOutcomes:
        w = self.wins
        return TwoOutcomes(PairWins(w.i, w.j, w.forward[keep], w.backward[keep]), self.design, self.l2)

    @staticmethod
    def cell_scores(stats: FloatArray, diff: FloatArray, kappa: float) -> tuple[FloatArray, None]:
        """Score of each cell's battle along ``d``: its wins minus their expectation."""
        forward, backward = stats[:, 0], stats[:, 1]
        return forward - (forward + backward) * expit(diff), None


class _DavidsonPoint(NamedTuple):
    p_i: FloatArray
    p_j: FloatArray
    p_draw: FloatArray


@dataclass(frozen=True)
class Davidson:
    """Davidson's three outcomes; the last parameter column is ``kappa = ln nu`` (ridge-penalised
    like the strengths, which keeps it finite when a table has no draws)."""

    wins: PairWins  # forward = i's decisive wins, backward = j's, draws apart; all (rows, pairs)
    design: _Design
    l2: float

    @property
    def rows(self) -> int:
        return int(self.wins.forward.shape[0])

    def _draws(self) -> FloatArray:
        assert self.wins.draws is not None  # built by likelihood_of under TieRule.DAVIDSON
        return self.wins.draws

    def _point(self, params: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        n = self.design.n
        half = 0.5 * (params[:, self.wins.i] - params[:, self.wins.j])
        kappa = params[:, n : n + 1]
        log_z = np.logaddexp(np.logaddexp(half, -half), kappa)
        return half, kappa, log_z

    def log_likelihood(self, params: FloatArray) -> FloatArray:
        half, kappa, log_z = self._point(params)
        w = self.wins
        value = w.forward * (half - log_z) + w.backward * (-half - log_z) + self._draws() * (kappa - log_z)
        return np.asarray(
            value.sum(axis=-1) - 0.5 * self.l2 * (params * params).sum(axis=-1), dtype=np.float64
        )

    def gradient(self, params: FloatArray) -> tuple[FloatArray, object]:
        n = self.design.n
        half, kappa, log_z = self._point(params)
        point = _DavidsonPoint(np.exp(half - log_z), np.exp(-half - log_z), np.exp(kappa - log_z))
        w = self.wins
        total = w.forward + w.backward + self._draws()
        g_d = 0.5 * (w.forward - w.backward) - 0.5 * total * (point.p_i - point.p_j)
        g_kappa = (self._draws() - total * point.p_draw).sum(axis=-1)
        gradient = np.empty_like(params)
        gradient[:, :n] = self.design.spread(g_d)
        gradient[:, n] = g_kappa
        return gradient - self.l2 * params, point

    def hessian(self, at: object) -> FloatArray:
        assert isinstance(at, _DavidsonPoint)
        n = self.design.n
        w = self.wins
        total = w.forward + w.backward + self._draws()
        gap = at.p_i - at.p_j
        h_dd = 0.25 * total * ((at.p_i + at.p_j) - gap * gap)
        h_dk = -0.5 * total * gap * at.p_draw
        h_kk = (total * at.p_draw * (1.0 - at.p_draw)).sum(axis=-1)
        hessian = np.zeros((self.rows, n + 1, n + 1))
        hessian[:, :n, :n] = self.design.laplacian(h_dd, self.l2)
        cross = self.design.spread(h_dk)
        hessian[:, :n, n] = cross
        hessian[:, n, :n] = cross
        hessian[:, n, n] = h_kk + self.l2
        return hessian

    def subset(self, keep: BoolArray) -> Davidson:
        w = self.wins
        return Davidson(
            PairWins(w.i, w.j, w.forward[keep], w.backward[keep], self._draws()[keep]), self.design, self.l2
        )

    @staticmethod
    def cell_scores(stats: FloatArray, diff: FloatArray, kappa: float) -> tuple[FloatArray, FloatArray]:
        """Scores of each cell's battle along ``d`` and along ``kappa``."""
        wins, losses, draws = stats[:, 0], stats[:, 1], stats[:, 2]
        half = 0.5 * diff
        log_z = np.logaddexp(np.logaddexp(half, -half), kappa)
        p_i, p_j, p_draw = np.exp(half - log_z), np.exp(-half - log_z), np.exp(kappa - log_z)
        total = wins + losses + draws
        return 0.5 * (wins - losses) - 0.5 * total * (p_i - p_j), draws - total * p_draw


def likelihood_of(wins: PairWins, n: int, l2: float) -> TwoOutcomes | Davidson:
    """The likelihood of these pair totals: Davidson's when draws are kept apart."""
    design = _Design.of(wins.i, wins.j, n)
    if wins.draws is None:
        return TwoOutcomes(wins, design, l2)
    return Davidson(wins, design, l2)
