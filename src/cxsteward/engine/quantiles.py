"""Exact handle-time quantiles, computed by the backend for the windows that report them.

A median or a p90 is not a sum: the quantile of a week cannot be built from the quantiles of
its days, nor from counts in fixed bins without either an error bound or a bin edge passed off
as a value (issue 11: a fixed histogram whose open last bin started at 7,200 s showed
"median 7,200 s" for an incident log whose true median is 54.5 hours). So the quantiles are
not part of the cell table: they are computed here, with the backend's own exact quantile
(DuckDB ``quantile_cont``, Spark ``percentile``: both interpolate linearly between the two
nearest contacts, as numpy's default method does), grouped by exactly the windows, slices,
deployments, handlers (and model versions) that ``metrics show`` reports. The monitoring run
reports no quantile and so never pays for this query.

Windows are computed per row from the store's ``day`` (days since 1970-01-01) with integer
arithmetic only, which every backend has; the month's first day comes from the proleptic
Gregorian calendar (H. Hinnant's ``civil_from_days``), checked against numpy's calendar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import ibis
import ibis.expr.types as ir
from ibis.common.exceptions import (
    OperationNotDefinedError,
    UnsupportedBackendType,
    UnsupportedOperationError,
)

from cxsteward.domain import metrics as m
from cxsteward.engine.backend import fetch_arrow
from cxsteward.engine.cell_table import (
    KEYS,
    check_slices,
    in_days,
    plan_slices,
    segment_levels,
    union_by_slice,
)
from cxsteward.errors import Invalid

_HANDLE = "handle_time_s"
# Engines whose ``quantile`` ibis compiles to an estimate from a sample (ClickHouse's).
_SAMPLED = frozenset({"clickhouse"})
QUANTILE_N, QUANTILE_VALUES = "_n", "_q"  # contacts with a handle time; median and p90


def window_start(day: ir.IntegerValue, window: m.Window, first_day: int) -> ir.IntegerValue:
    """The first day of the window holding ``day``, as ``cxsteward.domain.metrics`` has it;
    the whole range (``all``) starts on ``first_day``."""
    if window is m.Window.DAY:
        return day
    if window is m.Window.WEEK:
        # 1970-01-01 was a Thursday: shifting by 3 makes every week start on a Monday.
        return (day + 3) // 7 * 7 - 3
    if window is m.Window.MONTH:
        return day - _day_of_month(day) + 1
    return ibis.literal(first_day, type="int64")


def _day_of_month(day: ir.IntegerValue) -> ir.IntegerValue:
    """1-31, by civil_from_days: counted in 400-year eras from 0000-03-01, so that every
    intermediate value is non-negative and floor and truncating division agree."""
    z = day.cast("int64") + 719_468
    era = z // 146_097
    day_of_era = z - era * 146_097
    year_of_era = (
        day_of_era - day_of_era // 1_460 + day_of_era // 36_524 - day_of_era // 146_096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month_from_march = (5 * day_of_year + 2) // 153
    return day_of_year - (153 * month_from_march + 2) // 5 + 1


def quantile_query(
    table: ir.Table,
    slices: Iterable[m.Slice],
    window: m.Window,
    first_day: int,
    *,
    by_model_version: bool = False,
    day_from: int | None = None,
    day_to: int | None = None,
    unrecorded: Mapping[str, Sequence[int]] | None = None,
) -> ir.Table:
    """The exact median and p90 of handle time per window, slice value, deployment and
    handler (and model version), for overall and each slice, over days ``day_from..day_to``.

    Columns: ``slice``, every segment column a slice uses (null outside its slices), ``day``
    (the window's first day), ``handler``, ``deployment``, ``model_version`` (null unless
    ``by_model_version``), ``_n`` (contacts with a handle time) and ``_q`` (the median and
    the p90). Groups without a handle time are absent. Segment values are levels as in the
    cell table: a blank is ``MISSING_LEVEL``, and contacts of loads that never recorded a
    column (``unrecorded``) belong to none of its levels.
    """
    plan = plan_slices(slices)
    check_slices(table, plan)
    rows = in_days(table.filter(table[_HANDLE].notnull()), day_from, day_to)
    rows = rows.mutate(
        day=window_start(rows.day, window, first_day),
        **segment_levels(rows, plan.segments, unrecorded),
    )
    keys = [k for k in KEYS if by_model_version or k != "model_version"]
    handle = rows[_HANDLE].cast("float64")

    def aggregate(columns: m.Slice) -> ir.Table:
        # Quantiles do not add up, so every declared slice is its own aggregation: the
        # lattice of the cell table (a slice summed from a finer one) does not apply.
        recorded = rows.filter(*(rows[c].notnull() for c in columns)) if columns else rows
        out = recorded.group_by([*keys, *columns]).aggregate(
            **{QUANTILE_N: handle.count(), QUANTILE_VALUES: handle.quantile(list(m.QUANTILES))}
        )
        if not by_model_version:
            out = out.mutate(model_version=ibis.null().cast("string"))
        return out

    return union_by_slice(plan.declared, plan.segments, aggregate)


def handle_time_quantiles(
    table: ir.Table,
    slices: Iterable[m.Slice],
    window: m.Window,
    first_day: int,
    *,
    by_model_version: bool = False,
    day_from: int | None = None,
    day_to: int | None = None,
    unrecorded: Mapping[str, Sequence[int]] | None = None,
) -> dict[m.GroupKey, m.HandleTimeQuantiles]:
    """The rows of ``quantile_query``, keyed as ``cxsteward.domain.metrics.group_key`` keys
    the groups of a roll-up."""
    query = quantile_query(
        table,
        slices,
        window,
        first_day,
        by_model_version=by_model_version,
        day_from=day_from,
        day_to=day_to,
        unrecorded=unrecorded,
    )
    engine = table.get_backend().name
    unsupported = Invalid(
        f"The engine {engine!r} has no exact quantile, so the median and p90 of handle time "
        "cannot be computed on it; DuckDB, Spark, PostgreSQL and Snowflake have one. Run the "
        "command without --data-url (the workspace's own store)."
    )
    if engine in _SAMPLED:
        raise unsupported
    try:
        found = fetch_arrow(query)
    # The quantile aggregate, or the array holding the median and p90, is what such an
    # engine lacks (SQLite has neither; Trino and BigQuery have approximate ones only).
    except (OperationNotDefinedError, UnsupportedOperationError, UnsupportedBackendType) as error:
        raise unsupported from error
    out: dict[m.GroupKey, m.HandleTimeQuantiles] = {}
    for row in found.to_pylist():
        name = str(row[m.SLICE_COLUMN])
        columns = () if name == m.OVERALL else name.split(m.SLICE_SEPARATOR)
        median, p90 = row[QUANTILE_VALUES]
        key: m.GroupKey = (
            int(row["day"]),
            name,
            tuple(row[c] for c in columns),
            row["deployment"],
            str(row["handler"]),
            row["model_version"],
        )
        out[key] = m.HandleTimeQuantiles(int(row[QUANTILE_N]), float(median), float(p90))
    return out
