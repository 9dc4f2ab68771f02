"""Votes grouped by battle: the unit the bootstrap resamples and the sandwich clusters by.

A battle is one (question, turn, unordered pair of answers). Its votes (a judge in both orders,
several annotators) share the question and the two answers, so they are correlated; the battles,
not the votes, are the independent draws. A battle is summed into its weighted wins of ``i``,
wins of ``j`` and draws, and battles of one pair with equal sums form a *cell* with a count, so the
bootstrap draws battle multiplicities per cell and never touches the votes again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from judging.ratings._arrays import read_only
from judging.ratings._ties import TieRule, outcome_columns

__all__ = ["BattleCells", "battle_cells", "group_rows", "grouped_cells", "resampling_cells"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class BattleCells:
    """``count`` battles of the pair ``(i < j)`` with these weighted totals each: ``wins`` of ``i``,
    ``losses`` of ``i`` (wins of ``j``) and ``draws``."""

    i: IntArray
    j: IntArray
    wins: FloatArray
    losses: FloatArray
    draws: FloatArray
    count: IntArray

    @property
    def n_battles(self) -> int:
        return int(self.count.sum())

    def columns(self, ties: TieRule) -> FloatArray:
        """The totals ``ties`` fits on, one row per cell (see ``outcome_columns``)."""
        return outcome_columns(self.wins, self.losses, self.draws, ties)

    def merged(self, other: BattleCells, n_models: int) -> BattleCells:
        """Both tables' battles (a battle split between them counts as two)."""
        return grouped_cells(
            n_models,
            np.concatenate([self.i, other.i]) * n_models + np.concatenate([self.j, other.j]),
            np.concatenate([_sums(self), _sums(other)]),
            np.concatenate([self.count, other.count]),
        )


def battle_cells(
    n_models: int, lo: IntArray, hi: IntArray, sums: FloatArray, battle: IntArray, *, where: str
) -> BattleCells:
    """Group votes (pair ``lo < hi``, weighted ``sums`` rows of wins, losses, draws) by ``battle`` id.

    Every battle compares one pair; a battle id with votes on two pairs is an error.
    """
    index, size = _battle_index(battle)
    pair = lo * n_models + hi
    pair_of = np.zeros(size, dtype=np.int64)
    pair_of[index] = pair
    mixed = pair_of[index] != pair
    if mixed.any():
        row = int(np.argmax(mixed))
        raise ValueError(
            f"{where}: battle {int(battle[row])} has votes on two model pairs (a battle compares one pair)"
        )
    per_battle = np.stack(
        [np.bincount(index, sums[:, k], minlength=size).astype(np.float64) for k in range(3)], axis=1
    )
    return grouped_cells(n_models, pair_of, per_battle, np.ones(size, dtype=np.int64))


def group_rows(pair: IntArray, stats: FloatArray, count: IntArray) -> tuple[IntArray, FloatArray, IntArray]:
    """Rows with equal ``(pair, stats)`` merged, their counts summed."""
    if pair.size == 0:
        return pair, stats, count
    doubled = 2.0 * stats
    units = np.rint(doubled)
    if np.array_equal(units, doubled):
        # whole and half votes (unit weights, draws split in two): an exact integer key
        spans = [int(units[:, k].max()) + 1 for k in range(stats.shape[1])]
        key_range = (int(pair.max()) + 1) * math.prod(spans)
        if key_range < 2**62:
            key = pair.astype(np.int64)
            for k, span in enumerate(spans):
                key = key * span + units[:, k].astype(np.int64)
            if key_range <= max(4 * key.size, 1 << 16):
                # a small key space: counting beats sorting, and the key spells its row
                per_key = np.bincount(key, count, minlength=key_range)
                cells = np.flatnonzero(per_key)
                return *_spelled(cells, spans), per_key[cells].astype(np.int64)
            _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
            return pair[first], stats[first], np.bincount(inverse, count).astype(np.int64)
    _, first, inverse = np.unique(
        np.column_stack([pair.astype(np.float64), stats]), axis=0, return_index=True, return_inverse=True
    )
    return pair[first], stats[first], np.bincount(inverse.reshape(-1), count).astype(np.int64)


def _spelled(key: IntArray, spans: list[int]) -> tuple[IntArray, FloatArray]:
    """The pair and the stats (in half units) a ``group_rows`` key was built from."""
    units = np.empty((key.size, len(spans)))
    rest = key
    for k in range(len(spans) - 1, -1, -1):
        rest, unit = np.divmod(rest, spans[k])
        units[:, k] = unit
    return rest, units / 2.0


def resampling_cells(
    cells: BattleCells, ties: TieRule, n_models: int
) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """The cells regrouped on what ``ties`` sees (e.g. one win + one loss and two draws are the
    same battle under ``HALF``): fewer cells, so fewer random draws per bootstrap round."""
    n = n_models
    pair, stats, count = group_rows(cells.i * n + cells.j, cells.columns(ties), cells.count)
    return pair // n, pair % n, stats, count


def _sums(cells: BattleCells) -> FloatArray:
    return np.stack([cells.wins, cells.losses, cells.draws], axis=1)


def grouped_cells(n_models: int, pair: IntArray, sums: FloatArray, count: IntArray) -> BattleCells:
    """Cells of ``count`` battles per row (pair key ``i * n_models + j``, rows of wins, losses, draws)."""
    pair, sums, count = group_rows(pair, sums, count)
    return BattleCells(
        i=read_only(pair // n_models),
        j=read_only(pair % n_models),
        wins=read_only(sums[:, 0].copy()),
        losses=read_only(sums[:, 1].copy()),
        draws=read_only(sums[:, 2].copy()),
        count=read_only(count.copy()),
    )


def _battle_index(battle: IntArray) -> tuple[IntArray, int]:
    """A dense index ``0..size-1`` of each vote's battle."""
    if battle.size == 0:
        return battle.astype(np.int64), 0
    low = int(battle.min())
    span = int(battle.max()) - low + 1
    if span <= max(4 * battle.size, 1 << 16):
        # ids from one table are dense: counting beats sorting
        offset = battle - low
        seen = np.zeros(span, dtype=bool)
        seen[offset] = True
        rank = np.cumsum(seen) - 1
        return rank[offset], int(rank[-1]) + 1
    ids, inverse = np.unique(battle, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), len(ids)
