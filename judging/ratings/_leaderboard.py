"""Leaderboard rows: rating, interval, interval-respecting rank range, votes and a provisional flag."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from judging.ratings._elo import EloState
from judging.ratings._intervals import IntervalMethod, RatingIntervals, interval_ranks
from judging.ratings._trueskill import TrueSkillState

__all__ = ["Leaderboard", "Standing"]


@dataclass(frozen=True, slots=True)
class Standing:
    """One leaderboard row. ``rank`` is the best rank the intervals allow, ``rank_worst`` the worst."""

    model: str
    rating: float
    lower: float | None
    upper: float | None
    rank: int
    rank_worst: int
    votes: int
    provisional: bool  # fewer than the slice's minimum number of votes


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """Rows sorted by rating (best first) for one method on one slice."""

    method: str
    level: float | None  # interval level, None when the method has no intervals
    min_votes: int
    rows: tuple[Standing, ...]

    @classmethod
    def from_intervals(
        cls, method: str, intervals: RatingIntervals, votes: Mapping[str, int], *, min_votes: int = 0
    ) -> Leaderboard:
        """Rows from a rating model with intervals (Bradley–Terry bootstrap or sandwich)."""
        ranks = intervals.ranks()
        return cls._build(
            method,
            intervals.level,
            min_votes,
            intervals.models,
            intervals.rating.tolist(),
            intervals.lower.tolist(),
            intervals.upper.tolist(),
            ranks.best.tolist(),
            ranks.worst.tolist(),
            votes,
        )

    @classmethod
    def from_elo(cls, state: EloState, *, min_votes: int = 0) -> Leaderboard:
        """Elo has no interval: ranks are plain (ties share the better rank)."""
        models = state.models
        rating = np.asarray([state.ratings[m] for m in models], dtype=np.float64)
        ranks = interval_ranks(rating, rating)
        return cls._build(
            "elo",
            None,
            min_votes,
            models,
            rating.tolist(),
            None,
            None,
            ranks.best.tolist(),
            ranks.worst.tolist(),
            state.games,
        )

    @classmethod
    def from_trueskill(cls, state: TrueSkillState, *, level: float = 0.95, min_votes: int = 0) -> Leaderboard:
        """TrueSkill means with ``mu +- z sigma`` posterior intervals (z = 1.96 for 95%)."""
        models = state.models
        mu = np.asarray([state.mu[m] for m in models], dtype=np.float64)
        sigma = np.asarray([state.sigma[m] for m in models], dtype=np.float64)
        z = NormalDist().inv_cdf(0.5 + level / 2.0)
        intervals = RatingIntervals(
            models, mu, mu - z * sigma, mu + z * sigma, level, IntervalMethod.POSTERIOR
        )
        return cls.from_intervals("trueskill", intervals, state.games, min_votes=min_votes)

    @classmethod
    def _build(
        cls,
        method: str,
        level: float | None,
        min_votes: int,
        models: Sequence[str],
        rating: Sequence[float],
        lower: Sequence[float] | None,
        upper: Sequence[float] | None,
        best: Sequence[int],
        worst: Sequence[int],
        votes: Mapping[str, int],
    ) -> Leaderboard:
        if min_votes < 0:
            raise ValueError(f"Leaderboard: min_votes must be non-negative, got {min_votes!r}")
        rows = [
            Standing(
                model=m,
                rating=float(rating[k]),
                lower=None if lower is None else float(lower[k]),
                upper=None if upper is None else float(upper[k]),
                rank=int(best[k]),
                rank_worst=int(worst[k]),
                votes=int(votes.get(m, 0)),
                provisional=int(votes.get(m, 0)) < min_votes,
            )
            for k, m in enumerate(models)
        ]
        rows.sort(key=lambda r: (-r.rating, r.model))
        return cls(method, level, min_votes, tuple(rows))
