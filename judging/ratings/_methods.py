"""One entry point from comparisons to a leaderboard, for the CLI and the leaderboard page."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

import numpy as np

from judging.ratings._bradley_terry import BradleyTerry
from judging.ratings._elo import EloRater
from judging.ratings._leaderboard import Leaderboard
from judging.ratings._trueskill import TrueSkillRater
from judging.types import Comparison

__all__ = ["RatingMethod", "leaderboard"]


class RatingMethod(StrEnum):
    BT = "bt"
    ELO = "elo"
    TRUESKILL = "trueskill"

    @classmethod
    def parse(cls, value: str) -> RatingMethod:
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValueError(
                f"RatingMethod.parse: unknown method {value!r} (expected one of {allowed})"
            ) from None


def leaderboard(
    method: RatingMethod,
    comparisons: Iterable[Comparison],
    *,
    bootstrap_rounds: int = 0,
    rng: np.random.Generator | None = None,
    min_votes: int = 0,
    level: float = 0.95,
    bradley_terry: BradleyTerry | None = None,
    elo: EloRater | None = None,
    trueskill: TrueSkillRater | None = None,
) -> Leaderboard:
    """Rate ``comparisons`` with ``method`` and build the leaderboard rows.

    Bradley–Terry intervals come from ``bootstrap_rounds`` resamples when that is positive (then
    ``rng`` is required), otherwise from the sandwich estimate; ``level`` is theirs. TrueSkill rows
    carry the ``mu +- 3 sigma`` band (no coverage claimed); Elo rows have no interval.
    """
    if method is RatingMethod.BT:
        bt = bradley_terry or BradleyTerry()
        fit = bt.fit(comparisons)
        if bootstrap_rounds > 0:
            if rng is None:
                raise ValueError("leaderboard: bootstrap_rounds > 0 needs an rng (numpy Generator)")
            intervals = bt.bootstrap(fit, rng, rounds=bootstrap_rounds, level=level)
        else:
            intervals = bt.sandwich(fit, level=level)
        return Leaderboard.from_intervals(method.value, intervals, fit.votes, min_votes=min_votes)
    if method is RatingMethod.ELO:
        return Leaderboard.from_elo((elo or EloRater()).fit(comparisons), min_votes=min_votes)
    if method is RatingMethod.TRUESKILL:
        state = (trueskill or TrueSkillRater()).fit(comparisons)
        return Leaderboard.from_trueskill(state, min_votes=min_votes)
    raise TypeError(f"leaderboard: method must be a RatingMethod, got {method!r}")
