"""How figures read on every page: rank ranges, rating intervals, estimates, a model's label."""

from __future__ import annotations

from typing import Protocol

from judging.calibration import Estimate
from ui.i18n import t

__all__ = ["RankedRow", "estimate_text", "interval_text", "model_label", "rank_range"]


class RankedRow(Protocol):
    """A leaderboard row: its best and worst rank under the intervals."""

    @property
    def rank(self) -> int: ...

    @property
    def rank_worst(self) -> int: ...


def rank_range(row: RankedRow) -> str:
    """``3`` when the intervals pin the rank, else ``2–5``."""
    return f"{row.rank}" if row.rank == row.rank_worst else f"{row.rank}–{row.rank_worst}"


def interval_text(lower: float | None, upper: float | None) -> str:
    """A rating interval as ``[950, 1043]``, or a dash when it is not defined."""
    return "—" if lower is None or upper is None else f"[{lower:.0f}, {upper:.0f}]"


def estimate_text(estimate: Estimate | None, digits: int = 3) -> str:
    """``0.812 [0.757, 0.877]``, or a dash when the figure is not defined."""
    if estimate is None:
        return "—"
    return f"{estimate.value:.{digits}f} [{estimate.lower:.{digits}f}, {estimate.upper:.{digits}f}]"


def model_label(name: str, *, provisional: bool) -> str:
    """A model's name on a board, marked when it has fewer votes than the threshold. The name is
    shown in a data frame cell (plain text), never through Markdown."""
    return name + (" " + t("lb.provisional") if provisional else "")
