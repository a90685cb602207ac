"""Loading the real public exports through the shipped mappings, checked against pandas.

Every expectation is computed here, independently, straight from the raw file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from cxsteward.domain.mapping import MappingInvalid
from cxsteward.domain.metrics import Window
from cxsteward.engine.readers import LoadRefused, SourceUnreadable
from cxsteward.errors import NotFound
from cxsteward.registry.tables_data import DataLoadRecord
from cxsteward.services.data import (
    LoadNotFound,
    LoadOut,
    interactions_dataset,
    list_loads,
    list_quarantine,
    load_data,
    quarantine_path,
    store_path,
    suggest_mapping,
)
from cxsteward.services.data import load as data_load
from cxsteward.services.data import store as data_store
from cxsteward.services.monitoring.metrics import metric_table
from cxsteward.services.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
MAPPINGS = ROOT / "examples" / "mappings"
CHAT = "chat-bot-agent/Chat Dataset.xlsx"
PWC = "pwc-call-centre/01 Call-Center-Dataset.xlsx"
TICKETS = "kaggle-support-tickets/customer_support_tickets.csv"
TICKETS_DDMMYY = "kaggle-support-tickets-ddmmyy/customer_support_tickets.csv"
COMCAST = "comcast-complaints/Comcast_telecom_complaints_data.csv"
BANK = "technion-bank-calls/calls_one_day.csv"


def real(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.fail(
            f"{path} is missing: the tests need the public files of ../shared/data beside the "
            "repository (see shared/data/README.md)",
            pytrace=False,
        )
    return path


def load(ws: Workspace, relative: str, mapping: str | Path, **kwargs: Any) -> LoadOut:
    path = mapping if isinstance(mapping, Path) else MAPPINGS / f"{mapping}.yaml"
    out = load_data(ws, real(relative), path, **kwargs)
    assert out.rows_read == out.rows_accepted + out.rows_quarantined
    return out


def stored(ws: Workspace, load_id: int | None = None) -> pd.DataFrame:
    where = f"WHERE load_id = {load_id}" if load_id is not None else ""
    frame = duckdb.sql(
        f"SELECT * FROM read_parquet('{store_path(ws)}/**/*.parquet', hive_partitioning = true, "
        f"union_by_name = true) {where} ORDER BY source_row"
    ).df()
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    return frame


def test_chat_bot_agent_recovers_the_true_dates_and_splits_bot_from_agents(ws: Workspace) -> None:
    out = load(ws, CHAT, "chat-bot-agent")
    raw = pd.read_excel(real(CHAT), sheet_name="Chat Data", dtype=object, engine="openpyxl")

    def true_date(value: object) -> dt.datetime:
        # Excel read DD-MM month-first whenever it could: exchange day and month back.
        if isinstance(value, dt.datetime):
            return value.replace(month=value.day, day=value.month)
        return dt.datetime.strptime(str(value), "%d-%m-%Y %H:%M:%S")

    expected_start = raw["ChatStartTime"].map(true_date)
    expected_end = raw["ChatEndTime"].map(true_date)
    closed_by = raw["ClosedBy"].astype(str).str.strip()
    rated = raw["CsatScore"].astype(int) > 0
    handed = raw["AgentAssignmentTimestamp"].astype(str) != "-"

    frame = stored(ws, out.load_id)
    assert (out.rows_read, out.rows_accepted, out.rows_quarantined) == (10_000, 10_000, 0)
    assert list(frame["interaction_id"]) == list(raw["RoomCode"].astype(str))
    starts = frame["started_at"].dt.tz_localize(None)
    assert list(starts) == list(expected_start)
    # Every chat falls in the last hour of 31 January or in February 2021: none in the
    # months Excel invented (March to December).
    assert starts.min() == dt.datetime(2021, 1, 31, 23, 5, 9)
    assert starts.max() == dt.datetime(2021, 2, 28, 23, 57, 10)
    assert frame["month"].value_counts().to_dict() == {"2021-02": 9998, "2021-01": 2}
    # The bot meets every chat first: every chat is the bot's, and the hand-off is what
    # happened next. The file's hand-off rate is 37.22%, and it is the bot's escalation rate.
    assert set(frame["handler"]) == {"ai"}
    assert int(frame["escalated"].sum()) == int(handed.sum()) == 3722
    assert round(handed.mean() * 100, 2) == 37.22
    (escalation,) = [
        r
        for r in metric_table(ws, Window.ALL)
        if r.metric == "escalation_rate" and r.handler == "ai"
    ]
    assert (escalation.n, escalation.estimate) == (10_000, pytest.approx(handed.mean()))
    assert not any(r.handler == "human" for r in metric_table(ws, Window.ALL))
    agents = ~closed_by.isin(["Bot", "System"])
    assert list(frame["agent_id"].notna()) == list(agents) == list(handed)
    assert frame["csat"].notna().sum() == rated.sum()
    assert frame["csat"].mean() == pytest.approx(raw.loc[rated, "CsatScore"].astype(int).mean())
    durations = (expected_end - expected_start).dt.total_seconds()
    assert frame["handle_time_s"].sum() == pytest.approx(durations.sum())
    assert out.quality["null_rate"]["csat"] == pytest.approx(1 - rated.mean())


def test_pwc_call_centre_is_all_human_in_zurich_time(ws: Workspace) -> None:
    out = load(ws, PWC, "pwc-call-centre")
    raw = pd.read_excel(real(PWC), dtype=object, engine="openpyxl")
    local = pd.to_datetime(raw["Date"].astype(str) + " " + raw["Time"].astype(str))
    expected = local.dt.tz_localize("Europe/Zurich").dt.tz_convert("UTC")
    talk = raw["AvgTalkDuration"].dropna().map(lambda t: t.hour * 3600 + t.minute * 60 + t.second)
    frame = stored(ws, out.load_id)
    assert (out.rows_read, out.rows_accepted, out.rows_quarantined) == (5000, 5000, 0)
    assert list(frame["started_at"]) == list(expected)
    assert set(frame["handler"]) == {"human"}
    assert int(frame["resolved_first_contact"].sum()) == int((raw["Resolved"] == "Y").sum())
    assert frame["csat"].mean() == pytest.approx(raw["Satisfaction rating"].dropna().mean())
    assert frame["handle_time_s"].sum() == pytest.approx(talk.sum())
    assert frame["handle_time_s"].notna().sum() == len(talk) == 4054
    assert frame["answered"].value_counts().to_dict() == {"answered": 4054, "unanswered": 946}
    assert frame["inquiry_type"].value_counts().to_dict() == raw["Topic"].value_counts().to_dict()


def test_kaggle_tickets_set_open_tickets_aside_and_read_whole_ratings(ws: Workspace) -> None:
    out = load(ws, TICKETS, "kaggle-support-tickets")
    raw = pd.read_csv(real(TICKETS), dtype=str, keep_default_na=False)
    answered = raw[raw["Ticket Status"] != "Open"]
    frame = stored(ws, out.load_id)
    assert (out.rows_read, out.rows_accepted, out.rows_quarantined) == (8469, 5650, 2819)
    assert out.rows_quarantined == int((raw["Ticket Status"] == "Open").sum())
    assert list(frame["interaction_id"]) == list(answered["Ticket ID"])
    expected = pd.to_datetime(answered["First Response Time"]).dt.tz_localize("UTC")
    assert list(frame["started_at"]) == list(expected)
    ratings = pd.to_numeric(answered["Customer Satisfaction Rating"].replace("", None))
    assert frame["csat"].mean() == pytest.approx(ratings.mean())
    assert frame["csat"].notna().sum() == ratings.notna().sum() == 2769
    assert frame["channel"].value_counts().to_dict() == (
        answered["Ticket Channel"].value_counts().to_dict()
    )
    bands = pd.cut(
        answered["Customer Age"].astype(int),
        [18, 25, 35, 45, 55, 65, 71],
        right=False,
        labels=["18-24", "25-34", "35-44", "45-54", "55-64", "65-70"],
    )
    assert frame["age_band"].value_counts().to_dict() == bands.value_counts().to_dict()
    page = list_quarantine(ws, out.load_id, limit=2)
    assert page.total == 2819
    assert page.rows[0].source_row == 7  # ticket 6, the first open one
    assert page.rows[0].reason.startswith("excluded by the mapping (Ticket Status is one of Open)")


def test_kaggle_e_mails_repeat_by_accident_so_no_customer_is_keyed_on_them(ws: Workspace) -> None:
    raw = pd.read_csv(real(TICKETS), dtype=str, keep_default_na=False)
    repeated = raw[raw["Customer Email"].duplicated(keep=False)]
    names = repeated.groupby("Customer Email")["Customer Name"].nunique()
    # 139 addresses on 288 tickets, each under two or more different names: not one person.
    assert (len(names), len(repeated), int((names > 1).sum())) == (139, 288, 139)
    out = load(ws, TICKETS, "kaggle-support-tickets")
    assert stored(ws, out.load_id)["customer_id"].isna().all()


def test_the_day_first_resave_reads_the_same_tickets_minus_seconds(ws: Workspace) -> None:
    out = load(ws, TICKETS_DDMMYY, "kaggle-support-tickets")
    clean = pd.read_csv(real(TICKETS), dtype=str, keep_default_na=False)
    answered = clean[clean["Ticket Status"] != "Open"]
    frame = stored(ws, out.load_id)
    assert (out.rows_accepted, out.rows_quarantined) == (5650, 2819)
    expected = pd.to_datetime(answered["First Response Time"]).dt.floor("min").dt.tz_localize("UTC")
    assert list(frame["started_at"]) == list(expected)
    assert any("dates read day-first, as values such as" in n for n in out.quality["notes"])


def test_a_mapping_that_contradicts_the_dates_is_refused(ws: Workspace, tmp_path: Path) -> None:
    mapping = tmp_path / "month-first.yaml"
    text = (MAPPINGS / "kaggle-support-tickets.yaml").read_text("utf-8")
    mapping.write_text(text.replace("timezone: UTC", "timezone: UTC\ndate_order: month_first"))
    with pytest.raises(LoadRefused) as caught:
        load(ws, TICKETS_DDMMYY, mapping)
    message = caught.value.message
    assert "the mapping says date_order: month_first but column 'First Response Time'" in message
    assert "which can only be day-first" in message
    assert list_loads(ws) == []


def test_comcast_dates_swapped_by_an_earlier_tool_are_put_back(ws: Workspace) -> None:
    out = load(ws, COMCAST, "comcast-complaints")
    raw = pd.read_csv(real(COMCAST), sep="\t", dtype=str, keep_default_na=False)
    parts = raw["Date"].str.split("-", expand=True).astype(int)
    swapped = (parts[0] <= 12) & (parts[1] <= 12)
    day = parts[0].where(~swapped, parts[1])
    month = parts[1].where(~swapped, parts[0])
    dates = pd.to_datetime(pd.DataFrame({"year": parts[2], "month": month, "day": day}))
    times = pd.to_datetime(raw["Time"], format="%I.%M.%S %p") - pd.Timestamp("1900-01-01")
    expected = (dates + times).dt.tz_localize("UTC")
    frame = stored(ws, out.load_id)
    assert (out.rows_read, out.rows_accepted, out.rows_quarantined) == (2224, 2224, 0)
    assert list(frame["started_at"]) == list(expected)
    assert set(frame["month"]) == {"2015-04", "2015-05", "2015-06"}
    assert frame["channel"].value_counts().to_dict() == {"voice": 1119, "web": 1105}
    assert frame["complaint"].all()
    assert frame["state"].nunique() == raw["State"].nunique() == 43


def test_technion_bank_calls_split_the_ivr_from_agents(ws: Workspace) -> None:
    out = load(ws, BANK, "technion-bank-calls")
    raw = pd.read_csv(real(BANK), dtype=str, keep_default_na=False)
    calls = raw[raw["outcome"] != "PHANTOM"]
    frame = stored(ws, out.load_id)
    assert (out.rows_read, out.rows_accepted, out.rows_quarantined) == (2375, 2357, 18)
    # The VRU meets every call first; passing it on (to the queue or an agent) is escalation.
    assert set(frame["handler"]) == {"ai"}
    handed = (calls["q_start"] != "0:00:00") | (calls["ser_start"] != "0:00:00")
    assert list(frame["escalated"]) == list(handed)
    assert int(handed.sum()) == int(len(calls) - ((calls["outcome"] == "HANG") & ~handed).sum())
    local = pd.to_datetime(calls["date"] + " " + calls["vru_entry"])
    expected = local.dt.tz_localize("Asia/Jerusalem").dt.tz_convert("UTC")
    assert list(frame["started_at"]) == list(expected)
    service = calls["ser_time"].astype(int)
    assert frame["handle_time_s"].sum() == pytest.approx(service[service > 0].sum())
    assert list(frame["interaction_id"]) == list(calls["vru+line"] + "-" + calls["call_id"])


def test_the_broken_semicolon_file_is_refused_and_nothing_is_written(ws: Workspace) -> None:
    with pytest.raises(SourceUnreadable) as caught:
        load(
            ws,
            "kaggle-support-tickets-semicolon/customer_support_tickets.csv",
            "kaggle-support-tickets",
        )
    assert "every line is one cell of a semicolon-separated file" in caught.value.message
    assert list_loads(ws) == []
    assert not any(store_path(ws).glob("**/*.parquet"))
    with pytest.raises(NotFound):
        interactions_dataset(ws)


def test_loading_the_same_file_twice_adds_nothing(ws_any: Workspace) -> None:
    first = load(ws_any, BANK, "technion-bank-calls")
    again = load(ws_any, BANK, "technion-bank-calls")
    assert again.already_loaded and again.load_id == first.load_id
    assert [o.load_id for o in list_loads(ws_any)] == [first.load_id]
    assert len(stored(ws_any)) == 2357
    with ws_any.transaction() as session:
        assert session.scalar(select(func.count()).select_from(DataLoadRecord)) == 1


def test_rows_already_stored_are_quarantined_by_a_later_load(ws: Workspace) -> None:
    load(ws, TICKETS, "kaggle-support-tickets")
    second = load(ws, TICKETS_DDMMYY, "kaggle-support-tickets")
    assert (second.rows_accepted, second.rows_quarantined) == (0, 8469)
    assert second.quality["quarantine_reasons"] == {
        "exclude: excluded by the mapping (Ticket Status is one of Open)": 2819,
        "interaction_id: duplicate interaction_id": 5650,
    }
    page = list_quarantine(ws, second.load_id, limit=1)
    assert page.rows[0].reason == "duplicate interaction_id: already in the store from load 1"
    assert len(stored(ws)) == 5650


def test_a_failure_while_publishing_leaves_store_and_registry_unchanged(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(ws, BANK, "technion-bank-calls")
    before = sorted(p.relative_to(ws.settings.workspace) for p in ws.settings.workspace.rglob("*"))

    def broken(*args: Any) -> None:
        raise OSError("disk full")

    # Fail after the files of the new load are moved into place, before the commit.
    monkeypatch.setattr(data_load, "_finish", broken)
    with pytest.raises(OSError, match="disk full"):
        load(ws, COMCAST, "comcast-complaints")
    after = sorted(p.relative_to(ws.settings.workspace) for p in ws.settings.workspace.rglob("*"))
    assert after == before
    assert [o.rows_read for o in list_loads(ws)] == [2375]

    moves: list[str] = []
    real_replace = data_store.os.replace

    def replace_once(source: Any, target: Any) -> None:
        if moves:
            raise OSError("no space left")
        moves.append(str(target))
        real_replace(source, target)

    monkeypatch.undo()
    monkeypatch.setattr(data_store.os, "replace", replace_once)
    with pytest.raises(OSError, match="no space left"):
        load(ws, CHAT, "chat-bot-agent")  # two months: the second move fails
    assert moves and not Path(moves[0]).exists()
    after = sorted(p.relative_to(ws.settings.workspace) for p in ws.settings.workspace.rglob("*"))
    assert after == before


@pytest.mark.parametrize("name", ["part-99.parquet", "part-99-2.parquet"], ids=["file", "piece"])
def test_files_left_by_a_crashed_load_are_swept(ws: Workspace, name: str) -> None:
    orphan = store_path(ws) / "month=2020-01" / name
    orphan.parent.mkdir(parents=True)
    pq.write_table(pa.table({"interaction_id": ["x"], "load_id": [99]}), orphan)
    load(ws, BANK, "technion-bank-calls")
    assert not orphan.exists()


def test_a_file_loaded_meanwhile_by_another_process_counts_as_loaded(
    ws_any: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load(ws_any, BANK, "technion-bank-calls")
    calls: list[str] = []
    real_lookup = data_load._load_by_sha

    def not_yet(ws: Workspace, digest: str) -> Any:
        calls.append(digest)  # the first look finds nothing, as if the other load were late
        return None if len(calls) == 1 else real_lookup(ws, digest)

    monkeypatch.setattr(data_load, "_load_by_sha", not_yet)
    again = load(ws_any, BANK, "technion-bank-calls")
    assert again.already_loaded and again.load_id == first.load_id
    assert len(calls) == 2
    assert len(stored(ws_any)) == 2357


def test_load_log_quality_summary_and_new_segment_values(ws: Workspace, tmp_path: Path) -> None:
    first = tmp_path / "jan.csv"
    first.write_text("id,start,who,region\na,2021-01-01,bot,north\nb,2021-01-02,bot,\n", "utf-8")
    second = tmp_path / "feb.csv"
    second.write_text("id,start,who,region\nc,2021-02-01,bot,south\n", "utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "timezone: UTC\nconstants: {handler: ai}\nfields:\n  interaction_id: id\n"
        "  started_at: start\nsegments:\n  region: region\n",
        "utf-8",
    )
    one = load_data(ws, first, mapping)
    two = load_data(ws, second, mapping)
    assert one.quality["segments"]["region"]["new"] == []
    assert one.quality["segments"]["region"]["values"] == {"north": 1, "(empty)": 1}
    assert two.quality["segments"]["region"]["new"] == ["south"]
    assert one.quality["null_rate"]["interaction_id"] == 0.0
    assert one.quality["null_rate"]["csat"] == 1.0
    assert one.quality["ranges"]["started_at"] == {
        "min": "2021-01-01T00:00:00+00:00",
        "max": "2021-01-02T00:00:00+00:00",
    }
    logged = list_loads(ws)
    assert [(o.source, o.rows_read) for o in logged] == [(str(first), 2), (str(second), 1)]
    assert logged[0].files == ["data/interactions/month=2021-01/part-1.parquet"]
    with ws.transaction() as session:
        record = session.get(DataLoadRecord, one.load_id)
        assert record is not None
        assert json.loads(record.mapping_json)["segments"] == {"region": {"column": "region"}}
        assert record.sha256 == one.sha256 and record.finished_at >= record.started_at
    assert interactions_dataset(ws) == [
        store_path(ws) / "month=2021-01" / "part-1.parquet",
        store_path(ws) / "month=2021-02" / "part-2.parquet",
    ]


def test_a_time_skipped_by_a_quarter_hour_jump_is_stored_as_the_jump(
    ws: Workspace, tmp_path: Path
) -> None:
    """Kathmandu went from +05:30 to +05:45 at midnight on 1 January 1986: 00:00 to 00:14
    never happened there. pandas alone would move 00:05 an hour on, after 00:20."""
    path = tmp_path / "kathmandu.csv"
    path.write_text(
        "id,start\n"
        "a,1985-12-31 23:59:00\n"  # +05:30: 18:29 UTC
        "b,1986-01-01 00:05:00\n"  # skipped: the jump, 00:15 local, 18:30 UTC
        "c,1986-01-01 00:20:00\n"  # +05:45: 18:35 UTC
        "d,2021-07-01 12:00:00\n",  # +05:45: 06:15 UTC
        "utf-8",
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "timezone: Asia/Kathmandu\nconstants: {handler: ai}\n"
        "fields: {interaction_id: id, started_at: start}\n",
        "utf-8",
    )
    out = load_data(ws, path, mapping)
    assert (out.rows_accepted, out.rows_quarantined) == (4, 0)
    assert [t.isoformat() for t in stored(ws)["started_at"]] == [
        "1985-12-31T18:29:00+00:00",
        "1985-12-31T18:30:00+00:00",
        "1985-12-31T18:35:00+00:00",
        "2021-07-01T06:15:00+00:00",
    ]


def test_canonical_files_load_without_a_mapping(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "canon.csv"
    path.write_text(
        "interaction_id,started_at,handler,csat,region\n1,2024-05-01T10:00:00Z,ai,4,west\n",
        "utf-8",
    )
    out = load_data(ws, path)
    assert out.rows_accepted == 1
    assert stored(ws)["region"].tolist() == ["west"]
    bad = tmp_path / "not-canonical.csv"
    bad.write_text("id,when\n1,2024-05-01\n", "utf-8")
    with pytest.raises(MappingInvalid, match="not in the canonical schema"):
        load_data(ws, bad)


def test_quarantine_listing_pages_and_unknown_loads(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "id,start,who\n" + "".join(f"r{i},2021-01-01,robot\n" for i in range(5)), "utf-8"
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "timezone: UTC\nfields: {interaction_id: id, started_at: start, handler: who}\n", "utf-8"
    )
    out = load_data(ws, path, mapping)
    assert (out.rows_accepted, out.rows_quarantined) == (0, 5)
    page = list_quarantine(ws, out.load_id, limit=2, offset=2)
    assert (page.total, [r.source_row for r in page.rows]) == (5, [4, 5])
    assert page.rows[0].value == "robot"
    assert quarantine_path(ws).joinpath(f"load-{out.load_id}.parquet").exists()
    with pytest.raises(LoadNotFound):
        list_quarantine(ws, 42)


def test_a_file_with_none_of_the_mapped_columns_is_refused(ws: Workspace) -> None:
    with pytest.raises(LoadRefused) as caught:
        load(ws, COMCAST, "kaggle-support-tickets")
    message = caught.value.message
    assert "none of the columns the mapping" in message
    assert "Missing: 'Ticket ID'," in message and "Found: 'Ticket #'," in message
    assert list_loads(ws) == []


def test_suggested_mappings_for_two_real_files_load(ws: Workspace, tmp_path: Path) -> None:
    for relative, expected_id in ((PWC, '"Call Id"'), (TICKETS, '"Ticket ID"')):
        text = suggest_mapping(real(relative))
        assert f"interaction_id: {expected_id}" in text
        assert "CHECK" in text
        mapping = tmp_path / f"{Path(relative).stem}.yaml"
        mapping.write_text(text, "utf-8")
        out = load(ws, relative, mapping)
        assert out.rows_accepted > 0
    pwc = suggest_mapping(real(PWC))
    assert 'started_at: {date: "Date", time: "Time"}' in pwc
    assert 'handle_time_s: {column: "AvgTalkDuration", unit: "h:mm:ss"}' in pwc
    chat = suggest_mapping(real(CHAT))
    assert "  handler: ai  # CHECK: 'BotFirstResponseTime' is filled on 9,998" in chat
    assert 'csat: {column: "CsatScore", null_values: ["0"]}' in chat
    assert 'escalated: {present: "AgentAssignmentTimestamp"}' in chat


def test_a_large_month_is_written_in_pieces_of_about_equal_size(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two threads, pieces of at least 10 rows: 130 rows make pieces of ceil(130 / 4) = 33.
    monkeypatch.setattr(data_store, "MIN_PIECE_ROWS", 10)
    monkeypatch.setattr(data_store.os, "cpu_count", lambda: 2)
    march = [f"m{i:03d},2024-03-{1 + i % 28:02d}T10:00:00Z,ai" for i in range(100)]
    april = [f"a{i:03d},2024-04-{1 + i % 28:02d}T10:00:00Z,human" for i in range(30)]
    # Months interleaved, as an unsorted export would have them.
    lines = [*march[:50], *april, *march[50:]]
    path = tmp_path / "contacts.csv"
    path.write_text("interaction_id,started_at,handler\n" + "\n".join(lines) + "\n", "utf-8")
    out = load_data(ws, path)
    assert out.rows_accepted == 130
    assert sorted(out.files) == [
        "data/interactions/month=2024-03/part-1-1.parquet",
        "data/interactions/month=2024-03/part-1-2.parquet",
        "data/interactions/month=2024-03/part-1-3.parquet",
        "data/interactions/month=2024-03/part-1-4.parquet",
        "data/interactions/month=2024-04/part-1.parquet",
    ]
    march_files = sorted(store_path(ws).glob("month=2024-03/*.parquet"))
    sizes = [pq.read_metadata(f).num_rows for f in march_files]
    assert sizes == [25, 25, 25, 25]
    # Every row once, in file order within its month.
    ids = pa.concat_tables(pq.read_table(f) for f in march_files).column("interaction_id")
    assert ids.to_pylist() == [line.split(",")[0] for line in march]
