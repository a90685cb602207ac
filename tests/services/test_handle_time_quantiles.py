"""Handle-time median and p90 of every shipped example, against numpy.

Each example is loaded through the real load path with its shipped mapping, then every
median and p90 that ``metrics show`` reports (each window, segment value, deployment and
handler) is compared with ``np.quantile`` (numpy's default, linear method) over the same
contacts, and the headline figures with the raw file read by pandas alone. The quantiles are
exact, so equal to numpy's up to the last bit of the interpolation.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from test_data_load import BANK, CHAT, MAPPINGS, PWC, load, real, stored

from cxsteward.domain import metrics as m
from cxsteward.services.monitoring.metrics import metric_table
from cxsteward.services.workspace import Workspace

INCIDENTS = "servicenow-incidents/incident_event_log.csv"
# The ServiceNow log ships without a mapping: one incident per contact (its first event;
# later events of the same number are set aside as duplicates), open to resolved as the
# handle time.
INCIDENT_MAPPING = """\
source: {format: csv}
timezone: UTC
date_order: day_first
null_values: ["?"]
constants: {handler: human, deployment: service-desk}
fields:
  interaction_id: number
  started_at: opened_at
  handle_time_s: {start: opened_at, end: resolved_at}
segments:
  priority: priority
"""
# Every shipped mapping that maps a handle time, and the file it reads.
EXAMPLES = {"chat-bot-agent": CHAT, "pwc-call-centre": PWC, "technion-bank-calls": BANK}
REL = 1e-12  # exact: only the last bit of the interpolation may differ


def numpy_quantiles(
    frame: pd.DataFrame, window: m.Window, columns: m.Slice
) -> dict[tuple[object, ...], tuple[int, float, float]]:
    """n, median and p90 of the stored handle times per window, segment values,
    deployment and handler, by pandas periods and np.quantile."""
    timed = frame[frame["handle_time_s"].notna()].copy()
    naive = timed["started_at"].dt.tz_convert(None)
    if window is m.Window.ALL:
        timed["start"] = frame["started_at"].dt.tz_convert(None).min().date()
    else:
        freq = {m.Window.DAY: "D", m.Window.WEEK: "W-SUN", m.Window.MONTH: "M"}[window]
        timed["start"] = naive.dt.to_period(freq).dt.start_time.dt.date
    keys = ["start", *columns, "deployment", "handler"]
    out = {}
    for key, group in timed.groupby(keys, dropna=False):
        named = dict(zip(keys, key, strict=True))
        values = group["handle_time_s"].to_numpy(dtype=float)
        median, p90 = np.quantile(values, [0.5, 0.9])
        segment = tuple(m.MISSING_LEVEL if pd.isna(named[c]) else named[c] for c in columns)
        where = (named["start"], m.slice_name(columns), segment, named["deployment"])
        out[(*where, named["handler"])] = (len(values), float(median), float(p90))
    return out


def assert_every_quantile_is_numpys(
    ws: Workspace, load_id: int, mapping: Path
) -> list[m.MetricRow]:
    """Every window, segment value and handler of the load against numpy; the overall
    rows of the whole range back."""
    frame = stored(ws, load_id)
    segments = [(c,) for c in segments_of(mapping)]
    all_rows: list[m.MetricRow] = []
    for window in (m.Window.ALL, m.Window.WEEK, m.Window.DAY):
        rows = [r for r in metric_table(ws, window, segments) if r.metric == "average_handle_time"]
        want: dict[tuple[object, ...], tuple[int, float, float]] = {}
        for columns in [(), *segments]:
            want |= numpy_quantiles(frame, window, columns)
        shown = 0
        for row in rows:
            segment = tuple(row.segment.values())
            key = (row.window_start, row.slice, segment, row.deployment, row.handler)
            if key not in want:
                assert row.median is None and row.p90 is None and row.n == 0, key
                continue
            n, median, p90 = want[key]
            assert row.n == n, key
            assert row.median == pytest.approx(median, rel=REL, abs=0), key
            assert row.p90 == pytest.approx(p90, rel=REL, abs=0), key
            shown += 1
        assert shown == len(want), window  # every group with a handle time has its figures
        if window is m.Window.ALL:
            all_rows = [r for r in rows if r.slice == m.OVERALL]
    return all_rows


def segments_of(mapping: Path) -> list[str]:
    """The segment columns a mapping declares."""
    return list((yaml.safe_load(mapping.read_text("utf-8")) or {}).get("segments", {}))


def overall(rows: list[m.MetricRow], handler: str) -> m.MetricRow:
    return next(r for r in rows if r.handler == handler)


def test_every_shipped_mapping_with_a_handle_time_is_checked() -> None:
    timed = set()
    for path in sorted(MAPPINGS.glob("*.yaml")):
        fields = (yaml.safe_load(path.read_text("utf-8")) or {}).get("fields", {})
        if "handle_time_s" in fields:
            timed.add(path.stem)
    assert timed == set(EXAMPLES), "add the new example with a handle time to EXAMPLES"


def test_the_incident_log_median_is_54_and_a_half_hours(ws: Workspace, tmp_path: Path) -> None:
    mapping = tmp_path / "servicenow.yaml"
    mapping.write_text(INCIDENT_MAPPING, encoding="utf-8")
    out = load(ws, INCIDENTS, mapping)
    raw = pd.read_csv(real(INCIDENTS), na_values=["?"], keep_default_na=False)
    first = raw.groupby("number", sort=False).first()
    opened = pd.to_datetime(first["opened_at"], format="%d-%m-%Y %H:%M")
    resolved = pd.to_datetime(first["resolved_at"], format="%d-%m-%Y %H:%M")
    hours = ((resolved - opened).dt.total_seconds() / 3600).dropna().to_numpy()
    assert (out.rows_accepted, len(hours)) == (890, 861)  # 29 incidents never resolved
    median, p90 = np.quantile(hours, [0.5, 0.9])
    assert round(median, 2) == 54.47  # the "true median of 54.5 hours"
    rows = assert_every_quantile_is_numpys(ws, out.load_id, mapping)
    human = overall(rows, "human")
    assert human.median == pytest.approx(median * 3600, rel=REL)
    assert human.p90 == pytest.approx(p90 * 3600, rel=REL)
    assert human.p90 > 7200 * 300  # far past the old histogram's open bin at 7,200 s


def test_the_chat_bot_p90_is_the_true_one(ws: Workspace) -> None:
    out = load(ws, CHAT, "chat-bot-agent")
    mapping = MAPPINGS / "chat-bot-agent.yaml"
    raw = pd.read_excel(real(CHAT), sheet_name="Chat Data", dtype=object, engine="openpyxl")

    def true_date(value: object) -> dt.datetime:
        # Excel read DD-MM month-first whenever it could: exchange day and month back.
        if isinstance(value, dt.datetime):
            return value.replace(month=value.day, day=value.month)
        return dt.datetime.strptime(str(value), "%d-%m-%Y %H:%M:%S")

    seconds = (
        pd.to_datetime(raw["ChatEndTime"].map(true_date))
        - pd.to_datetime(raw["ChatStartTime"].map(true_date))
    ).dt.total_seconds()
    seconds.index = raw["RoomCode"].astype(str)
    kept_by_bot = raw["ClosedBy"].astype(str).str.strip().isin(["Bot", "System"]).to_numpy()
    # The figure: the chats the bot kept to the end have a p90 of 3,714 s.
    assert np.quantile(seconds[kept_by_bot], 0.9) == 3714.0
    rows = assert_every_quantile_is_numpys(ws, out.load_id, mapping)
    # Grouped by the handler the load gave each chat, whatever the mapping's rule.
    handler = stored(ws, out.load_id).set_index("interaction_id")["handler"]
    for name in set(handler):
        values = seconds[handler[handler == name].index].to_numpy(dtype=float)
        row = overall(rows, name)
        assert [row.median, row.p90] == pytest.approx(np.quantile(values, [0.5, 0.9]), rel=REL)


def test_the_call_centre_talk_time(ws: Workspace) -> None:
    out = load(ws, PWC, "pwc-call-centre")
    mapping = MAPPINGS / "pwc-call-centre.yaml"
    raw = pd.read_excel(real(PWC), dtype=object, engine="openpyxl")
    talk = raw["AvgTalkDuration"].dropna().map(lambda t: t.hour * 3600 + t.minute * 60 + t.second)
    rows = assert_every_quantile_is_numpys(ws, out.load_id, mapping)
    human = overall(rows, "human")
    assert human.n == len(talk) == 4054
    want = np.quantile(talk.to_numpy(dtype=float), [0.5, 0.9])
    assert [human.median, human.p90] == pytest.approx(want, rel=REL)


def test_the_bank_calls_service_time(ws: Workspace) -> None:
    out = load(ws, BANK, "technion-bank-calls")
    mapping = MAPPINGS / "technion-bank-calls.yaml"
    raw = pd.read_csv(real(BANK), dtype=str, keep_default_na=False)
    rows = assert_every_quantile_is_numpys(ws, out.load_id, mapping)
    # Every call is the VRU's (it answers first); ser_time is an agent's service time, 0
    # when no agent served the call, and PHANTOM calls are set aside by the mapping.
    real_calls = raw[raw["outcome"] != "PHANTOM"]
    served = real_calls.loc[real_calls["ser_time"] != "0", "ser_time"].astype(float)
    row = overall(rows, "ai")
    assert row.n == len(served)
    want = np.quantile(served, [0.5, 0.9])
    assert [row.median, row.p90] == pytest.approx(want, rel=REL)
    assert not [r for r in rows if r.handler == "human"]
