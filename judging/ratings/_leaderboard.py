"""Leaderboard rows: rating, interval, interval-respecting rank range, votes and a provisional flag.

Only Bradley–Terry claims a coverage level (its bootstrap and sandwich intervals are checked
against known strengths). TrueSkill rows carry the ``mu +- 3 sigma`` band, whose lower end is the
conservative rating TrueSkill sorts by; it is a belief width, not a 95% interval, and says so.
Elo rows carry no interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from judging.ratings._elo import EloState
from judging.ratings._intervals import IntervalMethod, RatingIntervals, interval_ranks
from judging.ratings._trueskill import TrueSkillState

__all__ = ["TRUESKILL_SIGMAS", "Leaderboard", "Standing"]

TRUESKILL_SIGMAS = 3.0  # the TrueSkill band is mu +- 3 sigma; mu - 3 sigma is the conservative rating


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
    level: float | None  # the coverage the intervals claim; None when they claim none (or are absent)
    min_votes: int
    rows: tuple[Standing, ...]
    interval: IntervalMethod | None = None  # what ``lower``/``upper`` are; None: no interval
    # False: the votes do not pin the ratings down (a group of models never lost, or never won,
    # against the rest), so no interval or rank range is claimed (see ``from_intervals``)
    identified: bool = True

    def interval_label(self) -> str:
        """What the rows' ``lower`` and ``upper`` are, in words (table headers, JSON)."""
        if self.interval is None:
            return "none"
        if self.interval is IntervalMethod.POSTERIOR or self.level is None:
            return f"mu ± {TRUESKILL_SIGMAS:g} sigma (lower = conservative rating; not a confidence interval)"
        unit = "battles resampled" if self.interval is IntervalMethod.BOOTSTRAP else "clustered by battle"
        return f"{self.level:.0%} {self.interval.value} interval ({unit})"

    @classmethod
    def from_intervals(
        cls,
        method: str,
        intervals: RatingIntervals,
        votes: Mapping[str, int],
        *,
        min_votes: int = 0,
        identified: bool = True,
    ) -> Leaderboard:
        """Rows from a rating model with intervals (Bradley–Terry bootstrap or sandwich).

        ``identified`` False (the maximum-likelihood ratings do not exist: some group of models
        never lost, or never won, against the rest, and only the ridge keeps the fit finite): the
        point ratings stay as an ordering of the data, but no interval is claimed (``lower`` and
        ``upper`` None, ``level`` None) and every rank range is the whole board — a sandwich or
        bootstrap interval around a ridge-bounded infinity is narrow and wrong (3 demo votes gave
        "rank 1–3, [1530, 1832]" for a model seen once)."""
        if not identified:
            n = len(intervals.models)
            board = cls._build(
                method,
                None,
                min_votes,
                intervals.models,
                intervals.rating.tolist(),
                None,
                None,
                [1] * n,
                [n] * n,
                votes,
                None,
            )
            return replace(board, identified=False)
        ranks = intervals.ranks()
        claimed = None if intervals.method is IntervalMethod.POSTERIOR else intervals.level
        return cls._build(
            method,
            claimed,
            min_votes,
            intervals.models,
            intervals.rating.tolist(),
            intervals.lower.tolist(),
            intervals.upper.tolist(),
            ranks.best.tolist(),
            ranks.worst.tolist(),
            votes,
            intervals.method,
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
            None,
        )

    @classmethod
    def from_trueskill(cls, state: TrueSkillState, *, min_votes: int = 0) -> Leaderboard:
        """TrueSkill means with the ``mu +- 3 sigma`` band (``lower`` is the conservative rating).

        The band is the model's own belief width, not a confidence interval: TrueSkill's sigma
        shrinks with every game whatever the data say, so no coverage level is claimed
        (``level`` is None) and rank ranges are where the bands overlap.
        """
        models = state.models
        mu = np.asarray([state.mu[m] for m in models], dtype=np.float64)
        sigma = np.asarray([state.sigma[m] for m in models], dtype=np.float64)
        lower, upper = mu - TRUESKILL_SIGMAS * sigma, mu + TRUESKILL_SIGMAS * sigma
        ranks = interval_ranks(lower, upper)
        return cls._build(
            "trueskill",
            None,
            min_votes,
            models,
            mu.tolist(),
            lower.tolist(),
            upper.tolist(),
            ranks.best.tolist(),
            ranks.worst.tolist(),
            state.games,
            IntervalMethod.POSTERIOR,
        )

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
        interval: IntervalMethod | None,
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
        return cls(method, level, min_votes, tuple(rows), interval)
