"""How figures and short records read on the pages: rank ranges, rating intervals, estimates, a
model's label, a candidate question's reviews; separators follow the session's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from judging.calibration import Estimate
from ui.i18n import join_list, t

if TYPE_CHECKING:
    from pipeline.bank.verification import ReviewInfo

__all__ = [
    "RankedRow",
    "estimate_text",
    "interval_text",
    "model_label",
    "rank_range",
    "review_line",
    "review_lines",
]


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


def review_line(review: ReviewInfo) -> str:
    """One review as listed: who decided what, with the content categories they chose (none
    chosen: the lexicon's proposal stood) and their reason (plain text: escape where rendered)."""
    line = f"{review.reviewer}: {t(f'ev.decision.{review.decision}')}"
    if review.categories is not None:
        names = join_list(t(c.label_key) for c in review.categories) or t("qb.categories_none")
        line += " · " + t("ev.review_categories", categories=names)
    # the reason never passes through t(...) (the rendering rule): only the brackets are translated
    return line + (t("ui.aside_open") + review.reason + t("ui.aside_close") if review.reason else "")


def review_lines(reviews: Iterable[ReviewInfo]) -> str:
    """A candidate's reviews in order, one ``review_line`` each (plain text: escape where rendered)."""
    return t("ui.entry_separator").join(map(review_line, reviews))
