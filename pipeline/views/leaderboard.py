"""The leaderboard of a slice: Bradley–Terry with intervals (the headline), Elo and TrueSkill
beside it, and the pairwise win-rate and predicted-win matrices.

Everything is derived from the votes. The result is a pure function of (slice, last vote id),
so callers cache it by that key: a new vote changes the key and the board is recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sqlalchemy.engine import Engine

from judging.ratings import (
    DEFAULT_ELO_K,
    BoardSettings,
    Leaderboard,
    OnlineRow,
    PairMatrix,
    TieRule,
    predicted_win_matrix,
    rate_columns,
    win_rate_matrix,
)
from judging.types import Source
from pipeline.views.vote_log import SOURCES, VoteColumns
from storage.db.session import read_session
from storage.votes.ledger import current_revision
from storage.votes.log import latest_vote_id

__all__ = ["Board", "BoardQuery", "IntervalKind", "compute_board", "slice_version"]

IntervalKind = str  # "bootstrap" | "sandwich"


@dataclass(frozen=True)
class BoardQuery:
    dimension: str | None = None
    release_id: int | None = None
    # (source, weight) pairs sorted by source, so the query stays hashable (Streamlit caches by
    # it); a Mapping is accepted and normalised; empty means every source at weight 1
    source_weights: tuple[tuple[str, float], ...] = ()
    min_votes: int = 10
    intervals: IntervalKind = "sandwich"
    bootstrap_rounds: int = 1000
    seed: int = 0
    tie_model: str = TieRule.HALF.value  # "half" (a draw is half a win each way) or "davidson"
    elo_k: float = DEFAULT_ELO_K  # the Elo column's K (bench/elo_k.py; LiveSecBench uses 32)

    def __post_init__(self) -> None:
        object.__setattr__(self, "source_weights", tuple(sorted(dict(self.source_weights).items())))
        for source, weight in self.source_weights:
            Source.parse(source)
            if not weight >= 0:
                raise ValueError(f"BoardQuery: weight of source {source!r} must be >= 0, got {weight!r}")
        if self.intervals not in ("bootstrap", "sandwich"):
            raise ValueError(
                f"BoardQuery: intervals must be 'bootstrap' or 'sandwich', got {self.intervals!r}"
            )
        if self.tie_model not in (TieRule.HALF, TieRule.DAVIDSON):
            raise ValueError(f"BoardQuery: tie_model must be 'half' or 'davidson', got {self.tie_model!r}")
        if not self.elo_k > 0:
            raise ValueError(f"BoardQuery: elo_k must be positive, got {self.elo_k!r}")

    def weights(self) -> dict[str, float]:
        """Source -> weight (empty: every source at weight 1)."""
        return dict(self.source_weights)


@dataclass(frozen=True)
class Board:
    last_vote_id: int
    n_votes: int
    names: Mapping[str, str]  # model key -> display name
    bt: Leaderboard | None  # None when the slice has no votes
    elo: Leaderboard | None
    trueskill: Leaderboard | None
    win_rate: PairMatrix | None
    predicted: PairMatrix | None
    online: tuple[OnlineRow, ...] = ()  # empty when compute_board(online=False)
    tie_model: TieRule = TieRule.HALF  # how the Bradley–Terry rows read a draw
    tie_parameter: float | None = None  # Davidson's nu, when tie_model is DAVIDSON


def slice_version(engine: Engine) -> tuple[int, int]:
    """The cache key of what the votes say: the last vote id (a vote arrived) and the ledger's
    revision (a status changed without a new vote row: a battle marked gold, a restatement)."""
    with read_session(engine) as session:
        return latest_vote_id(session=session), current_revision(session=session)


def compute_board(columns: VoteColumns, query: BoardQuery, *, online: bool = True) -> Board:
    """The board of one slice, from a snapshot of the vote log (no database round trip).

    Bradley–Terry intervals treat the battle as the sampled unit (the log's ``battle`` column):
    the bootstrap resamples battles, the sandwich clusters by battle. ``online=False`` leaves out
    the Elo and TrueSkill replays (when the caller already has them from the live projection)."""
    sources = tuple(s for s, w in query.source_weights if w > 0) or None
    keep = columns.mask(dimension=query.dimension, release_id=query.release_id, sources=sources)
    keys = columns.models
    names = {k: columns.names.get(k, k) for k in keys}
    if not keep.any() or len(keys) < 2:
        return Board(columns.last_vote_id, 0, names, None, None, None, None, None)
    if query.source_weights:
        weights = query.weights()
        table = np.array([weights.get(s, 0.0) for s in SOURCES])
        weight = table[columns.source[keep]]
    else:
        weight = None
    ties = TieRule.parse(query.tie_model)
    settings = BoardSettings(
        ties=ties,
        bootstrap_rounds=query.bootstrap_rounds if query.intervals == "bootstrap" else 0,
        seed=query.seed,
        min_votes=query.min_votes,
        elo_k=query.elo_k,
        online=online,
        label="bradley_terry",
    )
    boards = rate_columns(
        columns.a[keep],
        columns.b[keep],
        columns.score[keep],
        tuple(keys),
        settings,
        weight=weight,
        battle=columns.battle[keep],
    )
    if boards is None:
        return Board(columns.last_vote_id, 0, names, None, None, None, None, None)
    return Board(
        last_vote_id=columns.last_vote_id,
        n_votes=boards.n_votes,
        names=names,
        bt=boards.bt,
        elo=boards.elo,
        trueskill=boards.trueskill,
        win_rate=win_rate_matrix(boards.counts),
        predicted=predicted_win_matrix(boards.bradley_terry, boards.fit, boards.models),
        online=boards.online,
        tie_model=ties,
        tie_parameter=boards.fit.tie_parameter,
    )
