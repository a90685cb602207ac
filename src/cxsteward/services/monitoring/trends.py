"""A metric's weekly trend for one deployment: the AI and humans with their intervals, and
what a reader measures them against (frozen baselines, thresholds, model-version switches).

The weeks come from the same cell table and roll-up as a monitoring run; each week's interval
is the run's one-sided interval (``domain.monitoring.counts.interval``: Wilson for a rate,
t for a mean) over that week's contacts, taken as independent. A run's AI-human comparisons
also widen for day-to-day over-dispersion; a single week has too few days to estimate it.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
from pydantic import Field
from sqlalchemy import select

from cxsteward.domain import metrics as m
from cxsteward.domain.monitoring.counts import Counts, interval
from cxsteward.domain.monitoring.groups import counts_at, kind_of
from cxsteward.domain.thresholds import Comparator, Threshold
from cxsteward.errors import Invalid, NotFound
from cxsteward.registry.tables_monitor import BaselineRecord
from cxsteward.services.contract import Result
from cxsteward.services.monitoring.metrics import compute_cells
from cxsteward.services.monitoring.thresholds import list_thresholds
from cxsteward.services.monitoring.versions import registry_versions
from cxsteward.services.workspace import Workspace

MAX_WEEKS = 520
Bounds = tuple[float | None, float | None]


class TrendPointOut(Result):
    """One handler's value of the metric in one ISO week."""

    week: str = Field(description='The ISO week, e.g. "2025-W07".')
    start: date = Field(description="The week's Monday.")
    handler: str = Field(description='"ai" or "human".')
    value: float | None = Field(description="The metric; null without contacts to measure.")
    ci: Bounds = Field(description="95% interval (Wilson for a rate, t for a mean).")
    n: int = Field(description="Contacts the value rests on.")
    sufficient: bool = Field(description="Whether n reaches the metric's minimum.")


class TrendBaselineOut(Result):
    """A frozen baseline's value of the metric for the deployment (over all its contacts)."""

    name: str
    handler: str = Field(description="Whose contacts were frozen: human or ai.")
    date_from: date
    date_to: date
    frozen_at: datetime
    value: float | None
    ci: Bounds = Field(description="95% interval of the frozen value (the band).")
    n: int


class TrendThresholdOut(Result):
    """A threshold in force on the metric for the deployment."""

    id: str
    rule: str = Field(description="The threshold in words.")
    compare_to: str = Field(description="human, baseline, previous_model or absolute.")
    direction: str = Field(description="below or above: which side is a breach.")
    severity: str
    segment: dict[str, str] = Field(description="Segment it watches; empty for all contacts.")
    level: float | None = Field(
        description="Where the AI breaches, in the metric's unit, when that is one fixed "
        "value (an absolute limit, or a fixed gap to a frozen baseline over all contacts); "
        "null when it moves with humans or with the previous model."
    )


class ModelSwitchOut(Result):
    """A model version taking effect for the deployment, from the governance registry."""

    on: date = Field(description="The day it took effect.")
    model: str
    version: str


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


def metric_trend(
    ws: Workspace,
    deployment: str,
    metric: str,
    weeks: int | None = None,
    cells: m.CellTable | None = None,
) -> TrendOut:
    """The metric per ISO week for the AI and humans of ``deployment``, its last ``weeks``
    weeks with contacts (all of them by default), with baselines, thresholds and switches.

    ``cells`` is the store's overall cell table when the caller already holds it (the pack
    draws several metrics from one).

    Raises:
        NotFound: no such metric, no contacts loaded, or no contact of that deployment.
        Invalid: ``weeks`` is below 1 or above 520.
    """
    spec = m.metric(metric)
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
    values = m.metric_values(totals, spec)
    labels = [m.window_label(int(s), int(s) + 6, m.Window.WEEK) for s in totals.start]
    shown = sorted(set(labels))[-weeks:] if weeks else sorted(set(labels))
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
        baselines=_baselines(ws, spec, deployment),
        thresholds=_thresholds(list_thresholds(ws), spec, deployment, ws),
        model_switches=[
            ModelSwitchOut(on=v.effective_from, model=v.model, version=v.version)
            for v in registry_versions(ws).get(deployment, [])
        ],
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
    estimate = _finite(float(values.estimate[i]))
    ci: Bounds = (None, None)
    if spec.kind is not m.MetricKind.COUNT and n > 1:
        found = interval(kind_of(spec), counts_at(values, [i]))
        ci = (_finite(float(found.low[0])), _finite(float(found.high[0])))
    return TrendPointOut(
        week=week,
        start=start,
        handler=handler,
        value=estimate,
        ci=ci,
        n=n,
        sufficient=bool(values.sufficient[i]),
    )


def _baselines(ws: Workspace, spec: m.MetricSpec, deployment: str) -> list[TrendBaselineOut]:
    """Each baseline's value over all the deployment's contacts, with its interval."""
    found: list[TrendBaselineOut] = []
    query = select(BaselineRecord).order_by(BaselineRecord.created_at, BaselineRecord.id)
    with ws.transaction() as session:
        for record in session.scalars(query):
            value = next(
                (
                    v
                    for v in record.values
                    if v.metric == spec.name and v.deployment == deployment and v.slice == m.OVERALL
                ),
                None,
            )
            if value is None:
                continue
            ci: Bounds = (None, None)
            if value.n > 1:
                counts = Counts(
                    n=np.asarray([value.n]),
                    successes=_array(value.successes),
                    total=_array(value.total),
                    total_sq=_array(value.total_sq),
                )
                band = interval(kind_of(spec), counts)
                ci = (_finite(float(band.low[0])), _finite(float(band.high[0])))
            found.append(
                TrendBaselineOut(
                    name=record.name,
                    handler=record.handler,
                    date_from=record.date_from,
                    date_to=record.date_to,
                    frozen_at=record.created_at,
                    value=value.estimate,
                    ci=ci,
                    n=int(value.n),
                )
            )
    return found


def _thresholds(
    rules: list[Threshold], spec: m.MetricSpec, deployment: str, ws: Workspace
) -> list[TrendThresholdOut]:
    watching = [r for r in rules if r.metric == spec.name and r.deployment in (None, deployment)]
    baselines = {b.name: b for b in _baselines(ws, spec, deployment)} if watching else {}
    return [
        TrendThresholdOut(
            id=r.id,
            rule=r.describe(),
            compare_to=r.compare_to.value,
            direction=r.direction.value,
            severity=r.severity.value,
            segment=dict(r.segment),
            level=_level(r, spec, baselines),
        )
        for r in watching
    ]


def _level(
    rule: Threshold, spec: m.MetricSpec, baselines: dict[str, TrendBaselineOut]
) -> float | None:
    """The fixed value the AI breaches at, where the rule has one (see TrendThresholdOut)."""
    if rule.segment:
        return None
    if rule.compare_to is Comparator.ABSOLUTE:
        return rule.value
    frozen = baselines.get(rule.baseline or "")
    if rule.compare_to is not Comparator.BASELINE or frozen is None or frozen.value is None:
        return None
    sign = -1.0 if rule.direction.value == "below" else 1.0
    if rule.ratio is not None:
        return frozen.value * rule.ratio
    if rule.points is None:
        return None
    # Points are percentage points for a rate, the metric's own unit for a mean (as judged).
    size = rule.points / 100 if spec.kind is m.MetricKind.RATE else rule.points
    return frozen.value + sign * size


def _array(value: float | None) -> m.FloatArray | None:
    return None if value is None else np.asarray([value], dtype=np.float64)


def _finite(value: float) -> float | None:
    return value if np.isfinite(value) else None
