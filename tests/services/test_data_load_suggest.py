"""The suggested mapping of every real export loads without edits, file by file.

Each test runs the path a newcomer takes: suggest, write the YAML, load it through the real
service, then checks rows read = accepted + quarantined and key figures against pandas
reading the raw file on its own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from real_exports import real, stored, suggest_and_load

from cxsteward.domain import metrics as m
from cxsteward.domain.mapping import parse_mapping
from cxsteward.engine.readers import SourceUnreadable
from cxsteward.services.data import suggest_mapping
from cxsteward.services.monitoring.metrics import metric_table
from cxsteward.services.workspace import Workspace


def overall(ws: Workspace, metric: str, handler: str) -> m.MetricRow:
    rows = metric_table(ws, m.Window.ALL)
    return next(r for r in rows if r.metric == metric and r.handler == handler)


def test_chat_bot_every_chat_is_the_bots_and_the_hand_off_rate_is_the_files(
    ws: Workspace, tmp_path: Path
) -> None:
    source = real("chat-bot-agent/Chat Dataset.xlsx")
    text, out = suggest_and_load(ws, tmp_path, source)
    raw = pd.read_excel(source, sheet_name="Chat Data", dtype=str, engine="openpyxl")
    handed = (raw["AgentAssignmentTimestamp"] != "-").mean()
    assert round(handed * 100, 2) == 37.22
    assert "handler: ai  # CHECK: 'BotFirstResponseTime' is filled on 9,998" in text
    assert "ambiguous_dates: swapped" in text
    assert (out.rows_accepted, out.rows_quarantined) == (10_000, 0)
    escalation = overall(ws, "escalation_rate", "ai")
    assert escalation.n == 10_000
    assert escalation.estimate == pytest.approx(handed)
    assert not any(r.handler == "human" for r in metric_table(ws, m.Window.ALL))
    frame = stored(ws)
    # Read back day-first (the spreadsheet swapped the rest), every chat is in February.
    assert frame["started_at"].min() == pd.Timestamp("2021-01-31 23:05:09", tz="UTC")
    assert frame["started_at"].max() == pd.Timestamp("2021-02-28 23:57:10", tz="UTC")
    assert (frame["handle_time_s"] >= 0).all()


def test_servicenow_event_log_keeps_each_incidents_latest_update(
    ws: Workspace, tmp_path: Path
) -> None:
    source = real("servicenow-incidents/incident_event_log.csv")
    text, out = suggest_and_load(ws, tmp_path, source)
    raw = pd.read_csv(source, dtype=str)
    raw["row"] = np.arange(2, len(raw) + 2)
    raw["mods"] = raw["sys_mod_count"].astype(int)
    latest = raw.sort_values(["mods", "row"]).groupby("number").tail(1)
    assert 'repeated_ids: {keep: last, by: "sys_mod_count"}' in text
    assert (out.rows_accepted, out.rows_quarantined) == (raw["number"].nunique(), len(raw) - 890)
    frame = stored(ws)
    assert sorted(frame["source_row"]) == sorted(latest["row"])
    opened = pd.to_datetime(latest["opened_at"], format="%d-%m-%Y %H:%M")
    resolved = pd.to_datetime(latest["resolved_at"].replace("?", None), format="%d-%m-%Y %H:%M")
    hours = ((resolved - opened).dt.total_seconds() / 3600).dropna()
    assert frame["handle_time_s"].dropna().sum() / 3600 == pytest.approx(hours.sum())


@pytest.mark.parametrize("name", ["calls_one_day.csv", "august_calls.ods"])
def test_technion_calls_the_ivr_meets_first_and_the_id_joins_two_columns(
    ws: Workspace, tmp_path: Path, name: str
) -> None:
    source = real(f"technion-bank-calls/{name}")
    text, out = suggest_and_load(ws, tmp_path, source)
    raw = (
        pd.read_csv(source, dtype=str)
        if name.endswith(".csv")
        else pd.read_excel(source, dtype=str, engine="calamine")  # odfpy takes 80 s
    )
    assert 'interaction_id: {columns: ["vru+line", "call_id"]}' in text
    assert (out.rows_read, out.rows_accepted) == (len(raw), len(raw))
    frame = stored(ws)
    assert set(frame["handler"]) == {"ai"}
    assert int(frame["escalated"].sum()) == int((raw["q_start"] != "0:00:00").sum())
    assert frame["interaction_id"].is_unique
    if name.endswith(".ods"):
        days = pd.to_datetime(raw["date"], format="%y%m%d")
        assert frame["started_at"].dt.date.min() == days.min().date() == dt.date(1999, 8, 1)
        assert frame["started_at"].dt.date.max() == days.max().date() == dt.date(1999, 8, 31)


def test_kaggle_tickets_without_a_response_time_are_quarantined_and_no_handle_time(
    ws: Workspace, tmp_path: Path
) -> None:
    source = real("kaggle-support-tickets/customer_support_tickets.csv")
    text, out = suggest_and_load(ws, tmp_path, source)
    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    answered = raw["First Response Time"] != ""
    assert (out.rows_accepted, out.rows_quarantined) == (answered.sum(), (~answered).sum())
    assert "handle_time_s: CHECK: not proposed" in text
    assert "handle_time_s:" not in text.split("fields:")[1]
    assert "contacts repeat a value of 'Customer Email'" in text
    rated = pd.to_numeric(raw.loc[answered, "Customer Satisfaction Rating"], errors="coerce")
    assert stored(ws)["csat"].mean() == pytest.approx(rated.mean())


def test_kaggle_day_first_resave_loads_the_same_tickets(ws: Workspace, tmp_path: Path) -> None:
    source = real("kaggle-support-tickets-ddmmyy/customer_support_tickets.csv")
    text, out = suggest_and_load(ws, tmp_path, source)
    assert "date_order: day_first" in text
    assert (out.rows_accepted, out.rows_quarantined) == (5650, 2819)
    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    times = pd.to_datetime(raw["First Response Time"], format="%d-%m-%y %H:%M", errors="coerce")
    assert stored(ws)["started_at"].min() == times.min().tz_localize("UTC")


def test_pwc_churn_snapshot_gets_one_date_and_one_row_per_customer(
    ws: Workspace, tmp_path: Path
) -> None:
    source = real("pwc-churn-tickets/02 Churn-Dataset.xlsx")
    text, out = suggest_and_load(ws, tmp_path, source)
    raw = pd.read_excel(source, dtype=str, engine="openpyxl")
    written = dt.datetime.fromtimestamp(source.stat().st_mtime, dt.UTC).date()
    assert f'started_at: "{written.isoformat()}"  # CHECK: no column reads as dates' in text
    assert (out.rows_accepted, out.rows_quarantined) == (len(raw), 0)
    frame = stored(ws)
    assert set(frame["started_at"].dt.date) == {written}
    assert sorted(frame["interaction_id"]) == sorted(raw["customerID"])


@pytest.mark.parametrize(
    ("relative", "reader"),
    [
        ("comcast-complaints/Comcast_telecom_complaints_data.csv", "tsv"),
        ("pwc-call-centre/01 Call-Center-Dataset.xlsx", "xlsx"),
    ],
    ids=["comcast", "pwc-call-centre"],
)
def test_one_row_per_contact_files_load_every_row(
    ws: Workspace, tmp_path: Path, relative: str, reader: str
) -> None:
    source = real(relative)
    _, out = suggest_and_load(ws, tmp_path, source)
    raw = (
        pd.read_csv(source, sep="\t", dtype=str)
        if reader == "tsv"
        else pd.read_excel(source, dtype=str, engine="openpyxl")
    )
    assert (out.rows_accepted, out.rows_quarantined) == (len(raw), 0)
    ids = raw.iloc[:, 0]
    assert sorted(stored(ws)["interaction_id"]) == sorted(ids)


def test_the_broken_semicolon_file_gets_no_suggestion_but_the_reason() -> None:
    with pytest.raises(SourceUnreadable, match="every line is one cell"):
        suggest_mapping(real("kaggle-support-tickets-semicolon/customer_support_tickets.csv"))


# --- a canonical-named export --------------------------------------------------------------


def canonical_export(rows: int = 3000, deployment_on_humans: bool = False) -> pd.DataFrame:
    """Six months of contacts named like the canonical schema, as the issue describes them:
    segment columns blank on a share of rows, the deployment and the AI-only flags filled
    on the AI's rows only, and a vendor model switch half-way."""
    rng = np.random.default_rng(11)
    ai = rng.random(rows) < 0.6
    start = pd.Timestamp("2026-01-01", tz="UTC")
    started = start + pd.to_timedelta(np.sort(rng.integers(0, 180 * 86_400, rows)), unit="s")
    late = started >= start + pd.Timedelta(days=90)

    def maybe(values: np.ndarray, blank: float) -> list[object]:
        return [None if rng.random() < blank else v for v in values]

    def pick(choices: list[str]) -> np.ndarray:
        return rng.choice(np.array(choices, dtype=object), rows)

    def flag(p: float) -> np.ndarray:
        return rng.random(rows) < p

    return pd.DataFrame(
        {
            "interaction_id": [f"c{i:05d}" for i in range(rows)],
            "started_at": started,
            "channel": pick(["chat", "voice", "email"]),
            "handler": np.where(ai, "ai", "human"),
            "deployment": ["support-assistant" if a or deployment_on_humans else None for a in ai],
            "model_version": [
                ("v2" if lt else "v1") if a else None for a, lt in zip(ai, late, strict=True)
            ],
            "agent_id": [None if a else f"agent-{rng.integers(1, 30)}" for a in ai],
            "inquiry_type": pick(["billing", "technical", "account"]),
            "region": maybe(pick(["north", "south", "east"]), 0.1),
            "language": maybe(pick(["en", "es", "fr"]), 0.05),
            "age_band": maybe(pick(["18-34", "35-54", "55+"]), 0.2),
            "customer_tier": pick(["gold", "standard"]),
            "resolved_first_contact": flag(0.75),
            "handle_time_s": rng.gamma(2.0, 200.0, rows).round(1),
            "csat": pd.array(
                [int(v) if rng.random() < 0.4 else None for v in rng.integers(1, 6, rows)],
                dtype="Int64",
            ),
            "complaint": flag(0.05),
            "escalated": flag(0.2),
            "human_override": pd.array(
                [bool(v) if a else None for a, v in zip(ai, flag(0.1), strict=True)],
                dtype="boolean",
            ),
            "ai_disclosed": pd.array(
                [bool(v) if a else None for a, v in zip(ai, flag(0.9), strict=True)],
                dtype="boolean",
            ),
            # Drawn last, so the columns above keep their values.
            "offered_human": pd.array(
                [bool(v) if a else None for a, v in zip(ai, flag(0.3), strict=True)],
                dtype="boolean",
            ),
            "time_to_human_s": [
                round(float(v), 1) if a else None
                for a, v in zip(ai, rng.exponential(45.0, rows), strict=True)
            ],
        }
    )


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_canonical_export_maps_every_field_and_loads_unedited(
    ws: Workspace, tmp_path: Path, suffix: str
) -> None:
    frame = canonical_export()
    source = tmp_path / f"export{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(source, index=False)
    else:
        frame.to_csv(source, index=False)
    text, out = suggest_and_load(ws, tmp_path, source)
    fields, segments = text.split("fields:")[1].split("segments:")
    for name in frame.columns:
        if name in ("region", "language", "age_band", "customer_tier"):
            assert f'  {name}: "{name}"' in segments
        elif name != "deployment":
            assert f'  {name}: "{name}"' in fields, name
    assert "handler_2" not in text
    assert '  deployment: "support-assistant"  # CHECK:' in text
    assert "the humans doing the same work are the deployment's baseline" in text
    assert (out.rows_accepted, out.rows_quarantined) == (len(frame), 0)
    loaded = stored(ws)
    assert set(loaded["deployment"]) == {"support-assistant"}
    ai = frame["handler"] == "ai"
    versions = loaded["model_version"].where(loaded["model_version"].notna(), None)
    assert list(versions) == list(frame["model_version"])
    override = overall(ws, "override_rate", "ai")
    assert override.estimate == pytest.approx(frame.loc[ai, "human_override"].astype(float).mean())
    offered = frame.loc[ai, "offered_human"].astype(bool)
    assert overall(ws, "offered_human_rate", "ai").estimate == pytest.approx(offered.mean())
    alone = ~frame.loc[ai, "escalated"] & ~offered
    assert overall(ws, "ai_alone_rate", "ai").estimate == pytest.approx(alone.mean())
    assert overall(ws, "contacts", "human").n == int((~ai).sum())


def test_a_deployment_named_on_every_row_stays_per_row(tmp_path: Path) -> None:
    source = tmp_path / "export.parquet"
    canonical_export(500, deployment_on_humans=True).to_parquet(source, index=False)
    text = suggest_mapping(source)
    assert '  deployment: "deployment"' in text
    assert "constants:\n  deployment" not in text


def test_synonyms_map_to_fields_and_segments_never_take_reserved_names(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    rows = [
        f"C-{i},2024-03-{1 + i % 28:02d} 10:00:00,{'Bot' if i % 3 else 'Agent'},"
        f"{['billing', 'tech'][i % 2]},{1 + i % 5},{['x', 'y'][i % 2]},{['p', 'q'][i % 2]}"
        for i in range(60)
    ]
    source.write_text(
        "Conversation ID,Created At,Handled By,Intent,Satisfaction,day,load_id\n"
        + "\n".join(rows)
        + "\n",
        "utf-8",
    )
    text = suggest_mapping(source)
    assert 'interaction_id: "Conversation ID"' in text
    assert 'started_at: "Created At"' in text
    assert 'handler: {column: "Handled By", map: {"Agent": human, "Bot": ai}}' in text
    assert 'inquiry_type: "Intent"' in text
    assert 'csat: "Satisfaction"' in text
    assert '  day_segment: "day"' in text
    assert '  load_id_segment: "load_id"' in text
    mapping = tmp_path / "m.yaml"
    mapping.write_text(text, "utf-8")
    parse_mapping(text, str(mapping))  # the rules accept it as written


def test_a_canonically_named_column_with_the_wrong_values_is_not_forced(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text(
        "interaction_id,started_at,handler,csat,escalated\n"
        + "".join(f"i{i},2024-01-02T10:00:00Z,human,{i % 10},maybe\n" for i in range(30)),
        "utf-8",
    )
    text = suggest_mapping(source)
    assert "# CHECK: 'csat' is named like csat, but scores reach 9, not 1-5" in text
    assert (
        "# CHECK: 'escalated' is named like escalated, but its values (maybe) are not yes/no"
        in text
    )
    assert "  csat:" not in text.split("fields:")[1]


# --- each rule quiet where it does not apply ----------------------------------------------


def write(tmp_path: Path, header: str, rows: list[str]) -> Path:
    source = tmp_path / "export.csv"
    source.write_text(header + "\n" + "\n".join(rows) + "\n", "utf-8")
    return source


def test_a_bot_column_filled_on_some_rows_only_does_not_make_every_contact_ai(
    tmp_path: Path,
) -> None:
    rows = [
        f"T{i},2024-03-{1 + i % 28:02d} 10:00:00,{'00:00:05' if i % 2 else ''},Red"
        for i in range(40)
    ]
    text = suggest_mapping(write(tmp_path, "Ticket ID,Opened,BotResponseTime,Bottle", rows))
    assert "handler: ai" not in text
    assert "handler: human  # CHECK: nothing in the file says a bot" in text


def test_a_word_inside_a_name_is_not_a_bot(tmp_path: Path) -> None:
    rows = [f"T{i},2024-03-{1 + i % 28:02d} 10:00:00,Red" for i in range(40)]
    text = suggest_mapping(write(tmp_path, "Ticket ID,Opened,Bottle Colour", rows))
    assert "handler: human" in text


def test_repeated_ids_with_different_starts_are_not_an_event_log(tmp_path: Path) -> None:
    rows = [f"L{i % 3},{i // 3},2024-03-{1 + i % 28:02d} 1{i % 10}:00:00" for i in range(60)]
    text = suggest_mapping(write(tmp_path, "line,call_id,started", rows))
    assert "repeated_ids" not in text
    assert 'interaction_id: {columns: ["line", "call_id"]}' in text


def test_repeated_ids_with_one_start_each_are_an_event_log_ordered_by_file_without_counter(
    tmp_path: Path,
) -> None:
    rows = [
        f"INC{i // 4},2024-03-{1 + i // 4:02d} 09:00:00,{['New', 'Closed'][i % 2]}"
        for i in range(48)
    ]
    text = suggest_mapping(write(tmp_path, "number,opened_at,state", rows))
    assert "repeated_ids: {keep: last}  # CHECK: the row with the last in the file" in text
    assert 'interaction_id: "number"  # CHECK: an event log: 48 rows hold 12 values' in text


def test_iso_dates_get_no_swap_no_format_and_unique_customers_no_repeat_note(
    tmp_path: Path,
) -> None:
    rows = [f"T{i},C{i},2024-03-{1 + i % 28:02d} 10:00:00" for i in range(40)]
    text = suggest_mapping(write(tmp_path, "Ticket ID,Customer ID,Created At", rows))
    assert "ambiguous_dates" not in text and "format:" not in text.split("fields:")[1]
    assert "customer_id: \"Customer ID\"  # 'Customer ID' carries" in text
    assert "contacts repeat a value" not in text
    assert "constants:\n  started_at" not in text


def test_a_canonical_id_that_repeats_is_read_as_the_event_log_it_is(
    ws: Workspace, tmp_path: Path
) -> None:
    rows = [
        f"i{i // 3},2024-03-{1 + i // 3:02d}T09:00:00Z,ai,{i % 3},{['no', 'no', 'yes'][i % 3]}"
        for i in range(30)
    ]
    source = write(tmp_path, "interaction_id,started_at,handler,revision,escalated", rows)
    text, out = suggest_and_load(ws, tmp_path, source)
    assert "# CHECK: 'interaction_id' is named like interaction_id, but it repeats" in text
    assert 'repeated_ids: {keep: last, by: "revision"}' in text
    assert (out.rows_accepted, out.rows_quarantined) == (10, 20)
    assert stored(ws)["escalated"].all()  # each contact's last revision: escalated
