"""Rating intervals and the ranks that respect them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = ["IntervalMethod", "RankRanges", "RatingIntervals", "interval_ranks"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class IntervalMethod(StrEnum):
    BOOTSTRAP = "bootstrap"  # percentile interval over resampled battles
    SANDWICH = "sandwich"  # normal approximation with the battle-clustered (sandwich) covariance
    POSTERIOR = "posterior"  # TrueSkill's mu +- 3 sigma band: a belief width, not a confidence interval


class RankRanges(NamedTuple):
    """Best and worst rank each model can take given the intervals (1 = top)."""

    best: IntArray
    worst: IntArray


def interval_ranks(lower: npt.ArrayLike, upper: npt.ArrayLike) -> RankRanges:
    """Ranks that respect intervals.

    ``best[i] = 1 + #{j : lower[j] > upper[i]}`` (models certainly above i), and
    ``worst[i] = n - #{j : upper[j] < lower[i]}`` (all but the models certainly below i).
    """
    lo = np.asarray(lower, dtype=np.float64)
    hi = np.asarray(upper, dtype=np.float64)
    if lo.shape != hi.shape or lo.ndim != 1:
        raise ValueError(
            f"interval_ranks: lower and upper must be 1-d of equal length, got {lo.shape}, {hi.shape}"
        )
    if np.any(lo > hi):
        raise ValueError(
            f"interval_ranks: a lower bound exceeds its upper bound at {int(np.argmax(lo > hi))}"
        )
    above = (lo[None, :] > hi[:, None]).sum(axis=1)
    below = (hi[None, :] < lo[:, None]).sum(axis=1)
    return RankRanges(best=(1 + above).astype(np.int64), worst=(len(lo) - below).astype(np.int64))


@dataclass(frozen=True, eq=False)
class RatingIntervals:
    """Point ratings with ``level`` intervals, aligned with ``models`` (read-only arrays)."""

    models: tuple[str, ...]
    rating: FloatArray
    lower: FloatArray
    upper: FloatArray
    level: float
    method: IntervalMethod
    samples: FloatArray | None = None  # bootstrap ratings, shape (rounds, models)

    def __post_init__(self) -> None:
        n = len(self.models)
        for name in ("rating", "lower", "upper"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"RatingIntervals: {name} must have shape ({n},)")
        if not 0.0 < self.level < 1.0:
            raise ValueError(f"RatingIntervals: level must lie in (0, 1), got {self.level!r}")

    def interval(self, model: str) -> tuple[float, float]:
        try:
            k = self.models.index(model)
        except ValueError:
            raise KeyError(f"RatingIntervals: unknown model {model!r}") from None
        return float(self.lower[k]), float(self.upper[k])

    def ranks(self) -> RankRanges:
        return interval_ranks(self.lower, self.upper)
