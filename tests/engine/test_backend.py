"""Which engine computes the metrics: the embedded DuckDB's limits, and other backends by URL."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pydantic import ValidationError

from cxsteward.config import Settings
from cxsteward.engine.backend import (
    SPILL_FOLDER,
    connect,
    fetch_arrow,
    interactions_source,
    interactions_table,
    on_this_machine,
)
from cxsteward.errors import Invalid


def test_the_embedded_engine_keeps_to_its_memory_limit_and_spills_in_the_workspace(
    tmp_path: Path,
) -> None:
    con = connect(Settings(workspace=tmp_path, engine_memory_limit="300MB"))
    try:
        setting = con.raw_sql("SELECT current_setting('memory_limit')").fetchall()
        spill = con.raw_sql("SELECT current_setting('temp_directory')").fetchall()
    finally:
        con.disconnect()
    # DuckDB's own rendering of the same limit, from a connection configured by hand.
    reference = duckdb.connect(config={"memory_limit": "300MB"})
    expected = reference.sql("SELECT current_setting('memory_limit')").fetchall()
    reference.close()
    assert setting == expected
    assert Path(spill[0][0]) == tmp_path / SPILL_FOLDER


@pytest.mark.parametrize("limit", ["lots", "2 GB of RAM", "-1GB", "2XB", ""])
def test_a_memory_limit_that_is_not_a_size_is_refused(tmp_path: Path, limit: str) -> None:
    with pytest.raises(ValidationError, match="engine_memory_limit") as caught:
        Settings(workspace=tmp_path, engine_memory_limit=limit)
    # The message shows the value given, whatever it is (the empty string included).
    assert f"input_value={limit!r}" in str(caught.value)


def test_an_unusable_data_url_names_itself(tmp_path: Path) -> None:
    url = "nosuchbackend://nowhere"
    with pytest.raises(Invalid, match="Cannot connect to the data URL 'nosuchbackend://nowhere'"):
        connect(Settings(workspace=tmp_path, data_url=url))


def test_a_warehouse_with_an_interactions_table_is_read_as_it_is(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as raw:
        raw.execute(
            "CREATE TABLE interactions AS SELECT 'i1' AS interaction_id, "
            "TIMESTAMPTZ '2025-01-02 10:00:00+00' AS started_at, 'ai' AS handler, "
            "'chat' AS deployment, 20090 AS day"
        )
    con = connect(Settings(workspace=tmp_path, data_url=f"duckdb://{warehouse}"))
    try:
        table = interactions_table(con, tmp_path / "no-store-needed")
        frame = fetch_arrow(table).to_pandas()
        # Not the workspace store: cells join followed contacts by id, not (load, row).
        assert interactions_source(con, tmp_path / "no-store-needed")[1] is False
    finally:
        con.disconnect()
    assert frame["interaction_id"].tolist() == ["i1"]
    # Canonical fields the warehouse lacks are there, as nulls.
    assert frame["csat"].isna().all() and frame["complaint"].isna().all()
    assert isinstance(frame, pd.DataFrame)


def test_the_workspace_store_is_told_apart_from_a_warehouse(tmp_path: Path) -> None:
    store = tmp_path / "interactions" / "month=2025-01"
    store.mkdir(parents=True)
    raw = duckdb.connect()
    raw.execute(
        f"COPY (SELECT 'i1' AS interaction_id, 1 AS load_id, 2 AS source_row) "
        f"TO '{store / 'part-1.parquet'}' (FORMAT parquet)"
    )
    raw.close()
    con = connect(Settings(workspace=tmp_path))
    try:
        table, from_store = interactions_source(con, tmp_path / "interactions")
        assert from_store is True
        assert fetch_arrow(table.select("load_id", "source_row")).to_pylist() == [
            {"load_id": 1, "source_row": 2}
        ]
    finally:
        con.disconnect()


@pytest.mark.parametrize(
    ("master", "here"),
    [
        ("local[2]", True),
        ("local", True),
        ("spark://127.0.0.1:7077", True),
        ("spark://localhost:7077", True),
        ("spark://spark-master.internal:7077", False),
        ("spark://10.0.3.7:7077", False),
    ],
)
def test_only_a_master_on_this_machine_pins_the_driver_to_loopback(master: str, here: bool) -> None:
    # Executors on other machines could not reach a driver bound to 127.0.0.1.
    assert on_this_machine(master) is here
