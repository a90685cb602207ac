"""What a metric's trend is measured against: the frozen baselines (bands), the thresholds
that watch it (lines where they breach at a fixed value) and the model versions (markers)."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
from pydantic import Field
from sqlalchemy import select

from cxsteward.domain import metrics as m
from cxsteward.domain.monitoring.counts import Counts, interval
from cxsteward.domain.monitoring.groups import kind_of
from cxsteward.domain.thresholds import Comparator, Threshold
from cxsteward.registry.tables_monitor import BaselineRecord
from cxsteward.services.contract import Result
from cxsteward.services.workspace import Workspace

Bounds = tuple[float | None, float | None]


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


def baselines_of(ws: Workspace, spec: m.MetricSpec, deployment: str) -> list[TrendBaselineOut]:
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
                ci = (finite(float(band.low[0])), finite(float(band.high[0])))
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


def thresholds_of(
    rules: list[Threshold], spec: m.MetricSpec, deployment: str, ws: Workspace
) -> list[TrendThresholdOut]:
    watching = [r for r in rules if r.metric == spec.name and r.deployment in (None, deployment)]
    baselines = {b.name: b for b in baselines_of(ws, spec, deployment)} if watching else {}
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


def finite(value: float) -> float | None:
    return value if np.isfinite(value) else None
