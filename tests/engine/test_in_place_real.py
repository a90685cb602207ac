"""Real exports mapped in place give the rows and the quarantine of a normal load.

Each test loads an export through the load service into a temporary workspace, maps the
same rows in place over a DuckDB table holding the columns as the export has them, and
compares the two: the same ids, every field equal (nulls too), and as many rejected lines
per (field, column, reason) as quarantine lines.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxsteward.domain.interactions import FIELD_NAMES
from cxsteward.domain.mapping import parse_mapping
from cxsteward.engine.backend import fetch_arrow, quiet_backend
from cxsteward.engine.in_place import map_in_place
from cxsteward.engine.readers import ReadOptions, plain_column, read_table
from cxsteward.services.data import load_data, store_path, suggest_mapping
from cxsteward.services.data.store import quarantine_file
from cxsteward.services.workspace import Workspace

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
ROW = "source_row"


def real(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests need ../shared/data", pytrace=False)
    return path


def with_formats(text: str, formats: dict[str, str]) -> str:
    """The suggested mapping with a strptime format on the fields reading these columns,
    and without sentiment_text (scored in Python, refused in place)."""
    text = re.sub(r"^sentiment_text:.*$", "", text, flags=re.M)
    for column, fmt in formats.items():
        text = re.sub(
            rf'^(  \w+): "{column}"',
            rf'\1: {{column: "{column}", format: "{fmt}"}}',
            text,
            flags=re.M,
        )
        text = re.sub(
            rf'^(  \w+): {{((?:date|start): "{column}".*?)}}',
            rf'\1: {{\2, format: "{fmt}"}}',
            text,
            flags=re.M,
        )
        assert f'format: "{fmt}"' in text, column
    return text


def stored_rows(ws: Workspace) -> pd.DataFrame:
    files = sorted(str(p) for p in store_path(ws).glob("*/*.parquet"))
    table = pa.concat_tables(
        [pq.read_table(f).cast(_plain(pq.read_schema(f))) for f in files], promote_options="default"
    )
    return table.to_pandas()


def _plain(schema: pa.Schema) -> pa.Schema:
    return pa.schema(
        [
            pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
            for f in schema
        ]
    )


CASES = {
    "kaggle-blank-starts": (
        "kaggle-support-tickets/customer_support_tickets.csv",
        {"First Response Time": "%Y-%m-%d %H:%M:%S"},
    ),
    "servicenow-event-log": (
        "servicenow-incidents/incident_event_log.csv",
        {"opened_at": "%d-%m-%Y %H:%M"},
    ),
    "technion-joined-id": (
        "technion-bank-calls/calls_one_day.csv",
        {"date": "%Y-%m-%d %H:%M:%S"},
    ),
    "comcast-renamed-12-hour": (
        "comcast-complaints/Comcast_telecom_complaints_data.csv",
        {"Date": "%d-%m-%Y %I.%M.%S %p"},
    ),
}


ENGINES = [
    *((case, "duckdb-table") for case in CASES),
    *(
        pytest.param(case, "spark-parquet", marks=pytest.mark.spark)
        for case in ("kaggle-blank-starts", "servicenow-event-log")
    ),
]


@pytest.mark.parametrize(("case", "engine"), ENGINES)
def test_in_place_matches_the_load(
    ws: Workspace, tmp_path: Path, request: pytest.FixtureRequest, case: str, engine: str
) -> None:
    relative, formats = CASES[case]
    source = real(relative)
    text = with_formats(suggest_mapping(source), formats)
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(text, "utf-8")
    out = load_data(ws, source, mapping_file)
    mapping = parse_mapping(text, str(mapping_file))

    spec = mapping.source
    options = ReadOptions(spec.format, spec.sheet, spec.delimiter, spec.encoding)
    raw = read_table(source, options)
    columns = {
        c: plain_column(raw.table.column(c).combine_chunks()) for c in raw.table.column_names
    }
    columns[ROW] = pa.array(raw.row_numbers)
    with quiet_backend():
        if engine == "duckdb-table":
            attached = ibis.duckdb.connect().create_table("export", pa.table(columns))
        else:  # a Parquet file of the export's text columns, read by Spark
            pq.write_table(pa.table(columns), tmp_path / "export.parquet")
            spark = ibis.pyspark.connect(request.getfixturevalue("spark"))
            attached = spark.read_parquet(tmp_path / "export.parquet")
        mapped = map_in_place(attached, mapping, source=str(source), order=ROW)
        found = fetch_arrow(mapped.table).to_pandas()
        rejected = fetch_arrow(mapped.rejected).to_pandas()

    loaded = stored_rows(ws)
    assert len(loaded) == out.rows_accepted
    names = [*FIELD_NAMES, *mapping.segments]
    expected = loaded[names].sort_values(["deployment", "interaction_id"]).reset_index(drop=True)
    found = found[names]
    found = found.sort_values(["deployment", "interaction_id"]).reset_index(drop=True)
    assert list(found["interaction_id"]) == list(expected["interaction_id"])
    for name in names:
        left, right = found[name], expected[name]
        assert list(left.isna()) == list(right.isna()), name
        shown = ~left.isna()
        if name == "started_at":
            assert list(pd.to_datetime(left[shown], utc=True)) == list(
                pd.to_datetime(right[shown], utc=True)
            )
        else:
            assert list(left[shown]) == list(right[shown]), name

    quarantine = quarantine_file(ws, out.load_id)
    lines = pq.read_table(quarantine).to_pandas() if quarantine.exists() else pd.DataFrame()
    assert len(lines) == len(rejected)
    if len(lines):
        key = ["field", "column", "reason"]
        expected_counts = Counter(map(tuple, lines[key].astype(str).to_numpy()))
        assert Counter(map(tuple, rejected[key].astype(str).to_numpy())) == expected_counts
        assert rejected["row"].nunique() == out.rows_quarantined
