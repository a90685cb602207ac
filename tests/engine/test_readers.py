"""Readers: every format as text first, row numbers as the user sees them, clear refusals."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxsteward.engine.readers import (
    ReadOptions,
    SourceUnreadable,
    read_table,
    sniff_delimiter,
    wrapped_line_delimiter,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def real(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.fail(
            f"{path} is missing: the tests need the public files of ../shared/data beside the "
            "repository (see shared/data/README.md)",
            pytrace=False,
        )
    return path


def rows(path: Path, options: ReadOptions | None = None) -> list[dict[str, str | None]]:
    return read_table(path, options).table.to_pylist()


def test_csv_with_bom_crlf_quoted_line_breaks_and_a_chosen_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        b'\xef\xbb\xbfid;note;zip\r\n1;"two\r\nlines; and ""quotes""";01234\r\n2;;00501\r\n'
    )
    raw = read_table(path)
    assert raw.columns == ("id", "note", "zip")
    assert raw.table.to_pylist() == [
        {"id": "1", "note": 'two\r\nlines; and "quotes"', "zip": "01234"},
        {"id": "2", "note": "", "zip": "00501"},
    ]
    assert list(raw.row_numbers) == [2, 3]
    assert raw.notes == ("read as semicolon-separated text",)
    assert read_table(path, ReadOptions(delimiter=",")).columns == ("id;note;zip",)


def test_tsv_utf16_and_latin1_files(tmp_path: Path) -> None:
    tsv = tmp_path / "calls.tsv"
    tsv.write_text("id\tagent\n7\tZoë\n", "utf-8")
    assert rows(tsv) == [{"id": "7", "agent": "Zoë"}]
    utf16 = tmp_path / "wide.csv"
    utf16.write_text("id,agent\n7,Zoë\n", "utf-16")
    assert rows(utf16) == [{"id": "7", "agent": "Zoë"}]
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,agent\n7,Zoë\n".encode("latin-1"))
    with pytest.raises(SourceUnreadable) as caught:
        read_table(latin)
    assert "is not utf-8 text" in caught.value.message
    assert "source: {encoding: cp1252}" in caught.value.message
    assert caught.value.problems[0].row == 2
    assert rows(latin, ReadOptions(encoding="latin-1")) == [{"id": "7", "agent": "Zoë"}]


def test_csv_with_a_ragged_row_names_the_record(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n", "utf-8")
    with pytest.raises(SourceUnreadable) as caught:
        read_table(path)
    problem = caught.value.problems[0]
    assert (problem.row, problem.value) == (3, "4,5")
    assert "has 2 fields where the header has 3" in problem.message


def test_duplicate_and_empty_header_names_are_made_unique(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("a,a,\n1,2,3\n", "utf-8")
    assert read_table(path).columns == ("a", "a (2)", "column 3")


def test_parquet_keeps_declared_types_and_reads_only_asked_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    stamp = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    table = pa.table(
        {"id": ["a", "b"], "at": pa.array([stamp, stamp]), "n": [1, 2], "x": ["p", "q"]}
    )
    pq.write_table(table, path)
    raw = read_table(path, columns={"id", "at", "n"})
    assert raw.columns == ("id", "at", "n", "x")
    assert raw.table.column_names == ["id", "at", "n"]
    assert pa.types.is_timestamp(raw.table.schema.field("at").type)
    assert list(raw.row_numbers) == [1, 2]


def test_json_lines_are_read_as_text_numbers_included(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    lines = [
        {"id": 1, "note": "a\n<script>", "zip": "01234"},
        {"id": 2.5, "note": None, "flag": True},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", "utf-8")
    raw = read_table(path)
    assert raw.columns == ("id", "note", "zip", "flag")
    assert raw.table.to_pylist() == [
        {"id": "1", "note": "a\n<script>", "zip": "01234", "flag": None},
        {"id": "2.5", "note": None, "zip": None, "flag": "true"},
    ]
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": 1}\n{"id": \n', "utf-8")
    with pytest.raises(SourceUnreadable, match="line 2: not valid JSON"):
        read_table(broken)


def test_xlsx_sheet_choice_header_row_and_cell_types(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Notes"
    first["A1"] = "not data"
    sheet = book.create_sheet("Calls")
    sheet.append([])
    sheet.append(["id", "when", "talk", "score", "zip"])
    sheet.append([1, dt.datetime(2021, 4, 2, 10, 39, 34), dt.time(0, 2, 23), 3.0, "01234"])
    sheet.append([None, None, None, None, None])
    sheet.append([2, "26-02-2021 12:51:37", None, 2.5, None])
    hostile = sheet.cell(row=5, column=5, value="=cmd|' /C calc'!A0")
    hostile.data_type = "s"  # text that looks like a formula, as an export writes it
    book.save(path)
    raw = read_table(path, ReadOptions(sheet="Calls"))
    assert raw.table.to_pylist() == [
        {
            "id": "1",
            "when": "2021-04-02 10:39:34",
            "talk": "00:02:23",
            "score": "3",
            "zip": "01234",
        },
        {
            "id": "2",
            "when": "26-02-2021 12:51:37",
            "talk": None,
            "score": "2.5",
            "zip": "=cmd|' /C calc'!A0",
        },
    ]
    assert list(raw.row_numbers) == [3, 5]
    assert raw.notes == ("read sheet 'Calls' of ['Notes', 'Calls']", "skipped 1 empty rows")
    assert read_table(path, ReadOptions(sheet="1")).columns == raw.columns
    with pytest.raises(
        SourceUnreadable, match="no sheet 'Chats'; the workbook has 'Notes', 'Calls'"
    ):
        read_table(path, ReadOptions(sheet="Chats"))


def test_missing_empty_and_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(SourceUnreadable, match="file not found"):
        read_table(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SourceUnreadable, match="the file is empty"):
        read_table(empty)
    odd = tmp_path / "calls.dat"
    odd.write_text("a\n1\n", "utf-8")
    with pytest.raises(SourceUnreadable, match="cannot tell the format"):
        read_table(odd)
    assert rows(odd, ReadOptions(format="csv")) == [{"a": "1"}]


def test_sniffing_and_wrapped_line_detection() -> None:
    assert sniff_delimiter("a,b;c,d") == ","
    assert sniff_delimiter('"a;b"\tc\td') == "\t"
    assert sniff_delimiter("single") == ","
    assert wrapped_line_delimiter(["a,b,c;;", '"1,2,3";;', ";;"]) == ";"
    # An export with trailing empty columns is not a wrapped file.
    assert wrapped_line_delimiter(["a,b,c,,", "1,2,3,,", "4,5,6,,"]) is None


# --- the real files -------------------------------------------------------------------------


def test_kaggle_tickets_keep_multi_line_descriptions() -> None:
    path = real("kaggle-support-tickets/customer_support_tickets.csv")
    raw = read_table(path)
    expected = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert raw.num_rows == len(expected) == 8469
    assert raw.table.column("Ticket Description").to_pylist() == list(
        expected["Ticket Description"]
    )
    assert raw.row_numbers[-1] == 8470


def test_comcast_is_tab_separated_despite_its_name_and_zip_codes_stay_text() -> None:
    path = real("comcast-complaints/Comcast_telecom_complaints_data.csv")
    raw = read_table(path)
    assert raw.notes == ("read as tab-separated text",)
    zips = pd.Series(raw.table.column("Zip code").to_pylist())
    assert (zips.str.len() == 4).sum() == 170
    assert zips.str.fullmatch(r"\d{4,5}").all()


def test_chat_bot_sheet_mixes_spreadsheet_dates_and_text() -> None:
    path = real("chat-bot-agent/Chat Dataset.xlsx")
    raw = read_table(path, ReadOptions(sheet="Chat Data"))
    expected = pd.read_excel(path, sheet_name="Chat Data", dtype=object, engine="openpyxl")
    starts = pd.Series(raw.table.column("ChatStartTime").to_pylist())
    native = expected["ChatStartTime"].map(lambda v: isinstance(v, dt.datetime))
    assert native.sum() == 4724
    assert starts[native].str.fullmatch(r"2021-\d\d-0[12] \d\d:\d\d:\d\d").all()
    assert starts[~native].str.fullmatch(r"(1[3-9]|2\d|3[01])-0[12]-2021 \d\d:\d\d:\d\d").all()


def test_the_semicolon_wrapped_tickets_are_refused_with_the_reason() -> None:
    path = real("kaggle-support-tickets-semicolon/customer_support_tickets.csv")
    for options in (None, ReadOptions(delimiter=";"), ReadOptions(delimiter=",")):
        with pytest.raises(SourceUnreadable) as caught:
            read_table(path, options)
        message = caught.value.message
        assert "is not a table: every line is one cell of a semicolon-separated file" in message
        assert "end in ';;'" in message
        assert "nothing was loaded" in message
        assert caught.value.problems[0].row == 1


def test_ods_spreadsheets_read_like_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "calls.ods"
    frame = pd.DataFrame({"call_id": ["00123", "00124"], "outcome": ["AGENT", None]})
    frame.to_excel(path, engine="odf", index=False, sheet_name="august")
    raw = read_table(path)
    assert raw.table.to_pylist() == [
        {"call_id": "00123", "outcome": "AGENT"},
        {"call_id": "00124", "outcome": None},
    ]
    assert list(raw.row_numbers) == [2, 3]
    assert raw.notes == ("read sheet 'august'",)
