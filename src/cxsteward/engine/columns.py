"""Column-level helpers of ingestion: value maps, numbers, durations, masks, the record of
rejections and the duplicate check; all vectorized."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxsteward.domain.mapping import FieldSpec

QUARANTINE_SCHEMA = pa.schema(
    [
        ("source_row", pa.int64()),
        ("field", pa.string()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("reason", pa.string()),
    ]
)
# A decimal number as written in an export; the in-place mapping reads the same (in_place_cells).
NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_HMS = r"^(?P<h>\d+):(?P<m>[0-5]?\d):(?P<s>[0-5]?\d(?:\.\d+)?)$"


def repeat_suspects(values: pa.Array) -> np.ndarray:
    """Positions of the values that may occur more than once: every repeated one, and rarely
    a few more (equal 64-bit hashes); empty when all values are distinct.

    Hashing avoids building a dictionary of millions of ids, which costs several times more.
    """
    n = len(values)
    if n < 2:
        return np.empty(0, dtype=np.intp)
    if pa.types.is_string(values.type) and not values.null_count:
        # Ids often come in increasing order; then they are all distinct.
        if pc.all(pc.less(values.slice(0, n - 1), values.slice(1))).as_py():
            return np.empty(0, dtype=np.intp)
    hashes = _hashes(values)
    ordered = np.sort(hashes)
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return np.empty(0, dtype=np.intp)
    return np.flatnonzero(np.isin(hashes, ordered[1:][same]))


def _hashes(values: pa.Array) -> np.ndarray:
    """A 64-bit hash of every value, in order (DuckDB hashes on every core)."""
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        con.register("hashed_values", pa.table({"v": values}))
        found = con.sql("SELECT hash(v) AS h FROM hashed_values").fetchnumpy()["h"]
    finally:
        con.close()
    return np.asarray(found, dtype=np.uint64)


def spread(values: pa.Array, index: pa.Array) -> pa.Array:
    """``values.take(index)``; text comes back dictionary-encoded over its distinct values."""
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if not pa.types.is_string(values.type):
        return values.take(index)
    encoded = pc.dictionary_encode(values)
    positions = encoded.indices
    if not positions.null_count and np.array_equal(positions, np.arange(len(positions))):
        return pa.DictionaryArray.from_arrays(index, encoded.dictionary)  # nothing to move
    return pa.DictionaryArray.from_arrays(positions.take(index), encoded.dictionary)


def fill_text(values: pa.Array, value: str) -> pa.Array:
    """Text with every empty (null) value replaced by ``value``."""
    n = len(values)
    if not values.null_count:
        return values
    if values.null_count == n:
        return pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(n, dtype=np.int32)), pa.array([value], pa.string())
        )
    if not pa.types.is_dictionary(values.type):
        return pc.coalesce(values, pa.scalar(value, pa.string()))
    dictionary = values.dictionary
    position = pc.index(dictionary, value).as_py()
    if position < 0:
        position = len(dictionary)
        dictionary = pa.concat_arrays([dictionary, pa.array([value], dictionary.type)])
    return pa.DictionaryArray.from_arrays(values.indices.fill_null(position), dictionary)


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
    try:
        parsed = text.cast(pa.float64())
    except pa.ArrowInvalid:
        parsed = None
    # Arrow reads what the pattern accepts, and also nan and inf: those take the long way.
    if parsed is not None and not pc.any(pc.invert(pc.is_finite(parsed))).as_py():
        return parsed, np.zeros(len(text), dtype=bool)
    ok = pc.match_substring_regex(text, NUMBER)
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


def months(days: np.ndarray) -> pa.DictionaryArray:
    """YYYY-MM of each day (days since 1970-01-01), dictionary-encoded in month order.

    Each row looks its month up in a table of the days the file spans: no sort, no text.
    """
    if not len(days):
        return pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), pa.array([], pa.string()))
    first, last = int(days.min()), int(days.max())
    span = np.arange(first, last + 1).astype("datetime64[D]").astype("datetime64[M]")
    month_of_day = span.astype(np.int64)
    month_of_day -= month_of_day[0]
    used = np.zeros(int(month_of_day[-1]) + 1, dtype=bool)
    used[month_of_day[np.bincount(days - first, minlength=len(span)) > 0]] = True
    code = np.cumsum(used, dtype=np.int32) - 1
    labels = np.datetime_as_string(span[0] + np.flatnonzero(used).astype("timedelta64[M]"))
    return pa.DictionaryArray.from_arrays(
        pa.array(code[month_of_day[days - first]]), pa.array(labels.astype(object), pa.string())
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


@dataclass
class Checks:
    """Rejections gathered column by column; turned into quarantine lines at the end."""

    n: int
    rows: np.ndarray  # source row numbers
    found: list[tuple[np.ndarray, str, str | None, pa.Array | None, Any]] = field(
        default_factory=list
    )

    def add(
        self, where: Any, field_name: str, column: str | None, values: pa.Array | None, reason: Any
    ) -> None:
        flags = mask(where, self.n)
        if flags.any():
            self.found.append((flags, field_name, column, values, reason))

    def rejected(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for flags, *_ in self.found:
            out |= flags
        return out

    def table(self, excluded: np.ndarray) -> pa.Table:
        parts: list[pa.Table] = []
        for flags, field_name, column, values, reason in self.found:
            keep = flags if field_name == "exclude" else flags & ~excluded
            index = np.flatnonzero(keep)
            if not len(index):
                continue
            taken = values.take(pa.array(index)) if values is not None else None
            text = as_text(taken) if taken is not None else pa.nulls(len(index), pa.string())
            reasons = (
                pa.array(np.asarray(reason, dtype=object)[index], pa.string())
                if isinstance(reason, np.ndarray)
                else pa.repeat(pa.scalar(reason, pa.string()), len(index))
            )
            parts.append(
                pa.table(
                    [
                        pa.array(self.rows[index]),
                        pa.repeat(pa.scalar(field_name, pa.string()), len(index)),
                        pa.repeat(pa.scalar(column, pa.string()), len(index)),
                        text,
                        reasons,
                    ],
                    schema=QUARANTINE_SCHEMA,
                )
            )
        if not parts:
            return QUARANTINE_SCHEMA.empty_table()
        return pa.concat_tables(parts).sort_by([("source_row", "ascending")])


def check_duplicates(
    out: dict[str, pa.Array],
    checks: Checks,
    excluded: np.ndarray,
    column: str | None,
    constant_deployment: bool,
    keep: str = "first",
    order: np.ndarray | None = None,
    rule: str | None = None,
) -> None:
    """Within the file, one otherwise valid row of an id is kept and the others refused.

    The kept row is the first in file order, or the last (``keep``); with ``order`` the rows
    of an id are ranked by it first (an event log's update counter or time), file order
    breaking ties. ``rule`` words the mapping's rule in the reasons.
    """
    valid = ~(checks.rejected() | excluded)
    ids = out["interaction_id"]
    if valid.all():
        index = repeat_suspects(ids)
    else:
        index = np.flatnonzero(valid)
        index = index[repeat_suspects(ids.take(pa.array(index)))]
    if not len(index):
        return
    taken = pa.array(index)
    keys = codes(out["interaction_id"].take(taken))
    if not constant_deployment:
        deployments = codes(out["deployment"].take(taken))
        keys = deployments * (keys.max(initial=0) + 1) + keys
    rank = order[index] if order is not None else np.zeros(len(index))
    ordered = np.lexsort((index, rank, keys))  # by id, then rank, then file order
    sorted_keys = keys[ordered]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    ends = np.r_[starts[1:], len(ordered)] - 1
    chosen = ordered[starts if keep == "first" else ends]
    group = np.empty(len(index), dtype=np.int64)
    group[ordered] = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(ordered)]))
    kept = chosen[group]
    repeated = kept != np.arange(len(index))
    if not repeated.any():
        return
    kept_rows = checks.rows[index[kept]]
    reasons = np.full(checks.n, None, dtype=object)
    where = index[repeated]
    if rule is None:
        reasons[where] = [
            f"duplicate interaction_id: row {row} has the same id and was kept"
            for row in kept_rows[repeated]
        ]
    else:
        reasons[where] = [
            f"another row of this contact stands for it: row {row} ({rule})"
            for row in kept_rows[repeated]
        ]
    flags = np.zeros(checks.n, dtype=bool)
    flags[where] = True
    checks.add(flags, "interaction_id", column, out["interaction_id"], reasons)
