"""A metric's weekly trend for one deployment: the AI and humans with their intervals, and
what a reader measures them against (frozen baselines, thresholds, model-version switches).

The weeks come from the same cell table and roll-up as a monitoring run; each week's interval
is the run's one-sided interval (``domain.monitoring.counts.interval``: Wilson for a rate,
t for a mean) over that week's contacts, taken as independent. A run's AI-human comparisons
also widen for day-to-day over-dispersion; a single week has too few days to estimate it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import Field

from cxsteward.domain import metrics as m
from cxsteward.domain.monitoring.counts import interval
from cxsteward.domain.monitoring.groups import counts_at, kind_of
from cxsteward.domain.thresholds import Threshold
from cxsteward.errors import GovernanceNotFound, Invalid, NotFound
from cxsteward.services.contract import Result
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.monitoring.metrics import compute_cells
from cxsteward.services.monitoring.thresholds import list_thresholds
from cxsteward.services.monitoring.trend_references import (
    Bounds,
    ModelSwitchOut,
    TrendBaselineOut,
    TrendThresholdOut,
    baselines_of,
    finite,
    thresholds_of,
)
from cxsteward.services.monitoring.versions import registry_versions
from cxsteward.services.workspace import Workspace

MAX_WEEKS = 520
DEFAULT_KEY_METRICS = (
    "first_contact_resolution",
    "csat_satisfied_rate",
    "complaint_rate",
    "escalation_rate",
)


class TrendPointOut(Result):
    """One handler's value of the metric in one ISO week."""

    week: str = Field(description='The ISO week, e.g. "2025-W07".')
    start: date = Field(description="The week's Monday.")
    handler: str = Field(description='"ai" or "human".')
    value: float | None = Field(description="The metric; null without contacts to measure.")
    ci: Bounds = Field(description="95% interval (Wilson for a rate, t for a mean).")
    n: int = Field(description="Contacts the value rests on.")
    sufficient: bool = Field(description="Whether n reaches the metric's minimum.")


class TrendOut(Result):
    """One metric of one deployment per ISO week, with its reference lines."""

    deployment: str
    metric: str
    description: str = Field(description="What the metric measures.")
    kind: str = Field(description='"rate", "mean" or "count".')
    unit: str = Field(description='e.g. "share", "seconds".')
    direction: str = Field(description="higher_is_better, higher_is_worse or neutral.")
    weeks: list[str] = Field(description="The ISO weeks shown, oldest first.")
    points: list[TrendPointOut] = Field(description="Per week, the AI then humans.")
    baselines: list[TrendBaselineOut]
    thresholds: list[TrendThresholdOut]
    model_switches: list[ModelSwitchOut]


def metric_trend(ws: Workspace, deployment: str, metric: str, weeks: int | None = None) -> TrendOut:
    """The metric per ISO week for the AI and humans of ``deployment``, its last ``weeks``
    weeks with contacts (all of them by default), with baselines, thresholds and switches.

    Raises:
        NotFound: no such metric, no contacts loaded, or no contact of that deployment.
        Invalid: ``weeks`` is below 1 or above 520.
    """
    return metric_trends(ws, deployment, [metric], weeks)[0]


def metric_trends(
    ws: Workspace,
    deployment: str,
    metrics: Sequence[str],
    weeks: int | None = None,
    *,
    cells: m.CellTable | None = None,
) -> list[TrendOut]:
    """:func:`metric_trend` for several metrics at once, over one pass of the store
    (``cells``: the store's cell table when the caller already holds it, as the committee
    pack does for every deployment)."""
    specs = [m.metric(name) for name in metrics]
    if weeks is not None and not 1 <= weeks <= MAX_WEEKS:
        raise Invalid(f"weeks must be between 1 and {MAX_WEEKS} (given {weeks}).")
    if cells is None:
        cells = compute_cells(ws)
    mine = cells.deployment == deployment
    if not mine.any():
        known = ", ".join(sorted({str(d) for d in cells.deployment.tolist() if d is not None}))
        raise NotFound(
            f"No contacts of deployment {deployment!r}; the data has: {known or 'none'}."
        )
    totals = m.roll_up(_only(cells, mine), m.Window.WEEK)
    labels = [m.window_label(int(s), int(s) + 6, m.Window.WEEK) for s in totals.start]
    shown = sorted(set(labels))[-weeks:] if weeks else sorted(set(labels))
    rules = list_thresholds(ws)
    switches = [
        ModelSwitchOut(on=v.effective_from, model=v.model, version=v.version)
        for v in registry_versions(ws).get(deployment, [])
    ]
    return [_trend(ws, spec, deployment, totals, labels, shown, rules, switches) for spec in specs]


def key_metrics(ws: Workspace) -> list[str]:
    """The governance file's key metrics that compare the AI with humans, in its order; the
    usual four (resolution, satisfaction, complaints, escalations) when it names none."""
    try:
        declared = current_governance(ws).key_metrics
    except GovernanceNotFound:
        declared = []
    compared = [
        name
        for name in dict.fromkeys(declared)
        if name in m.METRIC_NAMES and "human" in m.metric(name).handlers
    ]
    return compared or list(DEFAULT_KEY_METRICS)


def _trend(
    ws: Workspace,
    spec: m.MetricSpec,
    deployment: str,
    totals: m.WindowTotals,
    labels: list[str],
    shown: list[str],
    rules: list[Threshold],
    switches: list[ModelSwitchOut],
) -> TrendOut:
    values = m.metric_values(totals, spec)
    points: list[TrendPointOut] = []
    for handler in ("ai", "human"):
        for i in range(len(totals)):
            if str(totals.handler[i]) != handler or labels[i] not in shown:
                continue
            if not values.applicable[i]:
                continue
            start = m.day_date(int(totals.start[i]))
            points.append(_point(spec, values, i, handler, labels[i], start))
    return TrendOut(
        deployment=deployment,
        metric=spec.name,
        description=spec.description,
        kind=spec.kind.value,
        unit=spec.unit,
        direction=spec.direction.value,
        weeks=shown,
        points=points,
        baselines=baselines_of(ws, spec, deployment),
        thresholds=thresholds_of(rules, spec, deployment, ws),
        model_switches=switches,
    )


def _only(cells: m.CellTable, mask: m.BoolArray) -> m.CellTable:
    return m.CellTable(
        slice=cells.slice[mask],
        day=cells.day[mask],
        handler=cells.handler[mask],
        deployment=cells.deployment[mask],
        model_version=cells.model_version[mask],
        segments={k: v[mask] for k, v in cells.segments.items()},
        stats={k: v[mask] for k, v in cells.stats.items()},
    )


def _point(
    spec: m.MetricSpec, values: m.MetricValues, i: int, handler: str, week: str, start: date
) -> TrendPointOut:
    n = int(values.n[i])
    estimate = finite(float(values.estimate[i]))
    ci: Bounds = (None, None)
    if spec.kind is not m.MetricKind.COUNT and n > 1:
        found = interval(kind_of(spec), counts_at(values, [i]))
        ci = (finite(float(found.low[0])), finite(float(found.high[0])))
    return TrendPointOut(
        week=week,
        start=start,
        handler=handler,
        value=estimate,
        ci=ci,
        n=n,
        sufficient=bool(values.sufficient[i]),
    )
