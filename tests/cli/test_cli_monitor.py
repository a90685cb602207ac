"""The monitoring commands: thresholds, baselines and runs, with the exit codes CI gates on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxsteward.cli.app import app

THRESHOLDS = """thresholds:
  - id: billing-complaints
    metric: complaint_rate
    direction: above
    ratio: 1.5
    segment: {inquiry_type: billing}
    severity: sev2
    action: escalate
"""


def run(runner: CliRunner, ws: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--workspace", str(ws), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("cli-monitor")
    runner = CliRunner()
    ws = folder / "ws"
    data = folder / "contacts.parquet"
    assert run(runner, ws, "init")[0] == 0
    code, out, err = run(runner, ws, "data", "synth", "--rows", "60000", "--out", str(data))
    assert code == 0, err
    code, out, err = run(runner, ws, "data", "load", str(data))
    assert code == 0, err
    yield ws


def test_thresholds_add_list_retire(runner: CliRunner, loaded: Path, tmp_path: Path) -> None:
    rules = tmp_path / "t.yaml"
    rules.write_text(THRESHOLDS, "utf-8")
    code, out, _ = run(runner, loaded, "thresholds", "add", str(rules), "--json")
    assert code == 0 and json.loads(out) == {"added": ["billing-complaints"], "unchanged": []}
    code, out, err = run(
        runner,
        loaded,
        "thresholds",
        "add",
        "--id",
        "tmp",
        "--metric",
        "escalation_rate",
        "--direction",
        "above",
        "--points",
        "5",
        "--segment",
        "language=es",
    )
    assert code == 0, err
    code, out, _ = run(runner, loaded, "thresholds", "list", "--json")
    listed = {r["id"]: r for r in json.loads(out)}
    assert listed["tmp"]["segment"] == {"language": "es"} and listed["tmp"]["created_at"]
    assert run(runner, loaded, "thresholds", "retire", "tmp")[0] == 0
    code, out, _ = run(runner, loaded, "thresholds", "list", "--json")
    assert [r["id"] for r in json.loads(out)] == ["billing-complaints"]
    code, _, err = run(
        runner,
        loaded,
        "thresholds",
        "add",
        "--id",
        "x",
        "--metric",
        "nps",
        "--direction",
        "above",
        "--points",
        "1",
    )
    assert code == 1 and err.startswith("Error:") and "unknown metric 'nps'" in err
    code, _, err = run(
        runner,
        loaded,
        "thresholds",
        "add",
        "--id",
        "y",
        "--metric",
        "escalation_rate",
        "--direction",
        "above",
        "--segment",
        "oops",
    )
    assert code == 1 and "COLUMN=VALUE" in err


def test_monitor_run_gates_ci(runner: CliRunner, loaded: Path, tmp_path: Path) -> None:
    rules = tmp_path / "t.yaml"
    rules.write_text(THRESHOLDS, "utf-8")
    run(runner, loaded, "thresholds", "add", str(rules))
    report = tmp_path / "run.json"
    code, out, err = run(
        runner, loaded, "monitor", "run", "--json", str(report), "--fail-on", "sev2"
    )
    assert code == 2, out + err
    assert "Check failed" in err
    document = json.loads(report.read_text("utf-8"))
    breach = [f for f in document["findings"] if f["kind"] == "threshold_breach"]
    assert breach and all(f["status"] in {"confirmed", "suspected"} for f in breach)
    assert {"findings", "evaluations", "comparisons", "metrics", "run"} <= set(document)
    # Only sev1 breaches fail the build: none here.
    code, _, err = run(runner, loaded, "monitor", "run", "--fail-on", "sev1")
    assert code == 0, err
    code, _, err = run(runner, loaded, "monitor", "run", "--from", "31-01-2025")
    assert code == 1 and "YYYY-MM-DD" in err


def test_baseline_freeze_and_list(runner: CliRunner, loaded: Path) -> None:
    code, out, err = run(
        runner,
        loaded,
        "baseline",
        "freeze",
        "pre",
        "--from",
        "2025-01-01",
        "--to",
        "2025-01-31",
        "--json",
    )
    assert code == 0, err
    frozen = json.loads(out)
    assert frozen["name"] == "pre" and frozen["values"] > 0 and frozen["intact"]
    code, out, _ = run(runner, loaded, "baseline", "list", "--json")
    assert [b["name"] for b in json.loads(out)] == ["pre"]
    code, _, err = run(
        runner, loaded, "baseline", "freeze", "pre", "--from", "2025-01-01", "--to", "2025-01-31"
    )
    assert code == 1 and "never changes" in err


def test_monitor_on_an_empty_store(runner: CliRunner, tmp_path: Path) -> None:
    ws = tmp_path / "empty"
    run(runner, ws, "init")
    code, _, err = run(runner, ws, "monitor", "run")
    assert code == 1 and err.startswith("Error:") and "data load" in err
