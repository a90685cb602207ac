"""Each mapping key and each quarantine reason, applied in place on small hand-built tables.

Expected values are worked out by hand (or by pandas) in each test. Tests that take
``backend`` run on DuckDB and on Spark; the format and map tests also run on PostgreSQL
when CXSTEWARD_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any, cast

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cxsteward.domain.mapping import MappingInvalid, parse_mapping
from cxsteward.engine.backend import fetch_arrow, quiet_backend
from cxsteward.engine.in_place import check_in_place, map_in_place, rejected_summary

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

NOW = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
BASE = """\
timezone: UTC
constants: {handler: human}
fields:
  interaction_id: id
  started_at: {column: at, format: "%Y-%m-%d %H:%M"}
"""
AT = "2024-03-01 10:00"


def run(
    con: ibis.BaseBackend, columns: dict[str, Any], text: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accepted rows by row number, rejected lines) of the mapping over these columns."""
    n = len(next(iter(columns.values())))
    data = {"n": list(range(1, n + 1)), **columns}
    if "id" not in data:
        data["id"] = [f"c{i}" for i in range(1, n + 1)]
    if "at" not in data:
        data["at"] = [AT] * n
    mapping = parse_mapping(text, "m.yaml")
    with quiet_backend():
        table = attach(con, pa.table(data))
        result = map_in_place(table, mapping, source="hand", order="n", now=NOW)
        accepted = fetch_arrow(result.table).to_pandas()
        rejected = fetch_arrow(result.rejected).to_pandas()
    if len(set(data["id"])) == n:
        accepted["n"] = accepted["interaction_id"].map(
            dict(zip(data["id"], data["n"], strict=True))
        )
    else:  # repeated ids: the test maps the row number as customer_id
        accepted["n"] = accepted["customer_id"].astype(int)
    accepted = accepted.sort_values("n").reset_index(drop=True)
    rejected = rejected.sort_values(["row", "field", "reason"]).reset_index(drop=True)
    return accepted, rejected


def attach(con: ibis.BaseBackend, data: pa.Table) -> ibis.Table:
    """The rows as a table of the backend, as an external table would be."""
    name = f"hand_{uuid.uuid4().hex}"
    if con.name == "pyspark":
        session = cast("SparkSession", con._session)
        session.createDataFrame(data).createOrReplaceTempView(name)
        return con.table(name)
    return con.create_table(name, data, temp=con.name == "postgres")


def plain(series: pd.Series) -> list[Any]:
    """Values with every kind of missing value as None."""
    return [None if pd.isna(v) else v for v in series]


def reasons(rejected: pd.DataFrame) -> list[tuple[int, str, str]]:
    return [(int(r.row), r.field, r.reason) for r in rejected.itertuples()]


# --- fields --------------------------------------------------------------------------------


def test_a_column_is_renamed_and_read_as_its_fields_kind(backend: ibis.BaseBackend) -> None:
    text = BASE + "  csat: score\n  handle_time_s: {column: secs}\n  complaint: angry\n"
    data = {"score": [" 4 ", "5", None], "secs": ["12.5", "0", "3e2"], "angry": ["Yes", "n", ""]}
    rows, rejected = run(backend, data, text)
    assert plain(rows["csat"]) == [4, 5, None]
    assert list(rows["handle_time_s"]) == [12.5, 0.0, 300.0]
    assert plain(rows["complaint"]) == [True, False, None]
    assert rejected.empty


def test_numbers_and_booleans_that_do_not_read_are_quarantined(
    backend: ibis.BaseBackend,
) -> None:
    text = BASE + "  csat: score\n  handle_time_s: secs\n  escalated: esc\n  sentiment: mood\n"
    data = {
        "score": ["4", "4.5", "9", "x", "3"],
        "secs": ["1", "-2", "1,5", "nan", "7"],
        "esc": ["yes", "maybe", "0", "1", "no"],
        "mood": ["0.5", "1.5", "-1", "", "-0.25"],
    }
    rows, rejected = run(backend, data, text)
    assert list(rows["n"]) == [1, 5]
    assert reasons(rejected) == [
        (2, "csat", "not a whole number"),
        (
            2,
            "escalated",
            "not a boolean (yes/no, true/false, y/n, 1/0): map this value in the mapping",
        ),
        (2, "handle_time_s", "out of range: must be at least 0"),
        (2, "sentiment", "out of range: must be between -1 and 1"),
        (3, "csat", "out of range: must be between 1 and 5"),
        (3, "handle_time_s", "not a number"),
        (4, "csat", "not a number"),
        (4, "handle_time_s", "not a number"),
    ]
    assert list(rejected["value"]) == ["4.5", "maybe", "-2", "1.5", "9", "1,5", "x", "nan"]


def test_a_handler_must_be_ai_or_human_after_the_map(backend: ibis.BaseBackend) -> None:
    text = BASE.replace("constants: {handler: human}\n", "") + (
        "  handler: {column: who, map: {Bot: ai, 'Agent ': human}}\n"
    )
    rows, rejected = run(backend, {"who": ["bot", "AGENT", "Human", "robot", None]}, text)
    assert list(rows["handler"]) == ["ai", "human", "human"]
    assert reasons(rejected) == [
        (
            4,
            "handler",
            "handler must be ai or human: add this value to the field's map (or set 'other')",
        ),
        (5, "handler", "required value is empty"),
    ]


def test_map_other_default_and_null_values(backend: ibis.BaseBackend) -> None:
    text = (
        BASE.replace("timezone: UTC\n", "timezone: UTC\nnull_values: ['', 'N/A']\n")
        + "  channel: {column: ch, map: {ph: voice, 'WEB': chat}, other: email, default: unknown,"
        " null_values: ['-']}\n  inquiry_type: topic\n"
    )
    data = {
        "ch": ["Ph", "web ", "fax", "-", "N/A", None],
        "topic": [" billing ", "N/A", "-", "x", "", "tech"],
    }
    rows, rejected = run(backend, data, text)
    assert list(rows["channel"]) == ["voice", "chat", "email", "unknown", "unknown", "unknown"]
    expected_topic = ["billing", None, "-", "x", None, "tech"]
    assert plain(rows["inquiry_type"]) == expected_topic
    assert rejected.empty


def test_columns_join_into_an_id_and_an_empty_part_leaves_it_empty(
    backend: ibis.BaseBackend,
) -> None:
    text = BASE.replace(
        "  interaction_id: id\n", "  interaction_id: {columns: [a, b], separator: /}\n"
    )
    data = {"a": ["x", " y", "z"], "b": ["1", "2 ", ""], "id": ["i1", "i2", "i3"]}
    rows, rejected = run(backend, data, text)
    assert sorted(rows["interaction_id"]) == ["x/1", "y/2"]
    assert reasons(rejected) == [(3, "interaction_id", "required value is empty")]


def test_present_is_true_when_any_listed_column_is_filled(backend: ibis.BaseBackend) -> None:
    text = BASE + "  escalated: {present: [q, r], null_values: ['0:00:00']}\n"
    data = {"q": ["0:00:00", "0:01:00", None, ""], "r": [None, None, "x", " "]}
    rows, _ = run(backend, data, text)
    assert list(rows["escalated"]) == [False, True, True, False]


def test_units_scale_seconds_and_read_h_mm_ss(backend: ibis.BaseBackend) -> None:
    minutes = BASE + "  handle_time_s: {column: t, unit: minutes}\n"
    rows, _ = run(backend, {"t": ["1.5", "2"]}, minutes)
    assert list(rows["handle_time_s"]) == [90.0, 120.0]
    clock = BASE + "  handle_time_s: {column: t, unit: 'h:mm:ss'}\n"
    rows, rejected = run(backend, {"t": ["0:04:02", "25:00:01.5", "4 min"]}, clock)
    assert list(rows["handle_time_s"]) == [242.0, 90001.5]
    assert reasons(rejected) == [(3, "handle_time_s", "not a duration like 0:04:02 (h:mm:ss)")]


def test_constants_fill_every_row(backend: ibis.BaseBackend) -> None:
    text = BASE.replace("{handler: human}", "{handler: AI, channel: chat, complaint: 'no'}")
    rows, _ = run(backend, {"x": ["a", "b"]}, text)
    assert list(rows["handler"]) == ["ai", "ai"]
    assert list(rows["channel"]) == ["chat", "chat"]
    assert list(rows["complaint"]) == [False, False]
    assert list(rows["deployment"]) == ["default", "default"]


# --- timestamps ----------------------------------------------------------------------------

FORMATS = [
    (
        "%d/%m/%Y %H:%M",
        [
            "04/08/2015 13:05",
            "31/12/1999 00:00",
            "29/02/2024 23:59",
            "31/02/2023 10:00",
            "4/8/2015 1:05",
            "2015-08-04 13:05",
            "24/01/2020 24:00",
        ],
    ),
    (
        "%d-%b-%y %I.%M.%S %p",
        [
            "22-Apr-15 3.53.50 PM",
            "04-aug-15 12.00.01 am",
            "04-Aug-15 12.00.01 PM",
            "04-Aug-15 13.00.01 PM",
            "01-Sept-15 1.00.00 AM",
        ],
    ),
    (
        "%Y-%m-%dT%H:%M:%S.%f%z",
        [
            "2024-03-10T01:30:00.5+01:00",
            "2024-03-10T01:30:00.123456-0530",
            "2024-03-10T01:30:00.1Z",
            "2024-03-10T01:30:00+01:00",
        ],
    ),
    ("%B %d, %Y", ["March 1, 2024", "february 30, 2024", "Sep 1, 2024"]),
]


@pytest.mark.parametrize(
    ("fmt", "values"), FORMATS, ids=["dmy", "month-names-12h", "offsets", "long-months"]
)
def test_a_format_reads_text_as_pandas_does(
    backend: ibis.BaseBackend, fmt: str, values: list[str]
) -> None:
    check_format(backend, fmt, values)


def check_format(con: ibis.BaseBackend, fmt: str, values: list[str]) -> None:
    text = BASE.replace('"%Y-%m-%d %H:%M"', f'"{fmt}"')
    rows, rejected = run(con, {"at": values}, text)
    expected = pd.to_datetime(pd.Series(values), format=fmt, errors="coerce", utc=True)
    kept = [i + 1 for i, v in enumerate(expected) if not pd.isna(v)]
    assert list(rows["n"]) == kept
    assert list(pd.to_datetime(rows["started_at"], utc=True)) == list(expected.dropna())
    bad = [i + 1 for i, v in enumerate(expected) if pd.isna(v)]
    assert reasons(rejected) == [(i, "started_at", f"does not match the format {fmt}") for i in bad]


def test_date_and_time_columns_make_one_timestamp(backend: ibis.BaseBackend) -> None:
    text = BASE.replace(
        'started_at: {column: at, format: "%Y-%m-%d %H:%M"}',
        'started_at: {date: d, time: t, format: "%d.%m.%Y %H:%M:%S"}',
    )
    data = {"d": ["01.02.2024", "02.02.2024", "03.02.2024"], "t": ["10:00:00", None, "9:5:7"]}
    rows, rejected = run(backend, data, text)
    assert list(pd.to_datetime(rows["started_at"], utc=True)) == [
        pd.Timestamp("2024-02-01 10:00", tz="UTC"),
        pd.Timestamp("2024-02-03 09:05:07", tz="UTC"),
    ]
    assert list(rejected["column"]) == ["d + t"]
    assert list(rejected["value"]) == ["02.02.2024"]


def test_a_duration_between_two_timestamps(backend: ibis.BaseBackend) -> None:
    text = BASE + '  handle_time_s: {start: s, end: e, format: "%Y-%m-%d %H:%M:%S"}\n'
    data = {
        "s": ["2024-01-01 10:00:00", "2024-01-01 10:00:00", "2024-01-01 10:00:00", None],
        "e": ["2024-01-01 10:01:30", "2024-01-01 09:00:00", "soon", "2024-01-01 10:00:00"],
    }
    rows, rejected = run(backend, data, text)
    assert list(rows["n"]) == [1, 4]
    assert rows["handle_time_s"][0] == 90.0 and pd.isna(rows["handle_time_s"][1])
    assert reasons(rejected) == [
        (2, "handle_time_s", "negative duration: the end is before the start"),
        (3, "handle_time_s", "does not match the format %Y-%m-%d %H:%M:%S"),
    ]
    assert list(rejected["value"]) == ["2024-01-01 10:00:00 -> 2024-01-01 09:00:00", "soon"]


def test_timestamps_in_the_future_and_empty_starts_are_refused(
    backend: ibis.BaseBackend,
) -> None:
    rows, rejected = run(backend, {"at": [AT, "2030-01-01 00:00", "", "someday"]}, BASE)
    assert list(rows["n"]) == [1]
    assert reasons(rejected) == [
        (2, "started_at", "in the future (the load ran at 2025-06-01 00:00 UTC)"),
        (3, "started_at", "required value is empty"),
        (4, "started_at", "does not match the format %Y-%m-%d %H:%M"),
    ]


def test_native_timestamps_are_used_as_they_are() -> None:
    con = ibis.duckdb.connect()
    stamps = pa.array([dt.datetime(2024, 1, 1, 8), None], pa.timestamp("us"))
    text = BASE.replace('{column: at, format: "%Y-%m-%d %H:%M"}', "at")
    rows, rejected = run(con, {"at": stamps}, text)
    assert list(pd.to_datetime(rows["started_at"], utc=True)) == [
        pd.Timestamp("2024-01-01 08:00", tz="UTC")
    ]
    assert reasons(rejected) == [(2, "started_at", "required value is empty")]


# --- rows ----------------------------------------------------------------------------------


def test_segments_map_blank_and_bin(backend: ibis.BaseBackend) -> None:
    text = BASE + (
        "segments:\n  tier: {column: t, map: {g: gold}, null_values: [none]}\n"
        "  age: {column: a, bins: [0, 30, 60], labels: [young, older]}\n"
        "  band: {column: a, bins: [0, 30, 60]}\n"
    )
    data = {"t": ["G", "silver", "None"], "a": ["29.9", "30", "60"]}
    rows, rejected = run(backend, data, text)
    assert list(rows["tier"]) == ["gold", "silver"]
    assert list(rows["age"]) == ["young", "older"]
    assert list(rows["band"]) == ["[0, 30)", "[30, 60)"]
    assert set(reasons(rejected)) == {
        (3, "segment age", "outside the bins 0 to 60"),
        (3, "segment band", "outside the bins 0 to 60"),
    }


def test_excluded_rows_carry_only_the_exclusion(backend: ibis.BaseBackend) -> None:
    text = (
        BASE
        + "  csat: score\nexclude:\n  - {column: kind, values: [Test], reason: not a customer}\n"
    )
    data = {"kind": ["test ", "real", "TEST"], "score": ["9", "3", "4"]}
    rows, rejected = run(backend, data, text)
    assert list(rows["n"]) == [2]
    reason = "excluded by the mapping (kind is one of Test): not a customer"
    assert reasons(rejected) == [(1, "exclude", reason), (3, "exclude", reason)]


@pytest.mark.parametrize(
    ("rule", "kept", "why"),
    [
        ("", [1, 3], "duplicate interaction_id: row 1 has the same id and was kept"),
        (
            "repeated_ids: {keep: last}\n",
            [2, 3],
            "another row of this contact stands for it: row 2 (repeated_ids: keep last)",
        ),
        (
            "repeated_ids: {keep: last, by: v}\n",
            [1, 3],
            "another row of this contact stands for it: row 1 (repeated_ids: keep last by v)",
        ),
        (
            "repeated_ids: {keep: first, by: v}\n",
            [2, 3],
            "another row of this contact stands for it: row 2 (repeated_ids: keep first by v)",
        ),
    ],
    ids=["first", "last", "last-by", "first-by"],
)
def test_repeated_ids_keep_one_row(
    backend: ibis.BaseBackend, rule: str, kept: list[int], why: str
) -> None:
    data = {"id": ["a", "a", "b"], "v": ["10", "2", "1"]}
    rows, rejected = run(backend, data, BASE + "  customer_id: n\n" + rule)
    assert list(rows["n"]) == kept
    dropped = ({1, 2} - set(kept)).pop()
    assert reasons(rejected) == [(dropped, "interaction_id", why)]


def test_without_a_row_order_the_earliest_start_stands_for_a_repeated_id() -> None:
    con = ibis.duckdb.connect()
    data = pa.table({"id": ["a", "a"], "at": ["2024-01-02 00:00", "2024-01-01 00:00"]})
    with quiet_backend():
        table = con.create_table("contacts", data)
        result = map_in_place(table, parse_mapping(BASE, "m.yaml"), source="s", now=NOW)
        rows = fetch_arrow(result.table).to_pandas()
        rejected = fetch_arrow(result.rejected).to_pandas()
    assert list(pd.to_datetime(rows["started_at"], utc=True)) == [
        pd.Timestamp("2024-01-01", tz="UTC")
    ]
    why = "duplicate interaction_id: another row has the same id and was kept"
    assert list(rejected["reason"]) == [why]
    assert rejected["row"].isna().all() and list(rejected["value"]) == ["a"]


def test_team_from_agent_takes_the_rules_group(backend: ibis.BaseBackend) -> None:
    text = BASE + "  agent_id: agent\nteam_from_agent: '^(t\\d+)-'\n"
    rows, rejected = run(backend, {"agent": ["t12-ann", "x-bob", None]}, text)
    assert plain(rows["team"]) == ["t12", None, None]
    assert rejected.empty


def test_hostile_text_is_data_never_sql(backend: ibis.BaseBackend) -> None:
    odd = 'it\'s "x"; DROP TABLE t; -- ü 🙂'
    text = BASE + (
        '  channel: {column: "it\'s \\"col\\"; --",\n'
        '    map: {"it\'s \\"x\\"; DROP TABLE t; -- ü 🙂": chat}}\n'
        "  agent_id: agent\n"
    )
    data = {'it\'s "col"; --': [odd, "' OR 1=1 --", "x" * 5000], "agent": [" vüf\t", "'; --", "\\"]}
    rows, rejected = run(backend, data, text)
    assert list(rows["channel"]) == ["chat", "' OR 1=1 --", "x" * 5000]
    assert list(rows["agent_id"]) == ["vüf", "'; --", "\\"]  # only white space trimmed
    assert rejected.empty


# --- refused mappings ----------------------------------------------------------------------


def test_missing_columns_are_named_with_the_mapping_line() -> None:
    mapping = parse_mapping(BASE + "  csat: Score\n", "m.yaml")
    with pytest.raises(MappingInvalid) as caught:
        check_in_place(
            {"id": ibis.dtype("string"), "at": ibis.dtype("string"), "score": ibis.dtype("int64")},
            mapping,
            "warehouse.contacts",
        )
    assert "warehouse.contacts: 1 of the 3 columns the mapping reads are missing" in str(
        caught.value
    )
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("m.yaml", 6, "Score")
    assert "did you mean 'score'?" in problem.message


@pytest.mark.parametrize(
    ("extra", "types", "line", "words"),
    [
        ("sentiment_text: note\n", {"note": "string"}, 1, "precomputed score"),
        ("", {"at": "string"}, 5, "need a 'format' in place"),
        ("", {"at": "int64"}, 5, "cannot be read as timestamps"),
    ],
    ids=["sentiment-text", "no-format", "not-a-time"],
)
def test_what_cannot_be_computed_in_place_is_refused(
    extra: str, types: dict[str, str], line: int, words: str
) -> None:
    text = extra + BASE
    if "format" in words or "cannot be read" in words:
        text = text.replace('{column: at, format: "%Y-%m-%d %H:%M"}', "at")
    columns = {"id": "string", "at": "string", **types}
    mapping = parse_mapping(text, "m.yaml")
    with pytest.raises(MappingInvalid) as caught:
        check_in_place({k: ibis.dtype(v) for k, v in columns.items()}, mapping, "src")
    [problem] = caught.value.problems
    assert words in problem.message and problem.row == line


def test_formats_the_engine_cannot_read_are_refused() -> None:
    mapping = parse_mapping(BASE.replace("%Y-%m-%d %H:%M", "%Y-%j"), "m.yaml")
    with pytest.raises(MappingInvalid) as caught:
        check_in_place(ibis.schema({"id": "string", "at": "string"}), mapping, "src")
    [problem] = caught.value.problems
    assert "%j" in problem.message and problem.column == "at" and problem.row == 5


ZONED = [
    "2024-03-31 01:30",  # London skips 01:00-02:00: moved to the first valid instant
    "2024-10-27 01:30",  # London repeats 01:00-02:00: the first one (summer time)
    "2024-07-01 12:00",
    "2024-01-15 12:00",
    "2024-03-10 02:30",  # New York skips 02:00-03:00
    "2024-11-03 01:30",  # New York repeats 01:00-02:00
    "1971-06-01 00:00",
]


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Asia/Kolkata"])
def test_naive_times_are_read_in_the_mappings_zone_as_the_load_does(
    backend: ibis.BaseBackend, zone: str
) -> None:
    text = BASE.replace("timezone: UTC", f"timezone: {zone}")
    rows, rejected = run(backend, {"at": ZONED}, text)
    local = pd.DatetimeIndex(pd.to_datetime(pd.Series(ZONED), format="%Y-%m-%d %H:%M"))
    expected = local.tz_localize(
        zone, ambiguous=np.ones(len(ZONED), dtype=bool), nonexistent="shift_forward"
    )
    assert list(pd.to_datetime(rows["started_at"], utc=True)) == list(expected.tz_convert("UTC"))
    assert rejected.empty


# --- summary -------------------------------------------------------------------------------


def test_rejected_summary_counts_and_samples_on_the_engine() -> None:
    con = ibis.duckdb.connect()
    n = 40
    frame = pd.DataFrame(
        {
            "n": range(1, n + 1),
            "id": [f"c{i}" for i in range(n)],
            "at": [AT if i % 3 else "bad" for i in range(n)],
            "score": [str(i % 7) for i in range(n)],
        }
    )
    with quiet_backend():
        table = con.create_table("contacts", frame)
        mapping = parse_mapping(BASE + "  csat: score\n", "m.yaml")
        rejected = map_in_place(table, mapping, source="s", order="n", now=NOW).rejected
        groups = rejected_summary(rejected, sample=3)
    expected = expected_counts(frame)
    assert {(g.field, g.reason): g.count for g in groups} == expected
    for group in groups:
        assert len(group.examples) == min(3, group.count)
        rows = [e.row for e in group.examples]
        assert rows == sorted(rows)


def expected_counts(frame: pd.DataFrame) -> dict[tuple[str, str], int]:
    bad_at = (frame["at"] == "bad").sum()
    score = frame["score"].astype(int)
    return {
        ("started_at", "does not match the format %Y-%m-%d %H:%M"): int(bad_at),
        ("csat", "out of range: must be between 1 and 5"): int(((score < 1) | (score > 5)).sum()),
    }


# --- PostgreSQL ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("fmt", "values"), FORMATS, ids=["dmy", "month-names-12h", "offsets", "long-months"]
)
def test_formats_read_alike_on_postgres(
    postgres: ibis.BaseBackend, fmt: str, values: list[str]
) -> None:
    check_format(postgres, fmt, values)


@pytest.mark.postgres
def test_maps_read_alike_on_postgres(postgres: ibis.BaseBackend) -> None:
    test_map_other_default_and_null_values(postgres)
    test_hostile_text_is_data_never_sql(postgres)
