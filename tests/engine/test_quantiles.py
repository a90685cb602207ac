"""Exact handle-time quantiles on DuckDB and Spark, against numpy on the same rows."""

from __future__ import annotations

from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_cell_table import contacts, utc, write_store

from cxsteward.domain import metrics as m
from cxsteward.engine.backend import fetch_arrow, interactions_table, quiet_backend
from cxsteward.engine.quantiles import handle_time_quantiles, window_start
from cxsteward.errors import Invalid

SLICES: list[m.Slice] = [("region",), ("tier",), ("region", "tier")]
PERIODS = {m.Window.DAY: "D", m.Window.WEEK: "W-SUN", m.Window.MONTH: "M"}


def long_tailed(rows: int = 3000, seed: int = 5) -> pd.DataFrame:
    """The cell-table contacts with a long tail: half the handle times Pareto from 30 min
    (shape 0.9: one in seven beyond 2 hours, one in seventy beyond a day), whole seconds
    with ties, the rest as they were."""
    rng = np.random.default_rng(seed)
    frame = contacts(rows, seed)
    tail = rng.random(len(frame)) < 0.5
    heavy = np.round(1800.0 * (1.0 + rng.pareto(0.9, len(frame))))
    handle = frame["handle_time_s"].to_numpy(dtype=float, na_value=np.nan)
    frame["handle_time_s"] = np.where(tail & ~np.isnan(handle), heavy, handle)
    return frame


def expected(
    frame: pd.DataFrame, columns: m.Slice, window: m.Window, by_version: bool
) -> dict[tuple[object, ...], tuple[int, float, float]]:
    """n, median and p90 per group, with pandas periods and np.quantile (linear)."""
    rows = frame[frame["handle_time_s"].notna()].copy()
    for column in columns:  # an empty cell is a blank like a null: one level, "(missing)"
        rows[column] = rows[column].replace("", None)
    naive = rows["started_at"].dt.tz_convert(None)
    day = (naive - pd.Timestamp(0)).dt.days
    if window is m.Window.ALL:
        rows["start"] = int(
            ((frame["started_at"].dt.tz_convert(None)) - pd.Timestamp(0)).dt.days.min()
        )
    else:
        rows["start"] = (
            naive.dt.to_period(PERIODS[window]).dt.start_time - pd.Timestamp(0)
        ).dt.days
    assert (rows["start"] <= day).all()
    keys = ["start", *columns, "deployment", "handler", *(["model_version"] if by_version else [])]
    out = {}
    for key, group in rows.groupby(keys, dropna=False):
        values = group["handle_time_s"].to_numpy(dtype=float)
        median, p90 = np.quantile(values, [0.5, 0.9], method="linear")
        named = dict(zip(keys, key, strict=True))
        group_key = (
            int(named["start"]),
            m.slice_name(columns),
            tuple(m.MISSING_LEVEL if pd.isna(named[c]) else named[c] for c in columns),
            named["deployment"],
            named["handler"],
            (None if pd.isna(named["model_version"]) else named["model_version"])
            if by_version
            else None,
        )
        out[group_key] = (len(values), float(median), float(p90))
    return out


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return long_tailed()


@pytest.fixture(scope="module")
def table(
    backend: ibis.BaseBackend, tmp_path_factory: pytest.TempPathFactory, rows: pd.DataFrame
) -> ibis.Table:
    store = write_store(tmp_path_factory.mktemp("store") / "interactions", rows)
    return interactions_table(backend, store)


def first_day(frame: pd.DataFrame) -> int:
    return int((frame["started_at"].dt.tz_convert(None) - pd.Timestamp(0)).dt.days.min())


@pytest.mark.parametrize("window", list(m.Window), ids=str)
@pytest.mark.parametrize("by_version", [False, True], ids=["all-versions", "by-version"])
def test_every_groups_median_and_p90_equal_numpy(
    table: ibis.Table, rows: pd.DataFrame, window: m.Window, by_version: bool
) -> None:
    got = handle_time_quantiles(table, SLICES, window, first_day(rows), by_model_version=by_version)
    want: dict[tuple[object, ...], tuple[int, float, float]] = {}
    for columns in [(), *SLICES]:
        want |= expected(rows, columns, window, by_version)
    assert set(got) == set(want)
    for key, (n, median, p90) in want.items():
        found = got[key]
        # Exact: both sides interpolate between the same two contacts; only the last bit
        # of the floating-point interpolation may differ.
        assert found.n == n, key
        assert found.median == pytest.approx(median, rel=1e-12, abs=0), key
        assert found.p90 == pytest.approx(p90, rel=1e-12, abs=0), key
    # The long tail is there: some p90 lies beyond two hours, where the old fixed
    # histogram's open last bin began.
    assert max(q.p90 for q in got.values()) > 7200


def test_missing_segment_values_are_a_group_of_their_own(
    table: ibis.Table, rows: pd.DataFrame
) -> None:
    got = handle_time_quantiles(table, [("region",)], m.Window.ALL, first_day(rows))
    missing = {k: q for k, q in got.items() if k[1] == "region" and k[2] == (m.MISSING_LEVEL,)}
    assert missing  # 5% of the contacts have no region
    unset = rows[(rows["region"].isna() | (rows["region"] == "")) & rows["handle_time_s"].notna()]
    for (_, _, _, deployment, handler, _), found in missing.items():
        group = unset[(unset["deployment"] == deployment) & (unset["handler"] == handler)]
        values = group["handle_time_s"].to_numpy(dtype=float)
        assert found.n == len(values)
        assert found.median == pytest.approx(np.median(values), rel=1e-12, abs=0)


def test_a_day_range_and_groups_without_handle_times(
    backend: ibis.BaseBackend, tmp_path: Path
) -> None:
    frame = contacts(400, seed=3)
    # The voice deployment's AI contacts have no handle time at all: no group, not zero.
    no_time = (frame["deployment"] == "voice") & (frame["handler"] == "ai")
    frame["handle_time_s"] = frame["handle_time_s"].where(~no_time, np.nan)
    table = interactions_table(backend, write_store(tmp_path / "interactions", frame))
    first, last = m.day_number(utc("2024-02-01").date()), m.day_number(utc("2024-02-29").date())
    got = handle_time_quantiles(table, [], m.Window.ALL, first, day_from=first, day_to=last)
    inside = frame[
        (frame["started_at"] >= utc("2024-02-01")) & (frame["started_at"] < utc("2024-03-01"))
    ]
    want = expected(inside, (), m.Window.ALL, by_version=False)
    assert set(got) == set(want)
    assert not any(k[3] == "voice" and k[4] == "ai" for k in got)
    for key, (n, median, p90) in want.items():
        assert (got[key].n, got[key].median, got[key].p90) == pytest.approx((n, median, p90))


def test_an_unknown_slice_is_refused(table: ibis.Table) -> None:
    with pytest.raises(Invalid, match="Cannot slice by 'planet'"):
        handle_time_quantiles(table, [("planet",)], m.Window.WEEK, 0)


@pytest.mark.parametrize("window", [m.Window.WEEK, m.Window.MONTH], ids=str)
def test_window_starts_follow_the_calendar(
    backend: ibis.BaseBackend, window: m.Window, tmp_path: Path
) -> None:
    # 1967-11 to 2079-07: leap years, 2000 (a leap century), 2100 is beyond; day 0 included.
    days = np.arange(-800, 40_000, dtype=np.int64)
    pq.write_table(pa.table({"day": days.astype("int32")}), tmp_path / "calendar.parquet")
    with quiet_backend():  # ibis's own deprecated DuckDB call when it reads the schema
        calendar = backend.read_parquet(str(tmp_path / "calendar.parquet"))
    expr = calendar.select(calendar.day, start=window_start(calendar.day, window, 0))
    got = fetch_arrow(expr).to_pandas().sort_values("day")
    dates = pd.to_datetime(days, unit="D")
    want = (dates.to_period(PERIODS[window]).start_time - pd.Timestamp(0)).days
    np.testing.assert_array_equal(got["start"].to_numpy(np.int64), want.to_numpy(np.int64))
    if window is m.Window.WEEK:
        assert {d.weekday() for d in pd.to_datetime(got["start"], unit="D")} == {0}


def test_an_engine_without_an_exact_quantile_says_so(rows: pd.DataFrame) -> None:
    # SQLite has no quantile aggregate at all (Trino and BigQuery only approximate ones):
    # refused with a message, never an approximation passed off as exact.
    con = ibis.sqlite.connect()
    frame = rows[["interaction_id", "handler", "deployment", "model_version", "handle_time_s"]]
    with quiet_backend():
        table = con.create_table("contacts", pa.Table.from_pandas(frame.assign(day=19_750)))
    with pytest.raises(Invalid, match="The engine 'sqlite' has no exact quantile"):
        handle_time_quantiles(table, [], m.Window.WEEK, 0)
