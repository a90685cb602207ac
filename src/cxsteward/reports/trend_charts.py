"""Charts over time: a metric per week with its intervals, and a score over cycles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import altair as alt
import pandas as pd

from cxsteward.reports.charts import (
    INK,
    MUTED,
    WIDTH,
    Chart,
    ChartTable,
    colour_scale,
    fmt_value,
    render_chart,
)


@dataclass(frozen=True)
class TrendPoint:
    """One series' value in one period (e.g. the AI's rate in ISO week 2025-W03)."""

    start: date  # where the period sits on the time axis (a week's Monday)
    period: str  # how the table names it, e.g. "2025-W03"
    series: str  # e.g. "AI" or "Humans"
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None


@dataclass(frozen=True)
class Band:
    """A horizontal band across the chart: e.g. a frozen baseline's interval."""

    label: str
    low: float
    high: float


@dataclass(frozen=True)
class Level:
    """A labelled horizontal line: e.g. the level a threshold breaches at."""

    label: str
    value: float


@dataclass(frozen=True)
class Marker:
    """A labelled vertical line: e.g. the day a new model version took over."""

    on: date
    label: str


def trend_chart(
    key: str,
    title: str,
    description: str,
    points: Sequence[TrendPoint],
    *,
    y_title: str,
    percent: bool = False,
    bands: Sequence[Band] = (),
    levels: Sequence[Level] = (),
    markers: Sequence[Marker] = (),
) -> Chart:
    """Each series per period as a line with its interval as a shaded band; ``bands`` behind,
    ``levels`` as dashed lines and ``markers`` as labelled vertical rules on top.

    A point without a value leaves a gap; its row still appears in the table ('—').
    """
    series = list(dict.fromkeys(p.series for p in points))
    frame = pd.DataFrame(
        {
            "start": [p.start.isoformat() for p in points],
            "period": [p.period for p in points],
            "series": [p.series for p in points],
            "value": [p.value for p in points],
            "low": [p.low for p in points],
            "high": [p.high for p in points],
        },
        columns=["start", "period", "series", "value", "low", "high"],
    )
    axis_format = ".0%" if percent else ",.2~f"
    x = alt.X(
        "start:T",
        title="Week",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%d %b", tickCount="week"),
    )
    y_scale = alt.Scale(zero=False)
    colour = alt.Color("series:N", title=None, scale=colour_scale(series))
    base = alt.Chart(frame)
    layers: list[Any] = []  # altair layer charts have no common static type
    if bands:
        band_frame = pd.DataFrame([{"label": b.label, "low": b.low, "high": b.high} for b in bands])
        layers.append(
            alt.Chart(band_frame)
            .mark_rect(color=MUTED, opacity=0.15)
            .encode(y=alt.Y("low:Q", scale=y_scale), y2="high:Q")
        )
    layers.append(
        base.mark_area(opacity=0.2).encode(
            x=x, y=alt.Y("low:Q", scale=y_scale), y2="high:Q", color=colour
        )
    )
    layers.append(
        base.mark_line(point=True, strokeWidth=2).encode(
            x=x,
            y=alt.Y("value:Q", title=y_title, scale=y_scale, axis=alt.Axis(format=axis_format)),
            color=colour,
        )
    )
    if levels:
        level_frame = pd.DataFrame([{"label": v.label, "value": v.value} for v in levels])
        rule = alt.Chart(level_frame).encode(y="value:Q")
        layers.append(rule.mark_rule(color=INK, strokeDash=[6, 4]))
        layers.append(
            rule.mark_text(align="left", dx=4, dy=-6, color=INK, x=0).encode(text="label:N")
        )
    if markers:
        marker_frame = pd.DataFrame([{"on": m.on.isoformat(), "label": m.label} for m in markers])
        on = alt.X("on:T", scale=alt.Scale(type="utc"))
        marks = alt.Chart(marker_frame).encode(x=on)
        layers.append(marks.mark_rule(color=MUTED, strokeWidth=1.5))
        layers.append(
            marks.mark_text(align="left", dx=4, y=8, color=INK, angle=0).encode(text="label:N")
        )
    chart = alt.layer(*layers).properties(width=WIDTH, height=260)
    table = ChartTable(
        columns=["Week", "Series", "Value", "95% interval", "Contacts"],
        rows=[
            [
                p.period,
                p.series,
                fmt_value(p.value, percent),
                _interval(p.low, p.high, percent),
                "—" if p.n is None else str(p.n),
            ]
            for p in points
        ],
    )
    # The band, lines and markers are figures too: the table names them after the points.
    every = "every week"
    extra = [[every, b.label, "—", _interval(b.low, b.high, percent), "—"] for b in bands]
    extra += [[every, v.label, fmt_value(v.value, percent), "—", "—"] for v in levels]
    extra += [[m.on.isoformat(), m.label, "—", "—", "—"] for m in markers]
    full = ChartTable(columns=table.columns, rows=table.rows + extra)
    return render_chart(key, title, description, chart, full)


@dataclass(frozen=True)
class LinePoint:
    """One series' value at one step of an ordered axis (e.g. a readiness score per cycle)."""

    step: str
    series: str
    value: float | None


def line_trend(
    key: str,
    title: str,
    description: str,
    points: Sequence[LinePoint],
    *,
    y_title: str,
    domain: tuple[float, float] | None = None,
) -> Chart:
    """Each series as a line over the steps, in the order the steps first appear."""
    steps = list(dict.fromkeys(p.step for p in points))
    series = list(dict.fromkeys(p.series for p in points))
    frame = pd.DataFrame(
        {
            "step": [p.step for p in points],
            "series": [p.series for p in points],
            "value": [p.value for p in points],
        },
        columns=["step", "series", "value"],
    )
    scale = alt.Scale(domain=list(domain)) if domain else alt.Scale(zero=False)
    chart = (
        alt.Chart(frame)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("step:O", title=None, sort=steps, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=y_title, scale=scale),
            color=alt.Color("series:N", title=None, scale=colour_scale(series)),
        )
        .properties(width=WIDTH, height=220)
    )
    table = ChartTable(
        columns=["Step", "Series", "Value"],
        rows=[[p.step, p.series, fmt_value(p.value, False)] for p in points],
    )
    return render_chart(key, title, description, chart, table)


def _interval(low: float | None, high: float | None, percent: bool) -> str:
    if low is None or high is None:
        return "—"
    return f"[{fmt_value(low, percent)}, {fmt_value(high, percent)}]"
