"""Live Elo and TrueSkill: a projection of the votes, folded forward from a cursor.

The votes are read once into an append-only column log (``pipeline.views.vote_log``); each slice
(overall, or one dimension) keeps its Elo and TrueSkill state and how far into the log it has
folded. A new vote costs one update per slice that is looked at, and replaying every vote from
scratch gives the same numbers. Any process can rebuild it from the votes; nothing is stored.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy.engine import Engine

from judging.ratings import DEFAULT_ELO_K, EloRater, EloState, TrueSkillArrays, TrueSkillRater, TrueSkillState
from pipeline.views.vote_log import VoteColumns, VoteLog

__all__ = ["OVERALL", "LiveRatings", "ModelStanding", "Standings"]

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
    position: int  # rows of the log folded so far
    epoch: int  # the log's status epoch when folded
    elo: EloState
    trueskill: TrueSkillState
    votes: int


def _counts(
    models: tuple[str, ...], a: np.ndarray, b: np.ndarray, score: np.ndarray
) -> tuple[dict[str, int], ...]:
    n = len(models)

    def per_model(values: np.ndarray) -> np.ndarray:
        return np.bincount(values, minlength=n)

    games = per_model(a) + per_model(b)
    wins = per_model(a[score == 1.0]) + per_model(b[score == 0.0])
    losses = per_model(a[score == 0.0]) + per_model(b[score == 1.0])
    draws = per_model(a[score == 0.5]) + per_model(b[score == 0.5])
    return tuple(dict(zip(models, x.tolist(), strict=True)) for x in (games, wins, losses, draws))


def _add(old: Mapping[str, int], new: dict[str, int]) -> dict[str, int]:
    base = dict(old)
    for key, value in new.items():
        base[key] = base.get(key, 0) + value
    return base


class LiveRatings:
    """Per-slice Elo and TrueSkill states over a shared vote log. Thread-safe."""

    def __init__(self, elo: EloRater | None = None, trueskill: TrueSkillRater | None = None) -> None:
        self.elo = elo or EloRater(k=DEFAULT_ELO_K, initial=1500.0)
        self.trueskill = trueskill or TrueSkillRater()
        self.log = VoteLog()
        self._lock = threading.Lock()
        self._slices: dict[str, _SliceState] = {}

    @property
    def cursor(self) -> int:
        return self.log.cursor

    def refresh(self, engine: Engine) -> int:
        """Read the votes after the cursor from the database (slices fold them when looked at)."""
        return self.log.refresh(engine)

    def _advance(self, name: str, cols: VoteColumns) -> _SliceState:
        with self._lock:
            fresh = _SliceState(0, cols.epoch, self.elo.initial(), self.trueskill.initial(), 0)
            state = self._slices.get(name) or fresh
            changed = cols.first_change_since(state.epoch)
            if changed is not None and changed < state.position:
                # an undo or a ruling changed a vote already folded: Elo and TrueSkill depend on
                # the order of the votes, so refold the slice from the start
                state = fresh
            if state.position >= len(cols):
                self._slices[name] = replace(state, epoch=cols.epoch)
                return self._slices[name]
            part = slice(state.position, len(cols))
            keep = cols.mask(dimension=None if name == OVERALL else name)[part]
            a, b, score = cols.a[part][keep], cols.b[part][keep], cols.score[part][keep]
            models = cols.models
            n = len(models)
            elo_start = np.array([state.elo.ratings.get(m, self.elo.initial_rating) for m in models])
            mu_start = np.array([state.trueskill.mu.get(m, self.trueskill.mu) for m in models])
            sigma_start = np.array([state.trueskill.sigma.get(m, self.trueskill.sigma) for m in models])
            elo = self.elo.replay_arrays(a, b, score, n, start=elo_start)
            ts = self.trueskill.replay_arrays(a, b, score, n, start=TrueSkillArrays(mu_start, sigma_start))
            games, wins, losses, draws = _counts(models, a, b, score)
            games, wins, losses, draws = (
                _add(state.elo.games, games),
                _add(state.elo.wins, wins),
                _add(state.elo.losses, losses),
                _add(state.elo.draws, draws),
            )
            new = _SliceState(
                position=len(cols),
                epoch=cols.epoch,
                elo=EloState(dict(zip(models, elo.tolist(), strict=True)), games, wins, losses, draws),
                trueskill=TrueSkillState(
                    dict(zip(models, ts.mu.tolist(), strict=True)),
                    dict(zip(models, ts.sigma.tolist(), strict=True)),
                    games,
                    wins,
                    losses,
                    draws,
                ),
                votes=state.votes + int(a.shape[0]),
            )
            self._slices[name] = new
            return new

    def standings(self, slice_name: str = OVERALL) -> Standings:
        cols = self.log.snapshot()
        state = self._advance(slice_name, cols)
        rows = []
        for key in cols.models:
            mu = state.trueskill.mu.get(key, self.trueskill.mu)
            sigma = state.trueskill.sigma.get(key, self.trueskill.sigma)
            rows.append(
                ModelStanding(
                    key=key,
                    display_name=cols.names.get(key, key),
                    elo=state.elo.ratings.get(key, self.elo.initial_rating),
                    mu=mu,
                    sigma=sigma,
                    conservative=mu - 3 * sigma,
                    games=state.elo.games.get(key, 0),
                    wins=state.elo.wins.get(key, 0),
                    losses=state.elo.losses.get(key, 0),
                    draws=state.elo.draws.get(key, 0),
                )
            )
        rows.sort(key=lambda r: (-r.conservative, -r.elo, r.key))
        return Standings(slice_name, state.votes, cols.last_vote_id, tuple(rows))
