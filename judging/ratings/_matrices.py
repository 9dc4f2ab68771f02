"""Pairwise matrices for the heatmaps: observed win rates and predicted win probabilities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from judging.ratings._arrays import read_only
from judging.ratings._pairs import PairCounts, TieRule
from judging.ratings._protocol import RatingModel

__all__ = ["PairMatrix", "predicted_win_matrix", "win_rate_matrix"]

State = TypeVar("State")


@dataclass(frozen=True, eq=False)
class PairMatrix:
    """``values[r, c]`` is about row model ``models[r]`` against column model ``models[c]``.

    Cells without data (and the diagonal) are NaN.
    """

    models: tuple[str, ...]
    values: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        n = len(self.models)
        if self.values.shape != (n, n):
            raise ValueError(f"PairMatrix: values must have shape ({n}, {n}), got {self.values.shape}")

    def get(self, row: str, column: str) -> float:
        return float(self.values[self.models.index(row), self.models.index(column)])


def win_rate_matrix(counts: PairCounts, ties: TieRule = TieRule.HALF) -> PairMatrix:
    """Observed (weighted) share of wins of the row model over the column model.

    Under ``TieRule.HALF`` a draw counts half a win for each side; under ``DROP`` draws are left out.
    """
    wins = counts.wins_matrix(ties)
    games = wins + wins.T
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(games > 0, wins / games, np.nan)
    np.fill_diagonal(rate, np.nan)
    return PairMatrix(counts.models, read_only(rate))


def predicted_win_matrix(model: RatingModel[State], state: State, models: Sequence[str]) -> PairMatrix:
    """``model.win_probability`` for every ordered pair of ``models`` (NaN on the diagonal)."""
    names = tuple(models)
    values = np.full((len(names), len(names)), np.nan)
    for r, a in enumerate(names):
        for c, b in enumerate(names):
            if r != c:
                values[r, c] = model.win_probability(state, a, b)
    return PairMatrix(names, read_only(values))
