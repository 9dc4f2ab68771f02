"""From vote columns to every board of a slice: the one path the leaderboard page, the report and
``cli.py ratings`` share.

Bradley–Terry is the headline (intervals that treat the battle as the sampled unit: the bootstrap
resamples battles, the sandwich clusters by battle); Elo and TrueSkill are replayed beside it in
vote order. Only models with a vote of positive weight are rated: a model without a single
comparison has no rating to speak of (an interval would be pure prior, not evidence).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from judging.ratings._bradley_terry import BradleyTerry, BTFit
from judging.ratings._elo import DEFAULT_ELO_K, EloRater, EloState
from judging.ratings._intervals import IntervalMethod
from judging.ratings._leaderboard import TRUESKILL_SIGMAS, Leaderboard
from judging.ratings._pairs import PairCounts, TieRule
from judging.ratings._trueskill import TrueSkillRater, TrueSkillState

__all__ = ["BoardSettings", "Boards", "OnlineRow", "rate_columns"]

ELO_INITIAL = 1500.0

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class BoardSettings:
    """How a slice is rated. ``bootstrap_rounds`` 0 means sandwich intervals."""

    ties: TieRule = TieRule.HALF
    bootstrap_rounds: int = 0
    seed: int = 0
    min_votes: int = 0
    elo_k: float = DEFAULT_ELO_K
    online: bool = True  # replay Elo and TrueSkill too
    label: str = "bt"  # the Bradley–Terry board's method name

    def __post_init__(self) -> None:
        if self.bootstrap_rounds < 0:
            raise ValueError(f"BoardSettings: bootstrap_rounds must be >= 0, got {self.bootstrap_rounds!r}")
        if not self.elo_k > 0:
            raise ValueError(f"BoardSettings: elo_k must be > 0, got {self.elo_k!r}")

    @property
    def intervals(self) -> IntervalMethod:
        return IntervalMethod.BOOTSTRAP if self.bootstrap_rounds else IntervalMethod.SANDWICH


@dataclass(frozen=True, slots=True)
class OnlineRow:
    """Elo and TrueSkill of one model in a replayed slice, sorted by the TrueSkill μ − 3σ."""

    model: str
    mu: float
    sigma: float
    conservative: float
    elo: float
    votes: int


@dataclass(frozen=True)
class Boards:
    """Every board of one slice. ``elo``/``trueskill`` are None when not replayed."""

    models: tuple[str, ...]  # the rated models (those with votes)
    n_votes: int
    counts: PairCounts
    bradley_terry: BradleyTerry
    fit: BTFit
    bt: Leaderboard
    elo: Leaderboard | None
    trueskill: Leaderboard | None
    online: tuple[OnlineRow, ...] = ()

    @property
    def n_battles(self) -> int:
        return self.counts.n_battles


def rate_columns(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    score: npt.ArrayLike,
    models: tuple[str, ...],
    settings: BoardSettings,
    *,
    weight: npt.ArrayLike | None = None,
    battle: npt.ArrayLike | None = None,
) -> Boards | None:
    """The boards of the votes ``a`` vs ``b`` (indices into ``models``, A's score 1/0.5/0, in vote
    order), or None when fewer than two models have a vote of positive weight."""
    votes = _rated(a, b, score, models, weight, battle)
    if votes is None:
        return None
    counts = PairCounts.from_arrays(
        votes.a, votes.b, votes.score, votes.models, weight=votes.weight, battle=votes.battle
    )
    per_model = dict(zip(votes.models, counts.votes_per_model().tolist(), strict=True))
    bt = BradleyTerry(ties=settings.ties)
    fit = bt.fit_counts(counts)
    intervals = (
        bt.bootstrap(fit, np.random.default_rng(settings.seed), rounds=settings.bootstrap_rounds)
        if settings.bootstrap_rounds
        else bt.sandwich(fit)
    )
    board = Leaderboard.from_intervals(
        settings.label, intervals, per_model, min_votes=settings.min_votes, identified=fit.identified
    )
    n_votes = int(votes.a.shape[0])
    if not settings.online:
        return Boards(votes.models, n_votes, counts, bt, fit, board, None, None)
    elo, trueskill, online = _replayed(votes, per_model, settings)
    return Boards(votes.models, n_votes, counts, bt, fit, board, elo, trueskill, online)


class _Votes(NamedTuple):
    """The votes that count (positive weight) between the models that have one, renumbered."""

    a: IntArray
    b: IntArray
    score: FloatArray
    models: tuple[str, ...]
    weight: FloatArray | None  # None: every vote weighs 1
    battle: IntArray | None


def _rated(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    score: npt.ArrayLike,
    models: tuple[str, ...],
    weight: npt.ArrayLike | None,
    battle: npt.ArrayLike | None,
) -> _Votes | None:
    a_idx = np.asarray(a, dtype=np.int64)
    b_idx = np.asarray(b, dtype=np.int64)
    scores = np.asarray(score, dtype=np.float64)
    weights = None if weight is None else np.asarray(weight, dtype=np.float64)
    battles = None if battle is None else np.asarray(battle, dtype=np.int64)
    if weights is not None and not (weights > 0).all():
        rated = weights > 0
        a_idx, b_idx, scores, weights = a_idx[rated], b_idx[rated], scores[rated], weights[rated]
        battles = None if battles is None else battles[rated]
    present = np.zeros(len(models), dtype=bool)
    present[a_idx] = True
    present[b_idx] = True
    if present.sum() < 2:
        return None
    if not present.all():
        remap = np.cumsum(present) - 1
        a_idx, b_idx = remap[a_idx], remap[b_idx]
        models = tuple(m for m, kept in zip(models, present.tolist(), strict=True) if kept)
    return _Votes(a_idx, b_idx, scores, models, weights, battles)


def _replayed(
    votes: _Votes, per_model: dict[str, int], settings: BoardSettings
) -> tuple[Leaderboard, Leaderboard, tuple[OnlineRow, ...]]:
    """Elo and TrueSkill replayed in vote order, and the rows of both per model."""
    models, n = votes.models, len(votes.models)
    elo_values = EloRater(k=settings.elo_k, initial=ELO_INITIAL).replay_arrays(
        votes.a, votes.b, votes.score, n, weight=votes.weight
    )
    ts_values = TrueSkillRater().replay_arrays(votes.a, votes.b, votes.score, n, weight=votes.weight)
    none = dict.fromkeys(models, 0)
    elo_state = EloState(
        ratings=dict(zip(models, elo_values.tolist(), strict=True)),
        games=per_model,
        wins=none,
        losses=none,
        draws=none,
    )
    ts_state = TrueSkillState(
        mu=dict(zip(models, ts_values.mu.tolist(), strict=True)),
        sigma=dict(zip(models, ts_values.sigma.tolist(), strict=True)),
        games=per_model,
        wins=none,
        losses=none,
        draws=none,
    )
    online = sorted(
        (
            OnlineRow(m, float(mu), float(sd), float(mu - TRUESKILL_SIGMAS * sd), float(e), per_model[m])
            for m, mu, sd, e in zip(models, ts_values.mu, ts_values.sigma, elo_values, strict=True)
        ),
        key=lambda r: (-r.conservative, r.model),
    )
    return (
        Leaderboard.from_elo(elo_state, min_votes=settings.min_votes),
        Leaderboard.from_trueskill(ts_state, min_votes=settings.min_votes),
        tuple(online),
    )
