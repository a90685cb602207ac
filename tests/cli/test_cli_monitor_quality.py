"""`monitor run` gates on data quality: an empty window and a stale feed exit 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxsteward.cli.app import app


def run(runner: CliRunner, ws: Path, *args: str, **env: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--workspace", str(ws), *args], env=env or None)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, pd.Timestamp]]:
    folder = tmp_path_factory.mktemp("cli-quality")
    runner = CliRunner()
    ws = folder / "ws"
    data = folder / "contacts.parquet"
    assert run(runner, ws, "init")[0] == 0
    code, _, err = run(runner, ws, "data", "synth", "--rows", "8000", "--out", str(data))
    assert code == 0, err
    code, _, err = run(runner, ws, "data", "load", str(data))
    assert code == 0, err
    yield ws, pd.read_parquet(data, columns=["started_at"]).started_at.max()


def test_an_empty_window_is_a_failed_gate(
    runner: CliRunner, loaded: tuple[Path, pd.Timestamp]
) -> None:
    ws, _ = loaded
    code, out, err = run(runner, ws, "monitor", "run", "--from", "2030-01-01")
    assert code == 2, out + err
    assert "Check failed: the monitoring window is empty (sev1)" in err
    assert "holds 0 contacts: nothing was monitored" in out


def test_a_stale_feed_fails_the_gate_at_its_severity(
    runner: CliRunner, loaded: tuple[Path, pd.Timestamp], tmp_path: Path
) -> None:
    ws, newest = loaded
    late = (newest + pd.Timedelta(days=160)).date().isoformat()
    report = tmp_path / "run.json"
    code, out, err = run(
        runner, ws, "monitor", "run", "--today", late, "--fail-on", "sev2", "--json", str(report)
    )
    assert code == 2, out + err
    assert (
        "Check failed: stale_feed in support-chat is a confirmed data-quality finding at sev2"
        in err
    )
    assert f"is 160 days old ({newest.date().isoformat()}" in out
    stale = [
        f for f in json.loads(report.read_text("utf-8"))["findings"] if f["kind"] == "data_quality"
    ]
    assert {f["threshold"] for f in stale} == {"stale_feed"}
    assert all(f["severity"] == "sev2" and f["status"] == "confirmed" for f in stale)
    # The same run gated at sev1 passes; a run on the day after the newest contact is fresh.
    assert run(runner, ws, "monitor", "run", "--today", late, "--fail-on", "sev1")[0] == 0
    fresh = (newest + pd.Timedelta(days=1)).date().isoformat()
    code, out, err = run(runner, ws, "monitor", "run", "--today", fresh, "--fail-on", "sev4")
    assert code == 0, out + err


def test_the_stale_limit_is_a_setting(runner: CliRunner, loaded: tuple[Path, pd.Timestamp]) -> None:
    ws, newest = loaded
    late = (newest + pd.Timedelta(days=160)).date().isoformat()
    args = ("monitor", "run", "--today", late, "--fail-on", "sev2")
    assert run(runner, ws, *args, CXSTEWARD_STALE_FEED_DAYS="200")[0] == 0
    code, _, err = run(runner, ws, *args, CXSTEWARD_STALE_FEED_DAYS="0")
    assert (
        code == 1 and "CXSTEWARD_STALE_FEED_DAYS: Input should be greater than or equal to 1" in err
    )


def test_a_badly_written_day_is_refused(
    runner: CliRunner, loaded: tuple[Path, pd.Timestamp]
) -> None:
    ws, _ = loaded
    code, _, err = run(runner, ws, "monitor", "run", "--today", "07/12/2026")
    assert code == 1 and "--today '07/12/2026': use YYYY-MM-DD" in err
