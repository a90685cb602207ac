"""Metrics from a workspace store, each figure recomputed with pandas from the rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxsteward.config import Settings
from cxsteward.domain import metrics as m
from cxsteward.errors import Invalid, NotFound
from cxsteward.services.monitoring.metrics import compute_cell_frame, compute_cells, metric_table
from cxsteward.services.workspace import Workspace, init_workspace
from store_files import publish_by_hand

EPOCH = pd.Timestamp("1970-01-01", tz="UTC")
FLAG_METRICS = {
    "first_contact_resolution": "resolved_first_contact",
    "complaint_rate": "complaint",
    "escalation_rate": "escalated",
    "override_rate": "human_override",
    "disclosure_rate": "ai_disclosed",
    "offered_human_rate": "offered_human",
}


def contacts(rows: int = 1600, seed: int = 8) -> pd.DataFrame:
    """Contacts from 2024-01-20 to 2024-03-09, with nulls in every optional field."""
    rng = np.random.default_rng(seed)
    started = pd.Timestamp("2024-01-20", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 50 * 86400, rows), unit="s"
    )
    handler = rng.choice(["ai", "human"], rows)

    def flag(p: float) -> pd.Series:
        values = pd.Series(rng.random(rows) < p, dtype="boolean")
        values[rng.random(rows) < 0.1] = pd.NA
        return values

    csat = pd.Series(rng.integers(1, 6, rows), dtype="Int64")
    csat[rng.random(rows) < 0.5] = pd.NA
    region = pd.Series(rng.choice(["north", "south"], rows), dtype=object)
    region[rng.random(rows) < 0.05] = None
    customer = pd.Series([f"k{i}" for i in rng.integers(0, 200, rows)], dtype=object)
    customer[rng.random(rows) < 0.1] = None
    handle = rng.lognormal(5.0, 1.0, rows)
    handle[rng.random(rows) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "interaction_id": [f"x{i}" for i in range(rows)],
            "started_at": started,
            "handler": handler,
            "deployment": rng.choice(["chat", "voice"], rows),
            "model_version": np.where(started < pd.Timestamp("2024-02-10", tz="UTC"), "v1", "v2"),
            "resolved_first_contact": flag(0.7),
            "handle_time_s": handle,
            "csat": csat,
            "complaint": flag(0.1),
            "escalated": flag(0.2),
            "human_override": flag(0.15),
            "ai_disclosed": flag(0.8),
            "customer_id": customer,
            "offered_human": flag(0.3),
            "region": region,
            "tier": rng.choice(["basic", "premium"], rows),
        }
    )


def write_store(ws: Workspace, frame: pd.DataFrame) -> None:
    seconds = (frame["started_at"] - EPOCH).dt.total_seconds()
    frame = frame.assign(day=(seconds // 86400).astype("int32"), load_id=1)
    folder = ws.settings.workspace / "data" / "interactions"
    files = []
    for month, rows in frame.groupby(frame["started_at"].dt.strftime("%Y-%m")):
        (folder / f"month={month}").mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(rows.reset_index(drop=True), preserve_index=False)
        pq.write_table(table, folder / f"month={month}" / "part-1.parquet")
        files.append(folder / f"month={month}" / "part-1.parquet")
    publish_by_hand(ws, files)


def with_windows(frame: pd.DataFrame, repeat_days: int = 7) -> pd.DataFrame:
    known = frame[frame["customer_id"].notna()]
    known = known.sort_values(["customer_id", "started_at", "interaction_id"])
    following = known.groupby("customer_id")["started_at"].shift(-1)
    followed = ((following - known["started_at"]) <= pd.Timedelta(days=repeat_days)).astype(bool)
    naive = frame["started_at"].dt.tz_localize(None)
    return frame.assign(
        followed=followed.reindex(frame.index, fill_value=False),
        week=naive.dt.to_period("W-SUN").dt.start_time.dt.date,
        month=naive.dt.to_period("M").dt.start_time.dt.date,
        date=naive.dt.date,
    )


def expected(group: pd.DataFrame, name: str) -> tuple[int, float | None]:
    """n and estimate of one catalogue metric over the rows of one group."""
    if name in FLAG_METRICS:
        known = group[FLAG_METRICS[name]].dropna().astype(bool)
        return len(known), (known.mean() if len(known) else None)
    csat = group["csat"].dropna().astype(float)
    handle = group["handle_time_s"].dropna()
    # Contacts written without a sentiment column carry no score.
    sentiment = group.get("sentiment", pd.Series(dtype=float)).dropna().astype(float)
    by_metric = {
        "contacts": (len(group), float(len(group))),
        "csat_satisfied_rate": (len(csat), (csat >= 4).mean() if len(csat) else None),
        "csat_mean": (len(csat), csat.mean() if len(csat) else None),
        "average_handle_time": (len(handle), handle.mean() if len(handle) else None),
        "sentiment_mean": (len(sentiment), sentiment.mean() if len(sentiment) else None),
        "repeat_contact_rate": (
            int(group["customer_id"].notna().sum()),
            group.loc[group["customer_id"].notna(), "followed"].mean()
            if group["customer_id"].notna().any()
            else None,
        ),
    }
    if name == "ai_alone_rate":  # both flags recorded, neither true
        known = group[group["escalated"].notna() & group["offered_human"].notna()]
        alone = ~known["escalated"].astype(bool) & ~known["offered_human"].astype(bool)
        return len(known), (alone.mean() if len(known) else None)
    return by_metric[name]


@pytest.fixture
def rows() -> pd.DataFrame:
    return contacts()


@pytest.fixture
def loaded(ws: Workspace, rows: pd.DataFrame) -> Workspace:
    write_store(ws, rows)
    return ws


def test_weekly_metrics_by_region_match_pandas(loaded: Workspace, rows: pd.DataFrame) -> None:
    result = metric_table(loaded, m.Window.WEEK, [("region",)])
    frame = with_windows(rows)
    groups = {
        ("overall", week, None, deployment, handler): group
        for (week, deployment, handler), group in frame.groupby(["week", "deployment", "handler"])
    }
    by_region = frame.groupby(["week", "region", "deployment", "handler"], dropna=False)
    for (week, region, deployment, handler), group in by_region:
        # A contact without a region is a level of its own, "(missing)".
        value = "(missing)" if pd.isna(region) else region
        groups[("region", week, value, deployment, handler)] = group
    seen = set()
    for row in result:
        region = row.segment.get("region")
        key = (row.slice, row.window_start, region, row.deployment, row.handler)
        n, estimate = expected(groups[key], row.metric)
        assert row.n == n, (key, row.metric)
        if estimate is None:
            assert row.estimate is None
        else:
            assert row.estimate == pytest.approx(estimate, rel=1e-12), (key, row.metric)
        assert row.sufficient is (n >= m.metric(row.metric).min_n)
        assert row.window_end == row.window_start + dt.timedelta(days=6)
        assert row.window_start.weekday() == 0
        if row.metric == "average_handle_time" and n:
            handle = groups[key]["handle_time_s"].dropna().to_numpy()
            assert row.median == pytest.approx(np.median(handle), rel=1e-12, abs=0)
            assert row.p90 == pytest.approx(np.quantile(handle, 0.9), rel=1e-12, abs=0)
        else:
            assert row.median is None and row.p90 is None
        seen.add((key, row.metric))
    ai_only = {"override_rate", "disclosure_rate", "offered_human_rate", "ai_alone_rate"}
    want = {(k, name) for k in groups for name in m.METRIC_NAMES}
    want = {(k, name) for k, name in want if name not in ai_only or k[4] == "ai"}
    assert seen == want  # every group, every applicable metric, nothing else


def test_monthly_metrics_by_model_version(loaded: Workspace, rows: pd.DataFrame) -> None:
    result = metric_table(loaded, m.Window.MONTH, by_model_version=True)
    frame = with_windows(rows)
    grouped = frame.groupby(["month", "deployment", "handler", "model_version"])
    assert {(r.window_start, r.deployment, r.handler, r.model_version) for r in result} == set(
        grouped.groups
    )
    for row in result:
        group = grouped.get_group(
            (row.window_start, row.deployment, row.handler, row.model_version)
        )
        assert (row.n, row.estimate) == pytest.approx(expected(group, row.metric))
        assert row.window_label == f"{row.window_start:%Y-%m}"
        if row.metric == "average_handle_time":
            handle = group["handle_time_s"].dropna().to_numpy()
            want = np.quantile(handle, [0.5, 0.9])
            assert [row.median, row.p90] == pytest.approx(want, rel=1e-12, abs=0)


def test_a_date_range_and_the_repeat_setting(settings: Settings, rows: pd.DataFrame) -> None:
    ws = init_workspace(settings.model_copy(update={"repeat_contact_days": 2}))
    try:
        write_store(ws, rows)
        first, last = dt.date(2024, 2, 1), dt.date(2024, 2, 29)
        result = metric_table(ws, m.Window.ALL, [], first, last)
    finally:
        ws.close()
    frame = with_windows(rows, repeat_days=2)
    frame = frame[(frame["date"] >= first) & (frame["date"] <= last)]
    for row in result:
        group = frame[(frame["deployment"] == row.deployment) & (frame["handler"] == row.handler)]
        assert (row.n, row.estimate) == pytest.approx(expected(group, row.metric))
        assert row.window_label == f"{group['date'].min()}..{group['date'].max()}"
        if row.metric == "average_handle_time":
            handle = group["handle_time_s"].dropna().to_numpy()
            want = np.quantile(handle, [0.5, 0.9])
            assert [row.median, row.p90] == pytest.approx(want, rel=1e-12, abs=0)


def test_an_empty_range_has_no_rows(loaded: Workspace) -> None:
    assert metric_table(loaded, m.Window.DAY, [("tier",)], dt.date(2030, 1, 1)) == []
    assert len(compute_cells(loaded, [], dt.date(2030, 1, 1), dt.date(2030, 2, 1))) == 0


def test_reversed_dates_are_refused(loaded: Workspace) -> None:
    with pytest.raises(Invalid, match="after"):
        metric_table(loaded, m.Window.DAY, [], dt.date(2024, 3, 1), dt.date(2024, 2, 1))


def test_no_store_asks_for_a_load(ws: Workspace) -> None:
    with pytest.raises(NotFound, match="cxsteward data load"):
        metric_table(ws)


def test_cells_carry_missing_as_a_level(loaded: Workspace, rows: pd.DataFrame) -> None:
    frame = compute_cell_frame(loaded, [("region", "tier")])
    cells = compute_cells(loaded, [("region", "tier")])
    assert len(cells) == len(frame)
    assert set(cells.segments) == {"region", "tier"}
    pair = cells.slice == "region×tier"
    # Contacts without a region are a level, never None (None is "not in this slice").
    assert "(missing)" in set(cells.segments["region"][pair])
    assert None not in set(cells.segments["region"][pair])
    blank = pair & (cells.segments["region"] == "(missing)")
    assert cells.stats[m.N][blank].sum() == rows["region"].isna().sum() > 0
    assert all(v is None for v in cells.segments["tier"][~pair])
    assert cells.stats[m.N][cells.slice == "overall"].sum() == len(rows)


def test_store_path_is_the_workspace_store(loaded: Workspace) -> None:
    store = Path(loaded.settings.workspace) / "data" / "interactions"
    assert any(store.glob("month=*/part-*.parquet"))
