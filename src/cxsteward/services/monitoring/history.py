"""Past monitoring runs as stored: the run list, and one run with what it found and tested.

Findings come from the registry; evaluations, comparisons and the metric table come from
the files the run wrote to its artifacts folder, read back here so the API and pages show
exactly what the run recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cxsteward.errors import Invalid, NotFound
from cxsteward.registry.tables_monitor import FindingRecord, MonitorRunRecord
from cxsteward.services.workspace import Workspace

RUNS_MAX = 500
ARTIFACT_DOCUMENTS = ("evaluations", "comparisons", "metrics")


class RunNotFound(NotFound):
    """No monitoring run with that id."""


@dataclass(frozen=True)
class RunSummary:
    """A run as listed: when, over which dates, with which parameters, how many findings."""

    id: int
    started_at: datetime
    finished_at: datetime
    date_from: date | None
    date_to: date | None
    parameters: dict[str, Any]
    n_findings: int
    artifacts: str


@dataclass(frozen=True)
class FindingRow:
    """One stored finding; ``detail`` is the whole finding as the run wrote it."""

    id: int
    kind: str
    metric: str
    deployment: str
    key: str
    severity: str | None
    status: str | None
    q_value: float | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class RunDetail:
    """One run with its findings and the evaluations, comparisons and metrics it recorded."""

    run: RunSummary
    findings: list[FindingRow]
    evaluations: list[dict[str, Any]]
    comparisons: list[dict[str, Any]]
    metrics: list[dict[str, Any]]
    # Names of artifact files that were missing or unreadable: their lists above are empty.
    missing_artifacts: list[str]


def list_runs(ws: Workspace, limit: int = 50) -> list[RunSummary]:
    """The most recent runs, newest first (at most ``limit``, capped at 500)."""
    if not 1 <= limit <= RUNS_MAX:
        raise Invalid(f"limit must be between 1 and {RUNS_MAX} (given {limit}).")
    query = select(MonitorRunRecord).order_by(MonitorRunRecord.id.desc()).limit(limit)
    with ws.transaction() as session:
        return [_summary(record) for record in session.scalars(query)]


def get_run(ws: Workspace, run_id: int) -> RunDetail:
    """One run with everything it found and tested."""
    with ws.transaction() as session:
        record = session.get(MonitorRunRecord, run_id)
        if record is None:
            raise RunNotFound(
                f"No monitoring run {run_id}; `cxsteward monitor run` creates runs and "
                "GET /api/v1/monitoring/runs lists them."
            )
        summary = _summary(record)
        rows = session.scalars(
            select(FindingRecord).where(FindingRecord.run_id == run_id).order_by(FindingRecord.id)
        )
        findings = [_finding(row) for row in rows]
    folder = ws.settings.workspace / summary.artifacts
    documents: dict[str, list[dict[str, Any]]] = {}
    missing: list[str] = []
    for name in ARTIFACT_DOCUMENTS:
        loaded = _read_list(folder / f"{name}.json")
        if loaded is None:
            missing.append(f"{name}.json")
        documents[name] = loaded or []
    return RunDetail(
        run=summary,
        findings=findings,
        evaluations=documents["evaluations"],
        comparisons=documents["comparisons"],
        metrics=documents["metrics"],
        missing_artifacts=missing,
    )


def _read_list(path: Path) -> list[dict[str, Any]] | None:
    # An artifacts folder removed or edited by hand must not break the run's page.
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, list) or not all(isinstance(i, dict) for i in document):
        return None
    return document


def _summary(record: MonitorRunRecord) -> RunSummary:
    return RunSummary(
        id=record.id,
        started_at=record.started_at,
        finished_at=record.finished_at,
        date_from=record.date_from,
        date_to=record.date_to,
        parameters=dict(record.parameters),
        n_findings=record.n_findings,
        artifacts=record.artifacts,
    )


def _finding(record: FindingRecord) -> FindingRow:
    return FindingRow(
        id=record.id,
        kind=record.kind,
        metric=record.metric,
        deployment=record.deployment,
        key=record.key,
        severity=record.severity,
        status=record.status,
        q_value=record.q_value,
        detail=dict(record.body),
    )
