"""A monitoring run: cells, comparisons, thresholds, findings; stored and traceable (C6)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

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
from cxsteward.domain.monitoring.comparisons import Tested
from cxsteward.domain.monitoring.data_quality import gate_reasons
from cxsteward.domain.monitoring.findings import Finding
from cxsteward.domain.monitoring.thresholds_eval import Evaluation
from cxsteward.registry.tables_monitor import FindingRecord, MonitorRunRecord
from cxsteward.services.checkpoints import checkpoint
from cxsteward.services.clock import now
from cxsteward.services.incidents.models import SyncOut
from cxsteward.services.incidents.sync import sync_incidents
from cxsteward.services.monitoring.artifacts import staged_artifacts
from cxsteward.services.monitoring.baselines import baseline_lookup
from cxsteward.services.monitoring.metrics import compute_cells
from cxsteward.services.monitoring.quality import with_data_quality
from cxsteward.services.monitoring.slices import default_slices
from cxsteward.services.monitoring.thresholds import list_thresholds
from cxsteward.services.monitoring.versions import label_versions, registry_versions
from cxsteward.services.workspace import Workspace


@dataclass(frozen=True)
class MonitorOut:
    run_id: int
    findings: list[Finding]
    evaluations: list[dict[str, Any]]
    comparisons: list[dict[str, Any]]
    metrics: list[dict[str, Any]]
    artifacts: Path
    fail_on: str | None
    incidents: SyncOut

    @property
    def failed(self) -> bool:
        """True when the run fails its gate (exit 2 in CI); ``gate_reasons`` says why."""
        return bool(self.gate_reasons)

    @property
    def gate_reasons(self) -> list[str]:
        """An empty window, or a confirmed breach or data-quality finding at ``fail_on``."""
        return gate_reasons(self.findings, self.fail_on)

    def document(self) -> dict[str, Any]:
        """The JSON document of the run."""
        return {
            "run": self.run_id,
            "artifacts": str(self.artifacts),
            "findings": [f.model_dump(mode="json") for f in self.findings],
            "evaluations": self.evaluations,
            "comparisons": self.comparisons,
            "metrics": self.metrics,
            "incidents": {
                "opened": self.incidents.opened,
                "updated": self.incidents.updated,
                "not_incidents": self.incidents.not_incidents,
            },
        }


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
    """
    started = now(ws)
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
    metrics = metric_table(cells, window)
    evaluations = [_evaluation(e) for e in analysis.evaluations]
    comparisons = [_comparison(t) for t in analysis.comparisons]
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
    )


def first_seen(cells: CellTable) -> dict[tuple[str, str], int]:
    """The first day each (deployment, model version) served AI contacts."""
    versions = cells.model_version
    mask = (cells.handler == "ai") & (versions != np.array(None, dtype=object))
    if not mask.any():
        return {}
    pairs = np.char.add(
        np.char.add(cells.deployment[mask].astype(str), "\x1f"), versions[mask].astype(str)
    )
    days = cells.day[mask].astype(np.int64)
    order = np.argsort(days, kind="stable")
    # After sorting by day, the first occurrence of each pair is its earliest day.
    labels, first = np.unique(pairs[order], return_index=True)
    seen: dict[tuple[str, str], int] = {}
    for label, index in zip(labels.tolist(), first.tolist(), strict=True):
        deployment, version = str(label).split("\x1f", 1)
        seen[(deployment, version)] = int(days[order][index])
    return seen


def metric_table(cells: CellTable, window: Window) -> list[dict[str, Any]]:
    """Every metric per window, slice value, deployment and handler, with its n."""
    totals = roll_up(cells, window)
    rows: list[dict[str, Any]] = []
    for spec in CATALOGUE:
        values = metric_values(totals, spec)
        for i in np.flatnonzero(values.applicable):
            rows.append(
                {
                    "window": window_label(int(totals.start[i]), int(totals.end[i]), window),
                    "slice": str(totals.slice[i]),
                    "segment": {
                        k: str(v[i]) for k, v in totals.segments.items() if v[i] is not None
                    },
                    "deployment": str(totals.deployment[i]),
                    "handler": str(totals.handler[i]),
                    "metric": spec.name,
                    "n": int(values.n[i]),
                    "value": _num(values.estimate[i]),
                    "sufficient": bool(values.sufficient[i]) or spec.kind is MetricKind.COUNT,
                }
            )
    return rows


def _write_artifacts(
    folder: Path,
    cells: CellTable,
    analysis: Analysis,
    metrics: list[dict[str, Any]],
    evaluations: list[dict[str, Any]],
    comparisons: list[dict[str, Any]],
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    columns: dict[str, Any] = {
        "slice": cells.slice.astype(str),
        "day": cells.day,
        "handler": cells.handler.astype(str),
        "deployment": cells.deployment.astype(str),
        "model_version": [None if v is None else str(v) for v in cells.model_version],
    }
    columns |= {k: [None if x is None else str(x) for x in v] for k, v in cells.segments.items()}
    columns |= dict(cells.stats)
    pq.write_table(pa.table(columns), folder / "cells.parquet")
    documents = {
        "findings.json": [f.model_dump(mode="json") | {"key": f.key} for f in analysis.findings],
        "evaluations.json": evaluations,
        "comparisons.json": comparisons,
        "metrics.json": metrics,
    }
    for name, document in documents.items():
        # Compact: the C encoder; an indent would run the pure-Python one (seconds at scale).
        (folder / name).write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")


def _evaluation(e: Evaluation) -> dict[str, Any]:
    return {
        "threshold": e.rule.id,
        "rule": e.rule.describe(),
        "declared_at": e.rule.created_at.isoformat() if e.rule.created_at else None,
        "deployment": e.scope.deployment,
        "scope": e.scope.segment,
        "status": e.status,
        e.effect_name: _num(e.effect),
        "ci": [_num(e.low), _num(e.high)],
        "limit": _num(e.limit),
        "estimate": {"ai": _num(e.estimate[0]), "comparator": _num(e.estimate[1])},
        "n": {"ai": int(e.n[0]), "comparator": None if e.n[1] is None else int(e.n[1])},
        "model_versions": e.versions,
    }


def _comparison(t: Tested) -> dict[str, Any]:
    return {
        "kind": t.kind,
        "metric": t.spec.name,
        "deployment": t.scope.deployment,
        "scope": t.scope.segment,
        "sides": list(t.labels),
        "estimate": [_num(t.estimate[0]), _num(t.estimate[1])],
        "n": [int(t.n[0]), int(t.n[1])],
        "difference": _num(t.difference),
        "ci": [_num(t.low), _num(t.high)],
        "ratio": _num(t.ratio),
        "p_value": _num(t.p_value),
        "q_value": _num(t.q_value),
        "status": "tested" if t.sufficient else "insufficient data",
        "model_versions": t.versions,
        "adjusted": {
            column: {"difference": _num(v[0]), "ci": [_num(v[1]), _num(v[2])]}
            for column, v in t.adjusted.items()
        },
    }


def _num(value: float | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None
