"""The suggestion's guesses of what identifies a contact and when it started.

An id is a unique column; failing that two columns that are unique together; failing that a
repeated id whose rows share one start time is an event log, and the suggestion declares which
row stands for the contact. A start is a date column (with a time-of-day column beside it when
the date has no time); a file with no date at all is a snapshot and gets one date.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxsteward.domain.mapping import Mapping
from cxsteward.engine.timestamps import parse_timestamps
from cxsteward.errors import Invalid
from cxsteward.services.data.profile import Column

ID_NAME = r"(id|code|number|no|#|ticket|key|ref)$"
_MAX_PARTNERS = 20
_NEGATIVE_LIMIT = 0.01


@dataclass
class Draft:
    """The mapping taking shape: YAML values with the comment that explains each guess."""

    fields: dict[str, str] = field(default_factory=dict)  # canonical field -> YAML value
    checks: dict[str, str] = field(default_factory=dict)  # field (or "# note") -> comment
    constants: dict[str, str] = field(default_factory=dict)
    segments: dict[str, str] = field(default_factory=dict)
    top: list[str] = field(default_factory=list)  # top-level lines (repeated_ids, ...)
    used: set[str] = field(default_factory=set)
    start: list[Column] = field(default_factory=list)  # the columns started_at reads
    ai_rows: np.ndarray | None = None  # which sampled rows the handler guess calls ai

    def take(self, name: str, value: str, column: Column, check: str = "") -> None:
        self.fields[name] = value
        self.used.add(column.name)
        if check:
            self.checks[name] = check


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def pick_id(columns: list[Column], draft: Draft) -> None:
    """A unique column, one named like an id first."""
    if "interaction_id" in draft.fields:
        return
    # A customer id that is unique is also the contact's id: the file has one row a customer.
    customer = draft.fields.get("customer_id")
    unique = [
        c
        for c in columns
        if c.unique and not c.is_date and (c.name not in draft.used or customer == quote(c.name))
    ]
    named = [c for c in unique if re.search(ID_NAME, c.key)]
    chosen = next(iter(named or unique), None)
    if chosen is not None:
        why = "named like an id and " if named else ""
        draft.take(
            "interaction_id",
            quote(chosen.name),
            chosen,
            f"{why}unique on all {chosen.rows:,} rows of the sample",
        )


def pick_repeated_id(columns: list[Column], draft: Draft) -> None:
    """No unique column: an event log (one row per update) or an id made of two columns."""
    if "interaction_id" in draft.fields:
        return
    candidates = [
        c
        for c in columns
        if c.name not in draft.used
        and c.filled == c.rows
        and not (c.is_date or c.time_only)
        and re.search(ID_NAME, c.key)
    ]
    candidates.sort(key=lambda c: -c.distinct)
    for column in candidates:
        same_start = _same_start_share(column, draft.start)
        if same_start >= 0.95 and column.distinct < column.rows:
            _take_event_log(column, columns, draft, same_start)
            return
        partner = _partner(column, columns, draft)
        if partner is not None:
            pair = sorted((column, partner), key=columns.index)
            joined = ", ".join(quote(c.name) for c in pair)
            draft.fields["interaction_id"] = f"{{columns: [{joined}]}}"
            draft.used.update(c.name for c in pair)
            draft.checks["interaction_id"] = (
                f"CHECK: {column.name!r} repeats ({column.distinct:,} values on {column.rows:,} "
                f"rows, with different start times), and together with {partner.name!r} it is "
                "unique: the id joins the two"
            )
            return
    draft.fields["interaction_id"] = '"?"'
    draft.checks["interaction_id"] = (
        "CHECK: no column, or pair of columns, is unique; name the contact's id"
    )


def _same_start_share(column: Column, start: list[Column]) -> float:
    """Among ids that repeat, the share whose rows all have one start: an event log's mark."""
    if not start:
        return 0.0
    moment = start[0].text
    for part in start[1:]:
        moment = pc.binary_join_element_wise(moment, part.text, " ")
    table = pa.table({"id": column.text, "at": moment})
    groups = table.group_by("id").aggregate([("at", "count_distinct"), ("id", "count")])
    repeated = pc.greater(groups["id_count"], 1)
    if not pc.any(repeated).as_py():
        return 0.0
    same = pc.and_(repeated, pc.equal(groups["at_count_distinct"], 1))
    return float(pc.sum(same).as_py() or 0) / float(pc.sum(repeated).as_py() or 1)


def _take_event_log(column: Column, columns: list[Column], draft: Draft, share: float) -> None:
    by = _update_order(columns, draft)
    rule = "{keep: last, by: " + quote(by.name) + "}" if by else "{keep: last}"
    draft.take(
        "interaction_id",
        quote(column.name),
        column,
        f"CHECK: an event log: {column.rows:,} rows hold {column.distinct:,} values of "
        f"{column.name!r}, and {share:.0%} of the repeated ones keep one start time",
    )
    ordered = f"the highest {by.name}" if by else "the last in the file"
    draft.top.append(
        f"repeated_ids: {rule}  # CHECK: the row with {ordered} stands for the contact (its "
        "latest state); the other updates are quarantined as superseded"
    )
    if by is not None:
        draft.used.add(by.name)


def _update_order(columns: list[Column], draft: Draft) -> Column | None:
    free = [c for c in columns if c.name not in draft.used and c.filled == c.rows]
    counters = [c for c in free if c.numeric and re.search(r"modcount|seq|version|revision", c.key)]
    updated = [c for c in free if c.is_date and re.search(r"updat|modif|changed", c.key)]
    return next(iter(counters + updated), None)


def _partner(column: Column, columns: list[Column], draft: Draft) -> Column | None:
    others = [
        c
        for c in columns
        if c is not column
        and c.name not in draft.used
        and c.filled == c.rows
        and not (c.is_date or c.time_only)
    ]
    for other in others[:_MAX_PARTNERS]:
        table = pa.table({"a": column.text, "b": other.text})
        counts = table.group_by(["a", "b"]).aggregate([("a", "count")])
        if counts.num_rows == table.num_rows:
            return other
    return None


def pick_start(columns: list[Column], draft: Draft, path: Path) -> None:
    """When contacts start: a date column (and a time column), or one date for a snapshot."""
    if "started_at" in draft.fields:
        draft.start = [c for c in columns if draft.fields["started_at"] == quote(c.name)]
        return
    dates = [c for c in columns if c.is_date and c.name not in draft.used]
    preferred = [c for c in dates if re.search(r"start|creat|open|receiv|begin", c.key)]
    dates = [c for c in dates if not re.search(r"purchase|birth|dob|due|expir", c.key)] or dates
    dated = [c for c in dates if re.search(r"date|time|stamp|at$", c.key)]
    chosen = next(iter(preferred or dated or dates), None)
    if chosen is None:
        day = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date().isoformat()
        draft.constants["started_at"] = quote(day)
        draft.checks["started_at"] = (
            "CHECK: no column reads as dates, so the file looks like a snapshot (one row per "
            "customer or account): every row is given the day the file was written; put the "
            "day the snapshot was taken"
        )
        return
    note = _order_note(chosen)
    if chosen.filled < chosen.rows:
        note += (
            f"; CHECK: empty on {chosen.rows - chosen.filled:,} rows of the sample, which are "
            "quarantined (a contact needs its start)"
        )
    times = [c for c in columns if c.time_only and c.name not in draft.used]
    if not chosen.dates.with_time and times:
        fmt = ""
        if chosen.yymmdd:
            seconds = any(v.count(":") == 2 for v in times[0].values)
            fmt = f', format: "%y%m%d %H:%M{":%S" if seconds else ""}"'
        draft.fields["started_at"] = (
            f"{{date: {quote(chosen.name)}, time: {quote(times[0].name)}{fmt}}}"
        )
        draft.used.update({chosen.name, times[0].name})
        draft.checks["started_at"] = (
            f"the date comes from {chosen.name!r} and the time of day from {times[0].name!r} "
            f"(the first time-of-day column). {note}"
        )
        draft.start = [chosen, times[0]]
        return
    value = quote(chosen.name)
    if chosen.yymmdd:
        value = f'{{column: {quote(chosen.name)}, format: "%y%m%d"}}'
    draft.take("started_at", value, chosen, note)
    draft.start = [chosen]
    _pick_duration(chosen, dates, draft)


def _order_note(column: Column) -> str:
    evidence = column.dates
    if column.yymmdd:
        return f"six-digit dates YYMMDD, as {column.values[0]!r} shows"
    if column.swapped:
        return "day-first text mixed with spreadsheet dates (see ambiguous_dates)"
    if evidence.day_first and evidence.month_first:
        return (
            f"CHECK: mixes day-first ({evidence.day_first!r}) and month-first "
            f"({evidence.month_first!r}) dates"
        )
    if evidence.day_first:
        return f"day-first, as {evidence.day_first!r} shows"
    if evidence.month_first:
        return f"month-first, as {evidence.month_first!r} shows"
    if evidence.ambiguous:
        return (
            f"CHECK: {evidence.ambiguous!r} reads both day-first and month-first; set "
            "date_order to the order your system writes"
        )
    return "ISO dates"


def _pick_duration(start: Column, dates: list[Column], draft: Draft) -> None:
    """A handle time from start to end, unless the end comes before the start too often."""
    ends = [c for c in dates if c is not start and re.search(r"end|clos|finish|resol", c.key)]
    if not ends:
        return
    end = ends[0]
    negative = _negative_share(start, end)
    if negative is None or negative > _NEGATIVE_LIMIT:
        share = "cannot be compared" if negative is None else f"come first on {negative:.0%}"
        draft.checks["# handle_time_s"] = (
            f"handle_time_s: CHECK: not proposed from {start.name!r} to {end.name!r}: the ends "
            f"{share} of the rows with both, so the two do not bound one contact"
        )
        return
    draft.fields["handle_time_s"] = f"{{start: {quote(start.name)}, end: {quote(end.name)}}}"
    draft.checks["handle_time_s"] = (
        f"CHECK: the time from {start.name!r} to {end.name!r} is the handle time"
    )


def _negative_share(start: Column, end: Column) -> float | None:
    day_first = any(c.dates.day_first or c.swapped for c in (start, end))
    month_first = any(c.dates.month_first for c in (start, end))
    settings: dict[str, object] = {
        "timezone": "UTC",
        "date_order": "day_first" if day_first else "month_first" if month_first else None,
        "ambiguous_dates": "swapped" if start.swapped else "as_written",
        "fields": {},
    }
    try:
        mapping = Mapping.model_validate(settings)
        first = parse_timestamps(start.text, start.name, mapping, None, "sample")
        last = parse_timestamps(end.text, end.name, mapping, None, "sample")
    except Invalid:
        return None
    both = first.valid & last.valid
    if not both.any():
        return None
    return float(np.mean(last.micros[both] < first.micros[both]))
