"""Live Elo and TrueSkill: a projection of the votes, folded forward from a cursor.

The state for every slice (overall and each dimension) is derived from the votes alone: a new
vote costs one update, and replaying every vote from scratch gives the same numbers. Any process
can rebuild it; nothing here is stored.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from judging.ratings import EloRater, EloState, TrueSkillRater, TrueSkillState
from judging.types import Comparison, outcome_from_verdict
from storage.queries import ModelInfo, VoteRow, list_models, votes_after
from storage.session import read_session

__all__ = ["OVERALL", "LiveRatings", "ModelStanding", "Standings", "standings_from_votes"]

OVERALL = "overall"


@dataclass(frozen=True)
class ModelStanding:
    key: str
    display_name: str
    elo: float
    mu: float
    sigma: float
    conservative: float  # mu - 3 sigma, the TrueSkill sort key
    games: int
    wins: int
    losses: int
    draws: int

    @property
    def win_rate(self) -> float | None:
        """Wins plus half the draws over games; None before the first game."""
        return (self.wins + 0.5 * self.draws) / self.games if self.games else None


@dataclass(frozen=True)
class Standings:
    slice_name: str
    votes: int
    last_vote_id: int
    rows: tuple[ModelStanding, ...]  # sorted by the conservative TrueSkill estimate


@dataclass(frozen=True)
class _SliceState:
    elo: EloState
    trueskill: TrueSkillState
    votes: int = 0


@dataclass
class _Projection:
    cursor: int = 0
    slices: dict[str, _SliceState] = field(default_factory=dict)


def _comparisons(rows: Iterable[VoteRow], key_of: Mapping[int, str]) -> list[Comparison]:
    return [
        Comparison(key_of[r.model_a_id], key_of[r.model_b_id], outcome_from_verdict(r.verdict)) for r in rows
    ]


class LiveRatings:
    """Per-slice Elo and TrueSkill states with a cursor on the vote id. Thread-safe."""

    def __init__(self, elo: EloRater | None = None, trueskill: TrueSkillRater | None = None) -> None:
        self.elo = elo or EloRater(k=32.0, initial=1500.0)
        self.trueskill = trueskill or TrueSkillRater()
        self._lock = threading.Lock()
        self._projection = _Projection()
        self._models: dict[int, ModelInfo] = {}

    @property
    def cursor(self) -> int:
        return self._projection.cursor

    def _empty_slice(self) -> _SliceState:
        return _SliceState(self.elo.initial(), self.trueskill.initial())

    def fold(self, rows: Sequence[VoteRow], models: Sequence[ModelInfo]) -> int:
        """Fold votes (in id order, all above the cursor) into the states; returns how many."""
        with self._lock:
            self._models = {m.id: m for m in models if not m.reference}
            fresh = [r for r in rows if r.id > self._projection.cursor]
            if not fresh:
                return 0
            key_of = {m.id: m.key for m in models}
            # votes on gold items written by reference authors are quality control, not ratings
            rated = [r for r in fresh if r.model_a_id in self._models and r.model_b_id in self._models]
            by_slice: dict[str, list[VoteRow]] = {OVERALL: rated}
            for row in rated:
                by_slice.setdefault(row.dimension, []).append(row)
            slices = dict(self._projection.slices)
            for name, slice_rows in by_slice.items():
                if not slice_rows:
                    continue
                state = slices.get(name) or self._empty_slice()
                comps = _comparisons(slice_rows, key_of)
                slices[name] = _SliceState(
                    self.elo.update(state.elo, comps),
                    self.trueskill.update(state.trueskill, comps),
                    state.votes + len(slice_rows),
                )
            self._projection = _Projection(cursor=fresh[-1].id, slices=slices)
            return len(fresh)

    def refresh(self, engine: Engine, *, batch: int = 50_000) -> int:
        """Read the votes after the cursor from the database and fold them in."""
        total = 0
        with read_session(engine) as session:
            models = list_models(session=session)
            while True:
                rows = votes_after(session=session, after_id=self.cursor, limit=batch)
                total += self.fold(rows, models)
                if len(rows) < batch:
                    return total

    def standings(self, slice_name: str = OVERALL) -> Standings:
        with self._lock:
            state = self._projection.slices.get(slice_name) or self._empty_slice()
            cursor = self._projection.cursor
            models = list(self._models.values())
        rows = []
        for m in models:
            mu = state.trueskill.mu.get(m.key, self.trueskill.mu)
            sigma = state.trueskill.sigma.get(m.key, self.trueskill.sigma)
            rows.append(
                ModelStanding(
                    key=m.key,
                    display_name=m.display_name,
                    elo=state.elo.ratings.get(m.key, self.elo.initial_rating),
                    mu=mu,
                    sigma=sigma,
                    conservative=mu - 3 * sigma,
                    games=state.elo.games.get(m.key, 0),
                    wins=state.elo.wins.get(m.key, 0),
                    losses=state.elo.losses.get(m.key, 0),
                    draws=state.elo.draws.get(m.key, 0),
                )
            )
        rows.sort(key=lambda r: (-r.conservative, -r.elo, r.key))
        return Standings(slice_name, state.votes, cursor, tuple(rows))


def standings_from_votes(
    rows: Sequence[VoteRow], models: Sequence[ModelInfo], slice_name: str = OVERALL
) -> Standings:
    """Full replay from scratch (the reference the live projection must equal)."""
    live = LiveRatings()
    live.fold(rows, models)
    return live.standings(slice_name)
