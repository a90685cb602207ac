"""A named zone's rules, read from zoneinfo: when its offset changed, and which instant a
wall-clock time is read as.

The rule, for the load and the in-place reading alike: a wall-clock time is the first
instant at which the zone's clocks show it or a later time. A time that occurs twice when
clocks go back is the first one; a time skipped when they go forward is the instant they
jumped, whatever the size of the jump (30 minutes on Lord Howe Island, a whole day in Samoa
at the end of 2011).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

_MICROS = 1_000_000
_DAY = 86_400 * _MICROS
_FIRST_YEAR, _LAST_YEAR = 1970, 2060
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_WALL_EPOCH = dt.datetime(1970, 1, 1)


def first_instant(zone: str, wall: int) -> int:
    """UTC microseconds of ``wall``, microseconds of wall-clock time in ``zone``, by the rule
    above. Exact for any year, where ``transitions`` covers 1970 to 2060."""
    tz = zoneinfo.ZoneInfo(zone)
    local = _WALL_EPOCH + dt.timedelta(microseconds=wall)
    # Fold 0 reads a time with the offset in force before the change next to it: the first
    # of a repeated time; for a skipped one, an instant after the jump.
    before = _micros(local.replace(tzinfo=tz).utcoffset())
    after = _micros(local.replace(tzinfo=tz, fold=1).utcoffset())
    if before >= after:
        return wall - before
    # Skipped: the clocks jumped after ``wall - after`` and at ``wall - before`` at the latest.
    return _change(tz, wall - after, wall - before)


@cache
def transitions(zone: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The offset before the first change, and each change from 1970 to 2060 as (UTC instant,
    offset before, offset after), all in microseconds."""
    tz = zoneinfo.ZoneInfo(zone)
    start = _instant(dt.datetime(_FIRST_YEAR, 1, 1, tzinfo=dt.UTC))
    end = _instant(dt.datetime(_LAST_YEAR, 1, 1, tzinfo=dt.UTC))
    changes = []
    previous = first = _offset(tz, start)
    for moment in range(start + _DAY, end + 1, _DAY):
        current = _offset(tz, moment)
        if current != previous:
            changes.append((_change(tz, moment - _DAY, moment), previous, current))
            previous = current
    return first, tuple(changes)


def _change(tz: zoneinfo.ZoneInfo, low: int, high: int) -> int:
    """The first instant in (low, high] whose offset is not the one at ``low`` (there is one)."""
    previous = _offset(tz, low)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(tz, middle) == previous:
            low = middle
        else:
            high = middle
    return high


def _offset(tz: zoneinfo.ZoneInfo, instant: int) -> int:
    return _micros((_EPOCH + dt.timedelta(microseconds=instant)).astimezone(tz).utcoffset())


def _micros(offset: dt.timedelta | None) -> int:
    # zoneinfo's offsets are whole seconds; dividing timedeltas makes ``transitions`` a
    # third slower.
    return (offset.days * 86_400 + offset.seconds) * _MICROS if offset is not None else 0


def _instant(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)
