"""Typed timestamp columns (zoned and naive) read in place on DuckDB, Spark and PostgreSQL.

Expected instants and durations are computed here with pandas from the same values.
Fractions are whole milliseconds: Spark extracts no finer part.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxsteward.domain.mapping import parse_mapping
from cxsteward.engine.backend import fetch_arrow, quiet_backend
from cxsteward.engine.in_place import map_in_place

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

UTC = dt.UTC
NOW = dt.datetime(2025, 6, 1, tzinfo=UTC)
# Sub-second parts above and below half a second, a DST change in London, a pre-1970 time.
WALL = [
    dt.datetime(2025, 3, 1, 9, 0, 0, 123_000),
    dt.datetime(2025, 3, 30, 0, 59, 59, 999_000),
    dt.datetime(2025, 3, 30, 2, 30, 0, 500_000),
    dt.datetime(2024, 10, 27, 1, 30, 0, 0),
    dt.datetime(1969, 12, 31, 23, 59, 58, 750_000),
]
LENGTHS = [95.5, 0.001, 3600.25, 59.999, 1.25]  # seconds from start to end
BASE = "timezone: {zone}\nconstants: {{handler: human}}\nfields:\n  interaction_id: id\n"
NATIVE = BASE + "  started_at: s\n  handle_time_s: {{start: s, end: e}}\n"


def stamps(values: list[dt.datetime], zoned: bool) -> pa.Array:
    if zoned:
        return pa.array([v.replace(tzinfo=UTC) for v in values], pa.timestamp("us", tz="UTC"))
    return pa.array(values, pa.timestamp("us"))


def columns(zoned: bool) -> dict[str, pa.Array]:
    ends = [w + dt.timedelta(seconds=s) for w, s in zip(WALL, LENGTHS, strict=True)]
    return {"s": stamps(WALL, zoned), "e": stamps(ends, zoned)}


def expected_starts(zone: str) -> list[pd.Timestamp]:
    """The wall-clock times in ``zone`` as UTC, as pandas reads them (the first of a repeated
    hour, a skipped time moved forward), as the load reads them."""
    local = pd.Series(WALL).dt.tz_localize(zone, ambiguous=True, nonexistent="shift_forward")
    return list(local.dt.tz_convert("UTC"))


def run(
    con: ibis.BaseBackend, zoned: bool, zone: str, folder: Path
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accepted rows in order, rejected lines) of the columns as an external table: a
    Parquet file (Spark reads a naive column as TIMESTAMP_NTZ), or a PostgreSQL table."""
    data = pa.table({"id": [f"c{i}" for i in range(len(WALL))], **columns(zoned)})
    with quiet_backend():
        if con.name == "postgres":
            table = con.create_table(f"native_{uuid.uuid4().hex}", data, temp=True)
        else:
            path = folder / f"native_{uuid.uuid4().hex}.parquet"
            pq.write_table(data, path)
            table = con.read_parquet(str(path))
        mapping = parse_mapping(NATIVE.format(zone=zone), "m.yaml")
        result = map_in_place(table, mapping, source="native", now=NOW)
        rows = fetch_arrow(result.table).to_pandas().sort_values("interaction_id")
        rejected = fetch_arrow(result.rejected).to_pandas()
    return rows.reset_index(drop=True), rejected


def check(con: ibis.BaseBackend, zoned: bool, zone: str, folder: Path) -> None:
    rows, rejected = run(con, zoned, zone, folder)
    assert rejected.empty, rejected
    assert list(rows["interaction_id"]) == [f"c{i}" for i in range(len(WALL))]
    starts = pd.to_datetime(rows["started_at"], utc=True)
    # A zoned column is an instant already: the mapping's zone does not move it.
    wanted = expected_starts("UTC" if zoned else zone)
    assert list(starts) == wanted
    lengths = [round(float(v), 6) for v in rows["handle_time_s"]]
    assert lengths == pytest.approx(LENGTHS, abs=1e-9)


@pytest.mark.parametrize("zone", ["UTC", "Europe/London"])
def test_zoned_timestamp_columns_are_instants(
    backend: ibis.BaseBackend, zone: str, tmp_path: Path
) -> None:
    check(backend, zoned=True, zone=zone, folder=tmp_path)


@pytest.mark.parametrize("zone", ["UTC", "Europe/London"])
def test_naive_timestamp_columns_are_read_in_the_mappings_zone(
    backend: ibis.BaseBackend, zone: str, tmp_path: Path
) -> None:
    check(backend, zoned=False, zone=zone, folder=tmp_path)


@pytest.mark.postgres
@pytest.mark.parametrize("zoned", [True, False], ids=["timestamptz", "timestamp"])
def test_native_timestamps_read_alike_on_postgres(
    postgres: ibis.BaseBackend, zoned: bool, tmp_path: Path
) -> None:
    check(postgres, zoned=zoned, zone="Europe/London", folder=tmp_path)


@pytest.mark.spark
def test_spark_filters_on_the_checks_columns_not_on_their_expressions(
    spark: SparkSession, tmp_path: Path
) -> None:
    # Pushed down to the scan, the filter of the valid rows wrote each check of a duration
    # between zoned times out in full (290 KB of plan), beyond Spark's code generation.
    con = ibis.pyspark.connect(spark)
    path = tmp_path / "native.parquet"
    pq.write_table(pa.table({"id": [f"c{i}" for i in range(len(WALL))], **columns(False)}), path)
    mapping = parse_mapping(NATIVE.format(zone="Europe/London"), "m.yaml")
    with quiet_backend():
        result = map_in_place(con.read_parquet(str(path)), mapping, source="native", now=NOW)
        for expr in (result.table, result.rejected):
            plan = spark.sql(con.compile(expr))._jdf.queryExecution().optimizedPlan()
            filters = [line for line in plan.toString().splitlines() if "Filter" in line]
            assert filters and max(len(line) for line in filters) < 2_000
