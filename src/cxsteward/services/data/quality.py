"""The data-quality summary kept with each load: null rates, ranges, segment values, reasons."""

from __future__ import annotations

import json
from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from cxsteward.domain.interactions import FIELDS, Kind
from cxsteward.engine.ingest import Ingested
from cxsteward.services.contract import Result

MAX_SEGMENT_VALUES = 1000
# The value under which a load's summary counts missing cells.
EMPTY_VALUE = "(empty)"


class FieldRange(Result):
    """The lowest and highest value of a field (timestamps in ISO 8601)."""

    min: int | float | str
    max: int | float | str


class SegmentValues(Result):
    """The values of one segment column in a load, most frequent first."""

    distinct: int
    values: dict[str, int] = Field(description=f"At most {MAX_SEGMENT_VALUES}, with counts.")
    truncated: bool = False
    new: list[str] = Field(default_factory=list, description="Values no earlier load had.")
    first_load_of_segment: bool = False


class QualitySummary(Result):
    """What a reviewer checks after a load, kept with it in the registry."""

    null_rate: dict[str, float | None] = Field(default_factory=dict)
    ranges: dict[str, FieldRange] = Field(default_factory=dict)
    handlers: dict[str, int] = Field(default_factory=dict)
    deployments: dict[str, int] = Field(default_factory=dict)
    segments: dict[str, SegmentValues] = Field(default_factory=dict)
    quarantine_reasons: dict[str, int] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    @classmethod
    def from_column(cls, text: str | None) -> QualitySummary:
        """The summary a load's ``quality_json`` column holds (empty for an unfinished load)."""
        return cls.model_validate_json(text or "{}")

    def to_column(self) -> str:
        """The JSON the ``quality_json`` column keeps (keys sorted, as it always had)."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)


def quality_summary(
    result: Ingested, segments: Iterable[str], earlier: dict[str, set[str]]
) -> QualitySummary:
    """What a reviewer checks after a load; ``earlier`` holds segment values seen before."""
    table = result.table
    rows = table.num_rows
    found: dict[str, SegmentValues] = {}
    for name in segments:
        counts = _counts(table.column(name))
        seen = earlier.get(name, set())
        values = sorted(counts, key=lambda v: (-counts[v], v))
        found[name] = SegmentValues(
            distinct=len(counts),
            values={v: counts[v] for v in values[:MAX_SEGMENT_VALUES]},
            truncated=len(counts) > MAX_SEGMENT_VALUES,
            new=sorted(v for v in counts if v not in seen) if name in earlier else [],
            first_load_of_segment=name not in earlier,
        )
    return QualitySummary(
        null_rate={f.name: _null_rate(table.column(f.name), rows) for f in FIELDS},
        ranges=_ranges(table),
        handlers=_counts(table.column("handler")),
        deployments=_counts(table.column("deployment")),
        segments=found,
        quarantine_reasons=_reasons(result.quarantine),
        notes=list(result.notes),
    )


def segment_values(summaries: Iterable[QualitySummary]) -> dict[str, set[str]]:
    """Every segment value recorded by earlier loads, per segment column."""
    seen: dict[str, set[str]] = {}
    for summary in summaries:
        for name, info in summary.segments.items():
            seen.setdefault(name, set()).update(info.values)
    return seen


def _null_rate(column: pa.ChunkedArray, rows: int) -> float | None:
    return round(column.null_count / rows, 6) if rows else None


def _ranges(table: pa.Table) -> dict[str, FieldRange]:
    out: dict[str, FieldRange] = {}
    for spec in FIELDS:
        if spec.kind not in (Kind.TIMESTAMP, Kind.FLOAT, Kind.INT):
            continue
        column = table.column(spec.name)
        if column.null_count == len(column):
            continue
        bounds = pc.min_max(column)
        low, high = bounds["min"].as_py(), bounds["max"].as_py()
        if spec.kind is Kind.TIMESTAMP:
            low, high = low.isoformat(), high.isoformat()
        out[spec.name] = FieldRange(min=low, max=high)
    return out


def _counts(column: pa.ChunkedArray) -> dict[str, int]:
    values = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(values.type):
        # Counting the codes is a single pass; there is nothing to hash.
        size = len(values.dictionary)
        codes = values.indices.cast(pa.int64()).fill_null(size).to_numpy()
        tally = np.bincount(codes, minlength=size + 1)
        names = [*values.dictionary.to_pylist(), None]
        pairs = [(names[i], int(tally[i])) for i in np.flatnonzero(tally)]
    else:
        counted = pc.value_counts(values).to_pylist()
        pairs = [(item["values"], int(item["counts"])) for item in counted]
    out: dict[str, int] = {}
    for value, count in pairs:
        key = EMPTY_VALUE if value is None else str(value)
        out[key] = out.get(key, 0) + count
    return out


def _reasons(quarantine: pa.Table) -> dict[str, int]:
    """Quarantine lines per field and kind of reason (the text before any colon)."""
    if not quarantine.num_rows:
        return {}
    reasons = quarantine.column("reason").combine_chunks()
    kind = pc.extract_regex(reasons, r"^(?P<kind>[^:]*)").field("kind")
    grouped = (
        pa.table({"field": quarantine.column("field"), "kind": kind})
        .group_by(["field", "kind"])
        .aggregate([("kind", "count")])
        .sort_by([("kind_count", "descending"), ("field", "ascending")])
    )
    return {f"{row['field']}: {row['kind']}": int(row["kind_count"]) for row in grouped.to_pylist()}
