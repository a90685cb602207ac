"""What each model-version switch of a deployment changed, metric by metric (C6, C10).

A switch is a model version of the governance registry with its ``effective_from`` day.
For each key metric the AI's figure in the days before the switch is compared with the same
number of days after it (``WINDOW_DAYS`` each side, fewer when the data, or the previous or
next switch, leave fewer), with the intervals the monitor uses (Newcombe for rates, Welch
for means, the ratio of geometric means for handle time) and Benjamini-Hochberg q-values
across the deployment's comparisons. The latest run's ``model_change`` findings of the
deployment are attached to their switch; a change the run saw with no switch recorded is
listed apart, as ``unannounced``.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
from pydantic import Field

from cxsteward.domain.governance.spec import ModelVersion
from cxsteward.domain.metrics import (
    CATALOGUE,
    OVERALL,
    CellTable,
    MetricKind,
    MetricSpec,
    Window,
    WindowTotals,
    day_number,
    metric_label,
    metric_values,
)
from cxsteward.domain.monitoring.comparisons import is_worse
from cxsteward.domain.monitoring.counts import compare
from cxsteward.domain.monitoring.groups import counts_at, kind_of
from cxsteward.domain.monitoring.localized import finite_or_none
from cxsteward.domain.stats import benjamini_hochberg
from cxsteward.errors import DeploymentNotFound
from cxsteward.services.contract import Result
from cxsteward.services.data.source import NoContacts
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.monitoring.metrics import compute_cells
from cxsteward.services.monitoring.runs import FindingOut, latest_run, run_findings
from cxsteward.services.workspace import Workspace

WINDOW_DAYS = 28
ALPHA = 0.05
Interval = tuple[float | None, float | None]


class MetricChangeOut(Result):
    """One metric of the AI before and after one switch."""

    metric: str
    label: str = Field(description="The metric in plain words.")
    kind: str = Field(description='"rate" (a share) or "mean".')
    before: float | None
    after: float | None
    n_before: int
    n_after: int
    difference: float | None = Field(description="After minus before.")
    ci: Interval = Field(description="Interval of the difference at the alpha of the result.")
    ratio: float | None = Field(description="After over before (rates and handle time).")
    p_value: float | None
    q_value: float | None = Field(description="BH-adjusted across the deployment's switches.")
    sufficient: bool = Field(description="Both sides hold the metric's minimum of contacts.")
    significant: bool = Field(description="Sufficient, with a q-value at or below alpha.")
    worse: bool = Field(description="The change goes the way the metric's direction calls worse.")


class SwitchOut(Result):
    """One model-version switch and what it changed."""

    model: str
    version: str
    effective_from: date
    previous: str | None = Field(description="The version it replaced.")
    days: int = Field(
        description="Days compared on each side (0: no contacts on a side, or none loaded)."
    )
    before_from: date | None
    before_to: date | None
    after_from: date | None
    after_to: date | None
    metrics: list[MetricChangeOut]
    findings: list[FindingOut] = Field(
        description="The latest run's model_change findings for this switch."
    )


class ModelChangesOut(Result):
    """Every model-version switch of a deployment, oldest first."""

    deployment: str
    alpha: float
    window_days: int = Field(description="The longest window compared on each side.")
    run_id: int | None = Field(description="The latest run, whose findings are attached.")
    switches: list[SwitchOut]
    unannounced: list[FindingOut] = Field(
        description="Changes the latest run saw in the AI with no version switch recorded."
    )


def model_changes(ws: Workspace, deployment: str) -> ModelChangesOut:
    """What each model-version switch of ``deployment`` changed in its key metrics.

    Raises:
        GovernanceNotFound: no governance has been applied yet.
        DeploymentNotFound: the registry has no such deployment.
    """
    gov = current_governance(ws)
    dep = gov.deployment(deployment)
    if dep is None:
        known = ", ".join(d.key for d in gov.deployments) or "none"
        raise DeploymentNotFound(f"No deployment {deployment!r}; known deployments: {known}.")
    versions = sorted(dep.models, key=lambda m: m.effective_from)
    specs = _key_metrics(list(gov.key_metrics))
    run = latest_run(ws)
    found = [
        f
        for f in (run_findings(ws, run.id) if run else [])
        if f.kind == "model_change" and f.deployment == deployment
    ]
    switches = list(zip(versions, versions[1:], strict=False))
    out: list[SwitchOut] = []
    for i, (before, after) in enumerate(switches):
        following = switches[i + 1][1].effective_from if i + 1 < len(switches) else None
        cells = _cells(ws, after.effective_from)
        out.append(_switch(cells, deployment, before, after, following, specs, found))
    return ModelChangesOut(
        deployment=deployment,
        alpha=ALPHA,
        window_days=WINDOW_DAYS,
        run_id=run.id if run else None,
        switches=_with_q_values(out),
        unannounced=[f for f in found if not f.model_versions],
    )


def _key_metrics(names: list[str]) -> list[MetricSpec]:
    """The governance's key metrics the AI is measured on; every such metric when none."""
    usable = [m for m in CATALOGUE if m.kind is not MetricKind.COUNT and "ai" in m.handlers]
    chosen = [m for m in usable if m.name in names]
    return chosen or usable


def _cells(ws: Workspace, switch: date) -> CellTable | None:
    """The overall cells of the days around one switch; None while there are no contacts."""
    span = timedelta(days=WINDOW_DAYS)
    try:
        # Only the days a switch can compare are read, however far apart the switches lie.
        return compute_cells(ws, (), switch - span, switch + span)
    except NoContacts:
        return None


def _switch(
    cells: CellTable | None,
    deployment: str,
    before: ModelVersion,
    after: ModelVersion,
    following: date | None,
    specs: list[MetricSpec],
    found: list[FindingOut],
) -> SwitchOut:
    start = day_number(after.effective_from)
    mask = np.zeros(0, dtype=bool)
    days = 0
    if cells is not None:
        mask = (cells.slice == OVERALL) & (cells.deployment == deployment) & (cells.handler == "ai")
        if mask.any():
            first, last = int(cells.day[mask].min()), int(cells.day[mask].max())
            floor = max(first, day_number(before.effective_from))
            ceiling = last if following is None else min(last, day_number(following) - 1)
            days = max(0, min(WINDOW_DAYS, start - floor, ceiling - start + 1))
    versions = [f"{before.model} {before.version}", f"{after.model} {after.version}"]
    labels = {before.version, after.version}
    if cells is None or days == 0:
        metrics = [_empty(spec) for spec in specs]
    else:
        totals = _two_sides(cells, mask, start, days)
        metrics = [_change(totals, spec) for spec in specs]
    first_day = after.effective_from
    span = timedelta(days=days)
    return SwitchOut(
        model=after.model,
        version=after.version,
        effective_from=first_day,
        previous=versions[0],
        days=days,
        before_from=first_day - span if days else None,
        before_to=first_day - timedelta(days=1) if days else None,
        after_from=first_day if days else None,
        after_to=first_day + span - timedelta(days=1) if days else None,
        metrics=metrics,
        findings=[f for f in found if f.model_versions and set(f.model_versions) == labels],
    )


def _two_sides(cells: CellTable, mask: np.ndarray, start: int, days: int) -> WindowTotals:
    """The AI's cells summed into row 0 (the days before) and row 1 (the days after)."""
    day = cells.day
    sides = [
        mask & (day >= start - days) & (day < start),
        mask & (day >= start) & (day < start + days),
    ]
    stats = {c: np.asarray([v[s].sum() for s in sides], np.float64) for c, v in cells.stats.items()}
    text = np.empty(2, dtype=object)
    text[:] = ["ai", "ai"]
    name = np.empty(2, dtype=object)
    name[:] = [OVERALL, OVERALL]
    starts = np.asarray([start - days, start], dtype=np.int64)
    return WindowTotals(
        window=Window.DAY,
        start=starts,
        end=starts + days - 1,
        slice=name,
        deployment=name,
        handler=text,
        model_version=None,
        segments={},
        stats=stats,
    )


def _change(totals: WindowTotals, spec: MetricSpec) -> MetricChangeOut:
    values = metric_values(totals, spec)
    compared = compare(kind_of(spec), counts_at(values, [1]), counts_at(values, [0]), ALPHA)
    difference = float(compared.difference.estimate[0])
    ratio = None if compared.ratio is None else float(compared.ratio.estimate[0])
    return MetricChangeOut(
        metric=spec.name,
        label=metric_label(spec.name),
        kind=spec.kind.value,
        before=finite_or_none(float(values.estimate[0])),
        after=finite_or_none(float(values.estimate[1])),
        n_before=int(values.n[0]),
        n_after=int(values.n[1]),
        difference=finite_or_none(difference),
        ci=(
            finite_or_none(float(compared.difference.low[0])),
            finite_or_none(float(compared.difference.high[0])),
        ),
        ratio=finite_or_none(ratio),
        p_value=finite_or_none(float(compared.difference.p_value[0])),
        q_value=None,
        sufficient=bool(values.sufficient.all()),
        significant=False,
        worse=math.isfinite(difference) and is_worse(spec, difference),
    )


def _empty(spec: MetricSpec) -> MetricChangeOut:
    return MetricChangeOut(
        metric=spec.name,
        label=metric_label(spec.name),
        kind=spec.kind.value,
        before=None,
        after=None,
        n_before=0,
        n_after=0,
        difference=None,
        ci=(None, None),
        ratio=None,
        p_value=None,
        q_value=None,
        sufficient=False,
        significant=False,
        worse=False,
    )


def _with_q_values(switches: list[SwitchOut]) -> list[SwitchOut]:
    """BH q-values over every sufficient comparison of the deployment; significance from them."""
    tested = [
        (i, j)
        for i, s in enumerate(switches)
        for j, m in enumerate(s.metrics)
        if m.sufficient and m.p_value is not None
    ]
    if not tested:
        return switches
    p = np.asarray([switches[i].metrics[j].p_value for i, j in tested], dtype=np.float64)
    q = dict(zip(tested, benjamini_hochberg(p).tolist(), strict=True))
    return [
        s.model_copy(
            update={
                "metrics": [
                    m
                    if (i, j) not in q
                    else m.model_copy(
                        update={"q_value": q[(i, j)], "significant": q[(i, j)] <= ALPHA}
                    )
                    for j, m in enumerate(s.metrics)
                ]
            }
        )
        for i, s in enumerate(switches)
    ]
