"""Chance-corrected agreement: Cohen's kappa, Krippendorff's alpha (nominal) and Fleiss' kappa.

Each coefficient has two forms: a plain function on labels or count tables, and a ``*_from_sums``
form on additive sufficient statistics (shape ``(..., k)``), which the bootstrap evaluates for a
whole stack of resampled tables at once.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = [
    "ConfusionMatrix",
    "alpha_sums",
    "cohen_kappa",
    "confusion_matrix",
    "fleiss_kappa",
    "fleiss_kappa_from_sums",
    "fleiss_sums",
    "kappa_from_table",
    "krippendorff_alpha",
    "krippendorff_alpha_from_sums",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Label = TypeVar("Label", bound=Hashable)


@dataclass(frozen=True, eq=False)
class ConfusionMatrix(Generic[Label]):
    """``counts[r, c]``: items the row rater labelled ``labels[r]`` and the column rater ``labels[c]``."""

    labels: tuple[Label, ...]
    counts: IntArray

    def __post_init__(self) -> None:
        k = len(self.labels)
        if self.counts.shape != (k, k):
            raise ValueError(f"ConfusionMatrix: counts must have shape ({k}, {k}), got {self.counts.shape}")

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def count(self, row: Label, column: Label) -> int:
        return int(self.counts[self.labels.index(row), self.labels.index(column)])


def confusion_matrix(
    rows: Sequence[Label], columns: Sequence[Label], labels: Sequence[Label]
) -> ConfusionMatrix[Label]:
    """Cross-tabulate two raters' labels on the same items; a label outside ``labels`` raises."""
    if len(rows) != len(columns):
        raise ValueError(
            f"confusion_matrix: rows and columns must have equal length, got {len(rows)} and {len(columns)}"
        )
    index = {label: k for k, label in enumerate(labels)}
    if len(index) != len(labels):
        raise ValueError(f"confusion_matrix: labels contain duplicates: {list(labels)!r}")
    counts = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for r, c in zip(rows, columns, strict=True):
        for label in (r, c):
            if label not in index:
                raise ValueError(f"confusion_matrix: label {label!r} is not one of {list(labels)!r}")
        counts[index[r], index[c]] += 1
    counts.setflags(write=False)
    return ConfusionMatrix(tuple(labels), counts)


def kappa_from_table(table: npt.ArrayLike) -> FloatArray:
    """Cohen's kappa of ``(..., k, k)`` contingency tables: ``(p_o - p_e) / (1 - p_e)``.

    ``p_o`` is the share on the diagonal, ``p_e = sum_c row_c * col_c / n**2`` the agreement two
    independent raters with these margins would reach. NaN where ``p_e = 1`` (one label only).
    """
    t = np.asarray(table, dtype=np.float64)
    n = t.sum(axis=(-2, -1))
    p_o = np.trace(t, axis1=-2, axis2=-1) / n
    p_e = (t.sum(axis=-1) * t.sum(axis=-2)).sum(axis=-1) / (n * n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((p_o - p_e) / (1.0 - p_e), dtype=np.float64)


def cohen_kappa(
    rows: Sequence[Label], columns: Sequence[Label], labels: Sequence[Label] | None = None
) -> float:
    """Cohen's kappa of two raters on the same items (NaN when it is undefined)."""
    names = list(dict.fromkeys([*rows, *columns])) if labels is None else list(labels)
    return float(kappa_from_table(confusion_matrix(rows, columns, names).counts))


def alpha_sums(unit_counts: npt.ArrayLike) -> FloatArray:
    """Per-unit sufficient statistics of Krippendorff's alpha: ``[o_diag, n_1 .. n_k]``.

    ``unit_counts[u, c]`` is how many raters put unit ``u`` in category ``c``. A unit with ``m``
    values adds ``n_uc (n_uc - 1) / (m - 1)`` to the diagonal of the coincidence matrix and ``n_uc``
    to each category's margin; units with fewer than two values are not pairable and add nothing.
    """
    counts = np.asarray(unit_counts, dtype=np.float64)
    m = counts.sum(axis=1)
    pairable = m >= 2
    out = np.zeros((counts.shape[0], counts.shape[1] + 1))
    c = counts[pairable]
    out[pairable, 0] = (c * (c - 1.0)).sum(axis=1) / (m[pairable] - 1.0)
    out[pairable, 1:] = c
    return out


def krippendorff_alpha_from_sums(sums: FloatArray) -> FloatArray:
    """Nominal alpha ``1 - D_o / D_e`` from summed ``alpha_sums``.

    With ``n`` pairable values, ``n_c`` per category and ``o`` the coincidence diagonal:
    ``D_o = (n - sum o_cc) / n`` and ``D_e = (n**2 - sum n_c**2) / (n (n - 1))``, so
    ``alpha = 1 - (n - 1) (n - sum o_cc) / (n**2 - sum n_c**2)``.
    """
    diagonal = sums[..., 0]
    margins = sums[..., 1:]
    n = margins.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(1.0 - (n - 1.0) * (n - diagonal) / (n * n - (margins**2).sum(axis=-1)))


def krippendorff_alpha(unit_counts: npt.ArrayLike) -> float:
    """Krippendorff's alpha (nominal) from a units x categories table of value counts."""
    return float(krippendorff_alpha_from_sums(alpha_sums(unit_counts).sum(axis=0)))


def fleiss_sums(unit_counts: npt.ArrayLike) -> FloatArray:
    """Per-unit sufficient statistics of Fleiss' kappa: ``[P_u, 1, n_u1 .. n_uk, m_u]``.

    ``P_u = (sum_c n_uc**2 - m_u) / (m_u (m_u - 1))`` is the share of agreeing rater pairs on the
    unit. Units with fewer than two ratings are left out (rows of zeros).
    """
    counts = np.asarray(unit_counts, dtype=np.float64)
    m = counts.sum(axis=1)
    keep = m >= 2
    out = np.zeros((counts.shape[0], counts.shape[1] + 3))
    c = counts[keep]
    mk = m[keep]
    out[keep, 0] = ((c * c).sum(axis=1) - mk) / (mk * (mk - 1.0))
    out[keep, 1] = 1.0
    out[keep, 2:-1] = c
    out[keep, -1] = mk
    return out


def fleiss_kappa_from_sums(sums: FloatArray) -> FloatArray:
    """Fleiss' kappa ``(P_bar - P_e) / (1 - P_e)`` from summed ``fleiss_sums``.

    ``P_bar`` is the mean per-unit agreement and ``P_e = sum_c p_c**2`` with ``p_c`` the share of
    all ratings in category ``c``. With the same number of raters on every unit this is Fleiss'
    (1971) coefficient; with varying numbers it is the usual generalisation.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        p = sums[..., 2:-1] / sums[..., -1:]
        p_bar = sums[..., 0] / sums[..., 1]
        p_e = (p * p).sum(axis=-1)
        return np.asarray((p_bar - p_e) / (1.0 - p_e))


def fleiss_kappa(unit_counts: npt.ArrayLike) -> float:
    """Fleiss' kappa from a units x categories table of rating counts."""
    return float(fleiss_kappa_from_sums(fleiss_sums(unit_counts).sum(axis=0)))
