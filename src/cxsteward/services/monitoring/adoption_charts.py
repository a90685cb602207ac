"""The adoption read models drawn: funnel plots of the figures, a weekly trend per team."""

from __future__ import annotations

from collections.abc import Sequence

from cxsteward.reports.charts import Chart, chart_key
from cxsteward.reports.funnel_charts import FunnelPoint, funnel_chart
from cxsteward.reports.trend_charts import TrendPoint, trend_chart
from cxsteward.services.monitoring.adoption import AdoptionFigure, AdoptionWeek


def funnel_figure(figures: Sequence[AdoptionFigure], metric: str) -> Chart:
    """Override (or assist) rates of the teams or agents against their funnel limits."""
    override = metric == "override_rate"
    points = []
    for f in figures:
        rate = f.override_rate if override else f.assist_rate
        limits = f.limits if override else f.assist_limits
        if rate is None:
            continue
        points.append(
            FunnelPoint(
                label=f.agent or f.team,
                n=f.n if override else f.n_human - f.n_unknown,
                rate=rate,
                low=limits[0] if limits else None,
                high=limits[1] if limits else None,
                target=f.target if override else f.assist_target,
                flag=f.flag if override else f.assist_flag,
            )
        )
    unit = "agent" if figures and figures[0].agent is not None else "team"
    name = "Override rate" if override else "Assist rate"
    level = f"{figures[0].level:.1%}" if figures else ""
    peers = "the other agents of its team" if unit == "agent" else "the other teams"
    return funnel_chart(
        chart_key("funnel", unit, metric),
        f"{name} per {unit} against its funnel limits",
        f"Each {unit}'s {name.lower()} (dot) against its number of contacts (log scale), with "
        f"the {level} limits it is judged against as a grey bar and the rate of {peers} as a "
        "tick; limits allow for the usual spread between people (over-dispersion). Orange: "
        "above its limits; blue: below; grey: within.",
        points,
        y_title=name,
    )


def team_trend_figure(weeks: Sequence[AdoptionWeek], team: str, deployment: str) -> Chart:
    """One team's override and assist rates per ISO week, with 95% intervals."""
    mine = [w for w in weeks if w.team == team and w.deployment == deployment]
    points = []
    for w in mine:
        period = f"{w.week.isocalendar().year}-W{w.week.isocalendar().week:02d}"
        for series, value, ci, n in (
            ("Override rate", w.override_rate, w.ci, w.n),
            ("Assist rate", w.assist_rate, w.assist_ci, w.n_human),
        ):
            low, high = ci if ci else (None, None)
            points.append(TrendPoint(w.week, period, series, value, low, high, n))
    return trend_chart(
        chart_key("adoption-trend", deployment, team),
        f"Team {team} ({deployment}): assist and override rates per week",
        "Per ISO week, the share of the team's human contacts with a suggestion from the AI "
        "assistant (assist rate) and the share of those the agent overrode (override rate), "
        "each with its 95% Wilson interval shaded.",
        points,
        y_title="Share",
        percent=True,
    )
