"""How a draw ("tie" or "both_unsafe") enters Bradley–Terry, and the per-pair totals each rule needs."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from judging.choices import Choice

__all__ = ["TieRule", "outcome_columns"]

FloatArray = npt.NDArray[np.float64]


class TieRule(Choice):
    """How a draw (tie or both-bad) enters Bradley–Terry.

    ``HALF`` and ``DROP`` keep the two-outcome model; under ``HALF`` the ratings describe expected
    scores, a scale compressed by the ties. ``DAVIDSON`` models the draw as a third outcome with its
    own parameter ``nu`` (Davidson 1970), so the ratings are the strengths behind decisive outcomes.
    """

    HALF = "half"  # half a win each way, as Chatbot Arena does
    DROP = "drop"  # ignored
    DAVIDSON = "davidson"  # P(draw) = nu * sqrt(pi_i pi_j) / (pi_i + pi_j + nu * sqrt(pi_i pi_j))


def outcome_columns(wins: FloatArray, losses: FloatArray, draws: FloatArray, ties: TieRule) -> FloatArray:
    """The totals a tie rule fits on, one row per cell: ``(i's wins, j's wins)`` with draws split
    half-half (``HALF``) or left out (``DROP``), or ``(i's wins, j's wins, draws)`` (``DAVIDSON``)."""
    if ties is TieRule.HALF:
        return np.stack([wins + 0.5 * draws, losses + 0.5 * draws], axis=-1)
    if ties is TieRule.DROP:
        return np.stack([wins, losses], axis=-1)
    if ties is TieRule.DAVIDSON:
        return np.stack([wins, losses, draws], axis=-1)
    raise TypeError(f"outcome_columns: ties must be a TieRule, got {ties!r}")
