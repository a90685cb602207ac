"""The metric catalogue and its roll-up from cells to windows, against pandas and numpy."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cxsteward.domain import metrics as m
from cxsteward.domain.interactions import BOOL_FIELDS
from cxsteward.errors import Invalid, NotFound

DESIGN_METRICS = [
    "contacts",
    "first_contact_resolution",
    "average_handle_time",
    "csat_satisfied_rate",
    "csat_mean",
    "complaint_rate",
    "escalation_rate",
    "override_rate",
    "disclosure_rate",
    "repeat_contact_rate",
    # Issue 14: the human path promised to vulnerable customers.
    "offered_human_rate",
    "ai_alone_rate",
    "sentiment_mean",  # issue 14: the article's trust check names sentiment
]
# 2023-12-25 (a Monday) .. 2024-03-10 (a Sunday): month ends, a leap day, eleven ISO weeks.
DAYS = np.arange(m.day_number(dt.date(2023, 12, 25)), m.day_number(dt.date(2024, 3, 10)) + 1)


def random_cells(seed: int = 4) -> tuple[m.CellTable, pd.DataFrame]:
    """A cell table with random counts, and the same cells as a pandas frame."""
    rng = np.random.default_rng(seed)
    size = 1500
    frame = pd.DataFrame(
        {
            "slice": rng.choice(["overall", "region"], size),
            "day": rng.choice(DAYS, size),
            "handler": rng.choice(["ai", "human"], size),
            "deployment": rng.choice(["chat", "voice"], size),
            "model_version": rng.choice(["v1", "v2"], size),
            "region": rng.choice(["north", "south", None], size),
        }
    )
    frame.loc[frame["slice"] == "overall", "region"] = None
    for column in m.STAT_COLUMNS:
        frame[column] = rng.integers(0, 40, size).astype(float)
    frame[m.N] = frame[m.N] + 40  # never fewer contacts than flagged ones
    return to_cell_table(frame), frame


def to_cell_table(frame: pd.DataFrame) -> m.CellTable:
    def objects(column: str) -> np.ndarray:
        return np.asarray([None if pd.isna(v) else v for v in frame[column]], dtype=object)

    return m.CellTable(
        slice=objects("slice"),
        day=frame["day"].to_numpy(np.int64),
        handler=objects("handler"),
        deployment=objects("deployment"),
        model_version=objects("model_version"),
        segments={"region": objects("region")},
        stats={c: frame[c].to_numpy(float) for c in m.STAT_COLUMNS},
    )


def test_the_catalogue_is_the_design_table() -> None:
    assert list(m.METRIC_NAMES) == DESIGN_METRICS
    for spec in m.CATALOGUE:
        named = [spec.n, spec.successes, spec.total, spec.total_sq, spec.log_total]
        assert all(c in m.STAT_COLUMNS for c in named if c is not None), spec.name
        assert spec.min_n >= 1
        assert (spec.kind is m.MetricKind.RATE) == (spec.successes is not None)
        assert (spec.kind is m.MetricKind.MEAN) == (spec.total is not None)
    assert m.metric("override_rate").handlers == ("ai",)
    assert m.metric("disclosure_rate").handlers == ("ai",)
    assert m.metric("ai_alone_rate").handlers == ("ai",)
    assert m.metric("offered_human_rate").n == m.flag_n("offered_human")
    assert m.metric("complaint_rate").direction is m.Direction.HIGHER_IS_WORSE
    assert m.metric("csat_mean").direction is m.Direction.HIGHER_IS_BETTER
    assert m.metric("average_handle_time").log_total == m.HANDLE_LOG_SUM
    with pytest.raises(NotFound, match="catalogue has: contacts"):
        m.metric("nps")


def test_every_flag_has_its_two_counts() -> None:
    # ai_assisted feeds the adoption figures (their own query), not the cell table.
    assert m.FLAGS == tuple(f for f in BOOL_FIELDS if f != "ai_assisted")
    for flag in m.FLAGS:
        assert {m.flag_n(flag), m.flag_true(flag)} <= set(m.STAT_COLUMNS)


@pytest.mark.parametrize("window", list(m.Window), ids=str)
def test_window_bounds_match_pandas_periods(window: m.Window) -> None:
    starts = m.window_start(DAYS, window)
    ends = m.window_end(starts, window, last_day=int(DAYS.max()))
    dates = pd.to_datetime(DAYS, unit="D")
    if window is m.Window.ALL:
        want_start = np.full(len(DAYS), DAYS.min())
        want_end = np.full(len(DAYS), DAYS.max())
    else:
        freq = {"day": "D", "week": "W-SUN", "month": "M"}[window.value]
        periods = dates.to_period(freq)
        epoch = pd.Timestamp("1970-01-01")
        want_start = ((periods.start_time - epoch).days).to_numpy()
        want_end = ((periods.end_time.normalize() - epoch).days).to_numpy()
    np.testing.assert_array_equal(starts, want_start)
    np.testing.assert_array_equal(ends, want_end)
    if window is m.Window.WEEK:
        assert {m.day_date(s).weekday() for s in starts} == {0}  # Mondays


@pytest.mark.parametrize(
    ("day", "window", "label"),
    [
        (dt.date(2024, 2, 29), m.Window.DAY, "2024-02-29"),
        (dt.date(2024, 1, 1), m.Window.WEEK, "2024-W01"),
        (dt.date(2021, 1, 4), m.Window.WEEK, "2021-W01"),  # 2021-01-03 still belongs to 2020-W53
        (dt.date(2020, 12, 28), m.Window.WEEK, "2020-W53"),
        (dt.date(2024, 2, 1), m.Window.MONTH, "2024-02"),
    ],
    ids=["day", "week-1", "iso-year", "week-53", "month"],
)
def test_window_labels(day: dt.date, window: m.Window, label: str) -> None:
    start = m.day_number(day)
    assert m.window_label(start, int(m.window_end(np.array([start]), window)[0]), window) == label
    assert pd.Timestamp(day).strftime("%G-W%V" if window is m.Window.WEEK else "%Y") in label


def test_day_numbers_round_trip() -> None:
    assert m.day_number(dt.date(1970, 1, 1)) == 0
    assert m.day_number(dt.date(2024, 3, 1)) == (pd.Timestamp("2024-03-01") - pd.Timestamp(0)).days
    assert m.day_date(19_782) == dt.date(2024, 2, 29)


@pytest.mark.parametrize("window", list(m.Window), ids=str)
@pytest.mark.parametrize("by_version", [False, True], ids=["all-versions", "by-version"])
def test_roll_up_matches_pandas_groupby(window: m.Window, by_version: bool) -> None:
    cells, frame = random_cells()
    totals = m.roll_up(cells, window, by_model_version=by_version)
    epoch = pd.Timestamp("1970-01-01")
    dates = pd.to_datetime(frame["day"], unit="D")
    if window is m.Window.ALL:
        frame["start"] = frame["day"].min()
    else:
        freq = {"day": "D", "week": "W-SUN", "month": "M"}[window.value]
        frame["start"] = (dates.dt.to_period(freq).dt.start_time - epoch).dt.days
    keys = ["slice", "region", "deployment", "handler", "start"]
    if by_version:
        keys.insert(4, "model_version")
    want = frame.groupby(keys, dropna=False)[list(m.STAT_COLUMNS)].sum().reset_index()
    got = pd.DataFrame(
        {
            "slice": totals.slice,
            "region": totals.segments["region"],
            "deployment": totals.deployment,
            "handler": totals.handler,
            "start": totals.start,
            **({"model_version": totals.model_version} if by_version else {}),
            **totals.stats,
        }
    )
    assert len(got) == len(want)
    fill = {"region": "<none>"}
    joined = want.fillna(fill).merge(got.fillna(fill), on=keys, suffixes=("_want", "_got"))
    assert len(joined) == len(want)
    for column in m.STAT_COLUMNS:
        np.testing.assert_array_equal(joined[f"{column}_got"], joined[f"{column}_want"])
    assert (totals.model_version is None) is (not by_version)
    # Sorted: slices as first seen, then values (missing last), then window start.
    assert list(dict.fromkeys(totals.slice)) == list(dict.fromkeys(cells.slice))


def test_metric_values_are_ratios_of_the_sums() -> None:
    cells, _ = random_cells()
    totals = m.roll_up(cells, m.Window.MONTH)
    stats = totals.stats
    for spec in m.CATALOGUE:
        values = m.metric_values(totals, spec)
        applicable = np.isin(totals.handler.astype(str), spec.handlers)
        np.testing.assert_array_equal(values.applicable, applicable)
        n = stats[spec.n]
        if spec.kind is m.MetricKind.COUNT:
            want = n
        elif spec.kind is m.MetricKind.RATE:
            assert spec.successes is not None
            want = stats[spec.successes] / n
        else:
            assert spec.total is not None
            want = stats[spec.total] / n
        want = np.where(applicable, want, np.nan)
        np.testing.assert_allclose(values.estimate, want, rtol=1e-12)
        np.testing.assert_array_equal(values.sufficient, applicable & (n >= spec.min_n))
        np.testing.assert_array_equal(values.n, np.where(applicable, n, 0))


def test_no_observations_gives_no_estimate_and_insufficient() -> None:
    cells, frame = random_cells()
    frame[m.CSAT_N] = 0.0
    frame[m.CSAT_SUM] = 0.0
    totals = m.roll_up(to_cell_table(frame), m.Window.ALL)
    values = m.metric_values(totals, m.metric("csat_mean"))
    assert np.isnan(values.estimate).all()
    assert not values.sufficient.any()


def test_metric_rows_report_every_group_with_its_counts() -> None:
    cells, frame = random_cells()
    totals = m.roll_up(cells, m.Window.WEEK)
    rows = m.metric_rows(totals)
    ai = int((totals.handler == "ai").sum())
    # Nine metrics for every group (sentiment among them); override, disclosure, offered a
    # human and AI alone for AI groups only.
    assert len(rows) == len(totals) * 9 + ai * 4
    first_week = m.day_number(dt.date(2023, 12, 25))
    frame_week = frame[(frame["day"] < first_week + 7) & (frame["slice"] == "region")]
    pick = frame_week[
        (frame_week["region"] == "north")
        & (frame_week["deployment"] == "chat")
        & (frame_week["handler"] == "human")
    ]
    row = next(
        r
        for r in rows
        if r.metric == "complaint_rate"
        and r.window_start == dt.date(2023, 12, 25)
        and r.segment == {"region": "north"}
        and r.deployment == "chat"
        and r.handler == "human"
    )
    n, true = pick[m.flag_n("complaint")].sum(), pick[m.flag_true("complaint")].sum()
    assert (row.n, row.successes) == (n, true)
    assert row.estimate == pytest.approx(true / n)
    assert (row.window, row.window_label, row.window_end) == (
        "week",
        "2023-W52",
        dt.date(2023, 12, 31),
    )
    assert row.sufficient is bool(n >= 100)
    aht = next(r for r in rows if r.metric == "average_handle_time")
    assert aht.log_total is not None
    # No quantiles given: none shown (the cells hold none; the engine computes them).
    assert all(r.median is None and r.p90 is None for r in rows)
    assert all(r.segment == {} for r in rows if r.slice == "overall")


def weekly_quantiles(frame: pd.DataFrame) -> dict[m.GroupKey, m.HandleTimeQuantiles]:
    """A made-up median and p90 per weekly group of the cells, keyed from the frame itself,
    with the group's handle-time count as the engine would count it."""
    dates = pd.to_datetime(frame["day"], unit="D")
    starts = (dates.dt.to_period("W-SUN").dt.start_time - pd.Timestamp(0)).dt.days
    keyed = frame.assign(start=starts, region=frame["region"].astype(object))
    out = {}
    groups = keyed.groupby(["start", "slice", "region", "deployment", "handler"], dropna=False)
    for i, ((start, name, region, deployment, handler), group) in enumerate(groups):
        values = () if name == "overall" else (None if pd.isna(region) else region,)
        key = (int(start), name, values, deployment, handler, None)
        out[key] = m.HandleTimeQuantiles(int(group[m.HANDLE_N].sum()), i + 0.5, i + 1000.25)
    return out


def test_metric_rows_carry_each_groups_quantiles_on_handle_time_only() -> None:
    cells, frame = random_cells()
    quantiles = weekly_quantiles(frame)
    rows = m.metric_rows(m.roll_up(cells, m.Window.WEEK), quantiles=quantiles)
    timed = [r for r in rows if r.metric == "average_handle_time"]
    assert len(timed) == len(quantiles)
    for row in timed:
        values = tuple(row.segment.values())
        key = (m.day_number(row.window_start), row.slice, values, row.deployment, row.handler)
        want = quantiles[(*key, None)]
        assert (row.n, row.median, row.p90) == (want.n, want.median, want.p90)
    assert all(r.median is None and r.p90 is None for r in rows if r not in timed)


def test_a_group_without_handle_times_needs_no_quantiles() -> None:
    cells, frame = random_cells()
    # Every human cell timed at least once, so only the AI's groups lack quantiles.
    frame[m.HANDLE_N] = np.where(frame["handler"] == "ai", 0.0, frame[m.HANDLE_N] + 1)
    quantiles = {k: q for k, q in weekly_quantiles(frame).items() if q.n}
    rows = m.metric_rows(m.roll_up(to_cell_table(frame), m.Window.WEEK), quantiles=quantiles)
    timed = [r for r in rows if r.metric == "average_handle_time"]
    assert {r.handler for r in timed if r.median is None} == {"ai"}
    assert all(r.median is not None for r in timed if r.handler == "human")


@pytest.mark.parametrize("change", ["count", "missing"])
def test_quantiles_over_other_contacts_are_refused(change: str) -> None:
    cells, frame = random_cells()
    quantiles = weekly_quantiles(frame)
    key = next(k for k, q in quantiles.items() if q.n and k[1] == "region")
    if change == "count":
        quantiles[key] = m.HandleTimeQuantiles(quantiles[key].n + 1, 1.0, 2.0)
    else:
        del quantiles[key]
    with pytest.raises(
        Invalid, match=f"deployment {key[3]} · {key[4]} rest on .*Run the command again"
    ):
        m.metric_rows(m.roll_up(cells, m.Window.WEEK), quantiles=quantiles)


def test_metric_rows_of_nothing() -> None:
    cells, frame = random_cells()
    empty = to_cell_table(frame.iloc[:0])
    assert len(empty) == 0
    assert m.metric_rows(m.roll_up(empty, m.Window.ALL)) == []


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        ("region", ("region",)),
        ("region×tier", ("region", "tier")),
        ("region,tier", ("region", "tier")),
        ("region * tier", ("region", "tier")),
        ("overall", ()),
    ],
)
def test_parse_slice(text: str, columns: m.Slice) -> None:
    assert m.parse_slice(text) == columns
    assert m.slice_name(columns) in (text.replace(" ", ""), "region×tier", "overall")


def test_parse_slice_refuses_an_empty_part() -> None:
    with pytest.raises(Invalid, match="pair like region×tier"):
        m.parse_slice("region,")


def test_a_cell_table_needs_every_statistic_and_equal_lengths() -> None:
    cells, _ = random_cells()
    stats = dict(cells.stats)
    del stats[m.N]
    with pytest.raises(Invalid, match="lacks statistics: n"):
        m.CellTable(
            cells.slice, cells.day, cells.handler, cells.deployment, cells.model_version, {}, stats
        )
    with pytest.raises(Invalid, match="differ in length"):
        m.CellTable(
            cells.slice[:3],
            cells.day,
            cells.handler,
            cells.deployment,
            cells.model_version,
            {},
            cells.stats,
        )
