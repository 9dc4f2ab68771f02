"""Altair charts of the calibration page. Data frames use plain ASCII field names; every visible
title is passed in already translated."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

__all__ = [
    "CELL_SELECTION",
    "bias_chart",
    "confusion_chart",
    "interval_chart",
    "reliability_chart",
]

CELL_SELECTION = "cell"  # the name of the confusion chart's point selection


def interval_chart(
    frame: pd.DataFrame,
    *,
    row_title: str,
    axis_title: str,
    color_title: str,
    zero: bool = True,
) -> alt.LayerChart | alt.FacetChart:
    """Points with interval rules; ``frame`` has ``row``, ``series``, ``value``, ``lower``,
    ``upper`` and ``label`` (tooltip) columns, one line per (row, series)."""
    scale = alt.Scale(zero=zero)
    base = alt.Chart(frame).encode(
        y=alt.Y("row:N", title=row_title, sort=None),
        yOffset=alt.YOffset("series:N"),
        color=alt.Color("series:N", title=color_title),
        tooltip=[
            alt.Tooltip("row:N", title=row_title),
            alt.Tooltip("series:N", title=color_title),
            alt.Tooltip("label:N", title=axis_title),
        ],
    )
    rules = base.mark_rule(strokeWidth=3).encode(
        x=alt.X("lower:Q", title=axis_title, scale=scale), x2="upper:Q"
    )
    points = base.mark_point(filled=True, size=70).encode(x=alt.X("value:Q", scale=scale))
    return alt.layer(rules, points)


def bias_chart(
    frame: pd.DataFrame, *, figure_title: str, rater_title: str, value_title: str
) -> alt.LayerChart | alt.FacetChart:
    """Bars per (figure, rater) with interval rules and a dashed line at 0.5; ``frame`` has
    ``figure``, ``rater``, ``value``, ``lower``, ``upper``, ``n`` and ``label`` columns."""
    domain = alt.Scale(domain=[0, 1])
    base = alt.Chart(frame).encode(
        x=alt.X("figure:N", title=figure_title, sort=None),
        xOffset=alt.XOffset("rater:N"),
        color=alt.Color("rater:N", title=rater_title),
        tooltip=[
            alt.Tooltip("figure:N", title=figure_title),
            alt.Tooltip("rater:N", title=rater_title),
            alt.Tooltip("label:N", title=value_title),
            alt.Tooltip("n:Q", title="n"),
        ],
    )
    bars = base.mark_bar(opacity=0.8).encode(y=alt.Y("value:Q", title=value_title, scale=domain))
    rules = base.mark_rule(color="black").encode(y="lower:Q", y2="upper:Q")
    half = alt.Chart(pd.DataFrame({"y": [0.5]})).mark_rule(strokeDash=[4, 4]).encode(y="y:Q")
    return alt.layer(bars, rules, half)


def confusion_chart(
    frame: pd.DataFrame, *, order: Sequence[str], human_title: str, judge_title: str, count_title: str
) -> alt.LayerChart | alt.FacetChart:
    """A heatmap of vote counts, rows the human verdict, columns the judge's; ``frame`` has
    ``human``, ``judge`` (labels) and ``count``. Clicking a cell selects it (``CELL_SELECTION``)."""
    selection = alt.selection_point(name=CELL_SELECTION, fields=["human", "judge"], on="click")
    base = alt.Chart(frame).encode(
        x=alt.X("judge:N", title=judge_title, sort=list(order)),
        y=alt.Y("human:N", title=human_title, sort=list(order)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("count:Q", title=count_title, scale=alt.Scale(scheme="blues")),
        opacity=alt.condition(selection, alt.value(1.0), alt.value(0.5)),
        tooltip=[
            alt.Tooltip("human:N", title=human_title),
            alt.Tooltip("judge:N", title=judge_title),
            alt.Tooltip("count:Q", title=count_title),
        ],
    )
    text = base.mark_text(fontSize=13).encode(text="count:Q")
    return alt.layer(cells.add_params(selection), text)


def reliability_chart(
    frame: pd.DataFrame, *, predicted_title: str, observed_title: str, method_title: str, count_title: str
) -> alt.LayerChart | alt.FacetChart:
    """Reliability diagram: mean predicted against observed per bin and method, with the diagonal;
    ``frame`` has ``method``, ``predicted``, ``observed`` and ``count``."""
    unit = alt.Scale(domain=[0, 1])
    diagonal = (
        alt.Chart(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]}))
        .mark_line(strokeDash=[4, 4], color="gray")
        .encode(
            x=alt.X("x:Q", scale=unit, title=predicted_title),
            y=alt.Y("y:Q", scale=unit, title=observed_title),
        )
    )
    base = alt.Chart(frame).encode(
        x=alt.X("predicted:Q", scale=unit, title=predicted_title),
        y=alt.Y("observed:Q", scale=unit, title=observed_title),
        color=alt.Color("method:N", title=method_title),
    )
    lines = base.mark_line()
    points = base.mark_point(filled=True).encode(
        size=alt.Size("count:Q", title=count_title),
        tooltip=[
            alt.Tooltip("method:N", title=method_title),
            alt.Tooltip("predicted:Q", title=predicted_title, format=".3f"),
            alt.Tooltip("observed:Q", title=observed_title, format=".3f"),
            alt.Tooltip("count:Q", title=count_title),
        ],
    )
    return alt.layer(diagonal, lines, points)
