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

from storage.queries import ModelInfo, VoteRow, list_models, raw_votes_after
from storage.session import read_session

__all__ = ["SCORE", "SOURCES", "VoteColumns", "VoteLog"]

SCORE = {"A": 1.0, "B": 0.0, "tie": 0.5, "both_unsafe": 0.5}
SOURCES = ("human", "judge", "expert")
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
        self._dimensions: list[str] = []
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
            fresh = [
                (r.id, r.model_a_id, r.model_b_id, r.verdict.value, r.dimension, r.source.value, r.release_id)
                for r in rows
                if r.id > self._cursor
            ]
            if fresh:
                self._append(fresh)
                self._cursor = fresh[-1][0]
            return len(fresh)

    def refresh(self, engine: Engine, *, batch: int = 200_000) -> int:
        """Append the votes after the cursor; returns how many were read."""
        added = 0
        with self._lock, read_session(engine) as session:
            self._register(list_models(session=session))
            while True:
                rows = raw_votes_after(session=session, after_id=self._cursor, limit=batch)
                if not rows:
                    break
                self._append(rows)
                added += len(rows)
                self._cursor = int(rows[-1][0])
                if len(rows) < batch:
                    break
        return added

    def _append(self, rows: list[tuple[int, int, int, str, str, str, int]]) -> None:
        index = self._index
        kept = [r for r in rows if r[1] in index and r[2] in index]
        if not kept:
            return
        self._reserve(len(kept))
        dims = {d: k for k, d in enumerate(self._dimensions)}
        for r in kept:
            if r[4] not in dims:
                dims[r[4]] = len(self._dimensions)
                self._dimensions.append(r[4])
        n, m = self._n, len(kept)
        self._a[n : n + m] = [index[r[1]] for r in kept]
        self._b[n : n + m] = [index[r[2]] for r in kept]
        self._score[n : n + m] = [SCORE[r[3]] for r in kept]
        self._dim[n : n + m] = [dims[r[4]] for r in kept]
        self._source[n : n + m] = [SOURCES.index(r[5]) for r in kept]
        self._release[n : n + m] = [r[6] for r in kept]
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
