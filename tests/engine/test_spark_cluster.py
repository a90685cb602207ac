"""`monitor run` on a real Spark standalone cluster agrees with DuckDB, cell by cell.

One workspace of synthetic contacts (segments, thresholds, a frozen baseline) is copied
twice; the CLI runs `monitor run` on each copy in its own process, once with the default
DuckDB engine and once with ``CXSTEWARD_DATA_URL=pyspark://spark://127.0.0.1:P``. A process
that already holds a local SparkSession could not reach the cluster (getOrCreate reuses it),
hence the subprocesses.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from cxsteward.config import Settings
from cxsteward.domain.interactions import FIELD_NAMES
from cxsteward.domain.metrics import STAT_COLUMNS, SUM_COLUMNS, N
from cxsteward.services.accounts.sessions import web_secret
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.monitoring.baselines import freeze_baseline
from cxsteward.services.monitoring.thresholds import add_thresholds_file
from cxsteward.services.workspace import init_workspace
from spark_cluster import Cluster

pytestmark = [pytest.mark.spark, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ROWS = 4_000
TODAY = "2025-04-01"  # a fixed day, so the feed's age is the same in both runs
BASELINE_RULE = """thresholds:
  - id: csat-vs-baseline
    metric: csat_satisfied_rate
    compare_to: baseline
    baseline: january-humans
    direction: below
    points: 5
"""
# Sums of reals may be added in another order on each engine; counts must match exactly.
RTOL = 1e-9


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("cluster")
    data = folder / "contacts.parquet"
    synthesize(data, ROWS, seed=11)
    ws = init_workspace(Settings(workspace=folder / "ws"))
    load_data(ws, data)
    add_thresholds_file(ws, ROOT / "examples" / "thresholds.yaml")
    freeze_baseline(ws, "january-humans", date(2025, 1, 1), date(2025, 1, 31))
    (folder / "baseline.yaml").write_text(BASELINE_RULE, "utf-8")
    add_thresholds_file(ws, folder / "baseline.yaml")
    ws.close()
    return folder / "ws", pd.read_parquet(data)


def monitor_run(source: Path, copy: Path, env: dict[str, str]) -> Path:
    """`python -m cxsteward monitor run` on a copy of ``source``; its run's artifacts folder."""
    shutil.copytree(source, copy)
    command = [sys.executable, "-m", "cxsteward", "--workspace", str(copy), "monitor", "run"]
    done = subprocess.run(
        [*command, "--today", TODAY], env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    (artifacts,) = sorted((copy / "runs").iterdir())
    return artifacts


def assert_same_cells(duckdb: pd.DataFrame, spark: pd.DataFrame) -> None:
    stats = list(STAT_COLUMNS)
    keys = [c for c in duckdb.columns if c not in stats]
    assert sorted(duckdb.columns) == sorted(spark.columns)
    assert len(keys) >= 5 and len(stats) > 20  # slice, day, handler, deployment, version...

    def ordered(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[keys + stats].astype(dict.fromkeys(keys, "object"))
        frame[keys] = frame[keys].where(frame[keys].notna(), "\x00null")
        return frame.sort_values(keys).reset_index(drop=True)

    left, right = ordered(duckdb), ordered(spark)
    assert left[keys].equals(right[keys])
    for column in stats:
        a, b = left[column].to_numpy(np.float64), right[column].to_numpy(np.float64)
        if column in SUM_COLUMNS:
            np.testing.assert_allclose(b, a, rtol=RTOL, atol=1e-9, equal_nan=True, err_msg=column)
        else:
            np.testing.assert_array_equal(b, a, err_msg=column)


def assert_same(left: Any, right: Any, where: str) -> None:
    """Equal JSON values, floats to a tight relative tolerance."""
    if isinstance(left, float) and isinstance(right, float):
        assert math.isclose(left, right, rel_tol=RTOL, abs_tol=1e-12), where
    elif isinstance(left, dict) and isinstance(right, dict):
        assert left.keys() == right.keys(), where
        for key in left:
            assert_same(left[key], right[key], f"{where}.{key}")
    elif isinstance(left, list) and isinstance(right, list):
        assert len(left) == len(right), where
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    else:
        assert left == right, where


def run_both(source: Path, cluster: Cluster, tmp_path: Path) -> tuple[Path, Path]:
    """`monitor run` on DuckDB and on the cluster (checked to have really run it)."""
    duckdb_env = cluster.environment()
    del duckdb_env["CXSTEWARD_DATA_URL"]  # the default engine
    on_duckdb = monitor_run(source, tmp_path / "duckdb", duckdb_env)
    apps_before = len(cluster.state()["completedapps"])
    on_spark = monitor_run(source, tmp_path / "spark", cluster.environment())
    # One more finished application, with an executor on each worker.
    finished = cluster.state()["completedapps"]
    assert len(finished) == apps_before + 1
    app = max(finished, key=lambda a: a["starttime"])
    assert app["name"] == "cxsteward" and app["state"] == "FINISHED"
    for worker in ("worker-1", "worker-2"):
        assert (cluster.logs / worker / app["id"]).is_dir(), cluster.log_text()
    return on_duckdb, on_spark


def assert_same_runs(on_duckdb: Path, on_spark: Path, contacts: int) -> None:
    """Every cell, finding, evaluation, comparison and metric row of two runs agree."""
    cells = pd.read_parquet(on_duckdb / "cells.parquet")
    assert_same_cells(cells, pd.read_parquet(on_spark / "cells.parquet"))
    # Against the source file itself: the overall slice counts every contact once.
    assert cells.loc[cells.slice == "overall", N].sum() == contacts

    findings = {f["key"]: f for f in json.loads((on_duckdb / "findings.json").read_text())}
    spark_findings = {f["key"]: f for f in json.loads((on_spark / "findings.json").read_text())}
    assert findings.keys() == spark_findings.keys()
    assert {f["kind"] for f in findings.values()} >= {"threshold_breach", "ai_segment_gap"}
    for key, finding in findings.items():
        assert_same(finding, spark_findings[key], key)
    for name in ("evaluations.json", "comparisons.json", "metrics.json"):
        duck = json.loads((on_duckdb / name).read_text())
        assert_same(duck, json.loads((on_spark / name).read_text()), name)


def test_monitor_run_on_a_cluster_matches_duckdb(
    workspace: tuple[Path, pd.DataFrame], spark_cluster: Cluster, tmp_path: Path
) -> None:
    source, rows = workspace
    on_duckdb, on_spark = run_both(source, spark_cluster, tmp_path)
    assert_same_runs(on_duckdb, on_spark, len(rows))
    evaluations = json.loads((on_duckdb / "evaluations.json").read_text())
    assert any(e["threshold"] == "csat-vs-baseline" for e in evaluations)


def cxsteward(workspace: Path, *args: str) -> None:
    """One CLI command on ``workspace`` in its own process, on the default engine."""
    command = [sys.executable, "-m", "cxsteward", "--workspace", str(workspace), *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXSTEWARD_")}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"


def test_attached_parquet_on_a_cluster_matches_duckdb(
    spark_cluster: Cluster, tmp_path: Path
) -> None:
    # The synthetic contacts as Parquet, times as native zoned timestamps, read in place.
    export = tmp_path / "export" / "contacts.parquet"
    synthesize(export, ROWS, seed=12)
    schema = pq.read_schema(export)
    assert str(schema.field("started_at").type) == "timestamp[us, tz=UTC]"
    mapping = tmp_path / "mapping.yaml"
    document = {
        "fields": {n: n for n in schema.names if n in FIELD_NAMES},
        "segments": {n: n for n in schema.names if n not in FIELD_NAMES},
    }
    mapping.write_text(yaml.safe_dump(document), "utf-8")
    source = tmp_path / "ws"
    cxsteward(source, "init")
    cxsteward(source, "data", "attach", str(export), "--mapping", str(mapping))
    cxsteward(source, "thresholds", "add", str(ROOT / "examples" / "thresholds.yaml"))
    # The key that names agents in findings is made on first use: make it before the copies,
    # as a workspace in use has it.
    web_secret(Settings(workspace=source))
    on_duckdb, on_spark = run_both(source, spark_cluster, tmp_path)
    assert_same_runs(on_duckdb, on_spark, pq.read_metadata(export).num_rows)
    for run in (on_duckdb, on_spark):
        read = json.loads((run / "source.json").read_text())
        assert read["source"]["kind"] == "parquet" and read["rows_read"] == ROWS
