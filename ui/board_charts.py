"""The Bradley–Terry interval chart the leaderboard and the release report share."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from ui.i18n import t

__all__ = ["bt_interval_chart"]


def bt_interval_chart(frame: pd.DataFrame, tooltip: Sequence[str]) -> alt.LayerChart | alt.FacetChart:
    """One rule per model from ``lower`` to ``upper`` and a point at its rating, best model on top.
    ``frame`` has the translated ``lb.model`` and ``lb.bt`` columns and plain ``lower``/``upper``."""
    order = frame[t("lb.model")].tolist()
    base = alt.Chart(frame).encode(y=alt.Y(f"{t('lb.model')}:N", sort=order, title=None))
    rules = base.mark_rule(strokeWidth=3).encode(
        x=alt.X("lower:Q", scale=alt.Scale(zero=False), title=t("lb.bt_axis")), x2="upper:Q"
    )
    points = base.mark_point(filled=True, size=80).encode(x=f"{t('lb.bt')}:Q", tooltip=list(tooltip))
    return alt.layer(rules, points)
