"""Wall-clock times of a named zone to UTC, as one CASE over the zone's transitions.

Engines name zones differently and PostgreSQL, DuckDB and Spark convert with different
rules, so the zone's rules are read here (zoneinfo) and handed to the engine as numbers.
Read as the load reads them: a time that occurs twice when clocks go back is the first
one, a time skipped when clocks go forward moves to the first valid instant.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

import ibis
import ibis.expr.types as ir

_MICROS = 1_000_000
_FIRST_YEAR, _LAST_YEAR = 1970, 2060  # outside, the nearest known offset applies


def localize(local: ir.IntegerValue, zone: str) -> ir.IntegerValue:
    """UTC microseconds of ``local``, microseconds of wall-clock time in ``zone``."""
    first, changes = transitions(zone)
    branches: list[tuple[ir.BooleanValue, ir.IntegerValue]] = []
    for instant, before, after in reversed(changes):
        # From this wall-clock time on, the new offset applies; a gap maps to the change.
        branches.append((local >= instant + max(before, after), local - after))
        if after > before:
            branches.append((local >= instant + before, ibis.literal(instant, "int64")))
    if not branches:
        return local - first
    return ibis.cases(*branches, else_=local - first)


@cache
def transitions(zone: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The offset before the first change, and each change as (UTC instant, offset before,
    offset after), all in microseconds."""
    tz = zoneinfo.ZoneInfo(zone)
    start = dt.datetime(_FIRST_YEAR, 1, 1, tzinfo=dt.UTC)
    days = (dt.datetime(_LAST_YEAR, 1, 1, tzinfo=dt.UTC) - start).days

    def offset(moment: dt.datetime) -> int:
        found = moment.astimezone(tz).utcoffset()
        return int(found.total_seconds()) * _MICROS if found is not None else 0

    changes = []
    previous = offset(start)
    first = previous
    for day in range(1, days + 1):
        moment = start + dt.timedelta(days=day)
        current = offset(moment)
        if current == previous:
            continue
        low, high = moment - dt.timedelta(days=1), moment  # the change is in (low, high]
        while high - low > dt.timedelta(microseconds=1):
            middle = low + (high - low) / 2
            if offset(middle) == previous:
                low = middle
            else:
                high = middle
        instant = int((high - start).total_seconds()) * _MICROS + _epoch(start)
        changes.append((instant, previous, current))
        previous = current
    return first, tuple(changes)


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp()) * _MICROS
