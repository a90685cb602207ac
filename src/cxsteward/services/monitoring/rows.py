"""The rows behind a figure: a filter built from a finding's trace, paged over the contacts (C6).

The filter travels in a query string (``/monitoring/rows?deployment=...&segment=tier=gold``)
so that every figure on a page can link to its rows. The store is read through the engine
(DuckDB over the Parquet files by default): one count and one page of 50 rows per request,
never the whole store in memory.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

import ibis
import ibis.expr.types as ir

from cxsteward.domain import metrics as m
from cxsteward.domain.interactions import FIELD_NAMES, HANDLERS, STORE_COLUMNS
from cxsteward.domain.monitoring.findings import Trace
from cxsteward.engine.backend import fetch_arrow
from cxsteward.engine.cell_table import segment_levels
from cxsteward.errors import Invalid, Problem
from cxsteward.services.data.source import NoContacts, open_contacts
from cxsteward.services.workspace import Workspace

PER_PAGE = 50
# The field each metric's n counts, so that the rows of a figure number exactly its n.
RECORDED_FIELD: dict[str, tuple[str, ...]] = {
    m.N: (),
    m.CSAT_N: ("csat",),
    m.HANDLE_N: ("handle_time_s",),
    m.REPEAT_N: ("customer_id",),
    m.SENTIMENT_N: ("sentiment",),
    **{m.flag_n(flag): (flag,) for flag in m.FLAGS},
    m.AI_ALONE_N: ("escalated", "offered_human"),
}
# Shown first, in this order; segment columns follow, the store's own columns last.
LEADING = ("interaction_id", "started_at", "handler", "deployment", "model_version")


@dataclass(frozen=True)
class RowFilter:
    """Which contacts of the store stand behind a figure."""

    deployment: str | None = None
    handlers: tuple[str, ...] = ()
    segment: tuple[tuple[str, str], ...] = ()
    model_versions: tuple[str, ...] = ()
    day_from: date | None = None
    day_to: date | None = None
    # Only contacts where this metric is recorded (the ones its n counts).
    metric: str | None = None
    # Only rows of loads up to this one: the store as a monitoring run saw it.
    through_load: int | None = None

    @classmethod
    def from_trace(
        cls, trace: Trace, metric: str | None = None, through_load: int | None = None
    ) -> RowFilter:
        """The filter of a finding's trace."""
        return cls(
            deployment=trace.deployment,
            handlers=tuple(trace.handlers),
            segment=tuple(sorted(trace.segment.items())),
            model_versions=tuple(trace.model_versions),
            day_from=None if trace.day_from is None else date.fromisoformat(trace.day_from),
            day_to=None if trace.day_to is None else date.fromisoformat(trace.day_to),
            metric=metric,
            through_load=through_load,
        )

    def params(self) -> list[tuple[str, str]]:
        """The query-string pairs of this filter (the inverse of ``parse_filter``)."""
        pairs: list[tuple[str, str]] = []
        if self.deployment is not None:
            pairs.append(("deployment", self.deployment))
        pairs += [("handler", h) for h in self.handlers]
        pairs += [("segment", f"{k}={v}") for k, v in self.segment]
        pairs += [("version", v) for v in self.model_versions]
        if self.day_from is not None:
            pairs.append(("from", self.day_from.isoformat()))
        if self.day_to is not None:
            pairs.append(("to", self.day_to.isoformat()))
        if self.metric is not None:
            pairs.append(("metric", self.metric))
        if self.through_load is not None:
            pairs.append(("through_load", str(self.through_load)))
        return pairs

    def query(self) -> str:
        """The filter as a URL query string."""
        return urlencode(self.params())

    def describe(self) -> list[str]:
        """The filter in words, one condition a line."""
        said = []
        if self.deployment is not None:
            said.append(f"deployment is {self.deployment}")
        if self.handlers:
            said.append(f"handled first by {' or '.join(self.handlers)}")
        said += [f"{k} is {v}" for k, v in self.segment]
        if self.model_versions:
            said.append(f"model version is {' or '.join(self.model_versions)}")
        if self.day_from is not None or self.day_to is not None:
            said.append(f"started {self.day_from or 'any day'} to {self.day_to or 'any day'}")
        if self.metric is not None:
            names = RECORDED_FIELD[m.metric(self.metric).n]
            if names:
                said.append(
                    f"{' and '.join(names)} {'is' if len(names) == 1 else 'are'} recorded "
                    f"(the contacts {self.metric} counts)"
                )
        if self.through_load is not None:
            said.append(f"loaded by load {self.through_load} or earlier")
        return said or ["every contact in the store"]


@dataclass(frozen=True)
class RowsPage:
    """One page of the rows behind a figure, with the total they number."""

    filter: RowFilter
    total: int
    page: int
    per_page: int
    columns: list[str]
    # Contacts as the store holds them: its columns (segments included) to their values.
    rows: list[dict[str, object]] = field(default_factory=list)
    # True when nothing has been loaded into the workspace yet.
    store_empty: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        """The 1-based position of the first row shown (0 when there is none)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per_page + len(self.rows)


def parse_filter(pairs: Iterable[tuple[str, str]]) -> tuple[RowFilter, int]:
    """A filter and a page number from query-string pairs; every bad value is reported.

    Raises:
        Invalid: a handler, segment, date, metric, load or page that cannot be read.
    """
    problems: list[Problem] = []
    values: dict[str, list[str]] = {}
    for key, value in pairs:
        values.setdefault(key, []).append(value.strip())

    def one(name: str) -> str | None:
        found = [v for v in values.get(name, []) if v]
        return found[-1] if found else None

    def day(name: str) -> date | None:
        text = one(name)
        try:
            return None if text is None else date.fromisoformat(text)
        except ValueError:
            problems.append(Problem("use a date such as 2025-01-31", column=name, value=text))
            return None

    def number(name: str, default: int | None) -> int | None:
        text = one(name)
        if text is None:
            return default
        if not text.isdigit() or int(text) < 1:
            problems.append(Problem("use a whole number of 1 or more", column=name, value=text))
            return default
        return int(text)

    handlers = tuple(values.get("handler", []))
    for handler in handlers:
        if handler not in HANDLERS:
            problems.append(Problem("use ai or human", column="handler", value=handler))
    segment: list[tuple[str, str]] = []
    for pair in values.get("segment", []):
        column, sep, value = pair.partition("=")
        if not sep or not column.strip():
            problems.append(
                Problem(
                    "write a segment as column=value, e.g. tier=gold", column="segment", value=pair
                )
            )
            continue
        segment.append((column.strip(), value.strip()))
    metric = one("metric")
    if metric is not None and metric not in m.METRIC_NAMES:
        names = ", ".join(m.METRIC_NAMES)
        problems.append(Problem(f"use one of {names}", column="metric", value=metric))
        metric = None
    found = RowFilter(
        deployment=one("deployment"),
        handlers=handlers,
        segment=tuple(sorted(segment)),
        model_versions=tuple(v for v in values.get("version", []) if v),
        day_from=day("from"),
        day_to=day("to"),
        metric=metric,
        through_load=number("through_load", None),
    )
    page = number("page", 1) or 1
    if found.day_from and found.day_to and found.day_from > found.day_to:
        problems.append(Problem("the start date is after the end date", column="from"))
    if problems:
        raise Invalid("The rows filter in the address cannot be used.", problems)
    return found, page


def rows_page(ws: Workspace, found: RowFilter, page: int = 1, per_page: int = PER_PAGE) -> RowsPage:
    """One page of the contacts matching ``found``, oldest first, and how many there are.

    Raises:
        Invalid: the filter names a segment column the store does not have, or the page is
            past the last one.
    """
    try:
        with open_contacts(ws) as contacts:
            table = contacts.table
            selected = table.filter(_conditions(table, found, contacts.unrecorded))
            # Through Arrow, like every engine result: pandas is never on the path.
            counted = fetch_arrow(selected.aggregate(n=selected.count()))
            total = int(counted.column("n")[0].as_py())
            pages = max(1, math.ceil(total / per_page))
            if page > pages:
                raise Invalid(
                    f"Page {page} is past the last page ({pages}) of these {total} rows; "
                    f"go back to page {pages}."
                )
            columns = _columns(table.columns)
            ordered = selected.select(*columns).order_by(["started_at", "interaction_id"])
            offset = (page - 1) * per_page
            rows = fetch_arrow(ordered.limit(per_page, offset=offset)).to_pylist()
    except NoContacts:
        return RowsPage(found, 0, 1, per_page, [], store_empty=True)
    return RowsPage(found, total, page, per_page, columns, rows)


def _conditions(
    table: ir.Table, found: RowFilter, unrecorded: dict[str, tuple[int, ...]] | None = None
) -> list[ir.BooleanValue]:
    unknown = [column for column, _ in found.segment if column not in table.columns]
    if unknown:
        known = sorted(set(table.columns) - set(FIELD_NAMES) - set(STORE_COLUMNS))
        raise Invalid(
            f"The store has no column {unknown[0]!r}; its segment columns are "
            f"{', '.join(known) or 'none'}."
        )
    conditions: list[ir.BooleanValue] = [ibis.literal(True)]
    if found.deployment is not None:
        conditions.append(table.deployment == found.deployment)
    if found.handlers:
        conditions.append(table.handler.isin(list(found.handlers)))
    # The cells' own levels: "(missing)" finds the empty and blank cells, and contacts of
    # loads that never recorded the column (a null level) are in none of its levels.
    levels = segment_levels(table, [column for column, _ in found.segment], unrecorded)
    conditions += [levels[column] == value for column, value in found.segment]
    if found.model_versions:
        conditions.append(table.model_version.isin(list(found.model_versions)))
    if found.day_from is not None:
        conditions.append(table.day >= m.day_number(found.day_from))
    if found.day_to is not None:
        conditions.append(table.day <= m.day_number(found.day_to))
    if found.metric is not None:
        conditions += [table[name].notnull() for name in RECORDED_FIELD[m.metric(found.metric).n]]
    if found.through_load is not None and "load_id" in table.columns:
        conditions.append(table.load_id <= found.through_load)
    return conditions


def _columns(names: Iterable[str]) -> list[str]:
    present = list(names)
    stored = [c for c in STORE_COLUMNS if c in present and c != "month"]
    rest = [c for c in present if c not in LEADING and c not in STORE_COLUMNS]
    # Canonical fields before segment columns, each group in the store's own order.
    canonical = [c for c in rest if c in FIELD_NAMES]
    segments = [c for c in rest if c not in FIELD_NAMES]
    return [*(c for c in LEADING if c in present), *canonical, *segments, *stored]
