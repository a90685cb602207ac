"""Applying a mapping to a source table: vectorized parsing, checks and row-level quarantine.

Every step works on whole Arrow/NumPy columns; Python loops run over the mapping's fields
and over rejected rows only (to word their reasons). Rows read = accepted + quarantined.
A dictionary-encoded column (text with few distinct values) is checked once per distinct
value and the outcome spread to its rows, so its cost does not grow with the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxsteward.domain.interactions import (
    BAD_BOOLEAN,
    BAD_HANDLER,
    DAY,
    DEFAULT_DEPLOYMENT,
    FALSE_WORDS,
    FIELDS,
    LOAD_ID,
    MONTH,
    NOT_A_NUMBER,
    NOT_WHOLE,
    SOURCE_ROW,
    TRUE_WORDS,
    Kind,
)
from cxsteward.domain.mapping import UNITS, FieldSpec, Mapping, SegmentSpec
from cxsteward.engine.columns import (
    QUARANTINE_SCHEMA,
    Checks,
    apply_map,
    as_text,
    check_duplicates,
    fill_text,
    flat,
    hms,
    mask,
    months,
    numbers,
    spread,
)
from cxsteward.engine.readers import LoadRefused, RawTable
from cxsteward.engine.sentiment import MAX_TEXT_CHARS, score_texts
from cxsteward.engine.team_rule import teams_from_agents
from cxsteward.engine.timestamps import Parsed, parse_timestamps
from cxsteward.errors import Problem

ARROW_TYPES: dict[Kind, pa.DataType] = {
    Kind.STRING: pa.string(),
    Kind.HANDLER: pa.string(),
    Kind.TIMESTAMP: pa.timestamp("us", tz="UTC"),
    Kind.BOOL: pa.bool_(),
    Kind.FLOAT: pa.float64(),
    Kind.INT: pa.int32(),
}
Progress = Callable[[str, int, int], None]
KnownKeys = Callable[[pa.Array, pa.Array], np.ndarray]


@dataclass(frozen=True)
class Context:
    """What a load knows besides the file: its id and the clock (for future timestamps)."""

    load_id: int
    now: dt.datetime


@dataclass
class Ingested:
    """The accepted rows in the store's layout, and one quarantine line per problem.

    Text columns may be dictionary-encoded (``dictionary<string>``); their values are the same.
    """

    table: pa.Table
    quarantine: pa.Table
    rows_read: int
    rows_quarantined: int
    notes: list[str] = field(default_factory=list)
    id_column: str | None = None  # the source column of interaction_id, for messages


def check_columns(raw_columns: Sequence[str], mapping: Mapping, source: str) -> None:
    """Refuse a file that lacks columns the mapping reads, naming them and the ones found.

    Raises:
        LoadRefused: some or all mapped columns are missing.
    """
    used = mapping.columns()
    missing = [c for c in used if c not in raw_columns]
    if not missing:
        return
    found = ", ".join(repr(c) for c in raw_columns[:40]) + (" ..." if len(raw_columns) > 40 else "")
    joined = [c for c in raw_columns if sum(m in c for m in missing) >= 2]
    hint = (
        f" The header cell {joined[0][:80]!r} holds several column names: the delimiter is "
        "wrong, or a spreadsheet wrapped each line into one cell."
        if joined
        else ""
    )
    if len(missing) == len(used):
        raise LoadRefused(
            f"{source}: none of the columns the mapping {mapping.origin} reads exist in this "
            f"file, so it cannot be this export; nothing was loaded. Missing: "
            f"{', '.join(repr(c) for c in missing)}. Found: {found}.{hint}"
        )
    problems = []
    for column in missing:
        similar = [c for c in raw_columns if c.strip().lower() == column.strip().lower()]
        suggestion = f"; did you mean {similar[0]!r}?" if similar else ""
        for path in used[column]:
            problems.append(
                Problem(
                    f"{'.'.join(path)} reads a column this file does not have{suggestion}",
                    mapping.origin,
                    row=mapping.line(*path),
                    column=column,
                )
            )
    raise LoadRefused(
        f"{source}: {len(missing)} of the {len(used)} columns the mapping reads are missing; "
        f"nothing was loaded. Found: {found}.{hint}",
        problems,
    )


def ingest(
    raw: RawTable, mapping: Mapping, ctx: Context, progress: Progress | None = None
) -> Ingested:
    """Turn a source table into canonical rows plus a quarantine, all columns at once.

    Raises:
        LoadRefused: missing columns, no rows, or dates whose order cannot be settled.
    """
    check_columns(raw.columns, mapping, raw.source)
    # One contiguous array per column, once: every step below reads them.
    raw = replace(raw, table=raw.table.combine_chunks())
    n = raw.num_rows
    if n == 0:
        raise LoadRefused(f"{raw.source}: the file has a header but no rows; nothing was loaded")
    checks = Checks(n, raw.row_numbers)
    notes = list(raw.notes)
    steps = len(mapping.fields) + len(mapping.segments) + 3 + (mapping.sentiment_text is not None)
    tick = _ticker(progress, steps)
    reader = _Reader(raw, mapping, ctx, checks, notes)
    excluded = reader.excluded()
    out: dict[str, pa.Array] = {}
    for spec in FIELDS:
        if spec.name in mapping.fields:
            out[spec.name] = reader.field(spec.name, mapping.fields[spec.name])
            tick(f"checking {spec.name}")
        elif spec.name in mapping.constants:
            out[spec.name] = reader.constant(spec.name, mapping.constants[spec.name])
        else:
            out[spec.name] = pa.nulls(n, ARROW_TYPES[spec.kind])
    if mapping.team_from_agent is not None:
        out["team"], unplaced = teams_from_agents(out["agent_id"], mapping.team_from_agent)
        notes.extend([unplaced] if unplaced else [])
    if mapping.sentiment_text is not None:
        out["sentiment"] = reader.sentiment_text(mapping.sentiment_text, excluded)
        tick("scoring sentiment")
    # Ids are unique per deployment; a contact with no deployment belongs to the default one.
    out["deployment"] = fill_text(out["deployment"], DEFAULT_DEPLOYMENT)
    for spec in FIELDS:
        if spec.required:
            empty = pc.is_null(out[spec.name]).to_numpy(zero_copy_only=False)
            already = _flagged(checks, spec.name)
            checks.add(empty & ~already, spec.name, None, None, "required value is empty")
    segments = {name: reader.segment(name, seg) for name, seg in mapping.segments.items()}
    tick("checking segments")
    id_column = _source_column(mapping.fields["interaction_id"])
    repeated = mapping.repeated_ids
    order = reader.order(repeated.by) if repeated.by is not None else None
    rule = None
    if repeated.by is not None or repeated.keep != "first":
        rule = f"repeated_ids: keep {repeated.keep}" + (f" by {repeated.by}" if repeated.by else "")
    check_duplicates(
        out,
        checks,
        excluded,
        id_column,
        "deployment" not in mapping.fields,
        repeated.keep,
        order,
        rule,
    )
    tick("checking duplicates")
    rejected = checks.rejected() | excluded
    columns = out | segments
    if rejected.any():
        keep = pa.array(np.flatnonzero(~rejected))
        columns = {name: array.take(keep) for name, array in columns.items()}
    started = columns["started_at"].cast(pa.int64()).to_numpy(zero_copy_only=False)
    day = np.floor_divide(started, 86_400_000_000).astype(np.int32)
    columns[DAY] = pa.array(day, pa.int32())
    columns[MONTH] = months(day)
    columns[LOAD_ID] = pa.repeat(pa.scalar(ctx.load_id, pa.int64()), len(started))
    columns[SOURCE_ROW] = pa.array(raw.row_numbers[~rejected])
    quarantine = checks.table(excluded)
    tick("done")
    return Ingested(pa.table(columns), quarantine, n, int(rejected.sum()), notes, id_column)


class _Reader:
    """Reads mapped fields out of one source table, recording every rejection."""

    def __init__(
        self, raw: RawTable, mapping: Mapping, ctx: Context, checks: Checks, notes: list[str]
    ) -> None:
        self.raw, self.mapping, self.ctx, self.checks, self.notes = raw, mapping, ctx, checks, notes
        self.n = raw.num_rows

    def coded(self, column: str | None) -> pa.DictionaryArray | None:
        """The column when it is dictionary-encoded, else None."""
        if column is None:
            return None
        original = flat(self.raw.table.column(column))
        return original if pa.types.is_dictionary(original.type) else None

    def per_value(
        self,
        column: str,
        values: pa.Array,
        index: pa.Array,
        evaluate: Callable[[_Reader], Any],
    ) -> Any:
        """Evaluate on a table of ``values`` (named ``column``) and spread the outcome to rows.

        Row i takes the outcome of ``values[index[i]]``, and so do its rejections.
        """
        rows = np.zeros(len(values), dtype=np.int64)
        table = pa.table({column: values})
        raw = RawTable(table, self.raw.source, self.raw.format, self.raw.columns, rows)
        sub = _Reader(raw, self.mapping, self.ctx, Checks(len(values), rows), self.notes)
        result = evaluate(sub)
        positions = (
            index.to_numpy() if sub.checks.found or not isinstance(result, pa.Array) else None
        )
        for flags, field_name, where, shown, reason in sub.checks.found:
            self.checks.add(
                flags[positions],
                field_name,
                where,
                None if shown is None else spread(shown, index),
                reason[positions] if isinstance(reason, np.ndarray) else reason,
            )
        return spread(result, index) if isinstance(result, pa.Array) else result[positions]

    def distinct(self, column: str, evaluate: Callable[[_Reader], Any]) -> Any:
        """``evaluate`` once per distinct value of a dictionary column, spread to its rows."""
        coded = self.coded(column)
        assert coded is not None
        values, index = coded.dictionary, coded.indices
        if index.null_count:  # an empty cell takes the outcome of a null put at the end
            values = pa.concat_arrays([values, pa.nulls(1, values.type)])
            index = index.fill_null(len(coded.dictionary))
        return self.per_value(column, values, index, evaluate)

    def cells(
        self, column: str, extra_nulls: Sequence[str] = (), text: bool = False
    ) -> tuple[pa.Array, pa.Array]:
        """(original values, trimmed text with every null sentinel as null).

        A typed (Parquet) column stays typed unless ``text`` is asked for or the field names
        its own null sentinels: converting it would only cost time.
        """
        original = flat(self.raw.table.column(column))
        if pa.types.is_dictionary(original.type):
            original = original.dictionary_decode()
        if not pa.types.is_string(original.type) and not text and not extra_nulls:
            return original, original
        text_ = pc.utf8_trim_whitespace(as_text(original))
        sentinels = {s.strip() for s in (*self.mapping.null_values, *extra_nulls)}
        if sentinels == {""}:  # the usual case: a length test, without hashing every value
            is_null = pc.equal(pc.binary_length(text_), 0)
        elif sentinels:
            is_null = pc.is_in(text_, value_set=pa.array(sorted(sentinels), pa.string()))
        if sentinels and pc.any(is_null).as_py():
            text_ = pc.if_else(is_null, pa.scalar(None, pa.string()), text_)
        return original, text_

    def excluded(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for rule in self.mapping.exclude:
            original = flat(self.raw.table.column(rule.column))
            flags = self.hits(rule.column, rule.values) & ~out
            reason = f"excluded by the mapping ({rule.column} is one of {', '.join(rule.values)})"
            if rule.reason:
                reason += f": {rule.reason}"
            self.checks.add(flags, "exclude", rule.column, original, reason)
            out |= flags
        return out

    def hits(self, column: str, values: Sequence[str]) -> np.ndarray:
        """Rows whose trimmed value is one of ``values`` (ignoring case)."""
        if self.coded(column) is not None:
            found = self.distinct(column, lambda sub: sub.hits(column, values))
            return np.asarray(found, dtype=bool)
        _, text = self.cells(column, (), text=True)
        wanted = pa.array([v.strip().lower() for v in values], pa.string())
        return mask(pc.is_in(pc.utf8_lower(text), value_set=wanted), self.n)

    def sentiment_text(self, column: str, excluded: np.ndarray) -> pa.Array:
        """VADER's compound score of the column's text; null where it is blank, and on rows
        the mapping sets aside (never stored: scoring them would only cost time)."""
        _, text = self.cells(column, (), text=True)
        if excluded.any():
            text = pc.if_else(pa.array(excluded), pa.scalar(None, pa.string()), text)
        scores, truncated = score_texts(text)
        if truncated:
            self.notes.append(
                f"{column}: {truncated:,} texts longer than {MAX_TEXT_CHARS:,} characters were "
                f"scored on their first {MAX_TEXT_CHARS:,}"
            )
        return scores

    def constant(self, name: str, value: str) -> pa.Array:
        kind = next(f.kind for f in FIELDS if f.name == name)
        if kind is Kind.TIMESTAMP:  # a snapshot's one date (started_at)
            text = pa.array([value.strip()], pa.string())
            when = parse_timestamps(text, f"constants.{name}", self.mapping, None, self.raw.source)
            if not when.valid.all():
                raise LoadRefused(
                    f"{self.mapping.origin}: constants.{name} {value!r} is not a date; "
                    "write it as 2024-11-17; nothing was loaded"
                )
            return pa.repeat(when.array()[0], self.n)
        text = pa.array([value.strip()], pa.string())
        index = pa.array(np.zeros(self.n, dtype=np.int32))

        def evaluate(sub: _Reader) -> pa.Array:
            return sub.typed(name, kind, None, text, text)

        return self.per_value("constant", text, index, evaluate)

    def order(self, column: str) -> np.ndarray:
        """The ``repeated_ids.by`` column as numbers, or as timestamps when not all are."""
        original, text = self.cells(column, ())
        where = "repeated_ids"
        if pa.types.is_timestamp(original.type) or pa.types.is_date(original.type):
            stamps = original.cast(pa.timestamp("us")).cast(pa.int64())
            values = stamps.cast(pa.float64()).to_numpy(zero_copy_only=False)
        elif pa.types.is_integer(original.type) or pa.types.is_floating(original.type):
            values = original.cast(pa.float64()).to_numpy(zero_copy_only=False)
        else:
            parsed, not_numbers = numbers(text)
            values = parsed.to_numpy(zero_copy_only=False)
            if not_numbers.any():
                result = parse_timestamps(text, column, self.mapping, None, self.raw.source)
                self.record(result, where, column, original)
                values = np.where(result.valid, result.micros.astype(np.float64), np.nan)
        empty = mask(pc.is_null(text), self.n)
        self.checks.add(
            empty,
            where,
            column,
            original,
            f"empty: repeated_ids orders the rows of one contact by {column}, so this row "
            "cannot be placed; fill it in the file",
        )
        return np.asarray(values, dtype=np.float64)

    def field(self, name: str, spec: FieldSpec) -> pa.Array:
        kind = next(f.kind for f in FIELDS if f.name == name)
        shape = spec.shape()
        present = spec.presence()
        source = {"column": spec.column, "present": present[0] if len(present) == 1 else None}
        chosen = source.get(shape or "")
        if kind is not Kind.TIMESTAMP and chosen and self.coded(chosen) is not None:
            return self.distinct(chosen, lambda sub: sub.field(name, spec))
        if shape == "present":
            found = [pc.is_valid(self.cells(c, spec.null_values)[1]) for c in present]
            out = found[0]
            for more in found[1:]:
                out = pc.or_(out, more)
            return out
        if shape == "start":
            return self.duration_between(name, spec)
        if kind is Kind.TIMESTAMP:
            return self.timestamp(name, spec)
        if shape == "columns":
            parts = [self.cells(c, spec.null_values, text=True)[1] for c in spec.columns or ()]
            joined = pc.binary_join_element_wise(*parts, spec.separator)
            original, text = joined, joined
            column = " + ".join(spec.columns or ())
        else:
            assert spec.column is not None
            mapped = bool(spec.map or spec.other or spec.default)
            original, text = self.cells(spec.column, spec.null_values, text=mapped)
            column = spec.column
        if pa.types.is_string(text.type):
            text = apply_map(text, spec)
            return self.typed(name, kind, column, original, text, spec)
        return self.native(name, kind, column, original, spec)

    def typed(
        self,
        name: str,
        kind: Kind,
        column: str | None,
        original: pa.Array,
        text: pa.Array,
        spec: FieldSpec | None = None,
    ) -> pa.Array:
        """Parse text into the field's kind, quarantining what does not parse or fit."""
        add = self.checks.add
        if kind is Kind.STRING:
            return text
        if kind is Kind.HANDLER:
            lowered = pc.utf8_lower(text)
            ok = pc.is_in(lowered, value_set=pa.array(["ai", "human"]))
            bad = pc.and_(pc.is_valid(text), pc.invert(ok))
            add(
                bad,
                name,
                column,
                original,
                BAD_HANDLER,
            )
            return pc.if_else(ok, lowered, pa.scalar(None, pa.string()))
        if kind is Kind.BOOL:
            lowered = pc.utf8_lower(text)
            true = pc.is_in(lowered, value_set=pa.array(sorted(TRUE_WORDS)))
            false = pc.is_in(lowered, value_set=pa.array(sorted(FALSE_WORDS)))
            bad = pc.and_(pc.is_valid(text), pc.invert(pc.or_(true, false)))
            add(
                bad,
                name,
                column,
                original,
                BAD_BOOLEAN,
            )
            return pc.if_else(true, True, pc.if_else(false, False, pa.scalar(None, pa.bool_())))
        if name == "handle_time_s" and spec is not None and spec.unit == "h:mm:ss":
            seconds, bad = hms(text)
            add(bad, name, column, original, "not a duration like 0:04:02 (h:mm:ss)")
            return self.ranged(name, column, original, seconds)
        parsed, bad = numbers(text)
        add(bad, name, column, original, NOT_A_NUMBER)
        if spec is not None and spec.unit is not None:
            factor = UNITS[spec.unit]
            assert factor is not None
            parsed = pc.multiply(parsed, factor)
        return self.ranged(name, column, original, parsed)

    def native(
        self, name: str, kind: Kind, column: str, original: pa.Array, spec: FieldSpec
    ) -> pa.Array:
        """A typed Parquet column: use the values directly when the types agree."""
        numeric = pa.types.is_integer(original.type) or pa.types.is_floating(original.type)
        if kind in (Kind.INT, Kind.FLOAT) and numeric and spec.unit != "h:mm:ss":
            values = original.cast(pa.float64())
            if spec.unit is not None:
                values = pc.multiply(values, UNITS[spec.unit] or 1.0)
            return self.ranged(name, column, original, values)
        if kind is Kind.BOOL and pa.types.is_boolean(original.type):
            return original
        return self.typed(name, kind, column, original, as_text(original), spec)

    def ranged(
        self, name: str, column: str | None, original: pa.Array | None, values: pa.Array
    ) -> Any:
        """Apply the canonical field's bounds (and whole numbers for integer fields)."""
        spec = next(f for f in FIELDS if f.name == name)
        out = values
        if spec.kind is Kind.INT:
            whole = pc.equal(pc.floor(values), values)
            self.checks.add(pc.invert(whole), name, column, original, NOT_WHOLE)
            out = pc.if_else(whole, values, pa.scalar(None, pa.float64()))
        if spec.minimum is not None or spec.maximum is not None:
            low = -np.inf if spec.minimum is None else spec.minimum
            high = np.inf if spec.maximum is None else spec.maximum
            outside = pc.or_(pc.less(out, low), pc.greater(out, high))
            bounds = (
                f"at least {low:g}" if spec.maximum is None else f"between {low:g} and {high:g}"
            )
            self.checks.add(outside, name, column, original, f"out of range: must be {bounds}")
            out = pc.if_else(outside, pa.scalar(None, pa.float64()), out)
        return out.cast(ARROW_TYPES[spec.kind], safe=False)

    def timestamp(self, name: str, spec: FieldSpec) -> pa.Array:
        if spec.date is not None:
            original, date = self.cells(spec.date, spec.null_values, text=spec.time is not None)
            column = spec.date
            if spec.time is not None:
                _, time = self.cells(spec.time, spec.null_values, text=True)
                joined = pc.binary_join_element_wise(date, time, " ")
                date = pc.if_else(pc.is_null(time), date, joined)
                original = pc.if_else(pc.is_null(time), as_text(original), joined)
                column = f"{spec.date} + {spec.time}"
            return self.parsed(name, column, original, date, spec)
        assert spec.column is not None
        original, text = self.cells(spec.column, spec.null_values)
        return self.parsed(name, spec.column, original, text, spec)

    def parsed(
        self, name: str, column: str, original: pa.Array, text: pa.Array, spec: FieldSpec
    ) -> pa.Array:
        source = original if pa.types.is_timestamp(original.type) else text
        if pa.types.is_date(original.type):
            source = original.cast(pa.timestamp("us"))
        result = parse_timestamps(source, column, self.mapping, spec.format, self.raw.source)
        self.record(result, name, column, original)
        if result.swapped is not None and result.swapped.any():
            self.notes.append(
                f"{column}: {int(result.swapped.sum()):,} dates had day and month exchanged "
                "back (ambiguous_dates: swapped)"
            )
        future = result.micros > _micros(self.ctx.now)
        self.checks.add(
            future & result.valid,
            name,
            column,
            original,
            f"in the future (the load ran at {self.ctx.now:%Y-%m-%d %H:%M} UTC)",
        )
        return result.array()

    def record(self, result: Parsed, name: str, column: str, original: pa.Array) -> None:
        if result.note and result.note not in self.notes:
            self.notes.append(result.note)
        for flags, reason in result.problems:
            self.checks.add(flags, name, column, original, reason)

    def duration_between(self, name: str, spec: FieldSpec) -> pa.Array:
        assert spec.start is not None and spec.end is not None
        ends = []
        for column in (spec.start, spec.end):
            original, text = self.cells(column, spec.null_values)
            source = original if pa.types.is_timestamp(original.type) else text
            result = parse_timestamps(source, column, self.mapping, spec.format, self.raw.source)
            self.record(result, name, column, original)
            ends.append(result)
        both = ends[0].valid & ends[1].valid
        seconds = (ends[1].micros - ends[0].micros) / 1e6
        negative = both & (seconds < 0)
        shown = None
        if negative.any():
            start_text, end_text = (as_text(self.cells(c)[0]) for c in (spec.start, spec.end))
            shown = pc.binary_join_element_wise(start_text, end_text, " -> ")
            self.checks.add(
                negative,
                name,
                f"{spec.start} -> {spec.end}",
                shown,
                "negative duration: the end is before the start",
            )
        values = pa.array(np.where(both & ~negative, seconds, np.nan), from_pandas=True)
        return self.ranged(name, spec.start, shown, values)

    def segment(self, name: str, spec: SegmentSpec) -> pa.Array:
        if self.coded(spec.column) is not None:
            return self.distinct(spec.column, lambda sub: sub.segment(name, spec))
        original, text = self.cells(spec.column, spec.null_values, text=True)
        if spec.bins is None:
            return apply_map(text, FieldSpec(column=spec.column, map=spec.map))
        parsed, bad = numbers(text)
        self.checks.add(bad, f"segment {name}", spec.column, original, NOT_A_NUMBER)
        values = parsed.to_numpy(zero_copy_only=False)
        edges = np.asarray(spec.bins)
        index = np.searchsorted(edges, values, side="right") - 1
        inside = (index >= 0) & (index < len(edges) - 1)
        outside = ~np.isnan(values) & ~inside
        self.checks.add(
            outside,
            f"segment {name}",
            spec.column,
            original,
            f"outside the bins {_num(edges[0])} to {_num(edges[-1])}",
        )
        labels = np.array([spec.label_for(i) for i in range(len(edges) - 1)], dtype=object)
        picked = np.where(inside, labels[np.clip(index, 0, len(labels) - 1)], None)
        return pa.array(picked, pa.string())


def drop_stored(result: Ingested, known_keys: KnownKeys) -> Ingested:
    """Move accepted rows whose (deployment, interaction_id) is already stored to quarantine.

    ``known_keys`` gives, for each key, the load that already holds it (0 when none).
    """
    table = result.table
    if not table.num_rows:
        return result
    stored = known_keys(table.column("deployment"), table.column("interaction_id"))
    hit = stored > 0
    if not hit.any():
        return result
    index = np.flatnonzero(hit)
    lines = pa.table(
        [
            table.column(SOURCE_ROW).take(pa.array(index)),
            pa.array(["interaction_id"] * len(index), pa.string()),
            pa.array([result.id_column] * len(index), pa.string()),
            as_text(flat(table.column("interaction_id")).take(pa.array(index))),
            pa.array(
                [
                    f"duplicate interaction_id: already in the store from load {k}"
                    for k in stored[hit]
                ],
                pa.string(),
            ),
        ],
        schema=QUARANTINE_SCHEMA,
    )
    quarantine = pa.concat_tables([result.quarantine, lines]).sort_by([("source_row", "ascending")])
    return Ingested(
        table.filter(pa.array(~hit)),
        quarantine,
        result.rows_read,
        result.rows_quarantined + len(index),
        result.notes,
        result.id_column,
    )


def _source_column(spec: FieldSpec) -> str | None:
    return spec.column or (" + ".join(spec.columns) if spec.columns else None)


def _flagged(checks: Checks, field_name: str) -> np.ndarray:
    out = np.zeros(checks.n, dtype=bool)
    for flags, name, *_ in checks.found:
        if name == field_name:
            out |= flags
    return out


def _micros(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _ticker(progress: Progress | None, total: int) -> Callable[[str], None]:
    done = [0]

    def tick(step: str) -> None:
        done[0] += 1
        if progress is not None:
            progress(step, min(done[0], total), total)

    return tick
