"""The one heavy pass over the contacts: the cell table of additive statistics.

A cell is one slice value (``overall``, a segment value, a pair of values) on one day for one
handler, deployment and model version; its statistics are counts and sums that add up to any
window (``cxsteward.domain.metrics`` names the columns). Only operations every Ibis backend
has run on the backend: count, filtered count, sum, case, cast, group by, union, and one
``lead`` window for repeat contacts. No quantile (a median does not add up: the handle-time
quantiles are ``cxsteward.engine.quantiles``), no timestamp bucketing per row.

How, as measured on DuckDB (benchmarks/cells_engine.md; 10M contacts, overall + 6 segment
columns + 2 pairs, 2 shared cores, best of 3): this engine 24.8 s; one hand-written GROUPING
SETS query 62.8 s; a union of one aggregation per declared slice over the window's output
49.8 s; one finest-grain aggregation (all 6 columns: 6.8M groups for 10M rows) rolled up in
pandas 85.5 s and 12 GB. What made the difference:

- Slices are planned as a lattice: only slices no other declared slice contains are
  aggregated from the rows; the others (and ``overall``) are sums of those cells, on a few
  thousand rows. Region×tier gives region, tier and overall for free (33.3 s
  without the lattice).
- One query per run: each computed slice is one aggregation branch holding every
  statistic and the repeat contacts, and the branches are unioned (until 2026-12 also 22
  handle-time bins, dropped for exact quantiles). Separate queries for statistics, bins
  and repeats scanned the contacts three times and had to be merged by key afterwards: at
  10M contacts the whole run took 18-20 s that way, 14-16 s this way (2026-11-27).
- Repeat contacts: the ``lead`` window sorts only customer, time and row key; the followed
  contacts' row keys are held by the backend and left-joined to each branch (in the store
  the key is (load, source row): two integers join faster than a text id, 93 s against
  151 s for the query at 100M contacts). Carrying the cell
  keys through the window's sort, and aggregating its output (rows in customer order, not
  the store's day order, which hashes 2-3x slower), cost 15 s where this costs 8 s.
- The cells come back as Arrow and the declared slices are summed from them in Arrow,
  so pandas only sees the final table.
- Each branch of a union projects its own columns, so it stays a streaming scan of the
  Parquet store; a shared scan would be materialized by DuckDB as a CTE.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cxsteward.domain import metrics as m
from cxsteward.domain.interactions import LOAD_ID, SOURCE_ROW, STORE_COLUMNS
from cxsteward.engine.backend import cached, fetch_arrow
from cxsteward.errors import Invalid

KEYS = list(m.KEY_COLUMNS)
# Fields that identify or time a contact, or are cell keys: never a slice.
_NOT_SEGMENTS = frozenset(
    {"interaction_id", "started_at", "customer_id", *m.KEY_COLUMNS, *STORE_COLUMNS}
)
_HANDLE = "handle_time_s"
_FOLLOWED = "_followed"
# What names a contact: its id anywhere; in the workspace store also (load, source row).
ID_KEY = ("interaction_id",)
STORE_KEY = (LOAD_ID, SOURCE_ROW)
_Aggregate = Callable[[m.Slice], ir.Table]
# Packing slices into one scan pays while its cells average at least this many contacts
# (an upper-bound estimate of the cells; measured on DuckDB, benchmarks/cells_engine.md).
ROWS_PER_CELL = 50
# ... and while its cells stay few enough for the aggregation's hash table to stay small: at
# 10M contacts 36,000 cells took 2.0 s and 144,000 3.4 s; at 100M an uncapped pack of 1.7M
# cells spilled to disk and took twice as long as two packs.
MAX_CELLS_PER_SCAN = 150_000


@dataclass(frozen=True)
class SlicePlan:
    """Which column sets are aggregated from rows, and where each declared slice comes from."""

    declared: list[m.Slice]
    computed: list[m.Slice]
    source: dict[m.Slice, m.Slice]

    @property
    def segments(self) -> list[str]:
        return list(dict.fromkeys(c for s in self.declared for c in s))


@dataclass(frozen=True)
class TableShape:
    """Approximate sizes of the contacts, for packing slices into scans.

    ``key_cells`` is the number of distinct day x handler x deployment x model version
    combinations, ``distinct`` the distinct non-missing values per segment column, and
    ``complete`` the segment columns without a missing value.
    """

    rows: int
    key_cells: int
    distinct: dict[str, int]
    complete: frozenset[str] = frozenset()

    def groups(self, columns: Iterable[str]) -> int:
        """An upper bound on the cells of one scan over ``columns`` (missing is a value)."""
        values = (self.distinct[c] + (c not in self.complete) for c in columns)
        return self.key_cells * math.prod(values)


def plan_slices(slices: Iterable[m.Slice], shape: TableShape | None = None) -> SlicePlan:
    """Overall plus the declared slices, and the scans that compute them.

    Only slices no other declared slice contains need the rows. With a ``shape``, those are
    further packed into shared scans while a scan averages at least ``ROWS_PER_CELL`` rows
    per cell and has at most ``MAX_CELLS_PER_SCAN`` cells: one scan by region and tier
    costs far less than two scans (see the module docstring), and region and tier are then
    sums of its cells.
    """
    declared: dict[frozenset[str], m.Slice] = {frozenset(): ()}
    for columns in slices:
        cols = tuple(columns)
        if len(set(cols)) != len(cols):
            raise Invalid(f"The slice {m.slice_name(cols)} names a column twice.")
        declared.setdefault(frozenset(cols), cols)
    sets = list(declared)
    maximal = [declared[s] for s in sets if not any(s < other for other in sets)]
    computed = maximal if shape is None else _pack(maximal, shape)
    source = {declared[s]: min((c for c in computed if s <= set(c)), key=len) for s in sets}
    return SlicePlan(list(declared.values()), computed, source)


def _pack(maximal: list[m.Slice], shape: TableShape) -> list[m.Slice]:
    """First-fit decreasing: each slice joins the first scan that stays within the budget."""
    budget = min(shape.rows / ROWS_PER_CELL, MAX_CELLS_PER_SCAN)
    if any(c not in shape.distinct for s in maximal for c in s):
        return maximal
    scans: list[m.Slice] = []
    for columns in sorted(maximal, key=shape.groups, reverse=True):
        for i, scan in enumerate(scans):
            merged = (*scan, *(c for c in columns if c not in scan))
            if shape.groups(merged) <= budget:
                scans[i] = merged
                break
        else:
            scans.append(columns)
    return scans


def table_shape(table: ir.Table, columns: Sequence[str]) -> TableShape:
    """Row count, key combinations, and approximate distinct and non-missing counts of
    ``columns``: two cheap queries."""
    aggregates = {f"_d_{c}": table[c].approx_nunique() for c in columns}
    aggregates |= {f"_n_{c}": table[c].count() for c in columns}
    row = fetch_arrow(table.aggregate(_rows=table.count(), **aggregates)).to_pylist()[0]
    keys = fetch_arrow(table.select(*KEYS).distinct().aggregate(_n=ibis._.count()))
    rows = int(row["_rows"])
    return TableShape(
        rows=rows,
        key_cells=max(int(keys.to_pylist()[0]["_n"]), 1),
        distinct={c: int(row[f"_d_{c}"] or 0) for c in columns},
        complete=frozenset(c for c in columns if int(row[f"_n_{c}"]) == rows),
    )


def has_keys(table: ir.Table, columns: Sequence[str]) -> bool:
    """True when ``columns`` exist and are filled on every row, so they can name a contact:
    files written by hand or by an older tool may lack the store's load and row columns."""
    if not set(columns) <= set(table.columns):
        return False
    counts = {f"_n{i}": table[c].count() for i, c in enumerate(columns)}
    row = fetch_arrow(table.aggregate(_rows=table.count(), **counts)).to_pylist()[0]
    return all(row[name] == row["_rows"] for name in counts)


def segment_columns(table: ir.Table) -> list[str]:
    """Columns a slice may use: every string column that is not a key or an identifier."""
    schema = table.schema()
    return [c for c in table.columns if schema[c].is_string() and c not in _NOT_SEGMENTS]


def check_slices(table: ir.Table, plan: SlicePlan) -> None:
    """Refuse a slice naming a column that is not a segment column of ``table``."""
    allowed = segment_columns(table)
    unknown = [c for c in plan.segments if c not in allowed]
    if unknown:
        raise Invalid(
            f"Cannot slice by {', '.join(map(repr, unknown))}: not a segment column of the "
            f"interaction data. Segment columns: {', '.join(allowed) or 'none'}."
        )


def build_cells(
    table: ir.Table,
    slices: Iterable[m.Slice],
    *,
    repeat_contact_days: int,
    day_from: int | None = None,
    day_to: int | None = None,
    row_key: Sequence[str] = ID_KEY,
    unrecorded: Mapping[str, Sequence[int]] | None = None,
) -> pd.DataFrame:
    """The cell table of ``table`` for overall and each slice, over days ``day_from..day_to``.

    ``row_key`` names each contact uniquely: the interaction id anywhere, or the store's
    (load, source row), two integers that join faster than a text id. ``unrecorded`` names,
    per segment column, the loads whose files lack it: their contacts count overall but in
    no level of that column's slices.

    Columns: ``slice``, every segment column a slice uses (null outside its slices;
    ``MISSING_LEVEL`` where the contact has no value or a blank one), ``day`` (int32),
    ``handler``, ``deployment``, ``model_version``, then
    ``cxsteward.domain.metrics.STAT_COLUMNS`` (int64 counts, float64 sums). One row per
    cell that holds at least one contact.
    """
    plan = plan_slices(slices)
    check_slices(table, plan)
    if len(plan.computed) > 1:
        plan = plan_slices(slices, table_shape(in_days(table, day_from, day_to), plan.segments))
    followed = followed_ids(table, repeat_contact_days, day_from, day_to, row_key)
    with ExitStack() as stack:
        if len(plan.computed) > 1:
            # Every scan needs the ids; the backend holds them once rather than rerunning
            # the window per scan (a shared subquery is not materialized by every engine).
            followed = stack.enter_context(cached(followed))
        query = cell_query(table, plan, followed, day_from, day_to, row_key, unrecorded or {})
        computed = _typed(fetch_arrow(query))
    return _frame(_roll_up_slices(computed, plan))


def cell_query(
    table: ir.Table,
    plan: SlicePlan,
    followed: ir.Table,
    day_from: int | None = None,
    day_to: int | None = None,
    row_key: Sequence[str] = ID_KEY,
    unrecorded: Mapping[str, Sequence[int]] | None = None,
) -> ir.Table:
    """The backend query: one aggregation per computed slice of the plan, unioned;
    ``followed`` holds the row keys of ``followed_ids``."""
    rows = in_days(table, day_from, day_to)
    levels = segment_levels(rows, plan.segments, unrecorded)
    return union_by_slice(
        plan.computed, plan.segments, lambda s: _aggregate(rows, followed, s, row_key, levels)
    )


def segment_levels(
    rows: ir.Table, columns: Iterable[str], unrecorded: Mapping[str, Sequence[int]] | None
) -> dict[str, ir.StringValue]:
    """Each segment column as levels: blanks are ``MISSING_LEVEL``; null for contacts whose
    load never recorded the column (``unrecorded``: the loads per column)."""
    return {c: _level(rows, c, (unrecorded or {}).get(c, ())) for c in columns}


def _level(rows: ir.Table, column: str, loads: Sequence[int]) -> ir.StringValue:
    level = segment_level(rows[column])
    if not loads or LOAD_ID not in rows.columns:
        return level
    # Null: outside every level (dropped from the column's slices after the query).
    return ibis.cases((rows[LOAD_ID].isin(list(loads)), ibis.null("string")), else_=level)


def in_days(table: ir.Table, day_from: int | None, day_to: int | None) -> ir.Table:
    """The contacts of days ``day_from..day_to`` (either end open when None)."""
    if day_from is not None:
        table = table.filter(table.day >= day_from)
    if day_to is not None:
        table = table.filter(table.day <= day_to)
    return table


def union_by_slice(
    slices: Sequence[m.Slice], segments: Sequence[str], aggregate: _Aggregate
) -> ir.Table:
    """``aggregate(slice)`` for each slice, labelled and padded with null segments, unioned."""
    parts = []
    for columns in slices:
        agg = aggregate(columns)
        values = [
            (agg[s] if s in columns else ibis.null().cast("string")).name(s) for s in segments
        ]
        stats = [c for c in agg.columns if c not in (*KEYS, *columns)]
        label = ibis.literal(m.slice_name(columns)).name(m.SLICE_COLUMN)
        parts.append(agg.select(label, *values, *KEYS, *stats))
    return ibis.union(*parts, distinct=False)


def _aggregate(
    rows: ir.Table,
    followed: ir.Table,
    columns: m.Slice,
    row_key: Sequence[str],
    levels: Mapping[str, ir.StringValue],
) -> ir.Table:
    # Projecting per slice keeps each branch its own scan (see the module docstring).
    handle = rows[_HANDLE].cast("float64")
    rows = rows.select(
        *KEYS,
        *m.FLAGS,
        *row_key,
        "customer_id",
        csat=rows.csat.cast("int64"),
        handle=handle,
        sentiment=rows.sentiment.cast("float64"),
        **{c: levels[c] for c in columns},
    )
    # The row key is unique, so the left join keeps one row per contact.
    keys = followed.select(**{f"{_FOLLOWED}{i}": followed[k] for i, k in enumerate(row_key)})
    rows = rows.left_join(keys, [rows[k] == keys[f"{_FOLLOWED}{i}"] for i, k in enumerate(row_key)])
    csat, handle = rows.csat, rows.handle
    log = (handle + 1.0).ln()
    known = rows.escalated.notnull() & rows.offered_human.notnull()
    out: dict[str, ir.Scalar] = {m.N: rows.count()}
    for flag in m.FLAGS:
        out[m.flag_n(flag)] = rows[flag].count()
        out[m.flag_true(flag)] = rows.count(where=rows[flag])
    out |= {
        m.CSAT_N: csat.count(),
        m.CSAT_SATISFIED: rows.count(where=csat >= m.SATISFIED_FROM),
        m.CSAT_SUM: csat.sum(),
        m.CSAT_SUMSQ: (csat * csat).sum(),
        m.HANDLE_N: handle.count(),
        m.HANDLE_SUM: handle.sum(),
        m.HANDLE_SUMSQ: (handle * handle).sum(),
        m.HANDLE_LOG_SUM: log.sum(),
        m.HANDLE_LOG_SUMSQ: (log * log).sum(),
        m.REPEAT_N: rows.customer_id.count(),
        m.REPEAT_TRUE: rows[f"{_FOLLOWED}0"].count(),
        m.AI_ALONE_N: rows.count(where=known),
        m.AI_ALONE_TRUE: rows.count(where=known & ~rows.escalated & ~rows.offered_human),
        m.SENTIMENT_N: rows.sentiment.count(),
        m.SENTIMENT_SUM: rows.sentiment.sum(),
        m.SENTIMENT_SUMSQ: (rows.sentiment * rows.sentiment).sum(),
    }
    return rows.group_by([*KEYS, *columns]).aggregate(**out)


def segment_level(values: ir.Value) -> ir.StringValue:
    """A segment column's value as a level: empty cells are ``MISSING_LEVEL``.

    A load trims every value and empties blank ones, so the store never holds spaces alone;
    no trimming here (it costs a pass over every row, and Ibis's PySpark ``strip`` also
    drops the letter "v").
    """
    return ibis.coalesce(values.cast("string").nullif(""), ibis.literal(m.MISSING_LEVEL))


def followed_ids(
    table: ir.Table,
    repeat_contact_days: int,
    day_from: int | None,
    day_to: int | None,
    row_key: Sequence[str] = ID_KEY,
) -> ir.Table:
    """The row keys of contacts followed by another contact of the customer within N days.

    The window sees only customer, time and row key, the narrowest input its sort can
    have (the key also breaks ties at the same instant); each scan then picks its followed
    rows by their row key (unique: the interaction id, or the store's load and source row).
    Only these keys are shared between the scans, so only they are ever held in memory.
    The next contact is looked for up to N days past ``day_to``, so contacts at the end of
    the range are judged like the others (only the store's own last N days read low).
    """
    horizon = None if day_to is None else day_to + repeat_contact_days
    contacts = in_days(table, day_from, horizon)
    contacts = contacts.filter(contacts.customer_id.notnull())
    contacts = contacts.select("customer_id", "started_at", *row_key)
    # The row key breaks ties between contacts starting at the same instant.
    window = ibis.window(
        group_by=contacts.customer_id,
        order_by=[contacts.started_at, *(contacts[k] for k in row_key)],
    )
    contacts = contacts.mutate(_following=contacts.started_at.lead().over(window))
    limit = contacts.started_at + ibis.interval(days=repeat_contact_days)
    return contacts.filter(contacts._following <= limit).select(*row_key)


def _typed(cells: pa.Table) -> pa.Table:
    """The query's cells with the engine's types: text keys as strings, ``day`` as int32,
    counts as int64 and sums as float64, 0 where a sum had no values."""
    out = {}
    for column in cells.column_names:
        values = cells[column]
        if column == "day":
            values = values.cast(pa.int32())
        elif column in m.STAT_COLUMNS:
            kind = pa.float64() if column in m.SUM_COLUMNS else pa.int64()
            values = pc.fill_null(values.cast(kind), 0)
        else:
            # Whatever the backend's string type (large strings, views).
            values = values.cast(pa.string())
        out[column] = values
    return pa.table(out)


def _roll_up_slices(computed: pa.Table, plan: SlicePlan) -> pa.Table:
    """Every declared slice: computed ones as they are, the others summed from their source.

    Columns: slice, the plan's segments, the keys, the statistics; within a slice every
    value is a level (a missing one is ``MISSING_LEVEL``), so summing never merges levels.
    """
    segments = plan.segments
    stats = list(m.STAT_COLUMNS)
    order = [m.SLICE_COLUMN, *segments, *KEYS, *stats]
    slice_names = computed[m.SLICE_COLUMN]
    parts = []
    for columns in plan.declared:
        source = plan.source[columns]
        cells = computed.filter(pc.equal(slice_names, m.slice_name(source)))
        for column in columns:
            # Contacts whose load never recorded the column belong to none of its levels.
            cells = cells.filter(pc.is_valid(cells[column]))
        if source != columns:
            keys = [*KEYS, *columns]
            summed = cells.group_by(keys, use_threads=False).aggregate([(c, "sum") for c in stats])
            rows = summed.num_rows
            cells = pa.table(
                {
                    m.SLICE_COLUMN: pa.repeat(m.slice_name(columns), rows).cast(pa.string()),
                    **{s: pa.nulls(rows, pa.string()) for s in segments if s not in columns},
                    **{k: summed[k] for k in keys},
                    **{c: summed[f"{c}_sum"] for c in stats},
                }
            )
        parts.append(cells.select(order))
    return pa.concat_tables(parts)


def _frame(cells: pa.Table) -> pd.DataFrame:
    """The cells as pandas: text as objects with None for missing, numbers as they are."""
    out: dict[str, object] = {}
    for name, values in zip(cells.column_names, cells.columns, strict=True):
        if pa.types.is_string(values.type):
            # Few distinct values: decode each once, then index.
            coded = values.combine_chunks().dictionary_encode()
            words = np.array([*coded.dictionary.to_pylist(), None], dtype=object)
            index = pc.fill_null(coded.indices, len(coded.dictionary)).to_numpy()
            out[name] = words[index]
        else:
            out[name] = values.to_numpy()
    return pd.DataFrame(out)
