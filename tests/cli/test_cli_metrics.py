"""``cxsteward metrics show`` end to end on a workspace store written in ``tmp_path``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner, Result

from cxsteward.cli import metrics
from cxsteward.cli.app import app as root_app
from cxsteward.cli.app import root as root_callback
from cxsteward.cli.common import StewardTyper
from cxsteward.config import load_settings
from cxsteward.services.workspace import init_workspace
from store_files import publish_by_hand

EPOCH = pd.Timestamp("1970-01-01", tz="UTC")


def cli() -> typer.Typer:
    """The root app with the metrics group, whether or not cli/app.py registers it yet."""
    if "metrics" in {group.name for group in root_app.registered_groups}:
        return root_app
    app = StewardTyper(rich_markup_mode=None, pretty_exceptions_enable=False)
    app.callback()(root_callback)
    app.add_typer(metrics.app, name="metrics")
    return app


def contacts() -> pd.DataFrame:
    """Two weeks of February 2024: AI and human contacts in two regions."""
    rng = np.random.default_rng(21)
    rows = 400
    started = pd.Timestamp("2024-02-05", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 14 * 86400, rows), unit="s"
    )
    complaint = pd.Series(rng.random(rows) < 0.1, dtype="boolean")
    complaint[rng.random(rows) < 0.1] = pd.NA
    handler = rng.choice(["ai", "human"], rows)
    return pd.DataFrame(
        {
            "interaction_id": [f"c{i}" for i in range(rows)],
            "started_at": started,
            "handler": handler,
            "deployment": "chat",
            "model_version": np.where(handler == "ai", "v1", None),
            "complaint": complaint,
            "handle_time_s": rng.lognormal(5, 1, rows),
            "human_override": pd.Series(rng.random(rows) < 0.2, dtype="boolean"),
            "region": rng.choice(["north", "south"], rows),
        }
    )


@pytest.fixture
def rows() -> pd.DataFrame:
    return contacts()


@pytest.fixture
def workspace(tmp_path: Path, rows: pd.DataFrame) -> Path:
    folder = tmp_path / "ws"
    ws = init_workspace(load_settings(workspace=folder))
    seconds = (rows["started_at"] - EPOCH).dt.total_seconds()
    stored = rows.assign(day=(seconds // 86400).astype("int32"), load_id=1)
    target = folder / "data" / "interactions" / "month=2024-02"
    target.mkdir(parents=True)
    pq.write_table(pa.Table.from_pandas(stored, preserve_index=False), target / "part-1.parquet")
    publish_by_hand(ws, [target / "part-1.parquet"])
    ws.close()
    return folder


def run(runner: CliRunner, ws: Path, *args: str, **kwargs: Any) -> Result:
    return runner.invoke(cli(), ["--workspace", str(ws), "metrics", *args], **kwargs)


def ok(runner: CliRunner, ws: Path, *args: str) -> Result:
    result = run(runner, ws, *args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result


def test_help(runner: CliRunner) -> None:
    result = runner.invoke(cli(), ["metrics", "show", "--help"])
    assert result.exit_code == 0
    for option in ("--window", "--segment", "--from", "--to", "--by-model-version", "--json"):
        assert option in result.stdout
    assert "Example: cxsteward metrics show" in result.stdout


def test_json_rows_match_pandas(runner: CliRunner, workspace: Path, rows: pd.DataFrame) -> None:
    result = ok(runner, workspace, "show", "--segment", "region", "--json")
    data = json.loads(result.stdout)
    naive = rows["started_at"].dt.tz_localize(None)
    rows = rows.assign(week=naive.dt.to_period("W-SUN").dt.start_time.dt.strftime("%Y-%m-%d"))
    complaints = rows.dropna(subset=["complaint"]).groupby(["week", "region", "handler"])
    checked = 0
    for row in data:
        if row["metric"] == "complaint_rate" and row["slice"] == "region":
            group = complaints.get_group(
                (row["window_start"], row["segment"]["region"], row["handler"])
            )["complaint"]
            assert (row["n"], row["successes"]) == (len(group), int(group.sum()))
            assert row["estimate"] == pytest.approx(group.mean())
            checked += 1
    assert checked == 2 * 2 * 2  # weeks x regions x handlers
    overrides = [r for r in data if r["metric"] == "override_rate"]
    assert overrides and {r["handler"] for r in overrides} == {"ai"}
    assert {r["window_label"] for r in data} == {"2024-W06", "2024-W07"}


def test_table_shows_ai_beside_human_with_n(
    runner: CliRunner, workspace: Path, rows: pd.DataFrame
) -> None:
    result = ok(runner, workspace, "show", "--window", "all", "-s", "region")
    out = result.stdout
    assert "overall · deployment chat · 2024-02-05..2024-02-18" in out
    assert "region · deployment chat" in out
    line = next(x for x in out.splitlines() if "contacts" in x and "north" not in x)
    ai, human = (rows["handler"] == "ai").sum(), (rows["handler"] == "human").sum()
    assert f"{ai:,}" in line and f"{human:,}" in line
    rate = next(x for x in out.splitlines() if "complaint_rate" in x and "north" not in x)
    known = rows.dropna(subset=["complaint"])
    share = known[known["handler"] == "ai"]["complaint"].mean()
    assert f"{share:.1%}" in rate
    override = next(x for x in out.splitlines() if "override_rate" in x)
    assert "—" in override  # humans have no override rate
    assert "fewer contacts than the metric's minimum n" in out
    assert "  median" in out and "  p90" in out


def test_median_and_p90_are_the_exact_ones(
    runner: CliRunner, workspace: Path, rows: pd.DataFrame
) -> None:
    data = json.loads(ok(runner, workspace, "show", "--window", "all", "--json").stdout)
    out = ok(runner, workspace, "show", "--window", "all").stdout
    lines = out.splitlines()
    timed = {r["handler"]: r for r in data if r["metric"] == "average_handle_time"}
    assert set(timed) == {"ai", "human"}
    median_line = next(x for x in lines if "  median" in x)
    p90_line = next(x for x in lines if "  p90" in x)
    for handler, row in timed.items():
        handle = rows.loc[rows["handler"] == handler, "handle_time_s"].to_numpy()
        median, p90 = np.quantile(handle, [0.5, 0.9])
        assert row["median"] == pytest.approx(median, rel=1e-12, abs=0)
        assert row["p90"] == pytest.approx(p90, rel=1e-12, abs=0)
        assert f"{median:,.0f} s" in median_line and f"{p90:,.0f} s" in p90_line
    assert "median and p90 are exact" in out
    assert " h)" not in median_line  # minutes stay in seconds alone


def test_long_handle_times_show_hours_too(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    ws = init_workspace(load_settings(workspace=folder))
    days = pd.Series([1.5, 2.0, 54.5 / 24, 3.0, 30.0]) * 86400  # an incident log's durations
    frame = pd.DataFrame(
        {
            "interaction_id": [f"inc{i}" for i in range(len(days))],
            "started_at": pd.Timestamp("2024-02-05", tz="UTC"),
            "handler": "human",
            "deployment": "service-desk",
            "handle_time_s": days,
            "day": np.int32((pd.Timestamp("2024-02-05", tz="UTC") - EPOCH).days),
            "load_id": 1,
        }
    )
    target = folder / "data" / "interactions" / "month=2024-02"
    target.mkdir(parents=True)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), target / "part-1.parquet")
    publish_by_hand(ws, [target / "part-1.parquet"])
    ws.close()
    out = ok(runner, folder, "show", "--window", "all").stdout
    median, p90 = np.quantile(days, [0.5, 0.9])
    assert median == 54.5 * 3600
    median_line = next(x for x in out.splitlines() if "  median" in x)
    assert "196,200 s (54.5 h)" in median_line
    assert f"{p90:,.0f} s ({p90 / 3600:,.1f} h)" in next(
        x for x in out.splitlines() if "  p90" in x
    )


def test_by_model_version_adds_a_column(runner: CliRunner, workspace: Path) -> None:
    out = ok(runner, workspace, "show", "--window", "month", "--by-model-version").stdout
    assert "model version" in out and "v1" in out and "(none)" in out


def test_an_empty_range(runner: CliRunner, workspace: Path) -> None:
    out = ok(runner, workspace, "show", "--from", "2025-01-01", "--to", "2025-01-31").stdout
    assert "No contacts between 2025-01-01 and 2025-01-31." in out
    data = json.loads(ok(runner, workspace, "show", "--from", "2025-01-01", "--json").stdout)
    assert data == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--segment", "colour"], "Cannot slice by 'colour'"),
        (["--from", "2024-03-01", "--to", "2024-02-01"], "is after"),
    ],
    ids=["unknown-segment", "reversed-dates"],
)
def test_errors_are_one_line(
    runner: CliRunner, workspace: Path, args: list[str], message: str
) -> None:
    result = run(runner, workspace, "show", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr


def test_no_data_yet(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    init_workspace(load_settings(workspace=folder)).close()
    result = run(runner, folder, "show")
    assert result.exit_code == 1
    assert "cxsteward data load" in result.stderr
