"""Event logs (one row per update of a contact) and snapshots (one date for the whole file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from cxsteward.domain.interactions import SOURCE_ROW
from cxsteward.domain.mapping import parse_mapping
from cxsteward.engine.ingest import Context, Ingested, ingest
from cxsteward.engine.readers import read_table

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
BASE = """\
timezone: UTC
date_order: day_first
constants: {handler: human}
fields:
  interaction_id: number
  started_at: opened
  inquiry_type: state
"""
# Incident 1 is updated four times, and its updates reach the file out of order (the counter
# says which is latest); incident 2 once; incident 3 twice, in order. The counter passes 9,
# so ordering it as text would pick the wrong row.
LOG = (
    "number,opened,state,mods,updated\n"
    "1,01-02-2016 08:00,New,0,01-02-2016 08:00\n"
    "1,01-02-2016 08:00,Closed,10,05-02-2016 09:00\n"
    "2,02-02-2016 09:00,New,0,02-02-2016 09:00\n"
    "1,01-02-2016 08:00,Resolved,9,04-02-2016 17:00\n"
    "3,03-02-2016 10:00,New,0,03-02-2016 10:00\n"
    "1,01-02-2016 08:00,Active,2,01-02-2016 08:30\n"
    "3,03-02-2016 10:00,Active,1,03-02-2016 11:00\n"
)


def run(tmp_path: Path, rule: str, csv: str = LOG) -> Ingested:
    path = tmp_path / "log.csv"
    path.write_text(csv, "utf-8")
    result = ingest(read_table(path), parse_mapping(BASE + rule, "m.yaml"), Context(1, NOW))
    assert result.rows_read == result.table.num_rows + result.rows_quarantined
    return result


def kept(result: Ingested) -> dict[str, tuple[int, str]]:
    rows = result.table.select(["interaction_id", SOURCE_ROW, "inquiry_type"]).to_pylist()
    return {r["interaction_id"]: (r[SOURCE_ROW], r["inquiry_type"]) for r in rows}


def expected(keep: str, by: str | None) -> dict[str, tuple[int, str]]:
    """The row pandas picks for each incident: the independent answer."""
    frame = pd.read_csv(pd.io.common.StringIO(LOG), dtype=str)
    frame["row"] = range(2, len(frame) + 2)
    if by == "mods":
        frame = frame.sort_values(["mods", "row"], key=lambda c: c.astype(int), kind="stable")
    elif by == "updated":
        moment = pd.to_datetime(frame["updated"], format="%d-%m-%Y %H:%M")
        frame = frame.assign(moment=moment).sort_values(["moment", "row"], kind="stable")
    picked = frame.groupby("number").nth(0 if keep == "first" else -1)
    return {r.number: (int(r.row), r.state) for r in picked.itertuples()}


@pytest.mark.parametrize(
    ("rule", "keep", "by"),
    [
        ("", "first", None),
        ("repeated_ids: {keep: last}\n", "last", None),
        ("repeated_ids: {keep: last, by: mods}\n", "last", "mods"),
        ("repeated_ids: {keep: last, by: updated}\n", "last", "updated"),
        ("repeated_ids: {keep: first, by: mods}\n", "first", "mods"),
    ],
    ids=["first-by-default", "last-in-file", "last-by-number", "last-by-time", "first-by-number"],
)
def test_one_row_stands_for_each_contact_by_the_declared_rule(
    tmp_path: Path, rule: str, keep: str, by: str | None
) -> None:
    result = run(tmp_path, rule)
    assert kept(result) == expected(keep, by)
    assert result.rows_quarantined == 4


def test_last_by_a_counter_names_the_kept_row_and_the_rule(tmp_path: Path) -> None:
    result = run(tmp_path, "repeated_ids: {keep: last, by: mods}\n")
    lines = {r["source_row"]: r["reason"] for r in result.quarantine.to_pylist()}
    assert kept(result)["1"] == (3, "Closed")
    assert (
        lines[2]
        == "another row of this contact stands for it: row 3 (repeated_ids: keep last by mods)"
    )
    assert lines[7] == lines[2]


def test_an_empty_or_unreadable_ordering_value_is_quarantined(tmp_path: Path) -> None:
    csv = LOG.replace("Resolved,9,04-02-2016 17:00", "Resolved,9,").replace(
        "Active,1,03-02-2016 11:00", "Active,1,someday"
    )
    result = run(tmp_path, "repeated_ids: {keep: last, by: updated}\n", csv)
    lines = {r["source_row"]: (r["field"], r["reason"]) for r in result.quarantine.to_pylist()}
    assert lines[5][0] == "repeated_ids"
    assert lines[5][1].startswith("empty: repeated_ids orders the rows of one contact by updated")
    assert lines[8][0] == "repeated_ids"
    assert kept(result)["1"] == (3, "Closed")
    assert kept(result)["3"] == (6, "New")


def test_a_snapshot_gives_every_row_the_one_date(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("customer,tickets\nc1,2\nc2,0\n", "utf-8")
    mapping = parse_mapping(
        "timezone: Europe/Zurich\nconstants: {handler: human, started_at: '2024-11-17'}\n"
        "fields:\n  interaction_id: customer\n",
        "m.yaml",
    )
    result = ingest(read_table(path), mapping, Context(1, NOW))
    midnight = dt.datetime(2024, 11, 16, 23, 0, tzinfo=dt.UTC)  # Zurich is UTC+1 in November
    assert result.table.column("started_at").to_pylist() == [midnight, midnight]
