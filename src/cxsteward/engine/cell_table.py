"""The one heavy pass over the contacts: the cell table of additive statistics.

A cell is one slice value (``overall``, a segment value, a pair of values) on one day for one
handler, deployment and model version; its statistics are counts and sums that add up to any
window (``cxsteward.domain.metrics`` names the columns). Only operations every Ibis backend
has run on the backend: count, filtered count, sum, case, cast, group by, union, and one
``lead`` window for repeat contacts. No quantile, no timestamp bucketing per row.

How, as measured on DuckDB (benchmarks/cells_engine.md; 10M contacts, overall + 6 segment
columns + 2 pairs, 2 shared cores, best of 3): this engine 24.8 s; one hand-written GROUPING
SETS query 62.8 s; a union of one aggregation per declared slice over the window's output
49.8 s; one finest-grain aggregation (all 6 columns: 6.8M groups for 10M rows) rolled up in
pandas 85.5 s and 12 GB. What made the difference:

- Slices are planned as a lattice: only slices no other declared slice contains are
  aggregated from the rows; the others (and ``overall``) are sums of those cells, in pandas
  on a few thousand rows. Region×tier gives region, tier and overall for free (33.3 s
  without the lattice).
- The backend's cost is rows x aggregates x slices, and 22 histogram bins as filtered
  counts were half of the aggregates. Each row gets its bin number instead, one count is
  grouped by cell and bin, and a second aggregation over those few rows pivots the bins.
- Repeat contacts: the ``lead`` window sorts only customer, time and id; the followed
  contacts' ids are then semi-joined to the scan. Carrying the cell keys through the
  window's sort, and aggregating its output (rows in customer order, not the store's day
  order, which hashes 2-3x slower), cost 15 s where this costs 8 s.
- Each branch of a union projects its own columns, so it stays a streaming scan of the
  Parquet store; a shared scan would be materialized by DuckDB as a CTE.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from cxsteward.domain import metrics as m
from cxsteward.domain.interactions import STORE_COLUMNS
from cxsteward.engine.backend import cached, fetch_arrow
from cxsteward.errors import Invalid

KEYS = list(m.KEY_COLUMNS)
# Fields that identify or time a contact, or are cell keys: never a slice.
_NOT_SEGMENTS = frozenset(
    {"interaction_id", "started_at", "customer_id", *m.KEY_COLUMNS, *STORE_COLUMNS}
)
_HANDLE = "handle_time_s"
_BIN = "_bin"
_COUNT = "_count"
_Aggregate = Callable[[m.Slice], ir.Table]
# Packing slices into one scan pays while its cells average at least this many contacts
# (an upper-bound estimate of the cells; measured on DuckDB, benchmarks/cells_engine.md).
ROWS_PER_CELL = 50


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

    ``key_cells`` is the product of the distinct counts of the cell keys (an upper bound
    on day x handler x deployment x model version), ``distinct`` the distinct non-missing
    values per segment column.
    """

    rows: int
    key_cells: int
    distinct: dict[str, int]

    def groups(self, columns: Iterable[str]) -> int:
        """An upper bound on the cells of one scan over ``columns`` (missing is a value)."""
        return self.key_cells * math.prod(self.distinct[c] + 1 for c in columns)


def plan_slices(slices: Iterable[m.Slice], shape: TableShape | None = None) -> SlicePlan:
    """Overall plus the declared slices, and the scans that compute them.

    Only slices no other declared slice contains need the rows. With a ``shape``, those are
    further packed into shared scans while a scan averages at least ``ROWS_PER_CELL`` rows
    per cell: one scan by region and tier costs far less than two scans (see the module
    docstring), and region and tier are then sums of its cells.
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
    budget = shape.rows / ROWS_PER_CELL
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
    """Row count and approximate distinct counts of the keys and ``columns``: one cheap scan."""
    counts = {c: table[c].approx_nunique().name(c) for c in dict.fromkeys([*KEYS, *columns])}
    row = fetch_arrow(table.aggregate(_rows=table.count(), **counts)).to_pylist()[0]
    key_cells = math.prod(max(int(row[k] or 0), 1) for k in KEYS)
    return TableShape(
        rows=int(row["_rows"]),
        key_cells=key_cells,
        distinct={c: int(row[c] or 0) for c in columns},
    )


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
) -> pd.DataFrame:
    """The cell table of ``table`` for overall and each slice, over days ``day_from..day_to``.

    Columns: ``slice``, every segment column a slice uses (null outside its slices, and
    where the contact has no value), ``day`` (int32), ``handler``, ``deployment``,
    ``model_version``, then ``cxsteward.domain.metrics.STAT_COLUMNS`` (int64 counts, float64
    sums). One row per cell that holds at least one contact.
    """
    plan = plan_slices(slices)
    check_slices(table, plan)
    if len(plan.computed) > 1:
        plan = plan_slices(slices, table_shape(_in_range(table, day_from, day_to), plan.segments))
    followed = followed_ids(table, repeat_contact_days, day_from, day_to)
    with ExitStack() as stack:
        if len(plan.computed) > 1:
            # Every scan needs the ids; the backend holds them once rather than rerunning
            # the window per scan (a shared subquery is not materialized by every engine).
            followed = stack.enter_context(cached(followed))
        queries = cell_queries(table, plan, followed, day_from, day_to)
        main, bins, repeats = (fetch_arrow(query).to_pandas() for query in queries)
    return _roll_up_slices(_combine(main, bins, repeats, plan.segments), plan)


def cell_queries(
    table: ir.Table,
    plan: SlicePlan,
    followed: ir.Table,
    day_from: int | None = None,
    day_to: int | None = None,
) -> tuple[ir.Table, ir.Table, ir.Table]:
    """The three backend queries, over the plan's computed slices: statistics, handle-time
    bins, and repeat contacts (see the module docstring for why three); ``followed`` holds
    the ids of ``followed_ids``."""
    segments = plan.segments
    rows = _in_range(table, day_from, day_to)
    return (
        union_by_slice(plan.computed, segments, lambda s: _main(rows, s)),
        union_by_slice(plan.computed, segments, lambda s: _histogram(rows, s)),
        union_by_slice(plan.computed, segments, lambda s: _repeats(rows, followed, s)),
    )


def _in_range(table: ir.Table, day_from: int | None, day_to: int | None) -> ir.Table:
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


def _main(rows: ir.Table, columns: m.Slice) -> ir.Table:
    # Projecting per slice keeps each branch its own scan (see the module docstring).
    rows = rows.select(
        *KEYS,
        *columns,
        *m.FLAGS,
        "customer_id",
        csat=rows.csat.cast("int64"),
        handle=rows[_HANDLE].cast("float64"),
    )
    csat, handle = rows.csat, rows.handle
    log = (handle + 1.0).ln()
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
    }
    return rows.group_by([*KEYS, *columns]).aggregate(**out)


def _histogram(rows: ir.Table, columns: m.Slice) -> ir.Table:
    handle = rows[_HANDLE].cast("float64")
    edges = m.HANDLE_TIME_EDGES
    last = len(edges) - 2
    branches = [(handle < high, i) for i, high in enumerate(edges[1 : last + 1])]
    number = ibis.cases(*branches, (handle >= edges[last], last))
    binned = rows.filter(handle.notnull()).select(*KEYS, *columns, **{_BIN: number})
    counts = binned.group_by([*KEYS, *columns, _BIN]).aggregate(**{_COUNT: binned.count()})
    # The pivot runs on (cells x bins) rows, not on contacts.
    bin_counts = {
        name: counts[_COUNT].sum(where=counts[_BIN] == i) for i, name in enumerate(m.HANDLE_BINS)
    }
    return counts.group_by([*KEYS, *columns]).aggregate(**bin_counts)


def followed_ids(
    table: ir.Table, repeat_contact_days: int, day_from: int | None, day_to: int | None
) -> ir.Table:
    """The ids of contacts followed by another contact of the customer within N days.

    The window sees only customer, time and id, the narrowest input its sort can have; each
    scan then picks its followed rows by id (interaction ids are unique in the store). Only
    these ids are shared between the scans, so only they are ever held in memory.
    The next contact is looked for up to N days past ``day_to``, so contacts at the end of
    the range are judged like the others (only the store's own last N days read low).
    """
    horizon = None if day_to is None else day_to + repeat_contact_days
    contacts = _in_range(table, day_from, horizon)
    contacts = contacts.filter(contacts.customer_id.notnull())
    contacts = contacts.select("customer_id", "started_at", "interaction_id")
    # interaction_id breaks ties between contacts starting at the same instant.
    window = ibis.window(
        group_by=contacts.customer_id, order_by=[contacts.started_at, contacts.interaction_id]
    )
    contacts = contacts.mutate(_following=contacts.started_at.lead().over(window))
    limit = contacts.started_at + ibis.interval(days=repeat_contact_days)
    return contacts.filter(contacts._following <= limit).select("interaction_id")


def _repeats(rows: ir.Table, followed: ir.Table, columns: m.Slice) -> ir.Table:
    rows = rows.select("interaction_id", *KEYS, *columns).semi_join(followed, "interaction_id")
    return rows.group_by([*KEYS, *columns]).aggregate(**{m.REPEAT_TRUE: rows.count()})


def _combine(
    main: pd.DataFrame, bins: pd.DataFrame, repeats: pd.DataFrame, segments: Sequence[str]
) -> pd.DataFrame:
    keys = [m.SLICE_COLUMN, *segments, *KEYS]
    # Every contact counted in bins or repeats is counted in main: left joins keep all.
    cells = main.merge(bins, on=keys, how="left", validate="one_to_one")
    cells = cells.merge(repeats, on=keys, how="left", validate="one_to_one")
    return _typed(cells, segments)


def _typed(cells: pd.DataFrame, segments: Sequence[str]) -> pd.DataFrame:
    out = {}
    for column in [m.SLICE_COLUMN, *segments, *(k for k in KEYS if k != "day")]:
        # Text keys as objects with None for missing, whatever the backend's string type.
        values = cells[column].astype(object)
        out[column] = values.where(values.notna(), None)
    out["day"] = cells["day"].astype("int32")
    for column in m.STAT_COLUMNS:
        values = cells[column].fillna(0)
        out[column] = values.astype("float64" if column in m.SUM_COLUMNS else "int64")
    keys = [m.SLICE_COLUMN, *segments, *KEYS]
    return pd.DataFrame(out)[[*keys, *m.STAT_COLUMNS]]


def _roll_up_slices(computed: pd.DataFrame, plan: SlicePlan) -> pd.DataFrame:
    """Every declared slice: computed ones as they are, the others summed from their source."""
    segments = plan.segments
    parts = []
    for columns in plan.declared:
        source = plan.source[columns]
        cells = computed[computed[m.SLICE_COLUMN] == m.slice_name(source)]
        if source != columns:
            keys = [*KEYS, *columns]
            cells = cells.groupby(keys, dropna=False, sort=False)[list(m.STAT_COLUMNS)].sum()
            cells = cells.reset_index()
            for s in segments:
                if s not in columns:
                    cells[s] = None
            cells[m.SLICE_COLUMN] = m.slice_name(columns)
        parts.append(_typed(cells, segments))
    return pd.concat(parts, ignore_index=True)
