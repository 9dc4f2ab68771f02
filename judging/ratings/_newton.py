"""Newton's method and its fixed-Hessian (chord) variant for a stack of pair likelihoods.

Every row is an independent problem (one table, or one bootstrap resample each) over the same
pairs, so one call fits a table or a whole chunk of resamples.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from judging.ratings._likelihood import PairLikelihood

__all__ = ["chord", "newton"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_TRUST = 0.1  # Newton steps at most this long (in log-odds) are taken without a line search


def newton(
    likelihood: PairLikelihood, params: FloatArray, tol: float, max_iter: int
) -> tuple[FloatArray, int]:
    """Maximise the penalised log-likelihood of every row, starting from ``params`` ``(rows, k)``.

    A step solves ``(-Hessian + 1 1^T / n) step = gradient``: the rank-one term fixes the free
    common level of the strengths when ``l2 = 0`` and leaves contrasts alone. Long steps are halved
    while the likelihood would drop; steps shorter than ``_TRUST`` are safe on these smooth concave
    objectives and skip the check.
    """
    params = params.copy()
    for iteration in range(1, max_iter + 1):
        gradient, at = likelihood.gradient(params)
        step = np.linalg.solve(likelihood.hessian(at), gradient[:, :, None])[:, :, 0]
        long = np.abs(step).max(axis=1) > _TRUST
        if long.any():
            step[long] = _backtrack(likelihood.subset(long), params[long], step[long])
        params = params + step
        if np.abs(step).max() < tol:
            return params, iteration
    return params, max_iter


def chord(
    likelihood: PairLikelihood, params: FloatArray, hessian_inverse: FloatArray, tol: float, max_iter: int
) -> tuple[FloatArray, BoolArray]:
    """Newton with one fixed Hessian (the point fit's) for every row: a bootstrap resample's
    Hessian differs from it by sampling noise, so each step still cuts the error by a large factor,
    and a step costs a matrix product instead of a solve per row. Returns the converged rows."""
    params = params.copy()
    iterating = np.ones(params.shape[0], dtype=bool)
    converged = np.zeros(params.shape[0], dtype=bool)
    previous = np.full(params.shape[0], np.inf)
    for _ in range(max_iter):
        gradient, _ = likelihood.gradient(params)
        step = gradient @ hessian_inverse
        size = np.abs(step).max(axis=1)
        iterating &= size < previous  # steps that stop shrinking are left to full Newton
        params[iterating] += step[iterating]
        converged |= iterating & (size < tol)
        iterating &= ~converged
        previous = size
        if not iterating.any():
            break
    return params, converged


def _backtrack(likelihood: PairLikelihood, params: FloatArray, step: FloatArray) -> FloatArray:
    """Halve each row's step until the log-likelihood does not drop."""
    before = likelihood.log_likelihood(params)
    step = step.copy()
    for _ in range(60):
        worse = likelihood.log_likelihood(params + step) < before - 1e-12 * np.abs(before)
        if not worse.any():
            break
        step[worse] *= 0.5
    return step
