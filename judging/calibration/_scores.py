"""Scores of probabilistic predictions: Brier score, log-loss, reliability bins and ECE.

Predictions ``p`` are probabilities that A wins; outcomes ``y`` are A's score (1 win, 0 loss, 0.5
for a draw when draws are kept). Bins are ``n_bins`` equal-width bins of ``[0, 1]``, closed on the
right (a prediction on an edge goes to the lower bin, as in scikit-learn's ``calibration_curve``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from judging.calibration._estimate import FloatArray

__all__ = [
    "ReliabilityBin",
    "bin_index",
    "brier_score",
    "ece_from_sums",
    "expected_calibration_error",
    "log_loss",
    "reliability_bins",
    "score_rows",
]

# like scikit-learn: probabilities are clipped to [eps, 1 - eps] so a confident miss stays finite
_EPS = float(np.finfo(np.float64).eps)


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """One bin of a reliability diagram; the means are ``None`` for an empty bin."""

    lower: float
    upper: float
    count: int
    mean_predicted: float | None
    observed: float | None  # mean outcome (the observed frequency of A winning)


def _arrays(p: npt.ArrayLike, y: npt.ArrayLike, where: str) -> tuple[FloatArray, FloatArray]:
    pa = np.asarray(p, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    if pa.ndim != 1 or pa.shape != ya.shape:
        raise ValueError(f"{where}: predictions and outcomes must be 1-d of equal length")
    if pa.size == 0:
        raise ValueError(f"{where}: no predictions")
    if np.any((pa < 0) | (pa > 1) | ~np.isfinite(pa)):
        raise ValueError(f"{where}: predictions must lie in [0, 1]")
    if np.any((ya < 0) | (ya > 1) | ~np.isfinite(ya)):
        raise ValueError(f"{where}: outcomes must lie in [0, 1]")
    return pa, ya


def _check_bins(n_bins: int, where: str) -> None:
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise ValueError(f"{where}: n_bins must be a positive integer, got {n_bins!r}")


def bin_index(p: FloatArray, n_bins: int) -> npt.NDArray[np.int64]:
    """The bin of each prediction: equal-width bins, closed on the right (first bin ``[0, w]``)."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    return np.searchsorted(edges[1:-1], p).astype(np.int64)


def brier_score(p: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Mean squared error ``mean((p - y)**2)``."""
    pa, ya = _arrays(p, y, "brier_score")
    return float(np.mean((pa - ya) ** 2))


def _log_losses(pa: FloatArray, ya: FloatArray) -> FloatArray:
    q = np.clip(pa, _EPS, 1.0 - _EPS)
    return np.asarray(-(ya * np.log(q) + (1.0 - ya) * np.log1p(-q)))


def log_loss(p: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Mean cross-entropy ``-mean(y log p + (1 - y) log(1 - p))`` in nats."""
    pa, ya = _arrays(p, y, "log_loss")
    return float(np.mean(_log_losses(pa, ya)))


def reliability_bins(p: npt.ArrayLike, y: npt.ArrayLike, n_bins: int = 10) -> tuple[ReliabilityBin, ...]:
    """Count, mean prediction and mean outcome per bin (every bin, empty ones included)."""
    _check_bins(n_bins, "reliability_bins")
    pa, ya = _arrays(p, y, "reliability_bins")
    k = bin_index(pa, n_bins)
    count = np.bincount(k, minlength=n_bins)
    p_sum = np.bincount(k, pa, minlength=n_bins)
    y_sum = np.bincount(k, ya, minlength=n_bins)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    return tuple(
        ReliabilityBin(
            lower=float(edges[b]),
            upper=float(edges[b + 1]),
            count=int(count[b]),
            mean_predicted=float(p_sum[b] / count[b]) if count[b] else None,
            observed=float(y_sum[b] / count[b]) if count[b] else None,
        )
        for b in range(n_bins)
    )


def expected_calibration_error(p: npt.ArrayLike, y: npt.ArrayLike, n_bins: int = 10) -> float:
    """``sum_b (n_b / n) |mean outcome_b - mean prediction_b|`` over the non-empty bins."""
    _check_bins(n_bins, "expected_calibration_error")
    pa, ya = _arrays(p, y, "expected_calibration_error")
    k = bin_index(pa, n_bins)
    gaps = np.abs(np.bincount(k, ya, minlength=n_bins) - np.bincount(k, pa, minlength=n_bins))
    return float(gaps.sum() / pa.size)


def score_rows(p: FloatArray, y: FloatArray, n_bins: int) -> FloatArray:
    """Per-prediction additive statistics ``[1, squared error, log-loss, bin one-hot * (1, p, y)]``.

    Column sums give every score: Brier = col 1 / col 0, log-loss = col 2 / col 0, and
    ECE = ``sum_b |y_sum_b - p_sum_b| / n``.
    """
    rows = np.zeros((p.size, 3 + 3 * n_bins))
    rows[:, 0] = 1.0
    rows[:, 1] = (p - y) ** 2
    rows[:, 2] = _log_losses(p, y)
    k = bin_index(p, n_bins)
    r = np.arange(p.size)
    rows[r, 3 + k] = 1.0
    rows[r, 3 + n_bins + k] = p
    rows[r, 3 + 2 * n_bins + k] = y
    return rows


def ece_from_sums(sums: FloatArray, n_bins: int) -> FloatArray:
    """ECE from summed ``score_rows`` (any leading shape, for the bootstrap)."""
    p_sum = sums[..., 3 + n_bins : 3 + 2 * n_bins]
    y_sum = sums[..., 3 + 2 * n_bins : 3 + 3 * n_bins]
    return np.asarray(np.abs(y_sum - p_sum).sum(axis=-1) / sums[..., 0])
