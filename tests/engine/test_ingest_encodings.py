"""Dictionary-encoded input (Parquet from pandas categoricals) must ingest exactly like plain
text, and colliding id hashes must never produce false duplicates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cxsteward.domain.mapping import parse_mapping
from cxsteward.engine import columns
from cxsteward.engine.ingest import Context, Ingested, ingest
from cxsteward.engine.readers import read_table

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
MAPPING = """\
timezone: UTC
fields:
  interaction_id: id
  started_at: start
  handler: {column: who, map: {bot: ai, agent: human}}
  csat: score
  complaint: complained
segments:
  region: region
"""


def frame() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n = 3000
    ids = [f"c{i:05d}" for i in rng.permutation(n)]
    ids[10] = ids[20]  # a real duplicate
    who = rng.choice(["bot", "agent", "robot?"], n, p=[0.5, 0.45, 0.05])
    score = rng.choice(["1", "3", "5", "9", "", "x"], n)
    complained = rng.choice(["yes", "no", "maybe", ""], n)
    region = rng.choice(["north", "south", "<script>", ""], n)
    start = rng.choice(
        ["2025-01-02T10:00:00Z", "2025-02-30T10:00:00Z", "2030-01-01T00:00:00Z"],
        n,
        p=[0.9, 0.05, 0.05],
    )
    return pd.DataFrame(
        {
            "id": ids,
            "start": start,
            "who": who,
            "score": score,
            "complained": complained,
            "region": region,
        }
    )


def load(path: Path) -> Ingested:
    return ingest(read_table(path), parse_mapping(MAPPING, "m.yaml"), Context(3, NOW))


def plain(table: pa.Table) -> list[dict[str, object]]:
    decoded = table.cast(
        pa.schema(
            [
                pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                for f in table.schema
            ]
        )
    )
    return sorted(decoded.to_pylist(), key=lambda row: str(row.get("source_row")))


def test_categorical_parquet_ingests_like_plain_text(tmp_path: Path) -> None:
    data = frame()
    data.to_parquet(tmp_path / "plain.parquet")
    data.astype("category").to_parquet(tmp_path / "categories.parquet")
    data.to_csv(tmp_path / "text.csv", index=False)
    results = [load(tmp_path / name) for name in ("plain.parquet", "categories.parquet")]
    assert any(
        pa.types.is_dictionary(f.type)
        for f in read_table(tmp_path / "categories.parquet").table.schema
    )
    first, second = results
    assert plain(first.table) == plain(second.table)
    assert plain(first.quarantine) == plain(second.quarantine)
    assert first.notes == second.notes
    assert first.rows_quarantined > 0  # the bad values really were exercised
    text = load(tmp_path / "text.csv")
    assert text.rows_quarantined == first.rows_quarantined
    assert text.table.num_rows == first.table.num_rows


def test_colliding_hashes_never_invent_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = frame().iloc[:500]
    data = data[data.id != data.id.iloc[20]]  # no real duplicate left
    data.to_parquet(tmp_path / "f.parquet")
    honest = load(tmp_path / "f.parquet")
    # Every id hashes to the same value: all become candidates, the exact check must clear them.
    monkeypatch.setattr(columns, "_hashes", lambda values: np.zeros(len(values), np.int64))
    colliding = load(tmp_path / "f.parquet")
    assert plain(colliding.table) == plain(honest.table)
    assert not any("duplicate" in str(row["reason"]) for row in colliding.quarantine.to_pylist())
