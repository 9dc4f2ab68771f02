"""The leaderboard of a slice: Bradley–Terry with intervals (the headline), Elo and TrueSkill
beside it, and the pairwise win-rate and predicted-win matrices.

Everything is derived from the votes. The result is a pure function of (slice, last vote id),
so callers cache it by that key: a new vote changes the key and the board is recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.engine import Engine

from judging.ratings import (
    DEFAULT_ELO_K,
    BradleyTerry,
    EloRater,
    EloState,
    Leaderboard,
    PairCounts,
    PairMatrix,
    TieRule,
    TrueSkillRater,
    TrueSkillState,
    predicted_win_matrix,
    win_rate_matrix,
)
from judging.types import Source
from pipeline.views.vote_log import SOURCES, VoteColumns
from storage.db.session import read_session
from storage.votes.log import latest_vote_id

__all__ = ["Board", "BoardQuery", "IntervalKind", "OnlineRow", "compute_board", "slice_version"]

IntervalKind = str  # "bootstrap" | "sandwich"


@dataclass(frozen=True)
class BoardQuery:
    dimension: str | None = None
    release_id: int | None = None
    # source -> weight; empty means every source at weight 1
    source_weights: Mapping[str, float] = field(default_factory=dict)
    min_votes: int = 10
    intervals: IntervalKind = "sandwich"
    bootstrap_rounds: int = 1000
    seed: int = 0
    tie_model: str = TieRule.HALF.value  # "half" (a draw is half a win each way) or "davidson"
    elo_k: float = DEFAULT_ELO_K  # the Elo column's K (bench/elo_k.py; LiveSecBench uses 32)

    def __post_init__(self) -> None:
        for source, weight in self.source_weights.items():
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

    def cache_key(self) -> tuple[object, ...]:
        return (
            self.dimension,
            self.release_id,
            tuple(sorted(self.source_weights.items())),
            self.min_votes,
            self.intervals,
            self.bootstrap_rounds,
            self.seed,
            self.tie_model,
            self.elo_k,
        )


@dataclass(frozen=True)
class OnlineRow:
    """Elo and TrueSkill of one model in a replayed slice, sorted by the TrueSkill μ − 3σ."""

    model: str
    mu: float
    sigma: float
    conservative: float
    elo: float
    votes: int


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


def slice_version(engine: Engine) -> int:
    """The last vote id: the cache key that changes whenever a vote arrives."""
    with read_session(engine) as session:
        return latest_vote_id(session=session)


def compute_board(columns: VoteColumns, query: BoardQuery, *, online: bool = True) -> Board:
    """The board of one slice, from a snapshot of the vote log (no database round trip).

    Bradley–Terry intervals treat the battle as the sampled unit (the log's ``battle`` column):
    the bootstrap resamples battles, the sandwich clusters by battle. ``online=False`` leaves out
    the Elo and TrueSkill replays (when the caller already has them from the live projection)."""
    sources = tuple(s for s, w in query.source_weights.items() if w > 0) or None
    keep = columns.mask(dimension=query.dimension, release_id=query.release_id, sources=sources)
    keys = columns.models
    names = {k: columns.names.get(k, k) for k in keys}
    if not keep.any() or len(keys) < 2:
        return Board(columns.last_vote_id, 0, names, None, None, None, None, None)
    a, b, score = columns.a[keep].astype(np.int64), columns.b[keep].astype(np.int64), columns.score[keep]
    battle = columns.battle[keep]
    # Only models with votes in this slice are rated: a model without a single comparison has
    # no rating to speak of (an interval would be pure prior, not evidence).
    present = np.unique(np.concatenate([a, b]))
    if present.size < 2:
        return Board(columns.last_vote_id, 0, names, None, None, None, None, None)
    remap = np.full(len(keys), -1, np.int64)
    remap[present] = np.arange(present.size)
    a, b = remap[a], remap[b]
    keys = tuple(keys[i] for i in present)
    if query.source_weights:
        table = np.array([query.source_weights.get(s, 0.0) for s in SOURCES])
        weight = table[columns.source[keep]]
    else:
        weight = np.ones(a.shape[0])
    rated = weight > 0
    a, b, score, weight, battle = a[rated], b[rated], score[rated], weight[rated], battle[rated]

    counts = PairCounts.from_arrays(a, b, score, keys, weight=weight, battle=battle)
    votes = dict(zip(keys, counts.votes_per_model().tolist(), strict=True))
    ties = TieRule.parse(query.tie_model)
    bt_model = BradleyTerry(ties=ties)
    fit = bt_model.fit_counts(counts)
    if query.intervals == "bootstrap":
        intervals = bt_model.bootstrap(fit, np.random.default_rng(query.seed), rounds=query.bootstrap_rounds)
    else:
        intervals = bt_model.sandwich(fit)
    bt_board = Leaderboard.from_intervals("bradley_terry", intervals, votes, min_votes=query.min_votes)

    if not online:
        return Board(
            last_vote_id=columns.last_vote_id,
            n_votes=int(a.shape[0]),
            names=names,
            bt=bt_board,
            elo=None,
            trueskill=None,
            win_rate=win_rate_matrix(counts),
            predicted=predicted_win_matrix(bt_model, fit, keys),
            tie_model=ties,
            tie_parameter=fit.tie_parameter,
        )
    elo_rater, ts_rater = EloRater(k=query.elo_k, initial=1500.0), TrueSkillRater()
    elo_values = elo_rater.replay_arrays(a, b, score, len(keys), weight=weight)
    ts_values = ts_rater.replay_arrays(a, b, score, len(keys), weight=weight)
    empty = dict.fromkeys(keys, 0)
    elo_state = EloState(
        ratings=dict(zip(keys, elo_values.tolist(), strict=True)),
        games=votes,
        wins=empty,
        losses=empty,
        draws=empty,
    )
    ts_state = TrueSkillState(
        mu=dict(zip(keys, ts_values.mu.tolist(), strict=True)),
        sigma=dict(zip(keys, ts_values.sigma.tolist(), strict=True)),
        games=votes,
        wins=empty,
        losses=empty,
        draws=empty,
    )
    return Board(
        last_vote_id=columns.last_vote_id,
        n_votes=int(a.shape[0]),
        names=names,
        bt=bt_board,
        elo=Leaderboard.from_elo(elo_state, min_votes=query.min_votes),
        trueskill=Leaderboard.from_trueskill(ts_state, min_votes=query.min_votes),
        win_rate=win_rate_matrix(counts),
        predicted=predicted_win_matrix(bt_model, fit, keys),
        online=tuple(
            sorted(
                (
                    OnlineRow(k, float(mu), float(sd), float(mu - 3 * sd), float(e), votes[k])
                    for k, mu, sd, e in zip(keys, ts_values.mu, ts_values.sigma, elo_values, strict=True)
                ),
                key=lambda r: (-r.conservative, r.model),
            )
        ),
        tie_model=ties,
        tie_parameter=fit.tie_parameter,
    )
