"""A run's comparisons (filtered, paged) and its metric table per window."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import pyarrow.compute as pc
import pyarrow.parquet as pq

from cxsteward.domain import metrics as m
from cxsteward.domain.monitoring.counts import Kind
from cxsteward.domain.monitoring.groups import kind_of
from cxsteward.errors import Invalid
from cxsteward.services.monitoring.results import ComparisonOut, MetricRowOut
from cxsteward.services.monitoring.rows import RowFilter
from cxsteward.services.monitoring.runs import (
    COMPARISONS,
    METRICS,
    RunSummaryOut,
    artifact_path,
    artifacts_problem,
    read_stored,
    run_summary,
)
from cxsteward.services.workspace import Workspace

PER_PAGE = 50
OVERALL = "overall"


@dataclass(frozen=True)
class ComparisonLine:
    """A stored comparison as the run's page shows it: with its unit and its rows."""

    kind: str
    metric: str
    # "rate" (differences in points), "mean", "count", or "log" for a segment gap or segment
    # model change in handle time, compared as a difference of log times (a ratio of ratios).
    unit: str
    deployment: str
    scope: dict[str, str]
    sides: tuple[str, str]
    estimate: tuple[float | None, float | None]
    n: tuple[int, int]
    difference: float | None
    ci: tuple[float | None, float | None]
    ratio: float | None
    p_value: float | None
    q_value: float | None
    status: str
    model_versions: list[str]
    rows: RowFilter


@dataclass(frozen=True)
class ComparisonQuery:
    metric: str | None = None
    deployment: str | None = None
    # "column=value", or "overall" for the comparisons over all contacts.
    segment: str | None = None
    kind: str | None = None
    page: int = 1


@dataclass(frozen=True)
class ComparisonPage:
    query: ComparisonQuery
    items: list[ComparisonLine]
    total: int
    pages: int
    metrics: list[str]
    deployments: list[str]
    segments: list[str]
    kinds: list[str]
    # Half-width of the interval chart's axis per metric: one scale for all rows of a metric.
    spans: dict[str, float] = field(default_factory=dict)
    # The run's comparisons file is gone or unreadable: what to do about it.
    problem: str | None = None


@dataclass(frozen=True)
class MetricCell:
    value: float | None
    n: int
    sufficient: bool
    rows: RowFilter


@dataclass(frozen=True)
class MetricLine:
    deployment: str
    segment: dict[str, str]
    handler: str
    cells: list[MetricCell | None]


@dataclass(frozen=True)
class MetricTable:
    metric: str
    unit: str
    slice: str
    deployment: str | None
    windows: list[str]
    lines: list[MetricLine]
    metrics: list[str]
    slices: list[str]
    deployments: list[str]
    # The run's metric table file is gone or unreadable: what to do about it.
    problem: str | None = None


def run_comparisons(ws: Workspace, run_id: int, query: ComparisonQuery) -> ComparisonPage:
    """AI against humans (and segment gaps, model changes) of a run, filtered, strongest first.

    Raises:
        NotFound: no such run.
        Invalid: the page is past the last one.
    """
    run = run_summary(ws, run_id)
    stored = read_stored(ws, run, COMPARISONS, ComparisonOut)
    if stored is None:
        lost = artifacts_problem(ws, run, [COMPARISONS])
        return ComparisonPage(query, [], 0, 1, [], [], [OVERALL], [], problem=lost)
    days = run_days(ws, run)
    every = [_comparison(c, run, days) for c in stored]
    chosen = [c for c in every if _matches(c, query)]
    # Strongest evidence first; comparisons without a q-value (insufficient data) last.
    chosen.sort(key=lambda c: (c.q_value is None, c.q_value or 0.0, c.metric, c.deployment))
    pages = max(1, math.ceil(len(chosen) / PER_PAGE))
    if query.page > pages:
        raise Invalid(f"Page {query.page} is past the last page ({pages}) of these comparisons.")
    shown = chosen[(query.page - 1) * PER_PAGE : query.page * PER_PAGE]
    spans: dict[str, float] = {}
    for c in shown:
        reach = max((abs(v) for v in (*c.ci, c.difference) if v is not None), default=0.0)
        spans[c.metric] = max(spans.get(c.metric, 0.0), reach)
    return ComparisonPage(
        query=query,
        items=shown,
        total=len(chosen),
        pages=pages,
        metrics=sorted({c.metric for c in every}),
        deployments=sorted({c.deployment for c in every}),
        segments=[OVERALL, *sorted({_segment_text(c.scope) for c in every if c.scope})],
        kinds=sorted({c.kind for c in every}),
        spans={k: v or 1.0 for k, v in spans.items()},
    )


def run_metric_table(
    ws: Workspace,
    run_id: int,
    metric: str,
    slice_name: str = OVERALL,
    deployment: str | None = None,
) -> MetricTable:
    """One metric of a run per window (columns) and deployment, segment and handler (lines).

    Raises:
        NotFound: no such run, or no such metric.
    """
    spec = m.metric(metric)
    run = run_summary(ws, run_id)
    read = read_stored(ws, run, METRICS, MetricRowOut)
    stored = read or []
    windows = sorted({r.window for r in stored})
    index = {w: i for i, w in enumerate(windows)}
    lines: dict[tuple[str, str, str], MetricLine] = {}
    for r in stored:
        if r.metric != metric or r.slice != slice_name:
            continue
        if deployment is not None and r.deployment != deployment:
            continue
        key = (r.deployment, _segment_text(r.segment), r.handler)
        line = lines.setdefault(
            key, MetricLine(r.deployment, r.segment, r.handler, [None] * len(windows))
        )
        start, end = window_days(r.window)
        rows = RowFilter(
            deployment=r.deployment,
            handlers=(r.handler,),
            segment=tuple(sorted(r.segment.items())),
            day_from=start,
            day_to=end,
            metric=metric,
            through_load=run.through_load,
        )
        line.cells[index[r.window]] = MetricCell(r.value, r.n, r.sufficient, rows)
    return MetricTable(
        metric=metric,
        unit=_unit(spec),
        slice=slice_name,
        deployment=deployment,
        windows=windows,
        lines=[lines[k] for k in sorted(lines)],
        metrics=list(m.METRIC_NAMES),
        slices=sorted({r.slice for r in stored}, key=lambda s: (s != OVERALL, s)),
        deployments=sorted({r.deployment for r in stored}),
        problem=artifacts_problem(ws, run, [] if read is not None else [METRICS]),
    )


def run_days(ws: Workspace, run: RunSummaryOut) -> tuple[date | None, date | None]:
    """The first and last day of contacts a run looked at (its stored cell table's range)."""
    if run.date_from is not None and run.date_to is not None:
        return run.date_from, run.date_to
    path = artifact_path(ws, run, "cells.parquet")
    if not path.is_file():
        return run.date_from, run.date_to
    days = pq.read_table(path, columns=["day"]).column("day")
    if len(days) == 0:
        return run.date_from, run.date_to
    bounds: dict[str, int] = pc.min_max(days).as_py()
    return (
        run.date_from or m.day_date(int(bounds["min"])),
        run.date_to or m.day_date(int(bounds["max"])),
    )


def window_days(label: str) -> tuple[date, date]:
    """The first and last day of a window label: 2025-03-05, 2025-W10, 2025-03 or a..b.

    Raises:
        Invalid: the label is none of those.
    """
    try:
        if ".." in label:
            first, last = label.split("..", 1)
            return date.fromisoformat(first), date.fromisoformat(last)
        if "-W" in label:
            year, week = label.split("-W", 1)
            start = date.fromisocalendar(int(year), int(week), 1)
            return start, start + timedelta(days=6)
        if len(label) == 7:
            start = date.fromisoformat(f"{label}-01")
            following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
            return start, following - timedelta(days=1)
        day = date.fromisoformat(label)
        return day, day
    except ValueError as exc:
        raise Invalid(f"Window {label!r} is not a day, ISO week, month or range.") from exc


def _comparison(
    c: ComparisonOut, run: RunSummaryOut, days: tuple[date | None, date | None]
) -> ComparisonLine:
    spec = m.metric(c.metric)
    handlers = ("ai",) if c.kind in {"model_change", "segment_model_change"} else ("ai", "human")
    rows = RowFilter(
        deployment=c.deployment,
        handlers=handlers,
        segment=tuple(sorted(c.scope.items())),
        model_versions=tuple(c.model_versions),
        day_from=days[0],
        day_to=days[1],
        metric=spec.name,
        through_load=run.through_load,
    )
    interaction = c.kind in {"ai_segment_gap", "segment_model_change"}
    log = interaction and kind_of(spec) is Kind.LOG_MEAN
    return ComparisonLine(
        kind=c.kind,
        metric=spec.name,
        unit="log" if log else _unit(spec),
        deployment=c.deployment,
        scope=c.scope,
        sides=c.sides,
        estimate=c.estimate,
        n=c.n,
        difference=c.difference,
        ci=c.ci,
        ratio=c.ratio,
        p_value=c.p_value,
        q_value=c.q_value,
        status=c.status,
        model_versions=c.model_versions,
        rows=rows,
    )


def _matches(c: ComparisonLine, query: ComparisonQuery) -> bool:
    if query.metric and c.metric != query.metric:
        return False
    if query.deployment and c.deployment != query.deployment:
        return False
    if query.kind and c.kind != query.kind:
        return False
    if query.segment == OVERALL:
        return not c.scope
    return not query.segment or _segment_text(c.scope) == query.segment


def _segment_text(segment: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(segment.items()))


def _unit(spec: m.MetricSpec) -> str:
    return spec.kind.value
