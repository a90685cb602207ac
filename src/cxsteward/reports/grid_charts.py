"""Charts of categories: bars side by side, and a grid of verdicts (metrics x segments)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import altair as alt
import pandas as pd

from cxsteward.reports.charts import (
    INK,
    WIDTH,
    Chart,
    ChartTable,
    colour_scale,
    render_chart,
)

Verdict = Literal["better", "level", "worse", "too_few"]
VERDICTS: tuple[Verdict, ...] = ("better", "level", "worse", "too_few")
VERDICT_WORDS: dict[str, str] = {
    "better": "AI better",
    "level": "level",
    "worse": "AI worse",
    "too_few": "too few contacts",
}
# Okabe-Ito bluish green and vermillion; grey for level, near-white for too few.
_VERDICT_COLOURS = ("#009E73", "#c9ced6", "#D55E00", "#f4f5f7")


@dataclass(frozen=True)
class BarValue:
    """One bar: a series' value in a category (None: no figure, said in words)."""

    category: str
    series: str
    value: float | None


def grouped_bars(
    key: str,
    title: str,
    description: str,
    bars: Sequence[BarValue],
    *,
    x_title: str,
    domain: tuple[float, float] | None = None,
    missing: str = "no figure",
) -> Chart:
    """Horizontal bars, one row per category and one bar per series within it, each bar
    labelled with its value; a bar without a value is the word ``missing`` instead."""
    categories = list(dict.fromkeys(b.category for b in bars))
    series = list(dict.fromkeys(b.series for b in bars))
    frame = pd.DataFrame(
        {
            "category": [b.category for b in bars],
            "series": [b.series for b in bars],
            "value": [0.0 if b.value is None else b.value for b in bars],
            "label": [missing if b.value is None else f"{b.value:.1f}" for b in bars],
            "shown": [b.value is not None for b in bars],
        },
        columns=["category", "series", "value", "label", "shown"],
    )
    scale = alt.Scale(domain=list(domain)) if domain else alt.Scale()
    y = alt.Y("category:N", title=None, sort=categories, axis=alt.Axis(labelLimit=220))
    offset = alt.YOffset("series:N", sort=series)
    base = alt.Chart(frame).encode(y=y, yOffset=offset)
    bars_layer = (
        base.transform_filter("datum.shown")
        .mark_bar(stroke=INK, strokeWidth=0.5)
        .encode(
            x=alt.X("value:Q", title=x_title, scale=scale),
            color=alt.Color("series:N", title=None, scale=colour_scale(series)),
        )
    )
    labels = base.mark_text(align="left", dx=4, color=INK, fontSize=11).encode(
        x=alt.X("value:Q", scale=scale), text="label:N"
    )
    per_row = 18 * max(len(series), 1) + 10
    chart = alt.layer(bars_layer, labels).properties(
        width=WIDTH - 200, height=alt.Step(per_row / max(len(series), 1))
    )
    table = ChartTable(
        columns=["Category", "Series", "Value"],
        rows=[
            [b.category, b.series, missing if b.value is None else f"{b.value:.1f}"] for b in bars
        ],
    )
    return render_chart(key, title, description, chart, table)


@dataclass(frozen=True)
class HeatCell:
    """One cell of a verdict grid: its row, its column, its verdict and the text it shows."""

    row: str
    column: str
    verdict: Verdict
    label: str


def heatmap(
    key: str,
    title: str,
    description: str,
    cells: Sequence[HeatCell],
    *,
    row_title: str,
    column_title: str,
) -> Chart:
    """A grid coloured by verdict (better, level, worse, too few), each cell with its text;
    rows and columns in the order they first appear."""
    rows = list(dict.fromkeys(c.row for c in cells))
    columns = list(dict.fromkeys(c.column for c in cells))
    frame = pd.DataFrame(
        {
            "row": [c.row for c in cells],
            "column": [c.column for c in cells],
            "verdict": [VERDICT_WORDS[c.verdict] for c in cells],
            "label": [c.label for c in cells],
        },
        columns=["row", "column", "verdict", "label"],
    )
    words = [VERDICT_WORDS[v] for v in VERDICTS]
    base = alt.Chart(frame).encode(
        x=alt.X(
            "column:N",
            title=column_title,
            sort=columns,
            axis=alt.Axis(orient="top", labelAngle=0, labelLimit=160),
        ),
        y=alt.Y("row:N", title=row_title, sort=rows, axis=alt.Axis(labelLimit=220)),
    )
    grid = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "verdict:N",
            title=None,
            scale=alt.Scale(domain=words, range=list(_VERDICT_COLOURS)),
            legend=alt.Legend(values=words, symbolStrokeColor=INK, symbolStrokeWidth=0.5),
        )
    )
    text = base.mark_text(color=INK, fontSize=10).encode(text="label:N")
    # Wide enough for the longest cell text at 10 px (about 6 px a character).
    longest = max((len(c.label) for c in cells), default=0)
    step = max(120, min(220, 6 * longest + 16))
    chart = alt.layer(grid, text).properties(width=alt.Step(step), height=alt.Step(34))
    table = ChartTable(
        columns=[row_title, column_title, "Verdict", "Figure"],
        rows=[[c.row, c.column, VERDICT_WORDS[c.verdict], c.label] for c in cells],
    )
    return render_chart(key, title, description, chart, table)
