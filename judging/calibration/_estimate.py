"""Figures with bootstrap intervals, resampling whole clusters (battles) of votes.

Every figure here is a function of sums over clusters (agreeing pairs, a contingency table, a
coincidence matrix ...). Resampling clusters with replacement is then a multinomial draw of cluster
counts times the per-cluster sums, so a thousand rounds are one matrix product.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Bootstrap", "Estimate", "estimate_from_sums", "ratio"]

FloatArray = npt.NDArray[np.float64]

_CHUNK_CELLS = 4_000_000  # rounds x clusters per matrix product, bounds memory at ~32 MB


@dataclass(frozen=True, slots=True)
class Estimate:
    """A figure with its bootstrap percentile interval; ``n`` is how many items it counts."""

    value: float
    lower: float
    upper: float
    n: int
    level: float

    def contains(self, value: float) -> bool:
        return self.lower <= value <= self.upper


@dataclass(frozen=True, slots=True)
class Bootstrap:
    """How to resample: the caller's RNG, the number of rounds and the interval level."""

    rng: np.random.Generator
    rounds: int = 1000
    level: float = 0.95

    def __post_init__(self) -> None:
        if not isinstance(self.rng, np.random.Generator):
            raise TypeError(f"Bootstrap: rng must be a numpy Generator, got {type(self.rng).__name__}")
        if self.rounds < 2:
            raise ValueError(f"Bootstrap: rounds must be at least 2, got {self.rounds!r}")
        if not 0.0 < self.level < 1.0:
            raise ValueError(f"Bootstrap: level must lie in (0, 1), got {self.level!r}")

    def resampled_sums(self, sums: FloatArray) -> FloatArray:
        """``(rounds, k)`` column sums of ``sums`` ``(clusters, k)`` over resampled clusters."""
        clusters = sums.shape[0]
        out = np.empty((self.rounds, sums.shape[1]))
        step = max(1, _CHUNK_CELLS // max(clusters, 1))
        uniform = np.full(clusters, 1.0 / clusters)
        for start in range(0, self.rounds, step):
            size = min(step, self.rounds - start)
            counts = self.rng.multinomial(clusters, uniform, size=size)
            out[start : start + size] = counts @ sums
        return out


def estimate_from_sums(
    sums: npt.ArrayLike,
    statistic: Callable[[FloatArray], FloatArray],
    n: int,
    boot: Bootstrap,
) -> Estimate | None:
    """The statistic of the column sums of ``sums`` (one row per cluster), with its interval.

    ``statistic`` maps ``(..., k)`` sums to ``(...)`` values and may give NaN where it is not
    defined (say, agreement over zero pairs). ``None`` when it is not defined on the full data.
    """
    table = np.asarray(sums, dtype=np.float64)
    if table.ndim != 2 or table.shape[0] == 0:
        return None
    with np.errstate(invalid="ignore", divide="ignore"):
        value = float(statistic(table.sum(axis=0)))
        if not math.isfinite(value):
            return None
        samples = statistic(boot.resampled_sums(table))
    tail = (1.0 - boot.level) / 2.0
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return Estimate(value, value, value, n, boot.level)
    lower, upper = np.quantile(finite, [tail, 1.0 - tail])
    # a percentile interval of a skewed sample can miss the point estimate by rounding; widen
    return Estimate(value, min(float(lower), value), max(float(upper), value), n, boot.level)


def ratio(numerator: int, denominator: int) -> Callable[[FloatArray], FloatArray]:
    """A statistic ``sums[numerator] / sums[denominator]``."""

    def statistic(s: FloatArray) -> FloatArray:
        return np.asarray(s[..., numerator] / s[..., denominator], dtype=np.float64)

    return statistic
