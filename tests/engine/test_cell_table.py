"""The cell table on DuckDB and Spark, checked cell by cell against pandas on the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxsteward.domain import metrics as m
from cxsteward.engine import cell_table
from cxsteward.engine.backend import interactions_table
from cxsteward.engine.cell_table import TableShape, build_cells, plan_slices, segment_columns
from cxsteward.errors import Invalid, NotFound

EPOCH = pd.Timestamp("1970-01-01", tz="UTC")
KEYS = ["day", "handler", "deployment", "model_version"]
SLICES: list[m.Slice] = [("region",), ("tier",), ("region", "tier")]
TEXT = [m.SLICE_COLUMN, "region", "tier", "handler", "deployment", "model_version"]


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def contacts(rows: int = 2400, seed: int = 11) -> pd.DataFrame:
    """Random contacts from 2024-01-24 to 2024-03-08 (two month ends, a leap day, Mondays)."""
    rng = np.random.default_rng(seed)
    started = utc("2024-01-24") + pd.to_timedelta(rng.integers(0, 45 * 86400, rows), unit="s")
    handler = rng.choice(["ai", "human"], rows, p=[0.6, 0.4])
    deployment = rng.choice(["chat", "voice"], rows)
    version = np.where(started < utc("2024-02-15"), "v1", "v2").astype(object)
    version[(handler == "human") & (rng.random(rows) < 0.5)] = None

    def flag(p: float, missing: float) -> pd.Series:
        values = pd.Series(rng.random(rows) < p, dtype="boolean")
        values[rng.random(rows) < missing] = pd.NA
        return values

    handle = rng.lognormal(5.0, 1.2, rows)
    handle[rng.random(rows) < 0.05] = 0.0
    handle[:6] = [5.0, 60.0, 7200.0, 9000.0, 0.0, 4.999]  # round values, zeros, a long one
    csat = pd.Series(rng.integers(1, 6, rows), dtype="Int64")
    csat[rng.random(rows) < 0.6] = pd.NA
    customer = pd.Series([f"k{i}" for i in rng.integers(0, 250, rows)], dtype=object)
    customer[rng.random(rows) < 0.1] = None
    region = pd.Series(rng.choice(["north", "south", "east"], rows), dtype=object)
    region[rng.random(rows) < 0.05] = None  # a contact without a segment value
    # Empty cells from a warehouse table (a load turns them into nulls): missing as well.
    region[rng.random(rows) < 0.02] = ""
    frame = pd.DataFrame(
        {
            "interaction_id": [f"i{i:05d}" for i in range(rows)],
            "started_at": started,
            "handler": handler,
            "deployment": deployment,
            "model_version": version,
            "channel": rng.choice(["chat", "voice", "email"], rows),
            "resolved_first_contact": flag(0.75, 0.1),
            "handle_time_s": np.where(rng.random(rows) < 0.05, np.nan, handle),
            "csat": csat,
            "complaint": flag(0.05, 0.05),
            "escalated": flag(0.2, 0.05),
            "human_override": flag(0.1, 0.3),
            "ai_disclosed": flag(0.9, 0.3),
            "customer_id": customer,
            "offered_human": flag(0.3, 0.2),
            "time_to_human_s": np.where(rng.random(rows) < 0.5, np.nan, rng.exponential(40, rows)),
            "region": region,
            "tier": rng.choice(["basic", "premium"], rows),
        }
    )
    # Its own stream, so the other columns stay those the tests were written against.
    scores = np.random.default_rng([seed, 14]).uniform(-1.0, 1.0, rows).round(4)
    frame["sentiment"] = np.where(
        np.random.default_rng([seed, 15]).random(rows) < 0.3, np.nan, scores
    )
    return pd.concat([frame, edge_contacts()], ignore_index=True)


def edge_contacts() -> pd.DataFrame:
    """Repeat-contact edges: a tie, exactly 7 days, 7 days and a second, a week boundary."""
    moments = [
        ("e1", "tie", "2024-02-04 23:59:59"),  # Sunday, the last second of an ISO week
        ("e2", "tie", "2024-02-04 23:59:59"),  # the same instant: e1 is followed by e2
        ("e3", "tie", "2024-02-11 23:59:59"),  # exactly 7 days after e2: a repeat
        ("e4", "late", "2024-02-05 00:00:00"),  # Monday, first second of the next week
        ("e5", "late", "2024-02-12 00:00:01"),  # 7 days and 1 second later: not a repeat
        ("e6", "month", "2024-02-29 22:00:00"),  # leap day, then March
        ("e7", "month", "2024-03-02 09:00:00"),
    ]
    return pd.DataFrame(
        {
            "interaction_id": [m[0] for m in moments],
            "started_at": [utc(m[2]) for m in moments],
            "handler": ["ai", "human", "ai", "ai", "human", "human", "ai"],
            "deployment": "chat",
            "model_version": ["v1", None, "v1", "v1", None, None, "v2"],
            "channel": "chat",
            "resolved_first_contact": pd.Series([True, None, False, True, None, True, False]),
            "handle_time_s": [30.0, 45.0, None, 5.0, 0.0, 120.0, 7200.0],
            "csat": pd.Series([5, None, 2, 4, None, 3, 1], dtype="Int64"),
            "complaint": pd.Series([False, True, None, False, False, None, True]),
            "escalated": pd.Series([None] * 7, dtype="boolean"),
            "human_override": pd.Series([True, None, False, None, None, None, True]),
            "ai_disclosed": pd.Series([True, None, True, False, None, None, True]),
            "customer_id": [f"c-{m[1]}" for m in moments],
            "offered_human": pd.Series([True, None, False, False, None, None, None]),
            "time_to_human_s": [20.0, None, None, None, None, None, None],
            "region": "north",
            "tier": "basic",
        }
    ).astype(dict.fromkeys(m.FLAGS, "boolean"))


def with_store_columns(frame: pd.DataFrame) -> pd.DataFrame:
    seconds = (frame["started_at"] - EPOCH).dt.total_seconds()
    day = (seconds // 86400).astype("int32")
    return frame.assign(day=day, load_id=1, source_row=np.arange(1, len(frame) + 1))


def write_store(folder: Path, frame: pd.DataFrame, part: int = 1) -> Path:
    """Write rows as the store does: one Parquet file per month under month=YYYY-MM/."""
    frame = with_store_columns(frame) if "day" not in frame else frame
    months = frame["started_at"].dt.strftime("%Y-%m")
    for month, rows in frame.groupby(months):
        target = folder / f"month={month}"
        target.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(rows.reset_index(drop=True), preserve_index=False)
        pq.write_table(table, target / f"part-{part}.parquet")
    return folder


def repeat_flags(frame: pd.DataFrame, days: int = 7) -> pd.Series:
    known = frame[frame["customer_id"].notna()]
    known = known.sort_values(["customer_id", "started_at", "interaction_id"])
    following = known.groupby("customer_id")["started_at"].shift(-1)
    followed = (following - known["started_at"]) <= pd.Timedelta(days=days)
    return followed.reindex(frame.index, fill_value=False).astype(bool)


def expected_cells(
    frame: pd.DataFrame,
    columns: m.Slice,
    day_from: int | None = None,
    day_to: int | None = None,
) -> pd.DataFrame:
    """The statistics of one slice straight from the rows, with pandas and numpy only."""
    rows = with_store_columns(frame).assign(followed=repeat_flags(frame))
    if day_from is not None:
        rows = rows[rows["day"] >= day_from]
    if day_to is not None:
        rows = rows[rows["day"] <= day_to]
    for column in columns:
        # A contact without a value, or with an empty one, is a level of its own.
        text = rows[column].astype(object)
        blank = text.isna() | (text == "")
        rows = rows.assign(**{column: text.where(~blank, "(missing)")})
    records = []
    for key, group in rows.groupby([*KEYS, *columns], dropna=False):
        record = dict(zip([*KEYS, *columns], key, strict=True))
        record["n"] = len(group)
        for flag in m.FLAGS:
            record[m.flag_n(flag)] = int(group[flag].notna().sum())
            record[m.flag_true(flag)] = int(group[flag].fillna(False).sum())
        csat = group["csat"].dropna().astype(float)
        handle = group["handle_time_s"].dropna().to_numpy()
        # A frame written before the sentiment field has no such column: no scores.
        sentiment = group.get("sentiment", pd.Series(dtype=float)).dropna().to_numpy(float)
        record |= {
            m.CSAT_N: len(csat),
            m.CSAT_SATISFIED: int((csat >= 4).sum()),
            m.CSAT_SUM: csat.sum(),
            m.CSAT_SUMSQ: (csat**2).sum(),
            m.HANDLE_N: len(handle),
            m.HANDLE_SUM: handle.sum(),
            m.HANDLE_SUMSQ: (handle**2).sum(),
            m.HANDLE_LOG_SUM: np.log1p(handle).sum(),
            m.HANDLE_LOG_SUMSQ: (np.log1p(handle) ** 2).sum(),
            m.REPEAT_N: int(group["customer_id"].notna().sum()),
            m.REPEAT_TRUE: int(group["followed"].sum()),
            # Alone: both flags recorded, neither true.
            m.AI_ALONE_N: int((group["escalated"].notna() & group["offered_human"].notna()).sum()),
            m.AI_ALONE_TRUE: int(
                ((group["escalated"] == False) & (group["offered_human"] == False)).sum()  # noqa: E712
            ),
            m.SENTIMENT_N: len(sentiment),
            m.SENTIMENT_SUM: sentiment.sum(),
            m.SENTIMENT_SUMSQ: (sentiment**2).sum(),
        }
        records.append(record)
    return pd.DataFrame(records)


def assert_slice_matches(got: pd.DataFrame, expected: pd.DataFrame, columns: m.Slice) -> None:
    name = m.slice_name(columns)
    cells = got[got[m.SLICE_COLUMN] == name]
    keys = [*KEYS, *columns]
    assert len(cells) == len(expected), name
    left = expected.assign(**{k: expected[k].astype(object).fillna("<none>") for k in keys})
    right = cells.assign(**{k: cells[k].astype(object).fillna("<none>") for k in keys})
    joined = left.merge(right, on=keys, how="outer", suffixes=("_want", "_got"), indicator=True)
    assert (joined["_merge"] == "both").all(), joined[joined["_merge"] != "both"][keys]
    for column in m.STAT_COLUMNS:
        want, have = joined[f"{column}_want"].to_numpy(float), joined[f"{column}_got"].to_numpy()
        if column in m.SUM_COLUMNS:
            np.testing.assert_allclose(have, want, rtol=1e-9, atol=1e-9, err_msg=column)
        else:
            np.testing.assert_array_equal(have, want, err_msg=f"{name}: {column}")
    for column in columns:
        # Within its slice a segment is never null: null would read as the overall scope.
        assert cells[column].notna().all(), column
    segments = [c for c in cells.columns[1:] if c not in (*KEYS, *m.STAT_COLUMNS)]
    for other in segments:
        if other not in columns:
            assert cells[other].isna().all(), other


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return contacts()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, rows: pd.DataFrame) -> Path:
    return write_store(tmp_path_factory.mktemp("store") / "interactions", rows)


@pytest.fixture(scope="module")
def table(backend: ibis.BaseBackend, store: Path) -> ibis.Table:
    return interactions_table(backend, store)


@pytest.fixture(scope="module")
def cells(table: ibis.Table) -> pd.DataFrame:
    return build_cells(table, SLICES, repeat_contact_days=7)


@pytest.mark.parametrize("columns", [(), *SLICES], ids=lambda c: m.slice_name(c))
def test_every_cell_matches_pandas(
    cells: pd.DataFrame, rows: pd.DataFrame, columns: m.Slice
) -> None:
    assert_slice_matches(cells, expected_cells(rows, columns), columns)


def test_the_store_row_key_gives_the_same_cells(table: ibis.Table, rows: pd.DataFrame) -> None:
    # (load, source row) instead of the interaction id to join the followed contacts.
    keyed = build_cells(table, SLICES, repeat_contact_days=7, row_key=cell_table.STORE_KEY)
    for columns in [(), *SLICES]:
        assert_slice_matches(keyed, expected_cells(rows, columns), columns)


def test_cells_have_the_stored_layout(cells: pd.DataFrame) -> None:
    assert list(cells.columns) == [*TEXT[:3], *KEYS, *m.STAT_COLUMNS]
    assert cells["day"].dtype == np.int32
    for column in m.STAT_COLUMNS:
        assert cells[column].dtype == (np.float64 if column in m.SUM_COLUMNS else np.int64)
    assert list(dict.fromkeys(cells[m.SLICE_COLUMN])) == [
        "overall",
        "region",
        "tier",
        "region×tier",
    ]


def test_repeat_edges(cells: pd.DataFrame, rows: pd.DataFrame) -> None:
    flags = repeat_flags(rows).set_axis(rows["interaction_id"])
    # The pandas oracle agrees with the hand-derived edges, so it can judge the engine.
    assert flags[["e1", "e2", "e3", "e4", "e5", "e6", "e7"]].tolist() == [
        True, True, False, False, False, True, False,
    ]  # fmt: skip
    overall = cells[cells[m.SLICE_COLUMN] == "overall"]
    assert overall[m.REPEAT_TRUE].sum() == flags.sum()
    assert overall[m.REPEAT_N].sum() == rows["customer_id"].notna().sum()


def test_date_range_keeps_the_repeat_horizon(table: ibis.Table, rows: pd.DataFrame) -> None:
    # e1/e2 end the range on 2024-02-04; their follow-ups lie after it and still count.
    day_from, day_to = 19_750, 19_757  # 2024-01-28 (a Sunday) .. 2024-02-04 (a Sunday)
    cells = build_cells(
        table, [("region", "tier")], repeat_contact_days=7, day_from=day_from, day_to=day_to
    )
    assert cells["day"].between(day_from, day_to).all()
    for columns in [(), ("region", "tier")]:
        assert_slice_matches(cells, expected_cells(rows, columns, day_from, day_to), columns)


def test_an_empty_range_gives_no_cells(table: ibis.Table) -> None:
    cells = build_cells(table, SLICES, repeat_contact_days=7, day_from=20_500, day_to=20_600)
    assert cells.empty
    assert list(cells.columns) == [*TEXT[:3], *KEYS, *m.STAT_COLUMNS]


SINGLES: list[m.Slice] = [("region",), ("tier",), ("channel",)]


@pytest.mark.parametrize("rows_per_cell", [1e-9, 1e9], ids=["one-packed-scan", "a-scan-each"])
def test_packed_or_separate_scans_give_the_same_cells(
    table: ibis.Table,
    rows: pd.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
    rows_per_cell: float,
) -> None:
    plans: list[cell_table.SlicePlan] = []
    planner = cell_table.plan_slices

    def spy(*args: object, **kwargs: object) -> cell_table.SlicePlan:
        plans.append(planner(*args, **kwargs))  # type: ignore[arg-type]
        return plans[-1]

    monkeypatch.setattr(cell_table, "ROWS_PER_CELL", rows_per_cell)
    monkeypatch.setattr(cell_table, "plan_slices", spy)
    cells = build_cells(table, SINGLES, repeat_contact_days=7)
    # Packed: one scan by region, tier and channel; separate: three scans sharing the ids.
    expected_scans = [("region", "tier", "channel")] if rows_per_cell < 1 else SINGLES
    assert sorted(map(sorted, plans[-1].computed)) == sorted(map(sorted, expected_scans))
    assert list(dict.fromkeys(cells[m.SLICE_COLUMN])) == ["overall", "region", "tier", "channel"]
    for columns in [(), *SINGLES]:
        assert_slice_matches(cells, expected_cells(rows, columns), columns)


def test_unknown_and_reserved_slices_are_refused(table: ibis.Table) -> None:
    # Canonical text fields no load wrote (agent_id, inquiry_type, team) are there, as nulls.
    allowed = {"agent_id", "channel", "inquiry_type", "region", "team", "tier"}
    assert set(segment_columns(table)) == allowed
    with pytest.raises(Invalid, match=r"'colour'.*Segment columns: .*channel, region, tier"):
        build_cells(table, [("colour",)], repeat_contact_days=7)
    with pytest.raises(Invalid, match="'customer_id'"):
        build_cells(table, [("customer_id",)], repeat_contact_days=7)
    with pytest.raises(Invalid, match="names a column twice"):
        build_cells(table, [("region", "region")], repeat_contact_days=7)


def test_loads_with_other_columns_are_unioned_by_name(
    backend: ibis.BaseBackend, tmp_path: Path
) -> None:
    frame = contacts(rows=300, seed=5).iloc[:300]
    first = frame.iloc[:150].drop(columns=["csat", "tier"])  # a source without csat or tier
    second = frame.iloc[150:].drop(columns=["customer_id"])
    store = write_store(tmp_path / "interactions", first, part=1)
    write_store(store, with_store_columns(second), part=2)
    cells = build_cells(interactions_table(backend, store), [("tier",)], repeat_contact_days=7)
    merged = frame.assign(
        csat=frame["csat"].where(frame.index >= 150),
        tier=frame["tier"].where(frame.index >= 150),
        customer_id=frame["customer_id"].where(frame.index < 150),
    )
    for columns in [(), ("tier",)]:
        assert_slice_matches(cells, expected_cells(merged, columns), columns)


def test_a_store_written_before_the_human_path_fields_still_gives_cells(
    backend: ibis.BaseBackend, tmp_path: Path
) -> None:
    # A store from before offered_human / time_to_human_s existed: nothing is "AI alone".
    frame = contacts(rows=200, seed=8).iloc[:200].drop(columns=["offered_human", "time_to_human_s"])
    store = write_store(tmp_path / "interactions", frame)
    cells = build_cells(interactions_table(backend, store), [], repeat_contact_days=7)
    assert cells[m.N].sum() == 200
    for column in (m.flag_n("offered_human"), m.AI_ALONE_N, m.AI_ALONE_TRUE):
        assert cells[column].sum() == 0
    both = frame.assign(offered_human=pd.Series([None] * 200, dtype="boolean"))
    assert_slice_matches(cells, expected_cells(both, ()), ())


def test_a_store_written_before_the_sentiment_field_still_gives_every_cell(
    backend: ibis.BaseBackend, tmp_path: Path
) -> None:
    frame = contacts(rows=300, seed=7).iloc[:300]
    older = frame.iloc[:150].drop(columns=["sentiment"])  # a load from before the field
    store = write_store(tmp_path / "old", older, part=1)
    cells = build_cells(interactions_table(backend, store), [], repeat_contact_days=7)
    assert_slice_matches(cells, expected_cells(older, ()), ())
    assert cells[m.SENTIMENT_N].sum() == 0
    # A newer load beside it adds its scores, and only its own.
    write_store(store, with_store_columns(frame.iloc[150:]), part=2)
    cells = build_cells(interactions_table(backend, store), [], repeat_contact_days=7)
    merged = frame.assign(sentiment=frame["sentiment"].where(frame.index >= 150))
    assert_slice_matches(cells, expected_cells(merged, ()), ())
    assert cells[m.SENTIMENT_N].sum() == frame["sentiment"].iloc[150:].notna().sum() > 0


def test_a_load_that_never_recorded_a_column_is_in_none_of_its_levels(
    backend: ibis.BaseBackend, tmp_path: Path
) -> None:
    frame = contacts(rows=300, seed=6).iloc[:300]
    first = with_store_columns(frame.iloc[:150].drop(columns=["tier"]))  # load 1: no tier
    second = with_store_columns(frame.iloc[150:]).assign(load_id=2)
    store = write_store(tmp_path / "interactions", first, part=1)
    write_store(store, second, part=2)
    table = interactions_table(backend, store)
    cells = build_cells(table, [("tier",)], repeat_contact_days=7, unrecorded={"tier": [1]})
    # Overall counts every contact; tier only load 2's (a sentinel marks load 1's, dropped).
    marked = frame.assign(tier=frame["tier"].where(frame.index >= 150, "__unrecorded__"))
    expected = expected_cells(marked, ("tier",))
    assert_slice_matches(cells, expected_cells(frame, ()), ())
    assert_slice_matches(cells, expected[expected["tier"] != "__unrecorded__"], ("tier",))
    assert "(missing)" not in set(cells["tier"].dropna())


def test_a_store_without_files_is_not_found(backend: ibis.BaseBackend, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="No interaction data"):
        interactions_table(backend, tmp_path / "nothing")


@pytest.mark.parametrize(
    ("declared", "computed", "sources"),
    [
        ([], [()], {(): ()}),
        ([("a",)], [("a",)], {(): ("a",), ("a",): ("a",)}),
        (
            [("a",), ("b",), ("a", "b"), ("c",)],
            [("a", "b"), ("c",)],
            {(): ("c",), ("a",): ("a", "b"), ("b",): ("a", "b"), ("a", "b"): ("a", "b")},
        ),
        ([("b", "a"), ("a", "b")], [("b", "a")], {(): ("b", "a"), ("b", "a"): ("b", "a")}),
    ],
    ids=["overall-only", "one-segment", "pair-covers-its-columns", "pair-order-is-one-slice"],
)
def test_slice_plan(
    declared: Sequence[m.Slice], computed: list[m.Slice], sources: dict[m.Slice, m.Slice]
) -> None:
    plan = plan_slices(declared)
    assert plan.computed == computed
    assert {k: v for k, v in plan.source.items() if k in sources} == sources


def test_slices_are_packed_into_scans_within_the_budget() -> None:
    # 100 key cells; budget 1,000,000 / 50 = 20,000 cells per scan.
    shape = TableShape(rows=1_000_000, key_cells=100, distinct={"a": 9, "b": 4, "c": 3, "d": 1})
    plan = plan_slices([("a",), ("b",), ("c",), ("d",)], shape)
    # Largest first: a (10 values with missing) + b (5) = 5,000; + c (4) = 20,000 fits;
    # + d would be 40,000, so d starts a second scan.
    assert plan.computed == [("a", "b", "c"), ("d",)]
    assert plan.source[("b",)] == ("a", "b", "c")
    assert plan.source[()] == ("d",)
    for scan in plan.computed:
        assert shape.groups(scan) <= shape.rows / cell_table.ROWS_PER_CELL


def test_no_packing_when_a_distinct_count_is_unknown_or_too_large() -> None:
    unknown = TableShape(rows=10**9, key_cells=1, distinct={"a": 2})
    assert plan_slices([("a",), ("b",)], unknown).computed == [("a",), ("b",)]
    small = TableShape(rows=1000, key_cells=100, distinct={"a": 2, "b": 2})
    assert plan_slices([("a",), ("b",)], small).computed == [("a",), ("b",)]


def test_table_shape_counts_rows_key_combinations_and_missing_values(
    table: ibis.Table, rows: pd.DataFrame
) -> None:
    shape = cell_table.table_shape(table, ["region", "tier", "channel"])
    frame = with_store_columns(rows)
    assert shape.rows == len(frame)
    # Key combinations as they occur (a missing model version is one value), not the
    # product of the keys' distinct counts.
    assert shape.key_cells == len(frame[KEYS].drop_duplicates())
    assert shape.key_cells < np.prod([frame[k].nunique(dropna=False) for k in KEYS])
    assert shape.distinct == {c: frame[c].nunique() for c in ["region", "tier", "channel"]}
    # Region has contacts without a value; tier and channel are always filled.
    assert shape.complete == frozenset({"tier", "channel"})


def test_a_column_without_missing_values_adds_no_missing_group() -> None:
    shape = TableShape(
        rows=10**6, key_cells=10, distinct={"a": 4, "b": 3}, complete=frozenset({"b"})
    )
    # a: 4 values + missing; b: 3 values only.
    assert shape.groups(["a"]) == 10 * 5
    assert shape.groups(["b"]) == 10 * 3
    assert shape.groups(["a", "b"]) == 10 * 5 * 3


def test_a_tie_is_broken_by_id_or_by_row_order_in_the_store(
    backend: ibis.BaseBackend, tmp_path: Path
) -> None:
    # Two contacts of one customer at the same instant; the export lists "b" before "a".
    frame = pd.DataFrame(
        {
            "interaction_id": ["b", "a"],
            "started_at": [utc("2024-05-01 10:00"), utc("2024-05-01 10:00")],
            "handler": ["ai", "human"],
            "deployment": "chat",
            "customer_id": ["k1", "k1"],
        }
    )
    table = interactions_table(backend, write_store(tmp_path / "interactions", frame))

    def followed(row_key: tuple[str, ...]) -> dict[str, int]:
        cells = build_cells(table, [], repeat_contact_days=7, row_key=row_key)
        return dict(zip(cells["handler"], cells[m.REPEAT_TRUE], strict=True))

    # By id: "a" comes first and is the one followed. By the store's (load, source row):
    # "b", first in the export, is.
    assert followed(cell_table.ID_KEY) == {"ai": 0, "human": 1}
    assert followed(cell_table.STORE_KEY) == {"ai": 1, "human": 0}


def test_a_scan_never_exceeds_the_cell_cap_however_many_rows() -> None:
    # 10^9 rows would allow 20M cells per scan; the cap keeps each scan at 150,000.
    shape = TableShape(rows=10**9, key_cells=1000, distinct={"a": 9, "b": 9, "c": 9})
    plan = plan_slices([("a",), ("b",), ("c",)], shape)
    # a + b: 1000 x 10 x 10 = 100,000 cells; + c would be 1,000,000.
    assert plan.computed == [("a", "b"), ("c",)]
    assert cell_table.MAX_CELLS_PER_SCAN == 150_000
    for scan in plan.computed:
        assert shape.groups(scan) <= cell_table.MAX_CELLS_PER_SCAN


def test_the_store_key_is_used_only_where_every_row_has_it(
    backend: ibis.BaseBackend, table: ibis.Table, tmp_path: Path
) -> None:
    assert cell_table.has_keys(table, cell_table.STORE_KEY)
    frame = contacts(rows=40, seed=3).iloc[:40]
    # One file from an older tool, without the store's row column.
    store = write_store(tmp_path / "interactions", with_store_columns(frame.iloc[:20]), part=1)
    write_store(store, with_store_columns(frame.iloc[20:]).drop(columns=["source_row"]), part=2)
    mixed = interactions_table(backend, store)
    assert not cell_table.has_keys(mixed, cell_table.STORE_KEY)
    assert not cell_table.has_keys(mixed, ("no_such_column",))
    assert cell_table.has_keys(mixed, cell_table.ID_KEY)
