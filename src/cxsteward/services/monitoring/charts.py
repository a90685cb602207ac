"""The monitoring read models drawn as charts, for the pages and the committee pack."""

from __future__ import annotations

from cxsteward.domain import metrics as m
from cxsteward.reports.charts import Chart, chart_key
from cxsteward.reports.grid_charts import HeatCell, heatmap
from cxsteward.reports.trend_charts import Band, Level, Marker, TrendPoint, trend_chart
from cxsteward.services.monitoring.scorecard import ScorecardOut
from cxsteward.services.monitoring.trends import TrendOut

HANDLER_NAMES = {"ai": "AI", "human": "Humans"}


def metric_title(metric: str) -> str:
    """A metric's name for a heading: 'first_contact_resolution' -> 'First contact resolution'."""
    return metric.replace("_", " ").capitalize()


def trend_figure(trend: TrendOut, key: str | None = None) -> Chart:
    """The trend as a chart: AI and humans per week with intervals, the frozen baselines as
    bands, thresholds with a fixed level as dashed lines, model switches as markers."""
    percent = trend.kind == m.MetricKind.RATE.value
    points = [
        TrendPoint(
            start=p.start,
            period=p.week,
            series=HANDLER_NAMES.get(p.handler, p.handler),
            value=p.value,
            low=p.ci[0],
            high=p.ci[1],
            n=p.n,
        )
        for p in trend.points
    ]
    bands = [
        Band(f"Baseline {b.name} ({b.handler})", b.ci[0], b.ci[1])
        for b in trend.baselines
        if b.ci[0] is not None and b.ci[1] is not None
    ]
    levels = [
        Level(f"{t.id} ({t.severity})", t.level) for t in trend.thresholds if t.level is not None
    ]
    # A version in effect since before the first week is no switch within the chart's weeks.
    first = min((p.start for p in trend.points), default=None)
    markers = [
        Marker(s.on, f"{s.model} {s.version}")
        for s in trend.model_switches
        if first is not None and s.on > first
    ]
    name = metric_title(trend.metric)
    return trend_chart(
        key or chart_key("trend", trend.deployment, trend.metric),
        f"{name}, {trend.deployment}: AI and humans per week",
        f"{trend.description} One line per handler with its 95% interval shaded"
        + (", the frozen baseline as a grey band" if bands else "")
        + (", thresholds as dashed lines" if levels else "")
        + (", model-version switches as vertical lines" if markers else "")
        + ".",
        points,
        y_title=name,
        percent=percent,
        bands=bands,
        levels=levels,
        markers=markers,
    )


def scorecard_figure(card: ScorecardOut, key: str | None = None) -> Chart:
    """The scorecard as a heatmap, each cell's verdict and effect: metrics by segments, or
    segments by metrics when there are more segments than metrics (a tall grid reads; a wide
    one does not fit a page)."""
    tall = len(card.segments) > len(card.metrics)
    cells = [
        HeatCell(
            c.segment if tall else metric_title(c.metric),
            metric_title(c.metric) if tall else c.segment,
            c.verdict,
            c.label,
        )
        for c in card.cells
    ]
    if tall:
        cells.sort(key=lambda cell: card.segments.index(cell.row))
    return heatmap(
        key or chart_key("scorecard", card.deployment),
        f"AI against humans, {card.deployment} (run {card.run_id})",
        "Each cell compares the AI with humans on one metric in one segment: green where the "
        "AI is better for customers, orange where it is worse (the 95% interval excludes no "
        "difference), grey where the two are level, pale where there were too few contacts. "
        "Rates in percentage points.",
        cells,
        row_title="Segment" if tall else "Metric",
        column_title="Metric" if tall else "Segment",
    )
