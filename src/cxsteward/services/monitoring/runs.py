"""Reading stored monitoring runs back: the list, one run, its findings and evaluations (C6).

A run is a registry row (``MonitorRunRecord`` with its ``FindingRecord``s) and a folder of
artifacts (``runs/run-NNNNN``: the cell table, comparisons, evaluations, metric table).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxsteward.domain.metrics import metric
from cxsteward.domain.monitoring.findings import Finding
from cxsteward.errors import NotFound
from cxsteward.registry.tables_data import DataLoadRecord
from cxsteward.registry.tables_monitor import FindingRecord, MonitorRunRecord, ThresholdRecord
from cxsteward.services.monitoring.rows import RowFilter
from cxsteward.services.workspace import Workspace

# Threshold statuses in the order a reader cares about them.
STATUSES = ("confirmed", "suspected", "ok", "insufficient")
_EVALUATION_KEYS = {
    "threshold",
    "rule",
    "declared_at",
    "deployment",
    "scope",
    "status",
    "ci",
    "limit",
    "estimate",
    "n",
    "model_versions",
}


@dataclass(frozen=True)
class RunOut:
    id: int
    started_at: datetime
    finished_at: datetime
    date_from: date | None
    date_to: date | None
    window: str
    thresholds: list[str]
    n_findings: int
    findings_by_kind: dict[str, int]
    confirmed: int
    suspected: int
    artifacts: str
    # The last load the run could see: its drill-downs stop there.
    through_load: int | None


@dataclass(frozen=True)
class FindingOut:
    id: int
    finding: Finding
    rows: RowFilter


@dataclass(frozen=True)
class EvaluationOut:
    threshold: str
    metric: str | None
    unit: str  # how the metric's values read: "rate", "mean" or "count"
    rule: str
    declared_at: datetime | None
    deployment: str
    scope: dict[str, str]
    status: str
    effect_name: str
    effect: float | None
    ci: tuple[float | None, float | None]
    limit: float | None
    estimate: dict[str, float | None]
    n: dict[str, int | None]
    model_versions: list[str]


@dataclass(frozen=True)
class DeploymentStatus:
    """How the thresholds of one deployment stood in a run."""

    deployment: str
    confirmed: int
    suspected: int
    ok: int
    insufficient: int

    @property
    def worst(self) -> str:
        """The most serious status present (``ok`` when every rule was judged and held)."""
        for status in STATUSES:
            if getattr(self, status):
                return status
        return "ok"


def list_runs(ws: Workspace) -> list[RunOut]:
    """Every monitoring run, newest first."""
    with ws.transaction() as session:
        records = session.scalars(select(MonitorRunRecord).order_by(MonitorRunRecord.id.desc()))
        return [_out(session, r) for r in records]


def latest_run(ws: Workspace) -> RunOut | None:
    """The newest run, or None before the first."""
    with ws.transaction() as session:
        record = session.scalar(
            select(MonitorRunRecord).order_by(MonitorRunRecord.id.desc()).limit(1)
        )
        return None if record is None else _out(session, record)


def get_run(ws: Workspace, run_id: int) -> RunOut:
    """One run.

    Raises:
        NotFound: no run has that number.
    """
    with ws.transaction() as session:
        return _out(session, _record(session, run_id))


def run_findings(ws: Workspace, run_id: int) -> list[FindingOut]:
    """The findings of a run, largest impact first (the run's order), each with its rows."""
    run = get_run(ws, run_id)
    with ws.transaction() as session:
        records = session.scalars(
            select(FindingRecord).where(FindingRecord.run_id == run_id).order_by(FindingRecord.id)
        ).all()
        # Stored in the analysis's order: contacts affected x size of the effect.
        found = [(r.id, Finding.model_validate(r.body)) for r in records]
    return [
        FindingOut(i, f, RowFilter.from_trace(f.trace, _recorded(f), run.through_load))
        for i, f in found
    ]


def run_evaluations(ws: Workspace, run_id: int) -> list[EvaluationOut]:
    """Every threshold judged in a run, with its effect, interval and status.

    Raises:
        NotFound: no such run, or its artifacts folder is gone.
    """
    run = get_run(ws, run_id)
    metrics = _threshold_metrics(ws, run)
    out = []
    for item in read_artifact(ws, run, "evaluations.json"):
        metric_name = metrics.get(item["threshold"])
        name = next((k for k in item if k not in _EVALUATION_KEYS), "effect")
        declared = item.get("declared_at")
        low, high = item.get("ci") or (None, None)
        out.append(
            EvaluationOut(
                threshold=item["threshold"],
                metric=metric_name,
                unit="rate" if metric_name is None else metric(metric_name).kind.value,
                rule=item["rule"],
                declared_at=None if declared is None else datetime.fromisoformat(declared),
                deployment=item["deployment"],
                scope=dict(item.get("scope") or {}),
                status=item["status"],
                effect_name=name,
                effect=item.get(name),
                ci=(low, high),
                limit=item.get("limit"),
                estimate=dict(item.get("estimate") or {}),
                n=dict(item.get("n") or {}),
                model_versions=list(item.get("model_versions") or []),
            )
        )
    return out


def threshold_status(evaluations: list[EvaluationOut]) -> list[DeploymentStatus]:
    """Confirmed, suspected, ok and insufficient counts per deployment, by name."""
    counts: dict[str, Counter[str]] = {}
    for e in evaluations:
        counts.setdefault(e.deployment, Counter())[e.status] += 1
    return [
        DeploymentStatus(deployment, *(tally[s] for s in STATUSES))
        for deployment, tally in sorted(counts.items())
    ]


def read_artifact(ws: Workspace, run: RunOut, name: str) -> list[dict[str, Any]]:
    """A JSON document of a run's artifacts folder.

    Raises:
        NotFound: the file is missing (the folder was moved or deleted).
    """
    path = artifact_path(ws, run, name)
    if not path.is_file():
        raise NotFound(
            f"Monitoring run {run.id} has no {name} at {path}: its artifacts were moved or "
            "deleted. Restore the folder, or run `cxsteward monitor run` again."
        )
    document: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return document


def artifact_path(ws: Workspace, run: RunOut, name: str) -> Path:
    return ws.settings.workspace / run.artifacts / name


def _threshold_metrics(ws: Workspace, run: RunOut) -> dict[str, str]:
    """The metric of each threshold as it was declared when the run started."""
    query = (
        select(ThresholdRecord.rule_id, ThresholdRecord.definition)
        .where(ThresholdRecord.created_at <= run.started_at)
        .order_by(ThresholdRecord.created_at)
    )
    with ws.transaction() as session:
        # Later versions of a rule overwrite earlier ones: the last one before the run wins.
        found = {rule: definition.get("metric") for rule, definition in session.execute(query)}
    return {rule: name for rule, name in found.items() if isinstance(name, str)}


def _recorded(finding: Finding) -> str | None:
    # A model-change alarm watches one metric of AI contacts; the others compare a metric too.
    return finding.metric if finding.kind != "data_quality" else None


def _record(session: Session, run_id: int) -> MonitorRunRecord:
    record = session.get(MonitorRunRecord, run_id)
    if record is None:
        raise NotFound(
            f"No monitoring run {run_id}. The runs are listed on the Monitoring page (/monitoring)."
        )
    return record


def _out(session: Session, record: MonitorRunRecord) -> RunOut:
    kinds = Counter[str]()
    statuses = Counter[str]()
    rows = session.execute(
        select(FindingRecord.kind, FindingRecord.status, func.count())
        .where(FindingRecord.run_id == record.id)
        .group_by(FindingRecord.kind, FindingRecord.status)
    )
    for kind, status, count in rows:
        kinds[kind] += count
        if kind == "threshold_breach" and status:
            statuses[status] += count
    through = session.scalar(
        select(func.max(DataLoadRecord.id)).where(DataLoadRecord.finished_at <= record.started_at)
    )
    parameters = record.parameters
    window = parameters.get("window")
    thresholds = parameters.get("thresholds")
    return RunOut(
        id=record.id,
        started_at=record.started_at,
        finished_at=record.finished_at,
        date_from=record.date_from,
        date_to=record.date_to,
        window=str(window) if window else "week",
        thresholds=[str(t) for t in thresholds] if isinstance(thresholds, list) else [],
        n_findings=record.n_findings,
        findings_by_kind=dict(sorted(kinds.items())),
        confirmed=statuses["confirmed"],
        suspected=statuses["suspected"],
        artifacts=record.artifacts,
        through_load=through,
    )
