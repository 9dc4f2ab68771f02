"""The site's charts, drawn as inline SVG by hand: an interval chart (a line and a dot per model),
a win-rate heatmap (a rect per pair, its value written in it) and a history chart (a polyline per
model). No script, no font or image to fetch; every chart has a ``<title>`` and ``<desc>`` and
``role="img"``, and every value a chart shows is also in a table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.publish.site._html import PALETTE, Html, join, tag

__all__ = [
    "ChartRow",
    "HistorySeries",
    "contrast_ratio",
    "heat_colour",
    "heatmap",
    "history_chart",
    "interval_chart",
    "nice_ticks",
]

# Okabe–Ito: distinguishable with the common colour-vision deficiencies
SERIES_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#7f6000")
INK, PAPER = "#000000", "#ffffff"
FONT = "font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif"


@dataclass(frozen=True)
class ChartRow:
    label: str
    rating: float
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class HistorySeries:
    label: str
    points: tuple[tuple[int, float], ...]  # (release index, rating)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(colour: str) -> float:
    r, g, b = (int(colour.lstrip("#")[k : k + 2], 16) for k in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours: (L1 + 0.05) / (L2 + 0.05), L1 the lighter."""
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def heat_colour(value: float) -> str:
    """A win rate in [0, 1] as a diverging colour: red below one half, white at it, blue above."""
    v = min(max(value, 0.0), 1.0)
    low, mid, high = (178, 24, 43), (247, 247, 247), (33, 102, 172)
    t = abs(v - 0.5) * 2
    end = high if v >= 0.5 else low
    r, g, b = (round(m + (e - m) * t) for m, e in zip(mid, end, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def text_on(fill: str) -> str:
    """Black or white, whichever reads better on ``fill``."""
    return INK if contrast_ratio(INK, fill) >= contrast_ratio(PAPER, fill) else PAPER


def nice_ticks(low: float, high: float, *, target: int = 5) -> list[float]:
    """Round tick values covering [low, high] at a step of 1, 2 or 5 times a power of ten."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"nice_ticks: bounds must be finite, got {low!r}, {high!r}")
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(target, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def short(label: str, limit: int = 14) -> str:
    """A chart label cut to ``limit`` characters (the tables beside the chart give it whole)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(width: int, height: int, title: str, desc: str, ident: str, *body: object) -> Html:
    return tag(
        "svg",
        tag("title", title, id=f"{ident}-title"),
        tag("desc", desc, id=f"{ident}-desc"),
        *body,
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {width} {height}",
        width=width,
        height=height,
        role="img",
        aria_labelledby=f"{ident}-title {ident}-desc",
        style=FONT,
        class_="chart",
        id=ident,
    )


def interval_chart(rows: Sequence[ChartRow], *, title: str, desc: str, ident: str) -> Html:
    """One line per model from ``lower`` to ``upper`` with a dot at ``rating``, best on top."""
    if not rows:
        raise ValueError("interval_chart: no rows to draw")
    left, right, top, row_h, axis_h = 210, 30, 12, 26, 34
    width = 760
    height = top + row_h * len(rows) + axis_h
    values = [v for r in rows for v in (r.rating, r.lower, r.upper) if v is not None]
    ticks = nice_ticks(min(values), max(values))
    lo, hi = ticks[0], ticks[-1]

    def x(value: float) -> float:
        return round(left + (value - lo) / (hi - lo) * (width - left - right), 2)

    axis_colour = PALETTE["chart_axis"][0]
    point = PALETTE["chart_point"][0]
    base = top + row_h * len(rows)
    body: list[Html] = []
    for tick in ticks:
        body.append(tag("line", x1=x(tick), x2=x(tick), y1=top, y2=base, stroke="#d9dde3", stroke_width=1))
        body.append(
            tag(
                "text",
                f"{tick:g}",
                x=x(tick),
                y=base + 18,
                text_anchor="middle",
                font_size=12,
                fill=axis_colour,
            )
        )
    for k, row in enumerate(rows):
        y = top + row_h * k + row_h / 2
        body.append(
            tag(
                "text",
                row.label,
                x=left - 10,
                y=y + 4,
                text_anchor="end",
                font_size=13,
                fill=PALETTE["text"][0],
            )
        )
        if row.lower is not None and row.upper is not None:
            body.append(
                tag("line", x1=x(row.lower), x2=x(row.upper), y1=y, y2=y, stroke=point, stroke_width=3)
            )
        body.append(tag("circle", cx=x(row.rating), cy=y, r=5, fill=point))
    body.append(tag("line", x1=left, x2=width - right, y1=base, y2=base, stroke=axis_colour, stroke_width=1))
    return _svg(width, height, title, desc, ident, *body)


def _heat_column_labels(
    models: Sequence[str], labels: Mapping[str, str], left: int, top: int, cell: int
) -> list[Html]:
    """The column models' names above the grid, turned 40° so that long names fit."""
    body: list[Html] = []
    for c, model in enumerate(models):
        cx = left + cell * c + cell / 2
        body.append(
            tag(
                "text",
                short(labels.get(model, model)),
                x=cx,
                y=top - 8,
                transform=f"rotate(-40 {cx} {top - 8})",
                font_size=12,
                fill=PALETTE["text"][0],
            )
        )
    return body


def _heat_cell(value: float, x: int, y: int, cell: int, row_model: str, column_model: str) -> list[Html]:
    """One cell of the heatmap: the square filled by its value and the value written on it."""
    fill = "#ececec" if math.isnan(value) else heat_colour(value)
    text = "—" if math.isnan(value) else f"{value:.2f}"
    return [
        tag(
            "rect",
            x=x,
            y=y,
            width=cell - 2,
            height=cell - 2,
            fill=fill,
            data_row=row_model,
            data_column=column_model,
        ),
        tag(
            "text",
            text,
            x=x + (cell - 2) / 2,
            y=y + cell / 2 + 3,
            text_anchor="middle",
            font_size=12,
            fill=text_on(fill),
        ),
    ]


def heatmap(
    models: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    labels: Mapping[str, str],
    title: str,
    desc: str,
    ident: str,
) -> Html:
    """``values[r][c]``: the row model's share of wins against the column model (NaN: no votes).
    Each cell shows its value as text, in black or white for contrast with the fill."""
    n = len(models)
    if n == 0:
        raise ValueError("heatmap: no models")
    left, top, cell = 210, 110, 56
    width, height = left + cell * n + 90, top + cell * n + 10
    body = _heat_column_labels(models, labels, left, top, cell)
    for r, row_model in enumerate(models):
        y = top + cell * r
        body.append(
            tag(
                "text",
                short(labels.get(row_model, row_model)),
                x=left - 8,
                y=y + cell / 2 + 4,
                text_anchor="end",
                font_size=12,
                fill=PALETTE["text"][0],
            )
        )
        for c in range(n):
            body += _heat_cell(float(values[r][c]), left + cell * c, y, cell, row_model, models[c])
    return _svg(width, height, title, desc, ident, *body)


def history_chart(
    releases: Sequence[str], series: Sequence[HistorySeries], *, title: str, desc: str, ident: str
) -> Html:
    """A line per model across releases (x: release, y: linked rating), labelled at its last point."""
    if not releases or not series:
        raise ValueError("history_chart: nothing to draw")
    left, right, top, bottom = 60, 190, 16, 40
    width, height = 760, 340
    values = [v for s in series for _, v in s.points]
    ticks = nice_ticks(min(values), max(values))
    lo, hi = ticks[0], ticks[-1]
    span = max(len(releases) - 1, 1)

    def x(index: int) -> float:
        if len(releases) == 1:
            return (left + width - right) / 2
        return round(left + index / span * (width - left - right), 2)

    def y(value: float) -> float:
        return round(top + (hi - value) / (hi - lo) * (height - top - bottom), 2)

    axis_colour = PALETTE["chart_axis"][0]
    body: list[Html] = []
    for tick in ticks:
        body.append(tag("line", x1=left, x2=width - right, y1=y(tick), y2=y(tick), stroke="#d9dde3"))
        body.append(
            tag(
                "text",
                f"{tick:g}",
                x=left - 6,
                y=y(tick) + 4,
                text_anchor="end",
                font_size=12,
                fill=axis_colour,
            )
        )
    for k, release in enumerate(releases):
        body.append(
            tag(
                "text",
                release,
                x=x(k),
                y=height - bottom + 20,
                text_anchor="middle",
                font_size=12,
                fill=axis_colour,
            )
        )
    for k, s in enumerate(series):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        coords = " ".join(f"{x(i)},{y(v)}" for i, v in s.points)
        if len(s.points) > 1:
            body.append(tag("polyline", points=coords, fill="none", stroke=colour, stroke_width=2))
        body.extend(tag("circle", cx=x(i), cy=y(v), r=4, fill=colour) for i, v in s.points)
        last_i, last_v = s.points[-1]
        body.append(
            tag(
                "text",
                short(s.label),
                x=x(last_i) + 8,
                y=y(last_v) + 4,
                font_size=12,
                fill=PALETTE["text"][0],
            )
        )
    return _svg(width, height, title, desc, ident, join(body))
