"""When to stop: the interval-respecting ranks have settled (``ConvergenceRule``), read from
``RankSnapshot``s of successive Bradley–Terry fits."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from judging.ratings import BradleyTerry, PairCounts, RatingIntervals
from judging.scheduling._strategies import History
from judging.types import Comparison

__all__ = [
    "ConvergenceRule",
    "RankSnapshot",
    "StopReason",
    "rank_snapshot",
    "replay_snapshots",
    "snapshot_of",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class StopReason(StrEnum):
    STABLE_RANKS = "stable_ranks"
    BUDGET = "budget"


@dataclass(frozen=True)
class RankSnapshot:
    """The fitted order (best first) and every model's interval-respecting rank range."""

    order: tuple[str, ...]
    ranges: Mapping[str, tuple[int, int]]  # model -> (best rank, worst rank)


def rank_snapshot(intervals: RatingIntervals) -> RankSnapshot:
    """Order and rank ranges of a fit's intervals, for ``ConvergenceRule.check``."""
    ranks = intervals.ranks()
    ranges = {m: (int(b), int(w)) for m, b, w in zip(intervals.models, ranks.best, ranks.worst, strict=True)}
    order = np.lexsort((np.arange(len(intervals.models)), -np.asarray(intervals.rating)))
    return RankSnapshot(tuple(intervals.models[k] for k in order), ranges)


def snapshot_of(comparisons: Sequence[Comparison], models: Sequence[str], bt: BradleyTerry) -> RankSnapshot:
    """The rank snapshot of a Bradley–Terry fit of ``comparisons`` (sandwich intervals, 95%)."""
    counts = PairCounts.from_comparisons(comparisons, models)
    return rank_snapshot(bt.sandwich(bt.fit_counts(counts)))


def replay_snapshots(
    comparisons: Sequence[Comparison], models: Sequence[str], bt: BradleyTerry, *, every: int, last: int
) -> list[RankSnapshot]:
    """The snapshots a run checking every ``every`` comparisons would have taken over
    ``comparisons`` (in the order they were made), the ``last`` most recent of them: how a
    resumed run or a stateless caller (the human queue) picks up the checks it did not keep."""
    if every < 1 or last < 0:
        raise ValueError(
            f"replay_snapshots: every must be positive and last non-negative, got {every!r}, {last!r}"
        )
    checks = len(comparisons) // every
    return [
        snapshot_of(comparisons[: k * every], models, bt)
        for k in range(max(1, checks - last + 1), checks + 1)
    ]


@dataclass(frozen=True, slots=True)
class ConvergenceRule:
    """When to stop asking for comparisons.

    Check every ``every`` comparisons (by default five per model; see ``interval``), taking a
    ``RankSnapshot`` of a fresh fit each time (``replay_snapshots`` rebuilds missed ones).
    Stop with ``STABLE_RANKS`` once

    - every pair of neighbours in the fitted order whose rank ranges still overlap (whose order
      is not yet certain) has been compared at least ``min_per_pair`` times: no open question
      rests on a handful of votes, and the start — when every interval overlaps every other and
      the ranges are "stable" only because nothing is known — cannot pass; and
    - the interval-respecting rank ranges held still over the last ``patience`` checks: between
      each two of the last ``patience + 1`` snapshots the best and worst ranks moved by at most
      ``slack`` ranks in all (summed over models; by default one per six models, rounded up —
      with 57 models some range edge moves at almost every check, so exact equality never
      comes);

    or with ``BUDGET`` once ``budget`` comparisons (if any) are spent. bench/scheduling.py checks
    the defaults: with 57 models and the active scheduler the stop fires at Kendall tau >= 0.93
    with the truth in at least 90% of seeds.
    """

    budget: int | None  # None: no budget (the human queue)
    every: int | None = None  # None: five comparisons per model
    patience: int = 3
    min_per_pair: int = 10
    slack: int | None = None  # None: one rank per six models, rounded up
    min_comparisons: int = 0

    def __post_init__(self) -> None:
        for name in ("budget", "every", "patience"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"ConvergenceRule: {name} must be positive, got {value!r}")
        for name in ("min_per_pair", "slack", "min_comparisons"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"ConvergenceRule: {name} must be non-negative, got {value!r}")

    def interval(self, n_models: int) -> int:
        """Comparisons between checks: ``every``, or five per model."""
        return self.every if self.every is not None else 5 * n_models

    def tolerance(self, n_models: int) -> int:
        """Total rank moves allowed between checks: ``slack``, or one per six models."""
        return self.slack if self.slack is not None else -(-n_models // 6)

    def check(self, snapshots: Sequence[RankSnapshot], history: History, spent: int) -> StopReason | None:
        """``snapshots`` are the rank snapshots at the checks so far, oldest first; ``history``
        counts the comparisons of each pair."""
        if self.budget is not None and spent >= self.budget:
            return StopReason.BUDGET
        if spent < self.min_comparisons or len(snapshots) < self.patience + 1:
            return None
        if self.neighbours_short(snapshots[-1], history):
            return None
        recent = snapshots[-(self.patience + 1) :]
        slack = self.tolerance(len(history.models))
        if all(_moved(old, new) <= slack for old, new in itertools.pairwise(recent)):
            return StopReason.STABLE_RANKS
        return None

    def neighbours_short(self, snapshot: RankSnapshot, history: History) -> int:
        """How many pairs of neighbours in ``snapshot``'s order, with overlapping rank ranges,
        have fewer than ``min_per_pair`` comparisons."""
        index = {m: k for k, m in enumerate(history.models)}
        try:
            position = np.asarray([index[m] for m in snapshot.order], dtype=np.int64)
        except KeyError as error:
            raise ValueError(
                f"ConvergenceRule.check: model {error.args[0]!r} of the snapshot is not in the history"
            ) from None
        ranges = np.asarray([snapshot.ranges[m] for m in snapshot.order], dtype=np.int64).reshape(-1, 2)
        # ranges [best, worst] of neighbours overlap unless one ends before the other starts
        overlap = (ranges[:-1, 0] <= ranges[1:, 1]) & (ranges[1:, 0] <= ranges[:-1, 1])
        games = history.games[position[:-1], position[1:]]
        return int((overlap & (games < self.min_per_pair)).sum())


def _moved(old: RankSnapshot, new: RankSnapshot) -> int:
    """Total change of best and worst rank between two snapshots (a model in one only counts as
    having moved by the number of models)."""
    total = 0
    for model in old.ranges.keys() | new.ranges.keys():
        if model not in old.ranges or model not in new.ranges:
            total += len(new.order)
            continue
        (b0, w0), (b1, w1) = old.ranges[model], new.ranges[model]
        total += abs(b1 - b0) + abs(w1 - w0)
    return total
