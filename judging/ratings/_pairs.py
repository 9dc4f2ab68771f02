"""Aggregated pair counts: the sufficient statistic for Bradley–Terry and its bootstrap.

Votes are grouped into *cells* ``(i, j, score, weight)`` with ``i < j``; a cell holds how many
votes fell into it. Resampling votes with replacement is then a multinomial draw over cells, so the
bootstrap never touches the individual rows again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import sparse

from judging.ratings._arrays import read_only
from judging.ratings._encoding import encode
from judging.types import Comparison

__all__ = ["PairCounts", "PairWins", "TieRule"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# cell outcome codes, from the point of view of the lower index i
_I_WINS, _J_WINS, _DRAW = 0, 1, 2
_SCORE_OF_CODE = np.array([1.0, 0.0, 0.5])


class TieRule(StrEnum):
    """How a draw (tie or both-bad) enters Bradley–Terry."""

    HALF = "half"  # half a win each way, as Chatbot Arena does
    DROP = "drop"  # ignored

    @classmethod
    def parse(cls, value: str) -> TieRule:
        try:
            return cls(value)
        except ValueError:
            raise ValueError(
                f"TieRule.parse: unknown tie rule {value!r} (expected 'half' or 'drop')"
            ) from None


class PairWins(NamedTuple):
    """Wins per pair with votes: ``forward`` = i over j, ``backward`` = j over i (``i < j``)."""

    i: IntArray
    j: IntArray
    forward: FloatArray
    backward: FloatArray


@dataclass(frozen=True, eq=False)
class PairCounts:
    """Vote counts per cell ``(i < j, score of i, weight)`` over ``models`` (read-only arrays)."""

    models: tuple[str, ...]
    i: IntArray
    j: IntArray
    score: FloatArray  # 1 = i won, 0 = j won, 0.5 = draw
    weight: FloatArray  # the weight of each vote in the cell
    count: IntArray  # number of votes in the cell

    @classmethod
    def from_comparisons(cls, comparisons: Iterable[Comparison], models: Sequence[str] = ()) -> PairCounts:
        """Aggregate comparisons; ``models`` fixes the order (and may list models without votes)."""
        votes = encode(models, comparisons)
        return cls.from_arrays(
            np.asarray(votes.a, dtype=np.int64),
            np.asarray(votes.b, dtype=np.int64),
            np.asarray(votes.score, dtype=np.float64),
            votes.models,
            weight=np.asarray(votes.weight, dtype=np.float64),
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
    ) -> PairCounts:
        """Aggregate vote columns: model indices into ``models``, A's score (1, 0.5, 0), weights."""
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
        return _aggregate(names, a, b, code, w, np.ones(a.shape, dtype=np.int64))

    @property
    def n_models(self) -> int:
        return len(self.models)

    @property
    def n_votes(self) -> int:
        return int(self.count.sum())

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
        """Weighted wins each way for every pair with votes (draws count half under ``HALF``).

        ``count`` replaces the cell counts (a bootstrap draw); it may be 2-d ``(rounds, cells)``,
        and then ``forward`` and ``backward`` are ``(rounds, pairs)``.
        """
        keep = np.ones(self.score.shape, dtype=bool) if ties is TieRule.HALF else self.score != 0.5
        n = self.n_models
        pair_key, pair_of_cell = np.unique(self.i[keep] * n + self.j[keep], return_inverse=True)
        s = self.score[keep]
        w = self.weight[keep]
        cells = len(s)
        # each vote of a cell adds score * weight to "i beat j" and (1 - score) * weight to "j beat i"
        spread = sparse.csr_matrix(
            (
                np.concatenate([w * s, w * (1.0 - s)]),
                (np.tile(np.arange(cells), 2), np.concatenate([pair_of_cell, pair_of_cell + len(pair_key)])),
            ),
            shape=(cells, 2 * len(pair_key)),
        )
        counts = np.asarray(self.count if count is None else count, dtype=np.float64)[..., keep]
        both = np.asarray((spread.T @ np.atleast_2d(counts).T).T)
        both = both.reshape((*counts.shape[:-1], 2 * len(pair_key)))
        return PairWins(
            i=pair_key // n,
            j=pair_key % n,
            forward=both[..., : len(pair_key)],
            backward=both[..., len(pair_key) :],
        )

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
        return _aggregate(
            names,
            np.concatenate([self.i, remap[other.i]]),
            np.concatenate([self.j, remap[other.j]]),
            _code_of_score(np.concatenate([self.score, other.score])),
            np.concatenate([self.weight, other.weight]),
            np.concatenate([self.count, other.count]),
        )


def _code_of_score(score: FloatArray) -> IntArray:
    code = np.full(score.shape, -1, dtype=np.int64)
    code[score == 1.0] = _I_WINS
    code[score == 0.0] = _J_WINS
    code[score == 0.5] = _DRAW
    return code


def _aggregate(
    names: tuple[str, ...], a: IntArray, b: IntArray, code: IntArray, weight: FloatArray, count: IntArray
) -> PairCounts:
    """Group votes (or cells) into cells oriented as (low index, high index)."""
    n = len(names)
    lo = np.minimum(a, b)
    hi = np.maximum(a, b)
    # a win for the higher index is, seen from the lower index, a loss
    code = np.where((a > b) & (code != _DRAW), 1 - code, code)
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
    return PairCounts(
        models=names,
        i=read_only(pair // n),
        j=read_only(pair % n),
        score=read_only(_SCORE_OF_CODE[rest % 3]),
        weight=read_only(weights[cells % n_weights] if len(weights) else np.zeros(0)),
        count=read_only(totals),
    )
