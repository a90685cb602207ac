"""A monitored workspace with the example governance, for the behind / model-change tests.

The synthetic contacts plant a billing complaint gap in both deployments and a v1 -> v2
escalation change in support-chat on 2025-02-15 (the example governance records that
switch); billing-voice is given a v2 on 2025-03-20, twelve days before its data ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from cxsteward.config import Settings
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.governance.reading import read_governance_file
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.monitoring.runs import FindingOut
from cxsteward.services.monitoring.thresholds import add_thresholds_file
from cxsteward.services.workspace import Workspace, init_workspace

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BILLING_V1 = "      - {model: parlance-dialog, version: v1, effective_from: 2024-08-12}\n"
BILLING_V2 = "      - {model: parlance-dialog, version: v2, effective_from: 2025-03-20}\n"
# What each simple rate metric counts in the synthetic file: (column, test on known values).
RATE_COLUMNS = {
    "complaint_rate": "complaint",
    "escalation_rate": "escalated",
    "first_contact_resolution": "resolved_first_contact",
}


def governance_file(folder: Path) -> Path:
    """The example governance with a second model version for billing-voice."""
    text = (EXAMPLES / "governance.yaml").read_text("utf-8")
    assert BILLING_V1 in text
    target = folder / "governance.yaml"
    target.write_text(text.replace(BILLING_V1, BILLING_V1 + BILLING_V2), "utf-8")
    return target


@pytest.fixture(scope="module", name="world")
def world_fixture(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Workspace, pd.DataFrame]]:
    folder = tmp_path_factory.mktemp("behind")
    data = folder / "contacts.parquet"
    synthesize(data, 20_000, seed=5)
    ws = init_workspace(Settings(workspace=folder / "ws"))
    load_data(ws, data)
    add_thresholds_file(ws, EXAMPLES / "thresholds.yaml")
    apply_governance(ws, read_governance_file(governance_file(folder)), actor="test")
    run_monitor(ws)
    yield ws, pd.read_parquet(data)
    ws.close()


def findings_shown(findings: list[FindingOut]) -> str:
    """Each finding's kind, deployment, metric, scope and q-value, for a failure message."""
    return "; ".join(
        f"{f.kind} {f.deployment} {f.metric} {f.scope} q={f.q_value}" for f in findings
    )


def metric_column(rows: pd.DataFrame, metric: str) -> pd.Series:
    """The per-contact values a metric averages (known values only), computed here by hand."""
    if metric in RATE_COLUMNS:
        return rows[RATE_COLUMNS[metric]].dropna().astype(float)
    if metric == "csat_satisfied_rate":
        return (rows.csat.dropna() >= 4).astype(float)
    if metric == "csat_mean":
        return rows.csat.dropna().astype(float)
    if metric == "average_handle_time":
        return rows.handle_time_s.dropna().astype(float)
    if metric == "sentiment_mean":
        return rows.sentiment.dropna().astype(float)
    raise KeyError(metric)
