"""Model versions from the registry fill in exports that do not record them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsteward.config import Settings
from cxsteward.domain.governance.spec import Deployment, Function, Governance, ModelVersion
from cxsteward.domain.metrics import STAT_COLUMNS, CellTable, day_number
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.monitoring.versions import label_versions, registry_versions
from cxsteward.services.workspace import Workspace, init_workspace

V1, V2 = date(2025, 1, 1), date(2025, 2, 15)  # the synthetic switch in support-chat


def governance(models: list[ModelVersion]) -> Governance:
    return Governance(
        organization="Test Org",
        deployments=[
            Deployment(
                key="support-chat", name="Support chat", function=Function.SUPPORT, models=models
            ),
            Deployment(key="billing-voice", name="Billing voice", function=Function.SUPPORT),
        ],
    )


def cells(rows: list[tuple[int, str, str, str | None]]) -> CellTable:
    """(day, handler, deployment, model version) per cell; the statistics do not matter here."""
    size = len(rows)
    return CellTable(
        slice=np.asarray(["overall"] * size, dtype=object),
        day=np.asarray([r[0] for r in rows], dtype=np.int64),
        handler=np.asarray([r[1] for r in rows], dtype=object),
        deployment=np.asarray([r[2] for r in rows], dtype=object),
        model_version=np.asarray([r[3] for r in rows], dtype=object),
        segments={},
        stats={c: np.ones(size) for c in STAT_COLUMNS},
    )


def test_unlabelled_ai_cells_get_the_version_in_effect_that_day() -> None:
    d1, d2 = day_number(V1), day_number(V2)
    table = cells(
        [
            (d1 - 1, "ai", "support-chat", None),  # before any recorded version
            (d1, "ai", "support-chat", None),
            (d2 - 1, "ai", "support-chat", None),
            (d2, "ai", "support-chat", None),
            (d2 + 5, "ai", "support-chat", "v9"),  # the data's own label wins
            (d2 + 5, "human", "support-chat", None),  # humans have no model version
            (d2 + 5, "ai", "billing-voice", None),  # no versions recorded for it
        ]
    )
    versions = {
        "support-chat": [
            ModelVersion(model="m", version="v2", effective_from=V2),
            ModelVersion(model="m", version="v1", effective_from=V1),
        ]
    }
    labelled = label_versions(
        table, {k: sorted(v, key=lambda m: m.effective_from) for k, v in versions.items()}
    )
    assert labelled.model_version.tolist() == [None, "v1", "v1", "v2", "v9", None, None]
    assert table.model_version.tolist()[1] is None  # the input is left as it was


def test_registry_versions_empty_before_governance_then_in_effective_order(ws: Workspace) -> None:
    assert registry_versions(ws) == {}
    apply_governance(
        ws,
        governance(
            [
                ModelVersion(model="m", version="v2", effective_from=V2),
                ModelVersion(model="m", version="v1", effective_from=V1),
            ]
        ),
    )
    got = registry_versions(ws)
    assert list(got) == ["support-chat"]
    assert [m.version for m in got["support-chat"]] == ["v1", "v2"]


@pytest.fixture(scope="module")
def unversioned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("unversioned")
    raw = folder / "raw.parquet"
    synthesize(raw, 120_000, seed=5)
    data = folder / "contacts.parquet"
    pd.read_parquet(raw).drop(columns=["model_version"]).to_parquet(data)
    return data


def _model_changes(settings: Settings, data: Path, gov: Governance | None) -> list[list[str]]:
    ws = init_workspace(settings)
    try:
        load_data(ws, data)
        if gov is not None:
            apply_governance(ws, gov)
        out = run_monitor(ws)
        return [
            f.model_versions
            for f in out.findings
            if f.kind == "model_change" and f.metric == "escalation_rate" and not f.scope
        ]
    finally:
        ws.close()


def test_switch_recorded_only_in_the_registry_is_compared(
    unversioned: Path, tmp_path: Path
) -> None:
    without = _model_changes(Settings(workspace=tmp_path / "a"), unversioned, None)
    assert [versions for versions in without if versions] == []
    models = [
        ModelVersion(model="m", version="v1", effective_from=V1),
        ModelVersion(model="m", version="v2", effective_from=V2),
    ]
    found = _model_changes(Settings(workspace=tmp_path / "b"), unversioned, governance(models))
    assert ["v1", "v2"] in found
