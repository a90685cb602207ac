"""Loading a table through an Ibis backend URL: the same rows as the file, credentials masked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from test_data_load import MAPPINGS, real, stored

from cxsteward.config import Settings
from cxsteward.engine.readers import SourceUnreadable
from cxsteward.engine.table_source import masked_url, table_checksum
from cxsteward.errors import Invalid
from cxsteward.services.data import list_loads, list_quarantine, load_data
from cxsteward.services.workspace import Workspace, init_workspace

COMCAST = "comcast-complaints/Comcast_telecom_complaints_data.csv"


def raw_comcast() -> pd.DataFrame:
    """The export's cells exactly as text, as a database table would hold them."""
    return pd.read_csv(real(COMCAST), sep="\t", dtype=str, keep_default_na=False)


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    # source_row is the line in a file but the position in a table; load_id differs too.
    frame = frame.drop(columns=["source_row", "load_id"])
    return frame.sort_values("interaction_id").reset_index(drop=True)


def test_a_sqlite_table_loads_like_the_file_it_came_from(ws: Workspace, tmp_path: Path) -> None:
    database = tmp_path / "crm.db"
    with sqlite3.connect(database) as con:
        raw_comcast().to_sql("complaints", con, index=False)
    mapping = MAPPINGS / "comcast-complaints.yaml"
    from_table = load_data(ws, f"sqlite:///{database}", mapping, table="complaints")
    other = init_workspace(Settings(workspace=tmp_path / "file-ws"))
    try:
        from_file = load_data(other, real(COMCAST), mapping)
        assert (from_table.rows_read, from_table.rows_accepted, from_table.rows_quarantined) == (
            from_file.rows_read,
            from_file.rows_accepted,
            from_file.rows_quarantined,
        )
        assert from_table.rows_read == len(raw_comcast())
        pd.testing.assert_frame_equal(comparable(stored(ws)), comparable(stored(other)))
        # The same reasons for the same rows (by interaction id, as a table has no lines).
        reasons_table = {(r.value, r.reason) for r in list_quarantine(ws, 1, limit=10**6).rows}
        reasons_file = {(r.value, r.reason) for r in list_quarantine(other, 1, limit=10**6).rows}
        assert reasons_table == reasons_file
    finally:
        other.close()
    assert from_table.source == f"sqlite:///{database} table complaints"
    again = load_data(ws, f"sqlite:///{database}", mapping, table="complaints")
    assert again.already_loaded and again.load_id == from_table.load_id
    assert len(list_loads(ws)) == 1


def test_a_duckdb_table_with_typed_columns_loads_without_a_mapping(
    ws: Workspace, tmp_path: Path
) -> None:
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(
            "CREATE TABLE contacts AS SELECT * FROM (VALUES "
            "('a1', TIMESTAMPTZ '2024-05-01 10:00:00+00', 'ai', 4, 120.5, true), "
            "('a2', TIMESTAMPTZ '2024-05-02 11:30:00+00', 'human', NULL, 300.0, false), "
            "('a3', TIMESTAMPTZ '2024-06-01 09:00:00+00', 'ai', 9, -5.0, NULL)) "
            "AS t(interaction_id, started_at, handler, csat, handle_time_s, "
            "resolved_first_contact)"
        )
    out = load_data(ws, f"duckdb:///{database}", table="contacts")
    # a3: csat 9 is out of range and a negative handle time; quarantined, not dropped.
    assert (out.rows_read, out.rows_accepted, out.rows_quarantined) == (3, 2, 1)
    rows = stored(ws)
    assert rows["interaction_id"].tolist() == ["a1", "a2"]
    assert rows["csat"].tolist()[0] == 4 and pd.isna(rows["csat"].tolist()[1])
    assert rows["handle_time_s"].tolist() == [120.5, 300.0]
    assert rows["started_at"].tolist() == [
        pd.Timestamp("2024-05-01 10:00", tz="UTC"),
        pd.Timestamp("2024-05-02 11:30", tz="UTC"),
    ]
    quarantined = list_quarantine(ws, out.load_id).rows
    assert {(r.source_row, r.field) for r in quarantined} >= {(3, "csat")}
    # A row added to the table: the next load keeps only it; stored rows are duplicates.
    with duckdb.connect(str(database)) as con:
        con.execute(
            "INSERT INTO contacts VALUES ('a4', TIMESTAMPTZ '2024-06-02 08:00:00+00', 'ai', 5, "
            "60.0, true)"
        )
    more = load_data(ws, f"duckdb:///{database}", table="contacts")
    assert not more.already_loaded
    assert (more.rows_read, more.rows_accepted, more.rows_quarantined) == (4, 1, 3)
    assert stored(ws)["interaction_id"].tolist() == ["a1", "a2", "a4"]
    reasons = [r.reason for r in list_quarantine(ws, more.load_id).rows]
    assert sum("already in the store from load 1" in r for r in reasons) == 2


def test_a_postgres_table_loads_and_its_password_is_never_stored(
    ws: Workspace, postgres_url: str
) -> None:
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as con:
            con.execute(text("CREATE TABLE contacts (id text, opened text, who text, score int)"))
            con.execute(
                text(
                    "INSERT INTO contacts VALUES ('p1', '2024-05-01 10:00', 'Bot', 5), "
                    "('p2', '2024-05-01 11:00', 'Ann', 2), ('p3', 'not a time', 'Bot', 3)"
                )
            )
    finally:
        engine.dispose()
    parts = make_url(postgres_url)
    assert parts.password
    url = f"postgres://{parts.username}:{parts.password}@{parts.host}:{parts.port}/{parts.database}"
    mapping = ws.settings.workspace / "pg.yaml"
    mapping.write_text(
        "timezone: UTC\nfields:\n  interaction_id: id\n  started_at: opened\n"
        "  handler: {column: who, map: {Bot: ai, Ann: human}}\n  csat: score\n",
        "utf-8",
    )
    out = load_data(ws, url, mapping, table="contacts")
    assert (out.rows_read, out.rows_accepted, out.rows_quarantined) == (3, 2, 1)
    assert stored(ws)["handler"].tolist() == ["ai", "human"]
    secret = f":{parts.password}@"
    assert secret not in out.source and ":***@" in out.source
    assert all(secret not in load.source for load in list_loads(ws))


def test_bad_backend_sources_are_refused_with_the_reason_and_no_secret(
    ws: Workspace, tmp_path: Path
) -> None:
    database = tmp_path / "empty.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE TABLE nothing (interaction_id text, started_at timestamptz)")
    cases = [
        ("nosuchengine://user:hunter2@host/db", "contacts", r"nosuchengine://user:\*\*\*@host/db"),
        (f"duckdb:///{database}", "contacts", r"no table 'contacts'"),
        (f"duckdb:///{database}", "nothing", r"table nothing: the table is empty"),
        (f"duckdb:///{database}", " ", r"name the table to read"),
    ]
    for url, table, message in cases:
        with pytest.raises(SourceUnreadable, match=message) as caught:
            load_data(ws, url, table=table)
        assert "hunter2" not in str(caught.value)
    with pytest.raises(Invalid, match="name the table to read"):
        load_data(ws, "postgres://user:hunter2@host/db")
    with pytest.raises(Invalid, match="--table reads a backend URL"):
        load_data(ws, tmp_path / "file.csv", table="contacts")
    assert list_loads(ws) == []
    assert not (ws.settings.workspace / "data" / "interactions").exists()


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgres://cx:s3cr%40t@db:5432/crm", "postgres://cx:***@db:5432/crm"),
        ("postgres://cx@db/crm", "postgres://cx@db/crm"),
        ("trino://u@h/c?password=p&catalog=x", "trino://u@h/c?password=***&catalog=x"),
        (
            "snowflake://u@acct/db?token=t1&warehouse=w",
            "snowflake://u@acct/db?token=***&warehouse=w",
        ),
        ("duckdb:///data/warehouse.duckdb", "duckdb:///data/warehouse.duckdb"),
    ],
)
def test_urls_are_masked(url: str, masked: str) -> None:
    assert masked_url(url) == masked


def test_table_checksum_follows_the_rows() -> None:
    import pyarrow as pa

    one = pa.table({"a": [1, 2], "b": ["x", "y"]})
    same = pa.table({"a": [1, 2], "b": ["x", "y"]})
    changed = pa.table({"a": [1, 3], "b": ["x", "y"]})
    assert table_checksum(one) == table_checksum(same)
    assert table_checksum(one)[0] != table_checksum(changed)[0]
