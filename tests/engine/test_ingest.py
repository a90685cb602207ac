"""Applying mappings: each kind of bad input is quarantined or refused with a clear reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxsteward.domain.interactions import DAY, FIELD_NAMES, LOAD_ID, MONTH, SOURCE_ROW
from cxsteward.domain.mapping import MappingInvalid, parse_mapping
from cxsteward.engine.ingest import Context, Ingested, check_columns, drop_stored, ingest
from cxsteward.engine.readers import LoadRefused, read_table

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
BASE = """\
timezone: UTC
fields:
  interaction_id: id
  started_at: start
  handler: {column: who, map: {bot: ai, agent: human}}
"""


def run(tmp_path: Path, csv: str, mapping: str = BASE, name: str = "f.csv") -> Ingested:
    path = tmp_path / name
    path.write_text(csv, "utf-8")
    result = ingest(read_table(path), parse_mapping(mapping, "m.yaml"), Context(7, NOW))
    assert result.rows_read == result.table.num_rows + result.rows_quarantined
    return result


def quarantined(result: Ingested) -> list[tuple[int, str, str | None, str | None, str]]:
    return [tuple(row.values()) for row in result.quarantine.to_pylist()]  # type: ignore[misc]


def column(result: Ingested, name: str) -> list[Any]:
    return list(result.table.column(name).to_pylist())


def test_a_clean_file_becomes_canonical_rows_with_store_columns(tmp_path: Path) -> None:
    mapping = BASE + (
        "  csat: score\n  handle_time_s: {column: talk, unit: minutes}\n"
        "  resolved_first_contact: {column: fixed, map: {Y: true, N: false}}\n"
        "constants: {channel: chat}\nsegments:\n  region: area\n"
    )
    result = run(
        tmp_path,
        "id,start,who,score,talk,fixed,area\n"
        "a1,2021-02-04 10:39:34,Bot,5,1.5,Y,North\n"
        "a2,2021-03-01T00:00:00,agent,,2,n,\n",
        mapping,
    )
    table = result.table
    assert table.column_names == [*FIELD_NAMES, "region", DAY, MONTH, LOAD_ID, SOURCE_ROW]
    assert column(result, "handler") == ["ai", "human"]
    assert column(result, "csat") == [5, None]
    assert column(result, "handle_time_s") == [90.0, 120.0]
    assert column(result, "resolved_first_contact") == [True, False]
    assert column(result, "channel") == ["chat", "chat"]
    assert column(result, "deployment") == ["default", "default"]
    assert column(result, "region") == ["North", None]
    assert column(result, DAY) == [18662, 18687]
    assert column(result, MONTH) == ["2021-02", "2021-03"]
    assert column(result, LOAD_ID) == [7, 7]
    assert column(result, SOURCE_ROW) == [2, 3]
    assert table.schema.field("started_at").type == pa.timestamp("us", tz="UTC")


def test_bad_values_are_quarantined_with_row_column_value_and_reason(tmp_path: Path) -> None:
    mapping = BASE + ("  csat: score\n  handle_time_s: talk\n  complaint: flag\n")
    result = run(
        tmp_path,
        "id,start,who,score,talk,flag\n"
        "ok,2021-02-04 10:00:00,bot,4,10,yes\n"
        "r3,2021-02-04 10:00:00,robot,five,-3,maybe\n"
        ",someday,bot,6,1e2,no\n"
        "r5,,,4.5,abc,\n",
        mapping,
    )
    assert column(result, "interaction_id") == ["ok"]
    assert result.rows_quarantined == 3
    lines = quarantined(result)
    assert (
        3,
        "handler",
        "who",
        "robot",
        "handler must be ai or human: add this value to the field's map (or set 'other')",
    ) in lines
    assert (3, "csat", "score", "five", "not a number") in lines
    assert (3, "handle_time_s", "talk", "-3", "out of range: must be at least 0") in lines
    assert (
        3,
        "complaint",
        "flag",
        "maybe",
        "not a boolean (yes/no, true/false, y/n, 1/0): map this value in the mapping",
    ) in lines
    assert (4, "csat", "score", "6", "out of range: must be between 1 and 5") in lines
    assert (4, "interaction_id", None, None, "required value is empty") in lines
    assert any(r[:4] == (4, "started_at", "start", "someday") for r in lines)
    assert (5, "csat", "score", "4.5", "not a whole number") in lines
    assert (5, "started_at", None, None, "required value is empty") in lines
    assert (5, "handler", None, None, "required value is empty") in lines


def test_duplicates_keep_the_first_valid_row_and_say_so(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "id,start,who,score\n"
        "x,2021-02-04 10:00:00,bot,9\n"  # invalid: the next x is the one kept
        "x,2021-02-04 11:00:00,bot,1\n"
        "y,2021-02-04 12:00:00,bot,1\n"
        "x,2021-02-04 13:00:00,agent,2\n",
        BASE + "  csat: score\n",
    )
    assert column(result, SOURCE_ROW) == [3, 4]
    assert (
        5,
        "interaction_id",
        "id",
        "x",
        "duplicate interaction_id: row 3 has the same id and was kept",
    ) in quarantined(result)


def test_ids_already_in_the_store_are_quarantined(tmp_path: Path) -> None:
    result = run(tmp_path, "id,start,who\na,2021-01-01,bot\nb,2021-01-01,bot\n")

    def known(deployments: pa.ChunkedArray, ids: pa.ChunkedArray) -> np.ndarray:
        return np.array([3 if i == "b" else 0 for i in ids.to_pylist()], dtype=np.int64)

    after = drop_stored(result, known)
    assert column(after, "interaction_id") == ["a"]
    assert quarantined(after) == [
        (
            3,
            "interaction_id",
            "id",
            "b",
            "duplicate interaction_id: already in the store from load 3",
        )
    ]
    assert after.rows_read == after.table.num_rows + after.rows_quarantined


def test_future_timestamps_and_negative_durations(tmp_path: Path) -> None:
    mapping = BASE + "  handle_time_s: {start: start, end: stop}\n"
    result = run(
        tmp_path,
        "id,start,who,stop\n"
        "a,2026-01-15 11:59:00,bot,2026-01-15 12:00:00\n"
        "b,2026-01-15 12:00:01,bot,\n"
        "c,2025-12-01 10:00:00,bot,2025-12-01 09:59:00\n",
        mapping,
    )
    assert column(result, "interaction_id") == ["a"]
    assert column(result, "handle_time_s") == [60.0]
    lines = quarantined(result)
    assert (
        3,
        "started_at",
        "start",
        "2026-01-15 12:00:01",
        "in the future (the load ran at 2026-01-15 12:00 UTC)",
    ) in lines
    assert (
        4,
        "handle_time_s",
        "start -> stop",
        "2025-12-01 10:00:00 -> 2025-12-01 09:59:00",
        "negative duration: the end is before the start",
    ) in lines


def test_ambiguous_dates_are_refused_until_the_mapping_says_the_order(tmp_path: Path) -> None:
    csv = "id,start,who\na,04-08-2015 10:00,bot\nb,05-06-2015 11:00,bot\n"
    with pytest.raises(LoadRefused) as caught:
        run(tmp_path, csv)
    message = caught.value.message
    assert "column 'start' has dates such as '04-08-2015 10:00'" in message
    assert "Add `date_order: day_first` or `date_order: month_first`" in message
    day_first = run(tmp_path, csv, BASE + "date_order: day_first\n")
    assert [v.isoformat() for v in column(day_first, "started_at")] == [
        "2015-08-04T10:00:00+00:00",
        "2015-06-05T11:00:00+00:00",
    ]
    month_first = run(tmp_path, csv, BASE + "date_order: month_first\n")
    assert column(month_first, MONTH) == ["2015-04", "2015-05"]


def test_values_prove_the_order_and_a_contradicting_mapping_is_refused(tmp_path: Path) -> None:
    csv = "id,start,who\na,04-08-2015,bot\nb,22-06-2015,bot\n"
    inferred = run(tmp_path, csv)
    assert column(inferred, MONTH) == ["2015-08", "2015-06"]
    assert "start: dates read day-first, as values such as '22-06-2015' prove" in inferred.notes
    with pytest.raises(LoadRefused) as caught:
        run(tmp_path, csv, BASE + "date_order: month_first\n")
    assert "says date_order: month_first but column 'start' holds '22-06-2015'" in (
        caught.value.message
    )
    assert "Set date_order: day_first in m.yaml (line 6)" in caught.value.message
    mixed = "id,start,who\na,13-01-2015,bot\nb,01-13-2015,bot\n"
    with pytest.raises(LoadRefused, match="mixes day-first dates"):
        run(tmp_path, mixed)
    kept = run(tmp_path, mixed, BASE + "date_order: day_first\n")
    assert quarantined(kept) == [
        (
            3,
            "started_at",
            "start",
            "01-13-2015",
            "cannot be a day-first date (the mapping's date_order)",
        )
    ]


def test_swapped_ambiguous_dates_are_exchanged_back(tmp_path: Path) -> None:
    mapping = BASE + "date_order: day_first\nambiguous_dates: swapped\n"
    result = run(
        tmp_path,
        "id,start,who\na,2021-04-02 10:39:34,bot\nb,26-02-2021 12:51:37,bot\nc,02-02-2021,bot\n",
        mapping,
    )
    assert [v.date().isoformat() for v in column(result, "started_at")] == [
        "2021-02-04",
        "2021-02-26",
        "2021-02-02",
    ]
    assert "start: 1 dates had day and month exchanged back (ambiguous_dates: swapped)" in (
        result.notes
    )


def test_timestamp_forms_zones_and_explicit_formats(tmp_path: Path) -> None:
    mapping = BASE.replace("timezone: UTC", "timezone: Europe/London")
    result = run(
        tmp_path,
        "id,start,who\n"
        "a,2021-07-01 10:00:00,bot\n"  # summer time: 09:00 UTC
        "b,2021-07-01T10:00:00+02:00,bot\n"
        "c,2021-01-05 10:00:00.5Z,bot\n"
        "d,22-Apr-15 3.53.50 PM,bot\n"
        "e,2021-10-31 01:30,bot\n"  # happens twice: the first one is taken
        "f,2021-02-30,bot\n",
        mapping,
    )
    stamps = [v.isoformat() for v in column(result, "started_at")]
    assert stamps == [
        "2021-07-01T09:00:00+00:00",
        "2021-07-01T08:00:00+00:00",
        "2021-01-05T10:00:00.500000+00:00",
        "2015-04-22T14:53:50+00:00",
        "2021-10-31T00:30:00+00:00",
    ]
    assert quarantined(result) == [
        (
            7,
            "started_at",
            "start",
            "2021-02-30",
            "not a real date (day beyond the end of the month)",
        )
    ]
    formatted = run(
        tmp_path,
        "id,start,who\na,3.53.50 PM 22/04/15,bot\nb,nonsense,bot\n",
        BASE.replace(
            "started_at: start", "started_at: {column: start, format: '%I.%M.%S %p %d/%m/%y'}"
        ),
    )
    assert [v.isoformat() for v in column(formatted, "started_at")] == ["2015-04-22T15:53:50+00:00"]
    assert quarantined(formatted)[0][4] == "does not match the format %I.%M.%S %p %d/%m/%y"


def test_timestamps_without_a_zone_need_one_in_the_mapping(tmp_path: Path) -> None:
    with pytest.raises(LoadRefused) as caught:
        run(tmp_path, "id,start,who\na,2021-01-01 10:00,bot\n", BASE.replace("timezone: UTC\n", ""))
    assert "carry no time zone and the mapping names none" in caught.value.message
    aware = run(
        tmp_path, "id,start,who\na,2021-01-01T10:00:00Z,bot\n", BASE.replace("timezone: UTC\n", "")
    )
    assert aware.table.num_rows == 1


def test_durations_joined_ids_bins_exclusions_other_and_default(tmp_path: Path) -> None:
    mapping = """\
timezone: UTC
exclude:
  - {column: kind, values: [test], reason: test calls}
constants: {handler: human}
fields:
  interaction_id: {columns: [line, call]}
  started_at: start
  handle_time_s: {column: talk, unit: "h:mm:ss"}
  escalated: {present: queued, null_values: ["0:00:00"]}
  channel: {column: via, map: {phone: voice}, other: web, default: unknown}
segments:
  age_band: {column: age, bins: [18, 30, 70], labels: [young, older]}
"""
    result = run(
        tmp_path,
        "line,call,start,talk,queued,via,age,kind\n"
        "AA01,1,2021-01-01,0:04:02,10:01:00,Phone,25,real\n"
        "AA02,1,2021-01-01,26:00:00,0:00:00,fax,69,real\n"
        "AA03,1,2021-01-01,,,,,test\n"
        "AA04,1,2021-01-01,4 min,,,17,real\n",
        mapping,
    )
    assert column(result, "interaction_id") == ["AA01-1", "AA02-1"]
    assert column(result, "handle_time_s") == [242.0, 93600.0]
    assert column(result, "escalated") == [True, False]
    assert column(result, "channel") == ["voice", "web"]
    assert column(result, "age_band") == ["young", "older"]
    lines = quarantined(result)
    assert (
        4,
        "exclude",
        "kind",
        "test",
        "excluded by the mapping (kind is one of test): test calls",
    ) in lines
    assert (5, "handle_time_s", "talk", "4 min", "not a duration like 0:04:02 (h:mm:ss)") in lines
    assert (5, "segment age_band", "age", "17", "outside the bins 18 to 70") in lines
    assert not any(r[0] == 4 and r[1] != "exclude" for r in lines)


def test_hostile_strings_are_kept_verbatim(tmp_path: Path) -> None:
    mapping = BASE + "  agent_id: agent\nsegments:\n  note: note\n"
    hostile = ["=cmd|' /C calc'!A0", "<script>alert(1)</script>", "[bold]x[/bold] \x1b[31m"]
    csv = "id,start,who,agent,note\n" + "".join(
        f'h{i},2021-01-01,bot,"{value}","{value}"\n' for i, value in enumerate(hostile)
    )
    result = run(tmp_path, csv, mapping)
    assert column(result, "agent_id") == hostile
    assert column(result, "note") == hostile
    bad = run(
        tmp_path,
        f'id,start,who\nz,2021-01-01,"{hostile[1]}"\n',
        mapping.replace("  agent_id: agent\nsegments:\n  note: note\n", ""),
    )
    assert quarantined(bad)[0][3] == hostile[1]


def test_typed_parquet_columns_are_used_directly(tmp_path: Path) -> None:
    path = tmp_path / "canon.parquet"
    stamp = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    pq.write_table(
        pa.table(
            {
                "interaction_id": ["a", "b", "c"],
                "started_at": pa.array([stamp] * 3),
                "handler": ["ai", "human", "ai"],
                "csat": pa.array([5, None, 9], pa.int64()),
                "escalated": [True, False, None],
                "region": ["n", "s", "n"],
            }
        ),
        path,
    )
    from cxsteward.domain.mapping import identity_mapping

    raw = read_table(path)
    result = ingest(raw, identity_mapping(list(raw.columns), str(path)), Context(1, NOW))
    assert column(result, "csat") == [5, None]
    assert column(result, "escalated") == [True, False]
    assert column(result, "started_at") == [stamp, stamp]
    assert quarantined(result) == [
        (3, "csat", "csat", "9", "out of range: must be between 1 and 5")
    ]


def test_files_without_the_mapped_columns_are_refused(tmp_path: Path) -> None:
    mapping = parse_mapping(BASE, "m.yaml")
    with pytest.raises(LoadRefused) as caught:
        check_columns(["Ticket ID", "Customer Name"], mapping, "tickets.csv")
    message = caught.value.message
    assert message.startswith("tickets.csv: none of the columns the mapping m.yaml reads exist")
    assert "Missing: 'id', 'start', 'who'. Found: 'Ticket ID', 'Customer Name'." in message
    with pytest.raises(LoadRefused) as caught:
        check_columns(["ID", "start", "who"], mapping, "calls.csv")
    assert "1 of the 3 columns the mapping reads are missing" in caught.value.message
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("m.yaml", 3, "id")
    assert "did you mean 'ID'?" in problem.message
    with pytest.raises(LoadRefused, match="holds several column names"):
        check_columns(["id,start,who"], mapping, "wrapped.csv")
    with pytest.raises(LoadRefused, match="has a header but no rows"):
        run(tmp_path, "id,start,who\n")


def test_present_over_several_columns_is_true_when_any_has_a_value(tmp_path: Path) -> None:
    mapping = BASE + '  escalated: {present: [queued, served], null_values: ["0:00:00"]}\n'
    result = run(
        tmp_path,
        "id,start,who,queued,served\n"
        "a,2021-02-04 10:00:00,bot,10:01:00,0:00:00\n"  # queued, then hung up
        "b,2021-02-04 10:00:00,bot,0:00:00,10:02:00\n"  # straight to an agent
        "c,2021-02-04 10:00:00,bot,0:00:00,0:00:00\n"  # stayed with the bot
        "d,2021-02-04 10:00:00,bot,10:01:00,10:03:00\n",
        mapping,
    )
    assert column(result, "escalated") == [True, True, False, True]
    found = {(c, m) for _, c, m in _problems(BASE + "  escalated: {present: []}\n")}
    assert ("fields.escalated.present", "list at least one column") in found


def _problems(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(MappingInvalid) as caught:
        parse_mapping(text, "m.yaml")
    return [(p.row, p.column, p.message) for p in caught.value.problems]
