"""A funnel plot: each unit's rate against its size, with the limits it is judged against."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd

from cxsteward.reports.charts import INK, WIDTH, Chart, ChartTable, fmt_value, render_chart

FLAG_COLOURS = {"above": "#D55E00", "below": "#0072B2", "within": "#52606d"}


@dataclass(frozen=True)
class FunnelPoint:
    """One unit (a team, an agent): its rate at size n, its limits and its flag."""

    label: str
    n: int
    rate: float
    low: float | None
    high: float | None
    target: float | None
    flag: str


def funnel_chart(
    key: str, title: str, description: str, points: Sequence[FunnelPoint], *, y_title: str
) -> Chart:
    """Each unit as a dot at (n, rate), coloured by its flag, with a vertical bar for the
    limits it is judged against and a tick at its peers' rate: the funnel drawn unit by unit,
    as each unit has its own (the others') funnel."""
    frame = pd.DataFrame(
        {
            "label": [p.label for p in points],
            "n": [p.n for p in points],
            "rate": [p.rate for p in points],
            "low": [p.low for p in points],
            "high": [p.high for p in points],
            "target": [p.target for p in points],
            "flag": [p.flag for p in points],
        },
        columns=["label", "n", "rate", "low", "high", "target", "flag"],
    )
    x = alt.X("n:Q", title="Contacts (n)", scale=alt.Scale(type="log", nice=False))
    colour = alt.Color(
        "flag:N",
        title=None,
        scale=alt.Scale(domain=list(FLAG_COLOURS), range=list(FLAG_COLOURS.values())),
    )
    base = alt.Chart(frame)
    layers = [
        base.mark_rule(color=INK, opacity=0.35, strokeWidth=3).encode(x=x, y="low:Q", y2="high:Q"),
        base.mark_tick(color=INK, thickness=1, size=14).encode(x=x, y="target:Q"),
        base.mark_point(filled=True, size=90).encode(
            x=x,
            y=alt.Y("rate:Q", title=y_title, axis=alt.Axis(format=".0%")),
            color=colour,
        ),
        base.mark_text(align="left", dx=7, color=INK).encode(x=x, y="rate:Q", text="label:N"),
    ]
    chart = alt.layer(*layers).properties(width=WIDTH, height=300)
    table = ChartTable(
        columns=["Unit", "Contacts", "Rate", "Peers' rate", "Limits", "Flag"],
        rows=[
            [
                p.label,
                f"{p.n:,}",
                fmt_value(p.rate, True),
                fmt_value(p.target, True),
                "—"
                if p.low is None or p.high is None
                else f"[{fmt_value(p.low, True)}, {fmt_value(p.high, True)}]",
                p.flag,
            ]
            for p in points
        ],
    )
    return render_chart(key, title, description, chart, table)
