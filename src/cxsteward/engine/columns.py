"""Column-level helpers of ingestion: value maps, numbers, durations, masks; all vectorized."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxsteward.domain.mapping import FieldSpec

_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_HMS = r"^(?P<h>\d+):(?P<m>[0-5]?\d):(?P<s>[0-5]?\d(?:\.\d+)?)$"


def codes(values: pa.Array) -> np.ndarray:
    """An integer per distinct value (nulls share one code), for fast duplicate checks."""
    encoded = pc.dictionary_encode(values).indices
    return np.asarray(encoded.to_numpy(zero_copy_only=False), dtype=np.int64)


def apply_map(text: pa.Array, spec: FieldSpec) -> pa.Array:
    """Value map (trimmed, case-insensitive), then 'other' for unmapped and 'default' for empty."""
    out = text
    if spec.map:
        keys = pa.array([k.strip().lower() for k in spec.map], pa.string())
        values = pa.array([v.strip() for v in spec.map.values()], pa.string())
        picked = values.take(pc.index_in(pc.utf8_lower(text), value_set=keys))
        out = pc.coalesce(picked, text if spec.other is None else pa.scalar(spec.other.strip()))
        out = pc.if_else(pc.is_null(text), pa.scalar(None, pa.string()), out)
    elif spec.other is not None:
        out = pc.if_else(pc.is_null(text), text, pa.scalar(spec.other.strip()))
    if spec.default is not None:
        out = pc.coalesce(out, pa.scalar(spec.default.strip()))
    return out


def numbers(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Decimal numbers from text, and which non-empty values were not numbers."""
    ok = pc.match_substring_regex(text, _NUMBER)
    clean = pc.if_else(ok, text, pa.scalar(None, pa.string()))
    bad = pc.and_(pc.is_valid(text), pc.invert(ok))
    return clean.cast(pa.float64()), mask(bad, len(text))


def hms(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Seconds from h:mm:ss text (hours may pass 24), and which values were not durations."""
    parts = pc.extract_regex(text, _HMS)
    ok = pc.is_valid(parts)

    def number(name: str) -> pa.Array:
        part = pc.if_else(ok, parts.field(name), pa.scalar(None, pa.string()))
        return part.cast(pa.float64())

    seconds = pc.add(
        pc.add(pc.multiply(number("h"), 3600.0), pc.multiply(number("m"), 60.0)), number("s")
    )
    bad = pc.and_(pc.is_valid(text), pc.invert(ok))
    return seconds, mask(bad, len(text))


def months(micros: np.ndarray) -> pa.DictionaryArray:
    """YYYY-MM of each timestamp, dictionary-encoded: formatting every row would be slow."""
    index = micros.astype("datetime64[us]").astype("datetime64[M]").astype(np.int64)
    unique, inverse = np.unique(index, return_inverse=True)
    labels = np.datetime_as_string(unique.astype("datetime64[M]")).astype(object)
    return pa.DictionaryArray.from_arrays(
        pa.array(inverse.astype(np.int32)), pa.array(labels, pa.string())
    )


def flat(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """One contiguous array."""
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return column


def as_text(array: pa.Array) -> pa.Array:
    """Any column as strings (numbers as written by Arrow, booleans as true/false)."""
    return array if pa.types.is_string(array.type) else array.cast(pa.string())


def mask(value: Any, n: int) -> np.ndarray:
    """A NumPy boolean mask from a NumPy or Arrow array (null counts as false)."""
    if isinstance(value, np.ndarray):
        return value.astype(bool, copy=False)
    array = value.combine_chunks() if isinstance(value, pa.ChunkedArray) else value
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
