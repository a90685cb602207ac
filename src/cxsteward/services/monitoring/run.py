"""A monitoring run: cells, comparisons, thresholds, findings; stored and traceable (C6)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field
from pydantic_core import to_json

from cxsteward.domain.metrics import (
    CATALOGUE,
    CellTable,
    MetricKind,
    Slice,
    Window,
    metric_values,
    roll_up,
    window_label,
)
from cxsteward.domain.monitoring.analyse import Analysis, analyse
from cxsteward.domain.monitoring.data_quality import gate_reasons
from cxsteward.domain.monitoring.findings import Finding
from cxsteward.domain.monitoring.localized import finite_or_none
from cxsteward.errors import Invalid
from cxsteward.registry.tables_monitor import FindingRecord, MonitorRunRecord
from cxsteward.services.checkpoints import checkpoint
from cxsteward.services.clock import now
from cxsteward.services.consent.findings import with_consent
from cxsteward.services.contract import Command, Day
from cxsteward.services.data.source import Snapshot, contacts_snapshot, reading
from cxsteward.services.incidents.models import SyncOut
from cxsteward.services.incidents.sync import sync_incidents
from cxsteward.services.monitoring.adoption_findings import with_adoption
from cxsteward.services.monitoring.artifacts import staged_artifacts
from cxsteward.services.monitoring.baselines import baseline_lookup
from cxsteward.services.monitoring.metrics import compute_cells
from cxsteward.services.monitoring.quality import with_data_quality
from cxsteward.services.monitoring.results import (
    ComparisonOut,
    EvaluationOut,
    MetricRowOut,
    comparison_out,
    evaluation_out,
)
from cxsteward.services.monitoring.slices import default_slices
from cxsteward.services.monitoring.thresholds import list_thresholds
from cxsteward.services.monitoring.trust import TRUST, measure_trust
from cxsteward.services.monitoring.versions import first_seen, label_versions, registry_versions
from cxsteward.services.workspace import Workspace

# A century of days: longer windows than any store holds, short of the calendar's end.
MAX_DAYS = 36_600
# The run's artifact naming the contacts it read (the same as its record's parameters).
SOURCE = "source.json"
# Below this a significance level is lost to floating point where the tests split it.
MIN_ALPHA = 1e-6


class RunCreate(Command):
    """Starting a monitoring run: which days of contacts, and how strictly to judge them.

    The window is a first day and a number of days, so that no window can end before it
    starts: every window the schema allows is one the monitor can run.
    """

    date_from: Day | None = Field(
        default=None,
        description="First day of contacts, included. Omitted: the first day in the store, "
        "or, with `days`, the day that makes the window end today (UTC).",
    )
    days: int | None = Field(
        default=None,
        ge=1,
        le=MAX_DAYS,
        description="How many days the window holds, `date_from` included. Omitted: through "
        "the last day in the store.",
    )
    window: Window = Field(default=Window.WEEK, description="Window of the metric table.")
    alpha: float = Field(
        default=0.05,
        ge=MIN_ALPHA,
        lt=1,
        description="Significance level of each interval and test, from 0.000001 up to 1.",
    )
    fdr: float = Field(
        default=0.05, gt=0, lt=1, description="False discovery rate controlled across the run."
    )

    def dates(self, today: date) -> tuple[date | None, date | None]:
        """The first and last day of the window (None: open on that side)."""
        if self.days is None:
            return self.date_from, None
        span = timedelta(days=self.days - 1)
        if self.date_from is None:
            return today - span, today
        # A window reaching past the calendar's last day ends on it (no contacts lie beyond).
        last = date.max if date.max - self.date_from < span else self.date_from + span
        return self.date_from, last


@dataclass(frozen=True)
class MonitorOut:
    run_id: int
    findings: list[Finding]
    evaluations: list[EvaluationOut]
    comparisons: list[ComparisonOut]
    metrics: list[MetricRowOut]
    artifacts: Path
    fail_on: str | None
    incidents: SyncOut
    source: Snapshot | None = None

    @property
    def failed(self) -> bool:
        """True when the run fails its gate (exit 2 in CI); ``gate_reasons`` says why."""
        return bool(self.gate_reasons)

    @property
    def gate_reasons(self) -> list[str]:
        """An empty window, or a confirmed breach or data-quality finding at ``fail_on``."""
        return gate_reasons(self.findings, self.fail_on)


def start_run(ws: Workspace, command: RunCreate) -> MonitorOut:
    """Run the monitor over the window ``command`` names (the API's way in)."""
    date_from, date_to = command.dates(now(ws).date())
    return run_monitor(
        ws,
        date_from=date_from,
        date_to=date_to,
        window=command.window,
        alpha=command.alpha,
        fdr=command.fdr,
    )


def run_monitor(
    ws: Workspace,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    pairs: list[Slice] | None = None,
    window: Window = Window.WEEK,
    alpha: float = 0.05,
    fdr: float = 0.05,
    fail_on: str | None = None,
    today: date | None = None,
) -> MonitorOut:
    """Compute the cells once, compare everything, judge every threshold, store the run.

    ``today`` (default: today, UTC) is the day the data-quality rules count a feed's age from.

    Raises:
        Invalid: the window ends before it starts, or alpha or fdr is outside RunCreate's range.
    """
    if date_from is not None and date_to is not None and date_from > date_to:
        raise Invalid(f"The window starts on {date_from}, after its last day {date_to}; swap them.")
    if not MIN_ALPHA <= alpha < 1:
        raise Invalid(f"alpha must be at least {MIN_ALPHA} and below 1 (given {alpha}).")
    if not 0 < fdr < 1:
        raise Invalid(f"fdr must lie strictly between 0 and 1 (given {fdr}).")
    # One reading for the whole run: an attached source is mapped once, not per query.
    with reading(ws):
        started = now(ws)
        # First: a source that cannot be read stops the run here, before anything is written.
        snapshot = contacts_snapshot(ws)
        rules = list_thresholds(ws)
        slices = default_slices(ws, rules, pairs or [])
        cells = label_versions(compute_cells(ws, slices, date_from, date_to), registry_versions(ws))
        analysis = analyse(
            roll_up(cells, Window.ALL),
            roll_up(cells, Window.DAY),
            roll_up(cells, Window.ALL, by_model_version=True),
            first_seen(cells),
            rules,
            baseline_lookup(ws),
            alpha=alpha,
            fdr=fdr,
        )
        day = today or started.date()
        analysis = with_data_quality(
            ws, analysis, cells, today=day, date_from=date_from, date_to=date_to
        )
        analysis = with_consent(ws, analysis, date_from, date_to)
        analysis, adopted = with_adoption(ws, analysis, date_from, date_to)
        trust, promised = measure_trust(ws, cells, date_from, date_to, alpha)
        analysis = replace(analysis, findings=[*analysis.findings, *promised])
        metrics = metric_table(cells, window)
        evaluations = [evaluation_out(e) for e in analysis.evaluations]
        comparisons = [comparison_out(t) for t in analysis.comparisons]
        with ws.transaction() as session:
            run = MonitorRunRecord(
                started_at=started,
                finished_at=now(session),
                date_from=date_from,
                date_to=date_to,
                parameters={
                    "slices": [list(s) for s in slices],
                    "window": window.value,
                    "alpha": alpha,
                    "fdr": fdr,
                    "thresholds": [r.id for r in rules],
                    "adoption_deployments": adopted,
                    # Which contacts, as they were when the run started (credentials masked).
                    "source": snapshot.model_dump(mode="json"),
                },
                artifacts="",
                n_findings=len(analysis.findings),
            )
            session.add(run)
            session.flush()
            folder = Path("runs") / f"run-{run.id:05d}"
            run.artifacts = str(folder)
            for finding in analysis.findings:
                session.add(
                    FindingRecord(
                        run=run,
                        kind=finding.kind,
                        metric=finding.metric,
                        deployment=finding.deployment,
                        key=finding.key,
                        severity=finding.severity,
                        status=finding.status,
                        q_value=finding.q_value,
                        body=finding.model_dump(mode="json"),
                    )
                )
            session.flush()
            # Breaches open or update incidents in the same unit of work as the run itself.
            incidents = sync_incidents(ws, run.id, session=session)
            # Files are written inside the transaction and moved into place just before it
            # commits: a run that fails or is killed at any step leaves no record behind.
            with staged_artifacts(ws, session, run.id, folder) as staging:
                _write_artifacts(staging, cells, analysis, metrics, evaluations, comparisons)
                (staging / SOURCE).write_text(snapshot.model_dump_json(), "utf-8")
                trust = trust.model_copy(update={"run_id": run.id})
                (staging / TRUST).write_text(trust.model_dump_json(), "utf-8")
            artifacts = ws.settings.workspace / folder
            run_id = run.id
        checkpoint("run:committed")
        return MonitorOut(
            run_id=run_id,
            findings=analysis.findings,
            evaluations=evaluations,
            comparisons=comparisons,
            metrics=metrics,
            artifacts=artifacts,
            fail_on=fail_on,
            incidents=incidents,
            source=snapshot,
        )


def metric_table(cells: CellTable, window: Window) -> list[MetricRowOut]:
    """Every metric per window, slice value, deployment and handler, with its n."""
    totals = roll_up(cells, window)
    rows: list[MetricRowOut] = []
    for spec in CATALOGUE:
        values = metric_values(totals, spec)
        for i in np.flatnonzero(values.applicable):
            rows.append(
                MetricRowOut(
                    window=window_label(int(totals.start[i]), int(totals.end[i]), window),
                    slice=str(totals.slice[i]),
                    segment={k: str(v[i]) for k, v in totals.segments.items() if v[i] is not None},
                    deployment=str(totals.deployment[i]),
                    handler=str(totals.handler[i]),
                    metric=spec.name,
                    n=int(values.n[i]),
                    value=finite_or_none(float(values.estimate[i])),
                    sufficient=bool(values.sufficient[i]) or spec.kind is MetricKind.COUNT,
                )
            )
    return rows


def _write_artifacts(
    folder: Path,
    cells: CellTable,
    analysis: Analysis,
    metrics: list[MetricRowOut],
    evaluations: list[EvaluationOut],
    comparisons: list[ComparisonOut],
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    columns: dict[str, Any] = {  # the Parquet file's columns, by name
        "slice": cells.slice.astype(str),
        "day": cells.day,
        "handler": cells.handler.astype(str),
        "deployment": cells.deployment.astype(str),
        "model_version": [None if v is None else str(v) for v in cells.model_version],
    }
    columns |= {k: [None if x is None else str(x) for x in v] for k, v in cells.segments.items()}
    columns |= dict(cells.stats)
    pq.write_table(pa.table(columns), folder / "cells.parquet")
    findings = [f.model_dump(mode="json") | {"key": f.key} for f in analysis.findings]
    (folder / "findings.json").write_text(json.dumps(findings, separators=(",", ":")), "utf-8")
    documents: dict[str, list[EvaluationOut] | list[ComparisonOut] | list[MetricRowOut]] = {
        "evaluations.json": evaluations,
        "comparisons.json": comparisons,
        "metrics.json": metrics,
    }
    for name, document in documents.items():
        # Compact, and written by pydantic's own encoder: an indent would cost seconds at scale.
        (folder / name).write_bytes(to_json(document))
