"""Aggregated pair counts: the sufficient statistic for Bradley–Terry and its bootstrap.

Votes are grouped into *cells* ``(i, j, score, weight)`` with ``i < j``; a cell holds how many
votes fell into it. Votes are also grouped by battle (``BattleCells``): battles, not votes, are
the independent draws, so the bootstrap draws battle multiplicities over battle cells and never
touches the individual rows again. Without battle ids every vote is its own battle.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from judging.ratings._arrays import read_only
from judging.ratings._battles import BattleCells, battle_cells, grouped_cells
from judging.ratings._encoding import encode
from judging.ratings._numeric import GroupSum
from judging.ratings._ties import TieRule, outcome_columns
from judging.types import Comparison

__all__ = ["PairCounts", "PairWins", "TieRule", "pair_totals"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# cell outcome codes, from the point of view of the lower index i
_I_WINS, _J_WINS, _DRAW = 0, 1, 2
_SCORE_OF_CODE = np.array([1.0, 0.0, 0.5])


class PairWins(NamedTuple):
    """Wins per pair with votes: ``forward`` = i over j, ``backward`` = j over i (``i < j``).

    ``draws`` are kept apart only under ``TieRule.DAVIDSON`` (then ``forward`` and ``backward`` are
    the decisive outcomes alone); the other rules fold draws into the wins or leave them out.
    """

    i: IntArray
    j: IntArray
    forward: FloatArray
    backward: FloatArray
    draws: FloatArray | None = None


@dataclass(frozen=True, eq=False)
class PairCounts:
    """Vote counts per cell ``(i < j, score of i, weight)`` over ``models`` (read-only arrays),
    and the same votes grouped by battle (``battles``)."""

    models: tuple[str, ...]
    i: IntArray
    j: IntArray
    score: FloatArray  # 1 = i won, 0 = j won, 0.5 = draw
    weight: FloatArray  # the weight of each vote in the cell
    count: IntArray  # number of votes in the cell
    battles: BattleCells  # the independent units: battles grouped by pair and outcome totals

    @classmethod
    def from_comparisons(
        cls,
        comparisons: Iterable[Comparison],
        models: Sequence[str] = (),
        *,
        battles: npt.ArrayLike | None = None,
    ) -> PairCounts:
        """Aggregate comparisons; ``models`` fixes the order (and may list models without votes).

        ``battles`` gives each comparison's battle id (integers, in the order of ``comparisons``);
        without it every comparison is its own battle.
        """
        votes = encode(models, comparisons)
        return cls.from_arrays(
            np.asarray(votes.a, dtype=np.int64),
            np.asarray(votes.b, dtype=np.int64),
            np.asarray(votes.score, dtype=np.float64),
            votes.models,
            weight=np.asarray(votes.weight, dtype=np.float64),
            battle=battles,
        )

    @classmethod
    def from_arrays(
        cls,
        a_idx: npt.ArrayLike,
        b_idx: npt.ArrayLike,
        score: npt.ArrayLike,
        models: Sequence[str],
        *,
        weight: npt.ArrayLike | None = None,
        battle: npt.ArrayLike | None = None,
    ) -> PairCounts:
        """Aggregate vote columns: model indices into ``models``, A's score (1, 0.5, 0), weights,
        and the battle id of each vote (votes of one battle share a pair; none: one battle each)."""
        where = "PairCounts.from_arrays"
        names = tuple(models)
        if len(set(names)) != len(names):
            raise ValueError(f"{where}: models contain duplicates: {names!r}")
        n = len(names)
        a = np.asarray(a_idx, dtype=np.int64)
        b = np.asarray(b_idx, dtype=np.int64)
        s = np.asarray(score, dtype=np.float64)
        if a.ndim != 1 or a.shape != b.shape or a.shape != s.shape:
            raise ValueError(f"{where}: a_idx, b_idx and score must be 1-d of equal length")
        if a.size and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= n):
            raise ValueError(f"{where}: model indices must lie in [0, {n})")
        if np.any(a == b):
            raise ValueError(f"{where}: a model is compared with itself at row {int(np.argmax(a == b))}")
        code = _code_of_score(s)
        if np.any(code < 0):
            row = int(np.argmax(code < 0))
            raise ValueError(f"{where}: score must be 0, 0.5 or 1, got {float(s[row])!r} at row {row}")
        w = np.ones(a.shape) if weight is None else np.asarray(weight, dtype=np.float64)
        if w.shape != a.shape or not np.all(w > 0) or not np.all(np.isfinite(w)):
            raise ValueError(f"{where}: weight must be positive, finite and match a_idx in length")
        ids = None
        if battle is not None:
            ids = np.asarray(battle)
            if ids.shape != a.shape or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
                raise ValueError(
                    f"{where}: battle must be integer ids, one per vote ({a.size}), got {ids.dtype} {ids.shape}"
                )
            ids = ids.astype(np.int64)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        return _aggregate(names, lo, hi, _oriented(a, b, code), w, np.ones(a.shape, dtype=np.int64), ids)

    @property
    def n_models(self) -> int:
        return len(self.models)

    @property
    def n_votes(self) -> int:
        return int(self.count.sum())

    @property
    def n_battles(self) -> int:
        return self.battles.n_battles

    def index(self, model: str) -> int:
        try:
            return self.models.index(model)
        except ValueError:
            raise KeyError(f"PairCounts: unknown model {model!r}") from None

    def votes_per_model(self) -> IntArray:
        """Number of votes each model took part in (unweighted)."""
        n = self.n_models
        return np.bincount(self.i, self.count, minlength=n).astype(np.int64) + np.bincount(
            self.j, self.count, minlength=n
        ).astype(np.int64)

    def pair_wins(self, ties: TieRule = TieRule.HALF, count: npt.ArrayLike | None = None) -> PairWins:
        """Weighted wins each way for every pair with votes (draws as ``ties`` says).

        ``count`` replaces the cell counts (a bootstrap draw); it may be 2-d ``(rounds, cells)``,
        and then ``forward`` and ``backward`` are ``(rounds, pairs)``.
        """
        sums = _outcome_sums(self.weight, _code_of_score(self.score))
        stats = outcome_columns(sums[:, 0], sums[:, 1], sums[:, 2], ties)
        return pair_totals(self.n_models, self.i, self.j, stats, self.count if count is None else count)

    def wins_matrix(self, ties: TieRule = TieRule.HALF) -> FloatArray:
        """``W[i, j]`` = weighted wins of i over j (draws count half each way under ``TieRule.HALF``)."""
        pairs = self.pair_wins(ties)
        wins = np.zeros((self.n_models, self.n_models))
        wins[pairs.i, pairs.j] = pairs.forward
        wins[pairs.j, pairs.i] = pairs.backward
        return wins

    def games_matrix(self) -> IntArray:
        """Symmetric matrix of (unweighted) vote counts per pair."""
        n = self.n_models
        g = np.bincount(self.i * n + self.j, self.count, minlength=n * n).reshape(n, n).astype(np.int64)
        return g + g.T

    def merged(self, other: PairCounts) -> PairCounts:
        """Counts of both tables together; models of ``other`` not in ``self`` are appended."""
        known = set(self.models)
        names = (*self.models, *(m for m in other.models if m not in known))
        position = {m: k for k, m in enumerate(names)}
        remap = np.asarray([position[m] for m in other.models], dtype=np.int64)
        a = np.concatenate([self.i, remap[other.i]])
        b = np.concatenate([self.j, remap[other.j]])
        cells = _aggregate(
            names,
            np.minimum(a, b),
            np.maximum(a, b),
            _oriented(a, b, _code_of_score(np.concatenate([self.score, other.score]))),
            np.concatenate([self.weight, other.weight]),
            np.concatenate([self.count, other.count]),
        )
        # remapped indices may reverse a pair: (i, j) -> (j, i) swaps wins and losses
        theirs = other.battles
        oi, oj = remap[theirs.i], remap[theirs.j]
        flip = oi > oj
        moved = BattleCells(
            np.where(flip, oj, oi),
            np.where(flip, oi, oj),
            np.where(flip, theirs.losses, theirs.wins),
            np.where(flip, theirs.wins, theirs.losses),
            theirs.draws,
            theirs.count,
        )
        return replace(cells, battles=self.battles.merged(moved, len(names)))


def pair_totals(n_models: int, i: IntArray, j: IntArray, stats: FloatArray, count: npt.ArrayLike) -> PairWins:
    """Per-pair sums of ``count`` times the cells' ``stats`` (columns of ``outcome_columns``).

    ``count`` is ``(cells,)`` or ``(rounds, cells)``; cells whose stats are all zero (draws under
    ``DROP``) are left out, so a pair appears only where something counts.
    """
    keep = stats.any(axis=1)
    stats = stats[keep]
    pair_key, pair_of_cell = np.unique(i[keep] * n_models + j[keep], return_inverse=True)
    pairs, columns = len(pair_key), stats.shape[1]
    # cell c adds count * stats[c, k] to column k of its pair
    to_pair = GroupSum(pair_of_cell, pairs)
    counts = np.asarray(count, dtype=np.float64)[..., keep]
    rows = np.atleast_2d(counts)
    totals = np.concatenate([to_pair(rows * stats[:, k]) for k in range(columns)], axis=1).reshape(
        (*counts.shape[:-1], columns * pairs)
    )
    return PairWins(
        i=pair_key // n_models,
        j=pair_key % n_models,
        forward=totals[..., :pairs],
        backward=totals[..., pairs : 2 * pairs],
        draws=totals[..., 2 * pairs :] if columns == 3 else None,
    )


def _code_of_score(score: FloatArray) -> IntArray:
    code = np.full(score.shape, -1, dtype=np.int64)
    code[score == 1.0] = _I_WINS
    code[score == 0.0] = _J_WINS
    code[score == 0.5] = _DRAW
    return code


def _aggregate(
    names: tuple[str, ...],
    lo: IntArray,
    hi: IntArray,
    code: IntArray,
    weight: FloatArray,
    count: IntArray,
    battle: IntArray | None = None,
) -> PairCounts:
    """Group votes (or cells) of pairs ``lo < hi`` (``code`` seen from ``lo``) into cells, and into
    battles by ``battle`` id (none: every vote its own battle)."""
    n = len(names)
    if weight.size and np.all(weight == weight[0]):
        weights, weight_code = weight[:1], np.zeros(weight.shape, dtype=np.int64)
    else:
        weights, weight_code = np.unique(weight, return_inverse=True)
    n_weights = max(len(weights), 1)
    key = ((lo * n + hi) * 3 + code) * n_weights + weight_code
    key_range = n * n * 3 * n_weights
    if key_range <= max(4 * key.size, 1 << 16):
        # small key space: counting beats sorting
        per_key = np.bincount(key, count, minlength=key_range)
        cells = np.flatnonzero(per_key)
        totals = per_key[cells].astype(np.int64)
    else:
        cells, inverse = np.unique(key, return_inverse=True)
        totals = np.bincount(inverse, count, minlength=len(cells)).astype(np.int64)
    rest = cells // n_weights
    pair = rest // 3
    cell_weight = weights[cells % n_weights] if len(weights) else np.zeros(0)
    if battle is None:
        # every vote its own battle: a vote cell is a cell of one-vote battles
        battles = grouped_cells(n, pair, _outcome_sums(cell_weight, rest % 3), totals)
    else:
        sums = _outcome_sums(weight, code)
        battles = battle_cells(n, lo, hi, sums, battle, where="PairCounts.from_arrays")
    return PairCounts(
        models=names,
        i=read_only(pair // n),
        j=read_only(pair % n),
        score=read_only(_SCORE_OF_CODE[rest % 3]),
        weight=read_only(cell_weight),
        count=read_only(totals),
        battles=battles,
    )


def _outcome_sums(weight: FloatArray, code: IntArray) -> FloatArray:
    """Rows ``(wins, losses, draws)`` of the lower index: each vote's weight in its outcome's column."""
    return np.asarray(weight[:, None] * (code[:, None] == np.arange(3)), dtype=np.float64)


def _oriented(a: IntArray, b: IntArray, code: IntArray) -> IntArray:
    """Outcome codes seen from the lower index: a win for the higher index is a loss."""
    return np.where((a > b) & (code != _DRAW), 1 - code, code)
