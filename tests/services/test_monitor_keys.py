"""Finding keys are unique by construction (issue 11, item 1).

`monitor run` used to stop on ``UNIQUE constraint failed: findings.run_id, findings.key``
when a segment had blank cells (the blank level read as the overall scope) or when two loads
declared different segment columns. Reproduced here through the service and the CLI, then
over generated stores with hypothesis.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from exports_world import World, load_months
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cxsteward.cli.app import app
from cxsteward.config import Settings
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.workspace import init_workspace

# Strong effects on small stores, so that overall and blank-level findings both appear.
STRONG = World(rows_per_month=4_000, ai_billing_complaints=0.30, complaints=0.05, blank_share=0.3)


@pytest.mark.parametrize("months", [1, 2], ids=["blank-cells", "two-layouts"])
def test_blank_segments_and_changing_layouts_run_through_the_service(
    tmp_path: Path, months: int
) -> None:
    ws = init_workspace(Settings(workspace=tmp_path / "ws"))
    load_months(ws, STRONG, tmp_path, months)
    out = run_monitor(ws)
    keys = [f.key for f in out.findings]
    assert len(keys) == len(set(keys))
    # The blank level is a finding of its own, never merged into the overall scope.
    scopes = [f.scope for f in out.findings if f.kind == "ai_vs_human_gap"]
    assert {} in scopes
    assert all(v for scope in scopes for v in scope.values())
    ws.close()


@pytest.mark.parametrize("months", [1, 2], ids=["blank-cells", "two-layouts"])
def test_blank_segments_and_changing_layouts_run_through_the_cli(
    runner: CliRunner, tmp_path: Path, months: int
) -> None:
    folder = tmp_path / "ws"
    assert runner.invoke(app, ["--workspace", str(folder), "init"]).exit_code == 0
    ws = init_workspace(Settings(workspace=folder))
    load_months(ws, STRONG, tmp_path, months)
    ws.close()
    result = runner.invoke(app, ["--workspace", str(folder), "monitor", "run"])
    assert result.exit_code == 0, result.stderr + repr(result.exception)
    assert "findings from" in result.stdout and "Traceback" not in result.stderr


def test_a_store_without_effects_is_quiet(tmp_path: Path) -> None:
    quiet = World(rows_per_month=4_000, ai_billing_complaints=0.02, drop=0.0, blank_share=0.3)
    ws = init_workspace(Settings(workspace=tmp_path / "ws"))
    load_months(ws, quiet, tmp_path, 2)
    out = run_monitor(ws)
    assert [f for f in out.findings if f.kind != "data_quality"] == []
    ws.close()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    months=st.integers(1, 2),
    deployments=st.lists(
        st.sampled_from(["chat", "voice", "email"]), min_size=1, max_size=3, unique=True
    ),
    blank_share=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    billing=st.sampled_from([0.02, 0.3]),
    drop=st.sampled_from([0.0, 0.3]),
    languages=st.lists(st.sampled_from(["en", "es", "fr", "de"]), max_size=3, unique=True),
    seed=st.integers(0, 10_000),
)
def test_finding_keys_are_unique_over_generated_stores(
    months: int,
    deployments: list[str],
    blank_share: float,
    billing: float,
    drop: float,
    languages: list[str],
    seed: int,
) -> None:
    world = World(
        rows_per_month=2_000,
        deployments=tuple(deployments),
        ai_billing_complaints=billing,
        complaints=0.05,
        drop=drop,
        drop_languages=tuple(languages),
        blank_share=blank_share,
        seed=seed,
    )
    with tempfile.TemporaryDirectory() as folder:
        ws = init_workspace(Settings(workspace=Path(folder) / "ws"))
        try:
            load_months(ws, world, Path(folder), months)
            out = run_monitor(ws)
            keys = [f.key for f in out.findings]
            assert len(keys) == len(set(keys))
            for f in out.findings:
                assert all(v for v in f.scope.values()), f.scope
        finally:
            ws.close()
