"""Small numeric helpers the rating fits share, in plain numpy.

The command line rates a votes file in one short process, so the rating path imports numpy and
nothing heavier (scipy alone costs a third of a second to import): the logistic function, sums of
columns into groups (the sparse products of a pair-by-model incidence), and strong connectivity of
the small "has beaten" graph.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["GroupSum", "expit", "strongly_connected"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def expit(x: npt.ArrayLike) -> FloatArray:
    """The logistic ``1 / (1 + e^-x)``, accurate in both tails: ``e^-x`` overflowing to infinity
    gives exactly 0, and no subtraction loses digits."""
    value = np.asarray(x, dtype=np.float64)
    if value.ndim == 0:
        return np.asarray(1.0 / (1.0 + math.exp(-float(value))) if value > -700.0 else 0.0)
    out = np.negative(value)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


class GroupSum:
    """Sums of the columns of ``(rows, m)`` arrays into ``size`` groups: column ``c`` adds
    ``values[:, c]`` to group ``group[c]``. Runs of columns of one group are summed by
    ``np.add.reduceat``; columns already sorted by group (pairs by ``i``, cells by pair) are read
    in place, others through one gather."""

    def __init__(self, group: npt.ArrayLike, size: int) -> None:
        group = np.asarray(group, dtype=np.int64)
        self.size = size
        ordered = bool(np.all(group[1:] >= group[:-1]))
        self.order: IntArray | None = None if ordered else np.argsort(group, kind="stable")
        sorted_group = group if self.order is None else group[self.order]
        self.targets, self.starts = np.unique(sorted_group, return_index=True)

    def __call__(self, values: npt.ArrayLike) -> FloatArray:
        values = np.atleast_2d(np.asarray(values, dtype=np.float64))
        out = np.zeros((values.shape[0], self.size))
        if self.starts.size:
            columns = values if self.order is None else values[:, self.order]
            out[:, self.targets] = np.add.reduceat(columns, self.starts, axis=1)
        return out


def strongly_connected(n: int, source: IntArray, target: IntArray) -> bool:
    """Does the directed graph on ``n`` nodes with edges ``source[k] -> target[k]`` have one
    strongly connected component? (Every node reaches node 0 and node 0 reaches every node.)"""
    if n <= 1:
        return n == 1
    adjacency = np.zeros((n, n), dtype=bool)
    adjacency[source, target] = True
    return _reaches_all(adjacency) and _reaches_all(adjacency.T)


def _reaches_all(adjacency: npt.NDArray[np.bool_]) -> bool:
    seen = np.zeros(adjacency.shape[0], dtype=bool)
    seen[0] = True
    frontier = seen.copy()
    while frontier.any():
        frontier = adjacency[frontier].any(axis=0) & ~seen
        seen |= frontier
    return bool(seen.all())
