"""An in-memory, append-only column copy of the vote table for the rating views.

The rating views of a million votes must not go through ORM rows on every render. The log reads
the votes once, then only those after its cursor, into numpy columns (model indices, A's score,
dimension, source, release, and whether the vote counts). Slices are boolean masks over the
columns. Votes on reference (gold) authors are left out: they are quality control, not ratings.

Which votes count is the ledger's rule (``judging.ledger``, stored by ``storage.votes.ledger``): the
``rated`` column holds it. An undo or an expert ruling changes the status of votes already in the
log; the log follows the ledger's revision cursor and records, per refresh, the first position
whose status changed, so projections folded past it (live Elo/TrueSkill) know to refold.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy.engine import Engine

from storage.db.session import read_session
from storage.votes.battles import ModelInfo, list_models
from storage.votes.ledger import current_revision, status_changes
from storage.votes.log import (
    DIMENSION_CODES,
    SOURCE_CODES,
    dimensions_of_votes,
    vote_codes_after,
)

__all__ = ["SOURCES", "VoteColumns", "VoteLog"]

SOURCES = SOURCE_CODES
_GROW = 1 << 16


@dataclass(frozen=True)
class VoteColumns:
    """A read-only snapshot of the log (views of the first ``n`` rows)."""

    models: tuple[str, ...]  # model key per index
    names: dict[str, str]  # model key -> display name
    last_vote_id: int
    revision: int  # the ledger revision the statuses are read up to
    ids: npt.NDArray[np.int64]  # vote id per row (increasing)
    rated: npt.NDArray[np.bool_]  # the vote counts (ledger status ``standing``)
    changes: tuple[tuple[int, int], ...]  # (epoch, first row whose status changed in it)
    epoch: int
    a: npt.NDArray[np.int32]
    b: npt.NDArray[np.int32]
    score: npt.NDArray[np.float64]
    battle: npt.NDArray[np.int64]  # the battle of each vote: the unit that was sampled (clusters)
    dim: npt.NDArray[np.int8]  # index into dimensions
    source: npt.NDArray[np.int8]  # index into SOURCES
    release: npt.NDArray[np.int32]
    dimensions: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.a.shape[0])

    @property
    def version(self) -> tuple[int, int]:
        """Changes whenever a vote arrives or a status changes: the cache key of every view."""
        return (self.last_vote_id, self.revision)

    def first_change_since(self, epoch: int) -> int | None:
        """The first row whose status changed after ``epoch`` (None: nothing changed)."""
        rows = [row for e, row in self.changes if e > epoch]
        return min(rows) if rows else None

    def mask(
        self,
        *,
        dimension: str | None = None,
        release_id: int | None = None,
        sources: tuple[str, ...] | None = None,
    ) -> npt.NDArray[np.bool_]:
        keep = self.rated.copy()
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
        self._revision = 0
        self._epoch = 0
        self._changes: list[tuple[int, int]] = []
        self._ids = np.empty(0, np.int64)
        self._battle = np.empty(0, np.int64)
        self._rated = np.empty(0, bool)
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
        for name in ("_ids", "_battle", "_rated", "_a", "_b", "_score", "_dim", "_source", "_release"):
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

    def _dimension_code(self, dimension: str) -> int:
        if dimension not in self._dimensions:
            self._dimensions.append(dimension)
        return self._dimensions.index(dimension)

    def refresh(self, engine: Engine, *, batch: int = 250_000) -> int:
        """Append the votes after the cursor and apply the status changes after the revision
        cursor; returns how many votes were read."""
        added = 0
        with self._lock, read_session(engine) as session:
            self._register(list_models(session=session))
            revision = current_revision(session=session)  # first: a later change is read next time
            known = self._cursor
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
            if revision > self._revision:
                changes = status_changes(
                    session=session, after_revision=self._revision, up_to_revision=revision
                )
                self._apply_status(
                    [c.vote_id for c in changes if c.vote_id <= known],
                    [c.status.rated for c in changes if c.vote_id <= known],
                )
                self._revision = revision
        return added

    def _apply_status(self, vote_ids: Sequence[int], rated: Sequence[bool]) -> None:
        """Set the rated flag of votes already in the log; the array is copied first, so every
        snapshot handed out stays as it was."""
        if not vote_ids:
            return
        ids = np.asarray(vote_ids, np.int64)
        flags = np.asarray(rated, bool)
        pos = np.searchsorted(self._ids[: self._n], ids)
        inside = pos < self._n
        pos, ids, flags = pos[inside], ids[inside], flags[inside]
        found = self._ids[pos] == ids
        pos, flags = pos[found], flags[found]
        differs = self._rated[pos] != flags
        if not differs.any():
            return
        self._rated = self._rated.copy()
        self._rated[pos[differs]] = flags[differs]
        self._epoch += 1
        self._changes.append((self._epoch, int(pos[differs].min())))

    def _append(self, codes: np.ndarray) -> None:
        """Append coded rows (id, model A id, model B id, verdict code, dimension code, source
        code, release id, status code, battle id); votes on reference (gold) authors and retraction rows are
        left out."""
        lookup = np.full(max(self._index, default=0) + 1, -1, np.int64)
        for model_id, column in self._index.items():
            lookup[model_id] = column
        size = lookup.shape[0]
        a_ids, b_ids = codes[:, 1], codes[:, 2]
        a = np.where(a_ids < size, lookup[np.minimum(a_ids, size - 1)], -1)
        b = np.where(b_ids < size, lookup[np.minimum(b_ids, size - 1)], -1)
        keep = (a >= 0) & (b >= 0) & (codes[:, 7] >= 0)
        m = int(keep.sum())
        if not m:
            return
        self._reserve(m)
        n = self._n
        self._ids[n : n + m] = codes[keep, 0]
        self._battle[n : n + m] = codes[keep, 8]
        self._rated[n : n + m] = codes[keep, 7] == 1
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
                revision=self._revision,
                ids=view(self._ids),
                rated=view(self._rated),
                changes=tuple(self._changes),
                epoch=self._epoch,
                a=view(self._a),
                b=view(self._b),
                score=view(self._score),
                battle=view(self._battle),
                dim=view(self._dim),
                source=view(self._source),
                release=view(self._release),
                dimensions=tuple(self._dimensions),
            )
