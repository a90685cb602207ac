"""The newcomer's path on the real exports in ../shared/data: suggest, write, load, read back.

Shared by the tests that load a real export without edits and check figures against pandas
reading the stored rows on its own.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cxsteward.services.data import LoadOut, load_data, store_path, suggest_mapping
from cxsteward.services.workspace import Workspace

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def real(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests need ../shared/data", pytrace=False)
    return path


def suggest_and_load(ws: Workspace, tmp_path: Path, source: Path) -> tuple[str, LoadOut]:
    text = suggest_mapping(source)
    mapping = tmp_path / "suggested.yaml"
    mapping.write_text(text, "utf-8")
    out = load_data(ws, source, mapping)
    assert out.rows_read == out.rows_accepted + out.rows_quarantined
    return text, out


def stored(ws: Workspace) -> pd.DataFrame:
    frame = duckdb.sql(
        f"SELECT * FROM read_parquet('{store_path(ws)}/**/*.parquet', hive_partitioning = true, "
        "union_by_name = true) ORDER BY source_row"
    ).df()
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    return frame
