"""Which pairs to compare next: swiss, round robin, random and active, plus when to stop.

Both the LLM-judge runs and the human queue ask ``Scheduler.propose`` for the next pairs, feed the
results back into a ``History`` (and, for ``swiss``/``active``, fresh ratings or a Bradley–Terry
fit), and ask a ``ConvergenceRule`` whether the interval-respecting ranks have settled.

- ``_strategies``: ``Strategy``, ``Pair``, ``History``, ``Scheduler`` and the pairing rules;
- ``_convergence``: ``RankSnapshot``, ``ConvergenceRule``, ``StopReason`` and the snapshot helpers.
"""

from judging.scheduling._convergence import (
    ConvergenceRule,
    RankSnapshot,
    StopReason,
    rank_snapshot,
    replay_snapshots,
    snapshot_of,
)
from judging.scheduling._strategies import History, Pair, Scheduler, Strategy

__all__ = [
    "ConvergenceRule",
    "History",
    "Pair",
    "RankSnapshot",
    "Scheduler",
    "StopReason",
    "Strategy",
    "rank_snapshot",
    "replay_snapshots",
    "snapshot_of",
]
