"""Shared by the attach tests: a mapping naming columns as themselves, and run comparisons
computed with pandas on the runs' own artifact files (never through the code under test)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import yaml

from cxsteward.domain.interactions import FIELD_NAMES
from cxsteward.domain.metrics import KEY_COLUMNS, SLICE_COLUMN, STAT_COLUMNS

NULL = "<null>"


def identity_mapping(export: Path, target: Path, formats: dict[str, str] | None = None) -> Path:
    """A mapping YAML naming each canonical column as itself and every other as a segment;
    ``formats`` gives the time format of text timestamp columns (read as UTC)."""
    names = pq.read_schema(export).names
    fields: dict[str, object] = {n: n for n in names if n in FIELD_NAMES}
    for name, pattern in (formats or {}).items():
        fields[name] = {"column": name, "format": pattern}
    document = {
        "timezone": "UTC",
        "fields": fields,
        "segments": {n: n for n in names if n not in FIELD_NAMES},
    }
    target.write_text(yaml.safe_dump(document), "utf-8")
    return target


def cell_frame(artifacts: Path) -> pd.DataFrame:
    """A run's stored cells with missing keys spelled out, so that merges match them."""
    frame = pd.read_parquet(artifacts / "cells.parquet")
    keys = [c for c in frame.columns if c not in STAT_COLUMNS]
    frame[keys] = frame[keys].astype(object).where(frame[keys].notna(), NULL)
    return frame


def assert_same_cells(left: Path, right: Path) -> int:
    """Every cell of one run is in the other with the same statistics; returns their number."""
    a, b = cell_frame(left), cell_frame(right)
    assert sorted(a.columns) == sorted(b.columns)
    keys = [c for c in a.columns if c not in STAT_COLUMNS]
    assert {SLICE_COLUMN, *KEY_COLUMNS} <= set(keys)
    merged = a.merge(b, on=keys, how="outer", suffixes=("_a", "_b"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][keys].head()
    for column in STAT_COLUMNS:
        left_values = merged[f"{column}_a"].to_numpy(dtype=np.float64)
        right_values = merged[f"{column}_b"].to_numpy(dtype=np.float64)
        assert np.allclose(left_values, right_values, rtol=1e-9, atol=1e-9, equal_nan=True), column
    return len(merged)


def findings(artifacts: Path) -> list[tuple[str, str, str, str | None, str | None]]:
    """A run's findings as stored: key, kind, metric, status, severity, sorted."""
    stored = json.loads((artifacts / "findings.json").read_text("utf-8"))
    return sorted(
        (f["key"], f["kind"], f["metric"], f.get("status"), f.get("severity")) for f in stored
    )
