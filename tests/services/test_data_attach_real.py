"""A real export attached in place (as Parquet, and as a PostgreSQL table) gives the cells and
findings of the same export loaded: compared with pandas on the runs' artifact files."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from attach_helpers import assert_same_cells, findings
from real_exports import real
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from cxsteward.config import Settings
from cxsteward.services.accounts.sessions import SECRET_FILE, web_secret
from cxsteward.services.data import attach_source, list_loads, load_data, suggest_mapping
from cxsteward.services.data.credentials import secret_file
from cxsteward.services.monitoring.run import SOURCE, MonitorOut, run_monitor
from cxsteward.services.monitoring.runs import get_run
from cxsteward.services.workspace import Workspace, init_workspace

COMCAST = "comcast-complaints/Comcast_telecom_complaints_data.csv"
# What a reviewer changes in the suggestion before attaching: free text cannot be scored in
# place, and text times need their format ("22-04-2015" and "3.53.50 PM").
FORMAT = "%d-%m-%Y %I.%M.%S %p"


def reviewed_mapping(folder: Path) -> Path:
    """The suggested mapping, as written, with the two changes attach asks for."""
    suggested = suggest_mapping(real(COMCAST))
    lines = [line for line in suggested.splitlines() if not line.startswith("sentiment_text:")]
    edited = "\n".join(
        re.sub(
            r'started_at: \{date: "Date", time: "Time"\}',
            f'started_at: {{date: "Date", time: "Time", format: "{FORMAT}"}}',
            line,
        )
        for line in lines
    )
    assert f'format: "{FORMAT}"' in edited
    path = folder / "comcast.yaml"
    path.write_text(edited + "\n", "utf-8")
    return path


def raw_comcast() -> pd.DataFrame:
    """The export's cells exactly as written, as text."""
    return pd.read_csv(real(COMCAST), sep="\t", dtype=str, keep_default_na=False)


@dataclass(frozen=True)
class Loaded:
    ws: Workspace
    run: MonitorOut
    mapping: Path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    folder = tmp_path_factory.mktemp("comcast")
    mapping = reviewed_mapping(folder)
    ws = init_workspace(Settings(workspace=folder / "loaded"))
    web_secret(ws.settings)
    out = load_data(ws, real(COMCAST), mapping)
    assert out.rows_read == out.rows_accepted + out.rows_quarantined
    yield Loaded(ws, run_monitor(ws), mapping)
    ws.close()


def attached_workspace(folder: Path, loaded: Loaded) -> Workspace:
    ws = init_workspace(Settings(workspace=folder))
    shutil.copy(loaded.ws.settings.workspace / SECRET_FILE, folder / SECRET_FILE)
    return ws


def test_the_export_as_parquet_attached_gives_the_cells_of_its_load(
    tmp_path: Path, loaded: Loaded
) -> None:
    export = tmp_path / "comcast.parquet"
    raw_comcast().to_parquet(export, index=False)  # every column as written, as text
    ws = attached_workspace(tmp_path / "attached", loaded)
    attached = attach_source(ws, str(export), loaded.mapping)
    run = run_monitor(ws)
    assert assert_same_cells(loaded.run.artifacts, run.artifacts) > 100
    assert findings(loaded.run.artifacts) == findings(run.artifacts)
    (log,) = list_loads(loaded.ws)
    assert attached.snapshot.rows == log.rows_accepted
    assert attached.snapshot.rows_read == log.rows_read == len(raw_comcast())
    assert attached.snapshot.rejected == log.rows_quarantined
    ws.close()


@pytest.mark.postgres
def test_a_postgres_table_attached_gives_the_cells_of_the_duckdb_store(
    tmp_path: Path, loaded: Loaded, postgres_url: str
) -> None:
    engine = create_engine(postgres_url)
    try:
        raw_comcast().to_sql("complaints", engine, index=False)
    finally:
        engine.dispose()
    password = make_url(postgres_url).password
    assert password
    ws = attached_workspace(tmp_path / "attached", loaded)
    url = postgres_url.replace("postgresql+psycopg://", "postgresql://", 1)
    attach_source(ws, url, loaded.mapping, table="complaints", name="crm")
    run = run_monitor(ws)
    assert assert_same_cells(loaded.run.artifacts, run.artifacts) > 100
    assert findings(loaded.run.artifacts) == findings(run.artifacts)
    # The password is kept in one private file, and nowhere the registry, log or run holds.
    kept = secret_file(ws, "crm")
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    assert kept.read_text("utf-8") == url
    stored = get_run(ws, run.run_id).run.parameters.source
    assert stored is not None and ":***@" in stored.source.location
    con = sqlite3.connect(ws.settings.workspace / "registry.sqlite")
    try:
        texts = [
            json.dumps(row)
            for query in (
                "SELECT * FROM data_sources",
                "SELECT changes FROM audit_log",
                "SELECT parameters FROM monitor_runs",
            )
            for row in con.execute(query)
        ]
    finally:
        con.close()
    texts.append((run.artifacts / SOURCE).read_text("utf-8"))
    assert texts and all(f":{password}@" not in t for t in texts)
    assert any(":***@" in t for t in texts)
    ws.close()
