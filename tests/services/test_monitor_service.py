"""A monitoring run end to end: synthetic contacts with planted effects, loaded and judged."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from cxsteward.config import Settings
from cxsteward.domain.metrics import CATALOGUE
from cxsteward.errors import Conflict, Invalid, NotFound
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.monitoring.baselines import freeze_baseline, list_baselines
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.monitoring.thresholds import (
    add_thresholds_file,
    list_thresholds,
    retire_threshold,
)
from cxsteward.services.workspace import Workspace, init_workspace

THRESHOLDS = """thresholds:
  - id: billing-complaints
    metric: complaint_rate
    direction: above
    ratio: 1.5
    segment: {inquiry_type: billing}
    severity: sev2
    action: escalate
  - id: csat-gap
    metric: csat_satisfied_rate
    direction: below
    points: 5
    severity: sev3
  - id: resolution-floor
    metric: first_contact_resolution
    compare_to: absolute
    direction: below
    value: 0.5
    deployment: support-chat
"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, pd.DataFrame]]:
    folder = tmp_path_factory.mktemp("monitor")
    data = folder / "contacts.parquet"
    synthesize(data, 200_000, seed=11)
    ws = init_workspace(Settings(workspace=folder / "ws"))
    load_data(ws, data)
    (folder / "t.yaml").write_text(THRESHOLDS, "utf-8")
    add_thresholds_file(ws, folder / "t.yaml")
    yield ws, pd.read_parquet(data)
    ws.close()


def test_planted_effects_are_found(planted: tuple[Workspace, pd.DataFrame]) -> None:
    ws, rows = planted
    out = run_monitor(ws, fail_on="sev2")
    breaches = {
        (f.threshold, f.deployment): f for f in out.findings if f.kind == "threshold_breach"
    }
    for deployment in ("support-chat", "billing-voice"):
        finding = breaches[("billing-complaints", deployment)]
        assert finding.status == "confirmed" and finding.severity == "sev2"
        part = rows[(rows.deployment == deployment) & (rows.inquiry_type == "billing")]
        rates = part.groupby("handler").complaint.mean()
        assert finding.effect["ratio"] == pytest.approx(rates["ai"] / rates["human"])
    assert out.failed  # a confirmed sev2 breach with --fail-on sev2
    gaps = {
        (f.metric, f.deployment, tuple(f.scope.items()))
        for f in out.findings
        if f.kind == "ai_segment_gap"
    }
    assert ("csat_satisfied_rate", "support-chat", (("language", "es"),)) in gaps
    changes = [f for f in out.findings if f.kind == "model_change"]
    assert any(
        f.metric == "escalation_rate"
        and f.deployment == "support-chat"
        and not f.scope
        and f.model_versions == ["v1", "v2"]
        for f in changes
    )
    # The AI resolves more than humans (82% against 74%): compared, but never a finding.
    fcr = next(
        c
        for c in out.comparisons
        if c.kind == "ai_vs_human_gap"
        and c.metric == "first_contact_resolution"
        and c.deployment == "support-chat"
        and not c.scope
    )
    part = rows[rows.deployment == "support-chat"]
    ai = part[part.handler == "ai"].resolved_first_contact
    human = part[part.handler == "human"].resolved_first_contact
    low, high = confint_proportions_2indep(
        ai.sum(), ai.count(), human.sum(), human.count(), method="newcomb"
    )
    assert fcr.difference == pytest.approx(ai.mean() - human.mean())
    assert fcr.ci[0] <= low + 1e-9 and fcr.ci[1] >= high - 1e-9  # widened, never narrower
    # Simpson guard: AI takes more technical contacts, which everyone resolves less often;
    # adjusted for the inquiry mix the AI's advantage grows (Mantel-Haenszel, by hand here).
    numerator = weights = 0.0
    for _, stratum in part.groupby("inquiry_type"):
        a = stratum[stratum.handler == "ai"].resolved_first_contact.dropna()
        h = stratum[stratum.handler == "human"].resolved_first_contact.dropna()
        weight = len(a) * len(h) / (len(a) + len(h))
        numerator += weight * (a.mean() - h.mean())
        weights += weight
    adjusted = fcr.adjusted["inquiry_type"].difference
    assert adjusted == pytest.approx(numerator / weights)
    assert adjusted > fcr.difference + 0.02
    assert not any(
        f.metric == "first_contact_resolution" and f.kind == "ai_vs_human_gap" for f in out.findings
    )


def test_threshold_evaluations_are_all_reported(planted: tuple[Workspace, pd.DataFrame]) -> None:
    ws, _ = planted
    out = run_monitor(ws)
    statuses = {(e.threshold, e.deployment): e.status for e in out.evaluations}
    assert statuses[("resolution-floor", "support-chat")] == "ok"
    assert ("resolution-floor", "billing-voice") not in statuses  # scoped to one deployment
    assert {s for (rule, _), s in statuses.items() if rule == "csat-gap"} <= {"ok", "suspected"}
    assert all(e.declared_at for e in out.evaluations)


def test_artifacts_trace_every_figure(planted: tuple[Workspace, pd.DataFrame]) -> None:
    ws, rows = planted
    out = run_monitor(ws, date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
    cells = pd.read_parquet(out.artifacts / "cells.parquet")
    overall = cells[cells.slice == "overall"]
    january = rows[pd.to_datetime(rows.started_at, utc=True) < pd.Timestamp("2025-02-01", tz="UTC")]
    assert int(overall.n.sum()) == len(january)
    findings = json.loads((out.artifacts / "findings.json").read_text("utf-8"))
    assert len(findings) == len(out.findings) and all("key" in f and "trace" in f for f in findings)
    metrics = json.loads((out.artifacts / "metrics.json").read_text("utf-8"))
    weekly = [m for m in metrics if m["metric"] == "contacts" and m["slice"] == "overall"]
    assert sum(m["value"] for m in weekly) == len(january)


def test_small_groups_are_reported_insufficient_never_dropped(
    planted: tuple[Workspace, pd.DataFrame],
) -> None:
    ws, _ = planted
    # Two days: the overall groups are large enough, many segment groups are not.
    out = run_monitor(ws, date_from=date(2025, 1, 6), date_to=date(2025, 1, 7))
    min_n = {spec.name: spec.min_n for spec in CATALOGUE}
    two_sided = [c for c in out.comparisons if c.kind == "ai_vs_human_gap"]
    assert {c.status for c in two_sided} == {"tested", "insufficient data"}
    for c in two_sided:
        enough = min(c.n) >= min_n[c.metric]
        assert (c.status == "tested") == enough, c


def test_baseline_freeze_and_compare(
    planted: tuple[Workspace, pd.DataFrame], tmp_path: Path
) -> None:
    ws, rows = planted
    frozen = freeze_baseline(ws, "january-humans", date(2025, 1, 1), date(2025, 1, 31))
    assert frozen.values > 0 and frozen.intact
    with pytest.raises(Conflict, match="never changes"):
        freeze_baseline(ws, "january-humans", date(2025, 1, 1), date(2025, 1, 31))
    with pytest.raises(Invalid, match="empty"):
        freeze_baseline(ws, "backwards", date(2025, 2, 1), date(2025, 1, 1))
    with pytest.raises(Invalid, match="No human contacts"):
        freeze_baseline(ws, "no-humans", date(2020, 1, 1), date(2020, 1, 31))
    with pytest.raises(Invalid, match="its freeze date would come before its data ends"):
        freeze_baseline(ws, "future", date(2030, 1, 1), date(2030, 1, 31))
    rule = tmp_path / "b.yaml"
    rule.write_text(
        """thresholds:
  - id: csat-vs-baseline
    metric: csat_satisfied_rate
    compare_to: baseline
    baseline: january-humans
    direction: below
    points: 5
""",
        "utf-8",
    )
    add_thresholds_file(ws, rule)
    try:
        out = run_monitor(ws)
        evaluation = next(
            e
            for e in out.evaluations
            if e.threshold == "csat-vs-baseline" and e.deployment == "support-chat"
        )
        january = rows[
            (pd.to_datetime(rows.started_at, utc=True) < pd.Timestamp("2025-02-01", tz="UTC"))
            & (rows.handler == "human")
            & (rows.deployment == "support-chat")
        ]
        surveyed = january.csat.dropna()
        assert evaluation.estimate.comparator == pytest.approx((surveyed >= 4).mean())
        assert evaluation.n.comparator == len(surveyed)
    finally:
        retire_threshold(ws, "csat-vs-baseline")
    assert [b.name for b in list_baselines(ws)] == ["january-humans"]


def test_tampered_baseline_is_detected(planted: tuple[Workspace, pd.DataFrame]) -> None:
    ws, _ = planted
    freeze_baseline(ws, "to-tamper", date(2025, 2, 1), date(2025, 2, 28))
    with ws.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE baseline_values SET n = n + 1 WHERE id = (SELECT max(id) FROM baseline_values)"
        )
    assert {b.name: b.intact for b in list_baselines(ws)}["to-tamper"] is False


def test_thresholds_keep_their_history(
    planted: tuple[Workspace, pd.DataFrame], tmp_path: Path
) -> None:
    ws, _ = planted
    before = {r.id: r.created_at for r in list_thresholds(ws)}
    again = tmp_path / "t.yaml"
    again.write_text(THRESHOLDS, "utf-8")
    assert add_thresholds_file(ws, again).added == []  # same definitions: nothing new
    changed = tmp_path / "changed.yaml"
    changed.write_text(THRESHOLDS.replace("ratio: 1.5", "ratio: 2.0"), "utf-8")
    with pytest.raises(Conflict, match="Retire it first"):
        add_thresholds_file(ws, changed)
    assert {r.id: r.created_at for r in list_thresholds(ws)} == before


def test_empty_store_is_refused(tmp_path: Path) -> None:
    ws = init_workspace(Settings(workspace=tmp_path / "ws"))
    try:
        with pytest.raises(NotFound, match="data load"):
            run_monitor(ws)
    finally:
        ws.close()


def test_null_data_raises_no_alarm(tmp_path: Path) -> None:
    data = tmp_path / "null.parquet"
    synthesize(data, 100_000, seed=5, null=True)
    ws = init_workspace(Settings(workspace=tmp_path / "ws"))
    try:
        load_data(ws, data)
        out = run_monitor(ws)
        statistical = [f for f in out.findings if f.kind != "data_quality"]
        tested = [c for c in out.comparisons if c.status == "tested"]
        assert len(tested) > 100
        assert len(statistical) <= math.ceil(0.05 * 10), [f.message for f in statistical]
    finally:
        ws.close()
