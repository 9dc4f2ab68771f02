"""Do the ratings' win probabilities hold? Elo, TrueSkill and Bradley–Terry on held-out votes.

Each model is fitted on the training votes and predicts P(A wins) for every held-out vote whose two
models it has seen (``holdout_split`` holds out whole battles, so no held-out battle was seen); the predictions are scored against what happened (Brier, log-loss, ECE and a
reliability diagram). Under ``TieRule.DROP`` (the default) held-out draws are left out and each
model predicts P(A wins | someone wins); under ``TieRule.HALF`` a draw is an outcome of 0.5 and each
model predicts A's expected score. Elo's and Bradley–Terry's probabilities are both (they count a
draw half); TrueSkill's are ``P(win) / (P(win) + P(loss))`` and ``P(win) + P(draw) / 2``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, NamedTuple, TypeVar

import numpy as np

from judging.calibration._battles import battle_key
from judging.calibration._estimate import Bootstrap, Estimate, FloatArray, estimate_from_sums, ratio
from judging.calibration._scores import ReliabilityBin, ece_from_sums, reliability_bins, score_rows
from judging.interchange import ArenaVote
from judging.ratings import BradleyTerry, EloRater, TieRule, TrueSkillRater
from judging.types import Comparison

__all__ = [
    "HoldoutSplit",
    "MethodCalibration",
    "RatingCalibration",
    "RatingMethod",
    "holdout_split",
    "rating_calibration",
]

T = TypeVar("T")


class RatingMethod(StrEnum):
    ELO = "elo"
    TRUESKILL = "trueskill"
    BRADLEY_TERRY = "bt"


class HoldoutSplit(NamedTuple, Generic[T]):
    train: tuple[T, ...]
    test: tuple[T, ...]


def _battle_of(item: object) -> Hashable | None:
    """A vote's battle; ``None`` (its own unit) for a vote without a question or a bare item."""
    return battle_key(item) if isinstance(item, ArenaVote) else None


def holdout_split(
    votes: Sequence[T],
    rng: np.random.Generator,
    *,
    test_fraction: float = 0.2,
    unit: Callable[[T], Hashable | None] = _battle_of,
) -> HoldoutSplit[T]:
    """A random ``test_fraction`` of the *battles* held out with all their votes; both parts keep
    the input order.

    Votes on one battle share its question and answers (a judge votes on it twice, several people
    once each), so splitting votes would score a model on battles it was fitted on. ``unit`` maps
    an item to its battle (default: ``battle_key`` of an ``ArenaVote``); an item whose unit is
    ``None`` is a unit of its own.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"holdout_split: test_fraction must lie in (0, 1), got {test_fraction!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"holdout_split: rng must be a numpy Generator, got {type(rng).__name__}")
    index: dict[Hashable, int] = {}
    units = np.empty(len(votes), dtype=np.int64)
    for k, item in enumerate(votes):
        key = unit(item)
        units[k] = index.setdefault(("item", k) if key is None else ("unit", key), len(index))
    n_test = round(len(index) * test_fraction)
    held_units = np.zeros(len(index), dtype=bool)
    held_units[rng.choice(len(index), size=n_test, replace=False)] = True
    held = held_units[units]
    return HoldoutSplit(
        tuple(v for v, h in zip(votes, held, strict=True) if not h),
        tuple(v for v, h in zip(votes, held, strict=True) if h),
    )


@dataclass(frozen=True, eq=False)
class MethodCalibration:
    """How well one rating method's win probabilities match the held-out outcomes."""

    method: RatingMethod
    n: int  # held-out votes scored
    n_skipped: int  # held-out votes with a model the training votes never saw
    brier: Estimate | None
    log_loss: Estimate | None
    ece: Estimate | None
    bins: tuple[ReliabilityBin, ...]
    predicted: FloatArray = field(repr=False)  # per scored vote, in held-out order
    observed: FloatArray = field(repr=False)


@dataclass(frozen=True, eq=False)
class RatingCalibration:
    n_train: int
    n_test: int  # held-out votes after dropping draws under TieRule.DROP
    ties: TieRule
    n_bins: int
    methods: tuple[MethodCalibration, ...]

    def method(self, method: RatingMethod) -> MethodCalibration:
        for m in self.methods:
            if m.method is method:
                return m
        raise KeyError(f"RatingCalibration.method: no figures for {method!r}")


def _comparison(item: ArenaVote | Comparison) -> Comparison:
    return item.comparison if isinstance(item, ArenaVote) else item


def rating_calibration(
    train: Sequence[ArenaVote | Comparison],
    test: Sequence[ArenaVote | Comparison],
    *,
    boot: Bootstrap,
    n_bins: int = 10,
    ties: TieRule = TieRule.DROP,
    elo: EloRater | None = None,
    trueskill: TrueSkillRater | None = None,
    bradley_terry: BradleyTerry | None = None,
) -> RatingCalibration:
    """Fit Elo, TrueSkill and Bradley–Terry on ``train`` and score their predictions on ``test``."""
    if not isinstance(ties, TieRule):
        raise TypeError(f"rating_calibration: ties must be a TieRule, got {ties!r}")
    fit_on = [_comparison(c) for c in train]
    if not fit_on:
        raise ValueError("rating_calibration: no training votes")
    held = [_comparison(c) for c in test]
    if ties is TieRule.DROP:
        held = [c for c in held if not c.outcome.is_draw]
    elo_rater = elo or EloRater()
    ts_rater = trueskill or TrueSkillRater()
    bt_model = bradley_terry or BradleyTerry()
    elo_state = elo_rater.fit(fit_on)
    ts_state = ts_rater.fit(fit_on)
    bt_fit = bt_model.fit(fit_on)
    seen = set(bt_fit.models)
    scored = [c for c in held if c.model_a in seen and c.model_b in seen]
    observed = np.array([c.outcome.score_a for c in scored], dtype=np.float64)

    def trueskill_p(c: Comparison) -> float:
        win = ts_rater.win_probability(ts_state, c.model_a, c.model_b)
        if ties is TieRule.HALF:
            return win + 0.5 * ts_rater.draw_probability(ts_state, c.model_a, c.model_b)
        return win / (win + ts_rater.win_probability(ts_state, c.model_b, c.model_a))

    predictions = {
        RatingMethod.ELO: [elo_rater.win_probability(elo_state, c.model_a, c.model_b) for c in scored],
        RatingMethod.TRUESKILL: [trueskill_p(c) for c in scored],
        RatingMethod.BRADLEY_TERRY: [bt_model.win_probability(bt_fit, c.model_a, c.model_b) for c in scored],
    }
    methods = tuple(
        _score(method, np.asarray(p, dtype=np.float64), observed, len(held) - len(scored), n_bins, boot)
        for method, p in predictions.items()
    )
    return RatingCalibration(len(fit_on), len(held), ties, n_bins, methods)


def _score(
    method: RatingMethod, p: FloatArray, y: FloatArray, skipped: int, n_bins: int, boot: Bootstrap
) -> MethodCalibration:
    p.setflags(write=False)
    y = y.copy()
    y.setflags(write=False)
    if p.size == 0:
        bins = tuple(ReliabilityBin(b / n_bins, (b + 1) / n_bins, 0, None, None) for b in range(n_bins))
        return MethodCalibration(method, 0, skipped, None, None, None, bins, p, y)
    rows = score_rows(p, y, n_bins)

    def ece(sums: FloatArray) -> FloatArray:
        return ece_from_sums(sums, n_bins)

    return MethodCalibration(
        method=method,
        n=int(p.size),
        n_skipped=skipped,
        brier=estimate_from_sums(rows, ratio(1, 0), int(p.size), boot),
        log_loss=estimate_from_sums(rows, ratio(2, 0), int(p.size), boot),
        ece=estimate_from_sums(rows, ece, int(p.size), boot),
        bins=reliability_bins(p, y, n_bins),
        predicted=p,
        observed=y,
    )
