"""Turn comparisons into the integer/float columns the rating loops run on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from judging.ratings._tally import Tally
from judging.types import Comparison

__all__ = ["EncodedVotes", "array_columns", "encode", "start_values"]


class EncodedVotes(NamedTuple):
    """Comparisons as parallel plain-Python columns (lists are fastest for scalar loops)."""

    models: list[str]  # index -> model name; known models first, in their original order
    a: list[int]
    b: list[int]
    score: list[float]  # score of model a: 1, 0 or 0.5
    weight: list[float]


def encode(
    known: Iterable[str], comparisons: Iterable[Comparison], tally: Tally | None = None
) -> EncodedVotes:
    """Encode ``comparisons`` against the ``known`` model order, recording counts into ``tally``.

    New models are appended in order of first appearance, so the result is deterministic.
    """
    models = list(dict.fromkeys(known))
    index = {m: i for i, m in enumerate(models)}
    a: list[int] = []
    b: list[int] = []
    score: list[float] = []
    weight: list[float] = []
    for c in comparisons:
        if not isinstance(c, Comparison):
            raise TypeError(f"encode: expected Comparison items, got {type(c).__name__}: {c!r}")
        for m in (c.model_a, c.model_b):
            if m not in index:
                index[m] = len(models)
                models.append(m)
                if tally is not None:
                    tally.add_model(m)
        a.append(index[c.model_a])
        b.append(index[c.model_b])
        score.append(c.outcome.score_a)
        weight.append(c.weight)
        if tally is not None:
            tally.record(c.model_a, c.model_b, c.outcome)
    return EncodedVotes(models, a, b, score, weight)


def array_columns(
    where: str,
    a_idx: npt.ArrayLike,
    b_idx: npt.ArrayLike,
    score: npt.ArrayLike,
    n_models: int,
    weight: npt.ArrayLike | None,
) -> tuple[list[int], list[int], list[float], list[float]]:
    """Validate the array inputs once and hand back plain lists for the scalar loop."""
    a = np.asarray(a_idx)
    b = np.asarray(b_idx)
    s = np.asarray(score, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape or a.shape != s.shape:
        raise ValueError(
            f"{where}: a_idx, b_idx and score must be 1-d of equal length, got {a.shape}, {b.shape}, {s.shape}"
        )
    if a.size and not (np.issubdtype(a.dtype, np.integer) and np.issubdtype(b.dtype, np.integer)):
        raise TypeError(f"{where}: a_idx and b_idx must be integer arrays, got {a.dtype} and {b.dtype}")
    if a.size and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= n_models):
        raise ValueError(f"{where}: model indices must lie in [0, {n_models}), n_models={n_models}")
    if np.any(a == b):
        raise ValueError(f"{where}: a model is compared with itself at row {int(np.argmax(a == b))}")
    bad = (s != 0.0) & (s != 0.5) & (s != 1.0)
    if np.any(bad):
        row = int(np.argmax(bad))
        raise ValueError(f"{where}: score must be 0, 0.5 or 1, got {float(s[row])!r} at row {row}")
    if weight is None:
        w = [1.0] * a.size
    else:
        wa = np.asarray(weight, dtype=np.float64)
        if wa.shape != a.shape or not np.all(wa > 0):
            raise ValueError(f"{where}: weight must be positive and match a_idx in length")
        w = wa.tolist()
    return a.tolist(), b.tolist(), s.tolist(), w


def start_values(where: str, start: npt.ArrayLike | None, n_models: int, fill: float) -> list[float]:
    """Initial per-model values for an array replay: ``start`` if given, else ``fill`` everywhere."""
    if start is None:
        return [fill] * n_models
    values = np.asarray(start, dtype=np.float64)
    if values.shape != (n_models,):
        raise ValueError(f"{where}: start must have shape ({n_models},), got {values.shape}")
    return [float(v) for v in values]
