"""Baselines: dated snapshots of every metric per segment, frozen and never changed (C5)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cxsteward.domain import metrics as m
from cxsteward.domain.metrics import CATALOGUE, MetricKind, Window, metric_values, roll_up
from cxsteward.domain.monitoring.counts import Counts
from cxsteward.domain.monitoring.groups import Scope
from cxsteward.domain.monitoring.thresholds_eval import BaselineLookup
from cxsteward.domain.stats import FloatArray
from cxsteward.domain.thresholds import Threshold
from cxsteward.errors import Conflict, Invalid, NotFound
from cxsteward.registry.tables_monitor import BaselineRecord, BaselineValueRecord
from cxsteward.services.clock import now
from cxsteward.services.monitoring.metrics import compute_cells
from cxsteward.services.monitoring.slices import default_slices
from cxsteward.services.workspace import Workspace

HANDLERS = ("human", "ai")


@dataclass(frozen=True)
class BaselineOut:
    name: str
    created_at: datetime
    date_from: date
    date_to: date
    handler: str
    values: int
    intact: bool


def freeze_baseline(
    ws: Workspace,
    name: str,
    date_from: date,
    date_to: date,
    handler: str = "human",
    description: str = "",
) -> BaselineOut:
    """Snapshot every metric per deployment and segment value for one handler.

    Raises:
        Conflict: a baseline of that name exists (baselines never change).
        Invalid: an empty range, an unknown handler, or no contacts in the range.
    """
    if handler not in HANDLERS:
        raise Invalid(f"Handler {handler!r}: use human or ai.")
    if date_to < date_from:
        raise Invalid(f"The range {date_from}..{date_to} is empty: --to comes before --from.")
    frozen_at = now(ws)
    check_freeze_date(frozen_at, date_to)
    with ws.transaction() as session:
        if session.scalar(select(BaselineRecord.id).where(BaselineRecord.name == name)):
            raise Conflict(f"Baseline {name} already exists; a frozen baseline never changes.")
    cells = compute_cells(ws, default_slices(ws), date_from, date_to)
    totals = roll_up(cells, Window.ALL)
    rows: list[BaselineValueRecord] = []
    for spec in CATALOGUE:
        if spec.kind is MetricKind.COUNT or handler not in spec.handlers:
            continue
        values = metric_values(totals, spec)
        for i in range(len(totals)):
            if str(totals.handler[i]) != handler or values.n[i] == 0:
                continue
            rows.append(
                BaselineValueRecord(
                    deployment=str(totals.deployment[i]),
                    slice=str(totals.slice[i]),
                    segment={k: str(v[i]) for k, v in totals.segments.items() if v[i] is not None},
                    metric=spec.name,
                    n=float(values.n[i]),
                    successes=_float(values.successes, i),
                    total=_float(values.total, i),
                    total_sq=_float(values.total_sq, i),
                    estimate=float(values.estimate[i]),
                )
            )
    if not rows:
        raise Invalid(
            f"No {handler} contacts between {date_from} and {date_to}: nothing to freeze."
        )
    with ws.transaction() as session:
        record = BaselineRecord(
            name=name,
            created_at=frozen_at,
            date_from=date_from,
            date_to=date_to,
            handler=handler,
            description=description,
            checksum=_checksum(rows),
            values=rows,
        )
        session.add(record)
        session.flush()
        return _out(record)


def check_freeze_date(frozen_at: datetime, date_to: date) -> None:
    """Refuse a freeze date before the data range ends (the range's last day is included).

    A baseline frozen on 3 March over contacts up to 31 March would claim to predate data
    it holds, which is exactly the history a "baselines before go-live" check must not trust.
    """
    ends = datetime.combine(date_to + timedelta(days=1), time(), tzinfo=UTC)
    if frozen_at < ends:
        raise Invalid(
            f"A baseline frozen on {frozen_at:%Y-%m-%d} cannot hold data up to {date_to}: its "
            f"freeze date would come before its data ends ({date_to}, end of day UTC). End the "
            f"range (--to) on {frozen_at.date() - timedelta(days=1)} or earlier, or freeze it "
            f"after {date_to}."
        )


def list_baselines(ws: Workspace) -> list[BaselineOut]:
    """Every baseline, with a check that its values are as frozen."""
    with ws.transaction() as session:
        # The values in one more query, not one per baseline.
        query = select(BaselineRecord).options(selectinload(BaselineRecord.values))
        records = session.scalars(query.order_by(BaselineRecord.created_at))
        return [_out(r) for r in records]


def baseline_lookup(ws: Workspace) -> BaselineLookup:
    """A function giving a rule's baseline counts in a scope (None when the baseline lacks it)."""
    cache: dict[str, dict[tuple[str, str, str, str], BaselineValueRecord]] = {}

    def lookup(rule: Threshold, scope: Scope) -> Counts | None:
        if rule.baseline is None:
            return None
        if rule.baseline not in cache:
            with ws.transaction() as session:
                record = session.scalar(
                    select(BaselineRecord).where(BaselineRecord.name == rule.baseline)
                )
                if record is None:
                    raise NotFound(
                        f"Threshold {rule.id} compares with baseline {rule.baseline!r}, "
                        "which does not exist. Freeze it first: cxsteward baseline freeze."
                    )
                cache[rule.baseline] = {
                    (v.metric, v.deployment, v.slice, _segment_key(v.segment)): v
                    for v in record.values
                }
        value = cache[rule.baseline].get(
            (rule.metric, scope.deployment, scope.slice, _segment_key(scope.segment))
        )
        if value is None:
            return None
        return Counts(
            n=np.asarray([value.n]),
            successes=_array(value.successes),
            total=_array(value.total),
            total_sq=_array(value.total_sq),
        )

    return lookup


def _segment_key(segment: dict[str, str]) -> str:
    return json.dumps(sorted(segment.items()))


def _array(value: float | None) -> FloatArray | None:
    return None if value is None else np.asarray([value], dtype=np.float64)


def _float(column: FloatArray | None, i: int) -> float | None:
    return None if column is None else float(column[i])


def _checksum(rows: list[BaselineValueRecord]) -> str:
    payload = sorted(
        json.dumps(
            [
                r.deployment,
                r.slice,
                sorted(r.segment.items()),
                r.metric,
                r.n,
                r.successes,
                r.total,
                r.total_sq,
            ],
            default=str,
        )
        for r in rows
    )
    return hashlib.sha256("\n".join(payload).encode()).hexdigest()


def _out(record: BaselineRecord) -> BaselineOut:
    return BaselineOut(
        name=record.name,
        created_at=record.created_at,
        date_from=record.date_from,
        date_to=record.date_to,
        handler=record.handler,
        values=len(record.values),
        intact=_checksum(list(record.values)) == record.checksum,
    )


@dataclass(frozen=True)
class BaselineValueOut:
    deployment: str
    segment: dict[str, str]
    metric: str
    unit: str
    n: float
    estimate: float | None


@dataclass(frozen=True)
class BaselineDetail:
    baseline: BaselineOut
    description: str
    values: list[BaselineValueOut]
    metrics: list[str]
    deployments: list[str]


def baseline_detail(
    ws: Workspace, name: str, metric: str | None = None, deployment: str | None = None
) -> BaselineDetail:
    """A frozen baseline and its values, optionally of one metric or deployment.

    Raises:
        NotFound: no baseline of that name.
    """
    summary = next((b for b in list_baselines(ws) if b.name == name), None)
    with ws.transaction() as session:
        record = session.scalar(select(BaselineRecord).where(BaselineRecord.name == name))
        if record is None or summary is None:
            raise NotFound(
                f"No baseline named {name!r}. The baselines are listed at /monitoring/baselines "
                "(or with `cxsteward baseline list`)."
            )
        every = [
            BaselineValueOut(
                v.deployment,
                dict(v.segment),
                v.metric,
                m.metric(v.metric).kind.value,
                v.n,
                v.estimate,
            )
            for v in record.values
        ]
        description = record.description
    chosen = [
        v
        for v in every
        if (metric is None or v.metric == metric)
        and (deployment is None or v.deployment == deployment)
    ]
    chosen.sort(key=lambda v: (v.metric, v.deployment, bool(v.segment), _segment_text(v.segment)))
    return BaselineDetail(
        baseline=summary,
        description=description,
        values=chosen,
        metrics=sorted({v.metric for v in every}),
        deployments=sorted({v.deployment for v in every}),
    )


def _segment_text(segment: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(segment.items()))
