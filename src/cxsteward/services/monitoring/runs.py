"""Stored monitoring runs read back: the list, one run with what it found and tested (C6).

A run is a registry row (``MonitorRunRecord`` with its ``FindingRecord``s) and a folder of
artifacts (``runs/run-NNNNN``: the cell table, evaluations, comparisons, metric table).
The API, the pages and the CLI all read runs here, in these types.

A run whose artifact files were moved, deleted or damaged is still a run: its summary and
findings come from the registry, and ``missing_artifacts`` names each file that could not
be read (its list is then empty). :func:`artifacts_problem` says what to do about it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from pydantic import Field, TypeAdapter, ValidationError, computed_field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxsteward.domain.metrics import METRIC_NAMES, Window
from cxsteward.domain.monitoring.findings import Finding
from cxsteward.errors import Invalid, NotFound
from cxsteward.registry.tables_data import DataLoadRecord
from cxsteward.registry.tables_monitor import FindingRecord, MonitorRunRecord, ThresholdRecord
from cxsteward.services.contract import Result
from cxsteward.services.data.source import Snapshot
from cxsteward.services.monitoring.results import ComparisonOut, EvaluationOut, MetricRowOut
from cxsteward.services.monitoring.rows import RowFilter
from cxsteward.services.workspace import Workspace

RUNS_MAX = 500
EVALUATIONS, COMPARISONS, METRICS = "evaluations.json", "comparisons.json", "metrics.json"
Stored = TypeVar("Stored", EvaluationOut, ComparisonOut, MetricRowOut)


class RunParameters(Result):
    """What the run was asked to do."""

    slices: list[list[str]] = Field(default_factory=list, description="Segment columns compared.")
    window: Window = Field(default=Window.WEEK, description="Window of the metric table.")
    alpha: float | None = None
    fdr: float | None = None
    thresholds: list[str] = Field(default_factory=list, description="Thresholds in force.")
    source: Snapshot | None = Field(
        default=None,
        description="The contacts the run read, as they were when it started: the store or "
        "the attached source (location with credentials masked), rows, newest contact, and "
        "in place the rows the mapping rejected, by reason, with a sample. Null for runs "
        "recorded before sources were.",
    )


class RunSummaryOut(Result):
    """A run as listed: when, over which days, with which parameters, what it found."""

    id: int
    started_at: datetime
    finished_at: datetime
    date_from: date | None = Field(description="First day of contacts; null: the store's first.")
    date_to: date | None = Field(description="Last day of contacts; null: the store's last.")
    parameters: RunParameters
    n_findings: int
    findings_by_kind: dict[str, int]
    confirmed: int = Field(description="Confirmed threshold breaches.")
    suspected: int = Field(description="Suspected threshold breaches.")
    artifacts: str = Field(description="The run's folder, relative to the workspace.")
    through_load: int | None = Field(
        description="The last data load the run could see: its drill-downs stop there."
    )


class FindingOut(Finding, Result):
    """One stored finding of a run, with its registry id."""

    id: int
    run_id: int

    @computed_field(description="Same rule and scope give the same key, run after run.")  # type: ignore[prop-decorator]
    @property
    def key(self) -> str:
        return super().key


class RunOut(Result):
    """One run with its findings and the evaluations, comparisons and metrics it recorded."""

    run: RunSummaryOut
    findings: list[FindingOut] = Field(description="Largest impact first (the run's order).")
    evaluations: list[EvaluationOut]
    comparisons: list[ComparisonOut]
    metrics: list[MetricRowOut]
    missing_artifacts: list[str] = Field(
        description="Artifact files of the run that are gone or unreadable (their lists are "
        "empty); restore the run's folder, or run the monitor again."
    )


# Brings a document an older version of the run wrote up to date before it is read.
Upgrade = Callable[[Workspace, RunSummaryOut, object], object]


def list_runs(ws: Workspace, limit: int = 50) -> list[RunSummaryOut]:
    """The most recent runs, newest first (at most ``limit``, capped at 500)."""
    if not 1 <= limit <= RUNS_MAX:
        raise Invalid(f"limit must be between 1 and {RUNS_MAX} (given {limit}).")
    query = select(MonitorRunRecord).order_by(MonitorRunRecord.id.desc()).limit(limit)
    with ws.transaction() as session:
        return [_summary(session, r) for r in session.scalars(query)]


def latest_run(ws: Workspace) -> RunSummaryOut | None:
    """The newest run, or None before the first."""
    runs = list_runs(ws, 1)
    return runs[0] if runs else None


def run_summary(ws: Workspace, run_id: int) -> RunSummaryOut:
    """One run as listed.

    Raises:
        NotFound: no run has that number.
    """
    with ws.transaction() as session:
        return _summary(session, _record(session, run_id))


def get_run(ws: Workspace, run_id: int) -> RunOut:
    """One run with everything it found and tested (see the module on lost artifacts).

    Raises:
        NotFound: no run has that number.
    """
    run = run_summary(ws, run_id)
    evaluations = run_evaluations(ws, run)
    comparisons = read_stored(ws, run, COMPARISONS, ComparisonOut)
    metrics = read_stored(ws, run, METRICS, MetricRowOut)
    read = {EVALUATIONS: evaluations, COMPARISONS: comparisons, METRICS: metrics}
    return RunOut(
        run=run,
        findings=run_findings(ws, run.id),
        evaluations=evaluations or [],
        comparisons=comparisons or [],
        metrics=metrics or [],
        missing_artifacts=[name for name, items in read.items() if items is None],
    )


def run_findings(ws: Workspace, run_id: int) -> list[FindingOut]:
    """The findings of a run, largest impact first (the run's order)."""
    query = select(FindingRecord).where(FindingRecord.run_id == run_id).order_by(FindingRecord.id)
    with ws.transaction() as session:
        return [_finding(r) for r in session.scalars(query)]


def get_finding(ws: Workspace, finding_id: int) -> FindingOut:
    """One finding of any run.

    Raises:
        NotFound: no finding has that number.
    """
    with ws.transaction() as session:
        record = session.get(FindingRecord, finding_id)
        if record is None:
            raise NotFound(
                f"No finding {finding_id}. A run's findings are listed with it "
                "(`cxsteward monitor show RUN`, GET /api/v1/monitoring/runs/RUN)."
            )
        return _finding(record)


def finding_rows(finding: Finding, through_load: int | None) -> RowFilter:
    """The filter of the contacts behind a finding, as the store stood for its run."""
    # A model-change alarm watches one metric of AI contacts; the others compare a metric too.
    # A vulnerable customer's time to a human is not a catalogue metric: every contact counts.
    catalogued = finding.kind != "data_quality" and finding.metric in METRIC_NAMES
    recorded = finding.metric if catalogued else None
    return RowFilter.from_trace(finding.trace, recorded, through_load)


def run_evaluations(ws: Workspace, run: RunSummaryOut) -> list[EvaluationOut] | None:
    """Every threshold judged in a run; None when its file is gone or unreadable."""
    return read_stored(ws, run, EVALUATIONS, EvaluationOut, _threshold_metrics)


def read_stored(
    ws: Workspace,
    run: RunSummaryOut,
    name: str,
    model: type[Stored],
    upgrade: Upgrade | None = None,
) -> list[Stored] | None:
    """A list the run wrote to its artifacts folder; None when gone or unreadable."""
    # An artifacts folder removed or edited by hand must not break the run's reading.
    try:
        text = artifact_path(ws, run, name).read_bytes()
        if upgrade is None:
            return _adapter(model).validate_json(text)
        return _adapter(model).validate_python(upgrade(ws, run, json.loads(text)))
    except (OSError, ValueError, ValidationError):
        return None


def artifacts_problem(ws: Workspace, run: RunSummaryOut, missing: list[str]) -> str | None:
    """What to tell a reader about a run's lost artifact files (None when none is lost)."""
    if not missing:
        return None
    folder = ws.settings.workspace / run.artifacts
    return (
        f"Monitoring run {run.id} has lost {', '.join(missing)} from {folder}: the files were "
        "moved, deleted or damaged, so what they held is not shown. Restore the folder, or "
        "run `cxsteward monitor run` again."
    )


def artifact_path(ws: Workspace, run: RunSummaryOut, name: str) -> Path:
    return ws.settings.workspace / run.artifacts / name


def _threshold_metrics(ws: Workspace, run: RunSummaryOut, document: object) -> object:
    # File boundary: evaluations of runs stored before they named their metric get the
    # metric each threshold had when the run started (later versions overwrite earlier).
    if not isinstance(document, list) or all(
        not isinstance(item, dict) or "metric" in item for item in document
    ):
        return document
    query = (
        select(ThresholdRecord.rule_id, ThresholdRecord.definition)
        .where(ThresholdRecord.created_at <= run.started_at)
        .order_by(ThresholdRecord.created_at)
    )
    with ws.transaction() as session:
        found = {rule: definition.get("metric") for rule, definition in session.execute(query)}
    return [
        {"metric": found.get(str(item.get("threshold")))} | item if isinstance(item, dict) else item
        for item in document
    ]


_ADAPTERS: dict[type[Result], TypeAdapter[object]] = {}


def _adapter(model: type[Stored]) -> TypeAdapter[list[Stored]]:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(list[model])  # type: ignore[valid-type]
    return _ADAPTERS[model]  # type: ignore[return-value]


def _record(session: Session, run_id: int) -> MonitorRunRecord:
    record = session.get(MonitorRunRecord, run_id)
    if record is None:
        raise NotFound(
            f"No monitoring run {run_id}; `cxsteward monitor list` and "
            "GET /api/v1/monitoring/runs list them, `cxsteward monitor run` makes one."
        )
    return record


def _finding(record: FindingRecord) -> FindingOut:
    return FindingOut.model_validate(record.body | {"id": record.id, "run_id": record.run_id})


def _summary(session: Session, record: MonitorRunRecord) -> RunSummaryOut:
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
    return RunSummaryOut(
        id=record.id,
        started_at=record.started_at,
        finished_at=record.finished_at,
        date_from=record.date_from,
        date_to=record.date_to,
        parameters=RunParameters.model_validate(record.parameters),
        n_findings=record.n_findings,
        findings_by_kind=dict(sorted(kinds.items())),
        confirmed=statuses["confirmed"],
        suspected=statuses["suspected"],
        artifacts=record.artifacts,
        through_load=through,
    )
