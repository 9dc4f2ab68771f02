"""Online Elo: a rating per model, folded forward one comparison at a time."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from judging.ratings._encoding import array_columns, encode, start_values
from judging.ratings._tally import Tally, frozen
from judging.types import Comparison

__all__ = ["EloRater", "EloState"]

_SCALE = 400.0  # a 400-point gap means 10:1 odds


@dataclass(frozen=True, slots=True)
class EloState:
    """Elo ratings and game counts per model; read-only mappings, in order of first appearance."""

    ratings: Mapping[str, float]
    games: Mapping[str, int]
    wins: Mapping[str, int]
    losses: Mapping[str, int]
    draws: Mapping[str, int]

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self.ratings)

    def rating(self, model: str) -> float:
        try:
            return self.ratings[model]
        except KeyError:
            raise KeyError(f"EloState.rating: unknown model {model!r}") from None


def elo_expected(rating_a: float, rating_b: float) -> float:
    """Expected score of A against B: ``1 / (1 + 10 ** ((R_b - R_a) / 400))``."""
    return 1.0 / (1.0 + math.pow(10.0, (rating_b - rating_a) / _SCALE))


def _fold(
    ratings: list[float],
    a: Sequence[int],
    b: Sequence[int],
    score: Sequence[float],
    weight: Sequence[float],
    k: float,
) -> None:
    """The one Elo loop: update ``ratings`` (a working copy) in place, zero-sum per comparison."""
    for i, j, s, w in zip(a, b, score, weight, strict=True):
        ra = ratings[i]
        rb = ratings[j]
        delta = k * w * (s - 1.0 / (1.0 + 10.0 ** ((rb - ra) / _SCALE)))
        ratings[i] = ra + delta
        ratings[j] = rb - delta


# The live Elo column's K, chosen by measured Kendall tau with the truth (bench/elo_k.py, 57 models,
# 10% draws, median of 5 seeds): K=2 ranks 0.794 / 0.895 / 0.944 at 2k / 10k / 100k votes, against
# K=32 (LiveSecBench's, still available) 0.796 / 0.779 / 0.797 — a large K keeps chasing the last
# few votes. Bradley–Terry (the leaderboard's ranking) stays ahead of any K: 0.830 / 0.914 / 0.974.
DEFAULT_ELO_K = 2.0
LIVESECBENCH_ELO_K = 32.0


@dataclass(frozen=True, slots=True, init=False)
class EloRater:
    """Standard Elo with K-factor ``k``; ties and both-bad count as draws (score 0.5).

    ``R_a += K * w * (S_a - E_a)`` and ``R_b -= `` the same amount, where ``w`` is the
    comparison's weight, so the total rating is conserved.
    """

    k: float = 32.0
    initial_rating: float = 1500.0

    def __init__(self, k: float = 32.0, initial: float = 1500.0) -> None:
        if not (math.isfinite(k) and k > 0):
            raise ValueError(f"EloRater: k must be a positive finite number, got {k!r}")
        if not math.isfinite(initial):
            raise ValueError(f"EloRater: initial must be finite, got {initial!r}")
        object.__setattr__(self, "k", float(k))
        object.__setattr__(self, "initial_rating", float(initial))

    def initial(self, models: Iterable[str] = ()) -> EloState:
        """The state before any vote; ``models`` are pre-registered at the initial rating."""
        names = list(dict.fromkeys(models))
        zeros = dict.fromkeys(names, 0)
        return EloState(
            ratings=frozen(dict.fromkeys(names, self.initial_rating)),
            games=frozen(dict(zeros)),
            wins=frozen(dict(zeros)),
            losses=frozen(dict(zeros)),
            draws=frozen(dict(zeros)),
        )

    def update(self, state: EloState, comparisons: Iterable[Comparison]) -> EloState:
        """Fold ``comparisons`` into ``state`` in order; returns a new state, ``state`` is unchanged."""
        tally = Tally.copy_of(state.games, state.wins, state.losses, state.draws)
        votes = encode(state.ratings, comparisons, tally)
        ratings = [*state.ratings.values()] + [self.initial_rating] * (len(votes.models) - len(state.ratings))
        _fold(ratings, votes.a, votes.b, votes.score, votes.weight, self.k)
        return EloState(
            ratings=frozen(dict(zip(votes.models, ratings, strict=True))),
            games=frozen(tally.games),
            wins=frozen(tally.wins),
            losses=frozen(tally.losses),
            draws=frozen(tally.draws),
        )

    def fit(self, comparisons: Iterable[Comparison]) -> EloState:
        """Replay ``comparisons`` from the initial state."""
        return self.update(self.initial(), comparisons)

    def win_probability(self, state: EloState, model_a: str, model_b: str) -> float:
        """Elo's expected score of A against B (draws count half), used as its win probability."""
        return elo_expected(state.rating(model_a), state.rating(model_b))

    def replay_arrays(
        self,
        a_idx: npt.ArrayLike,
        b_idx: npt.ArrayLike,
        score: npt.ArrayLike,
        n_models: int,
        *,
        weight: npt.ArrayLike | None = None,
        start: npt.ArrayLike | None = None,
    ) -> npt.NDArray[np.float64]:
        """Fast replay over integer model indices; returns the final ratings as a new array.

        ``score`` is A's score (1, 0.5 or 0); ``start`` are the ratings to fold from (default: all
        at the initial rating). Inputs are not modified.
        """
        a, b, s, w = array_columns("EloRater.replay_arrays", a_idx, b_idx, score, n_models, weight)
        ratings = start_values("EloRater.replay_arrays", start, n_models, self.initial_rating)
        _fold(ratings, a, b, s, w, self.k)
        return np.asarray(ratings, dtype=np.float64)
