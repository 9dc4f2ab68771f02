"""An in-memory, append-only column copy of the vote table for the rating views.

The rating views of a million votes must not go through ORM rows on every render. The log reads
the votes once, then only those after its cursor, into numpy columns (model indices, A's score,
dimension, source, release). Slices are boolean masks over the columns. Votes on reference
(gold) authors are left out: they are quality control, not ratings.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy.engine import Engine

from storage.queries import (
    DIMENSION_CODES,
    SOURCE_CODES,
    VERDICT_CODES,
    ModelInfo,
    VoteRow,
    dimensions_of_votes,
    list_models,
    vote_codes_after,
)
from storage.session import read_session

__all__ = ["SCORE", "SOURCES", "VoteColumns", "VoteLog"]

SCORE = {"A": 1.0, "B": 0.0, "tie": 0.5, "both_unsafe": 0.5}
SOURCES = SOURCE_CODES
_GROW = 1 << 16


@dataclass(frozen=True)
class VoteColumns:
    """A read-only snapshot of the log (views of the first ``n`` rows)."""

    models: tuple[str, ...]  # model key per index
    names: dict[str, str]  # model key -> display name
    last_vote_id: int
    a: npt.NDArray[np.int32]
    b: npt.NDArray[np.int32]
    score: npt.NDArray[np.float64]
    dim: npt.NDArray[np.int8]  # index into dimensions
    source: npt.NDArray[np.int8]  # index into SOURCES
    release: npt.NDArray[np.int32]
    dimensions: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.a.shape[0])

    def mask(
        self,
        *,
        dimension: str | None = None,
        release_id: int | None = None,
        sources: tuple[str, ...] | None = None,
    ) -> npt.NDArray[np.bool_]:
        keep = np.ones(len(self), dtype=bool)
        if dimension is not None:
            code = self.dimensions.index(dimension) if dimension in self.dimensions else -1
            keep &= self.dim == code
        if release_id is not None:
            keep &= self.release == release_id
        if sources:
            keep &= np.isin(self.source, [SOURCES.index(s) for s in sources])
        return keep


class VoteLog:
    """Thread-safe; ``refresh`` appends new votes, ``snapshot`` hands out immutable views."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._n = 0
        self._cursor = 0
        self._models: list[str] = []
        self._index: dict[int, int] = {}  # model id -> column index (rated models only)
        self._names: dict[str, str] = {}
        self._dimensions: list[str] = list(DIMENSION_CODES)
        self._a = np.empty(0, np.int32)
        self._b = np.empty(0, np.int32)
        self._score = np.empty(0, np.float64)
        self._dim = np.empty(0, np.int8)
        self._source = np.empty(0, np.int8)
        self._release = np.empty(0, np.int32)

    def _reserve(self, extra: int) -> None:
        need = self._n + extra
        if need <= self._a.shape[0]:
            return
        size = max(need, 2 * self._a.shape[0], _GROW)
        for name in ("_a", "_b", "_score", "_dim", "_source", "_release"):
            old = getattr(self, name)
            new = np.empty(size, old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)

    @property
    def cursor(self) -> int:
        return self._cursor

    def _register(self, models: Sequence[ModelInfo]) -> None:
        for m in models:
            self._names[m.key] = m.display_name
            if not m.reference and m.id not in self._index:
                self._index[m.id] = len(self._models)
                self._models.append(m.key)

    def append_rows(self, rows: Sequence[VoteRow], models: Sequence[ModelInfo]) -> int:
        """Append votes given as rows (id order; those at or below the cursor are ignored)."""
        with self._lock:
            self._register(models)
            fresh = [r for r in rows if r.id > self._cursor]
            if not fresh:
                return 0
            codes = np.array(
                [
                    (
                        r.id,
                        r.model_a_id,
                        r.model_b_id,
                        VERDICT_CODES[r.verdict.value],
                        self._dimension_code(r.dimension),
                        SOURCE_CODES.index(r.source.value),
                        r.release_id,
                    )
                    for r in fresh
                ],
                dtype=np.int64,
            )
            self._append(codes)
            self._cursor = fresh[-1].id
            return len(fresh)

    def _dimension_code(self, dimension: str) -> int:
        if dimension not in self._dimensions:
            self._dimensions.append(dimension)
        return self._dimensions.index(dimension)

    def refresh(self, engine: Engine, *, batch: int = 250_000) -> int:
        """Append the votes after the cursor; returns how many were read."""
        added = 0
        with self._lock, read_session(engine) as session:
            self._register(list_models(session=session))
            while True:
                rows = vote_codes_after(session=session, after_id=self._cursor, limit=batch)
                if not rows:
                    break
                codes = np.array(rows, dtype=np.int64)
                other = codes[:, 4] < 0
                if other.any():  # a dimension outside the five: look its name up
                    names = dimensions_of_votes(session=session, vote_ids=codes[other, 0].tolist())
                    codes[other, 4] = [self._dimension_code(names[int(i)]) for i in codes[other, 0]]
                self._append(codes)
                added += len(rows)
                self._cursor = int(codes[-1, 0])  # even when every row was left out
                if len(rows) < batch:
                    break
        return added

    def _append(self, codes: np.ndarray) -> None:
        """Append coded rows (id, model A id, model B id, verdict code, dimension code, source
        code, release id); votes on reference (gold) authors are left out."""
        lookup = np.full(max(self._index, default=0) + 1, -1, np.int64)
        for model_id, column in self._index.items():
            lookup[model_id] = column
        size = lookup.shape[0]
        a_ids, b_ids = codes[:, 1], codes[:, 2]
        a = np.where(a_ids < size, lookup[np.minimum(a_ids, size - 1)], -1)
        b = np.where(b_ids < size, lookup[np.minimum(b_ids, size - 1)], -1)
        keep = (a >= 0) & (b >= 0)
        m = int(keep.sum())
        if not m:
            return
        self._reserve(m)
        n = self._n
        self._a[n : n + m] = a[keep]
        self._b[n : n + m] = b[keep]
        self._score[n : n + m] = codes[keep, 3] / 2.0
        self._dim[n : n + m] = codes[keep, 4]
        self._source[n : n + m] = codes[keep, 5]
        self._release[n : n + m] = codes[keep, 6]
        self._n += m

    def snapshot(self) -> VoteColumns:
        with self._lock:
            n = self._n

            def view(array: np.ndarray) -> np.ndarray:
                v = array[:n]
                v.flags.writeable = False
                return v

            return VoteColumns(
                models=tuple(self._models),
                names=dict(self._names),
                last_vote_id=self._cursor,
                a=view(self._a),
                b=view(self._b),
                score=view(self._score),
                dim=view(self._dim),
                source=view(self._source),
                release=view(self._release),
                dimensions=tuple(self._dimensions),
            )
