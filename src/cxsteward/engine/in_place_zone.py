"""Wall-clock times of a named zone to UTC, as a few look-ups in arrays of the zone's changes.

Engines name zones differently and PostgreSQL, DuckDB and Spark convert with different
rules, so the zone's changes from 1970 to 2060 are read from zoneinfo (``zones``) and
handed to the engine as numbers; outside those years, the nearest known offset applies.
Read as the load reads them: a time that occurs twice when clocks go back is the first
one, a time skipped when clocks go forward is the instant they jumped.

The expression refers to the wall-clock time a fixed, small number of times, whatever the
zone's history: engines copy a named value into every place that uses it (Spark inlines
each projection's expressions into those above it), and one CASE branch per change (~270
for Europe/London) copied that way made plans of megabytes that Spark took minutes to run.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import ibis
import ibis.expr.types as ir

from cxsteward.engine.zones import transitions

# Wall-clock time is cut into buckets of 2**43 us (about 102 days): a shift, exact on every
# engine where a division by a number is not (Spark divides bigints as doubles).
_BUCKET_BITS = 43
_NEVER = 2**62  # a wall-clock time after every other, in microseconds


@dataclass(frozen=True)
class ChangeTable:
    """A zone's changes as arrays an engine indexes, in microseconds of wall-clock time.

    Change ``i`` switches to its new offset at ``switches[i]``; before that ``offsets[i]``
    applies, and times from ``gaps[i]`` on are skipped (``gaps[i] == switches[i]`` when
    clocks go back). The last entries stand for "no change left".
    """

    base: int  # the wall-clock time where bucket 0 starts, before every switch
    passed: tuple[int, ...]  # per bucket: how many switches are at or before its start
    slots: int  # the most switches inside one bucket
    switches: tuple[int, ...]  # ascending, then ``slots`` times _NEVER
    gaps: tuple[int, ...]  # then _NEVER
    offsets: tuple[int, ...]  # then the offset after the last change


def localize(
    local: ir.IntegerValue, zone: str, name: Callable[[ir.Value], ir.Value]
) -> ir.IntegerValue:
    """UTC microseconds of ``local``, microseconds of wall-clock time in ``zone``.

    ``name`` makes a value a column of its own (``Scope.one``): an index used twice is
    then written once, not once per use with its array (PostgreSQL and DuckDB write an
    index three and two times over, to handle negative ones).
    """
    first, changes = transitions(zone)
    if not changes:
        return local - first
    table = change_table(zone)
    # Indexes are int32: Spark's element_at takes no other.
    bucket = ibis.least(ibis.greatest(local - table.base, 0) >> _BUCKET_BITS, len(table.passed) - 1)
    passed = name(_array(table.passed, "int32")[bucket.cast("int32")])
    switches = _array(table.switches)
    # The next change: the first whose new offset does not apply yet.
    upcoming = passed
    for slot in range(table.slots):
        upcoming = upcoming + (local >= switches[passed + slot]).ifelse(1, 0)
    upcoming = name(upcoming)
    # A skipped time moves to the change itself: its wall-clock time stops at the gap.
    skipped = ibis.greatest(local - _array(table.gaps)[upcoming], 0)
    return local - _array(table.offsets)[upcoming] - skipped


@cache
def change_table(zone: str) -> ChangeTable:
    """The arrays ``localize`` indexes for ``zone`` (which must have changes)."""
    first, changes = transitions(zone)
    switches = [instant + max(before, after) for instant, before, after in changes]
    gaps = [instant + before for instant, before, _ in changes]
    base = switches[0] - 1
    buckets = ((switches[-1] - base) >> _BUCKET_BITS) + 1
    starts = [base + (bucket << _BUCKET_BITS) for bucket in range(buckets)]
    passed = [bisect.bisect_right(switches, start) for start in starts]
    ends = [bisect.bisect_left(switches, start + (1 << _BUCKET_BITS)) for start in starts]
    slots = max(end - count for end, count in zip(ends, passed, strict=True))
    return ChangeTable(
        base=base,
        passed=tuple(passed),
        slots=slots,
        switches=(*switches, *[_NEVER] * slots),
        gaps=(*gaps, _NEVER),
        offsets=(first, *(after for _, _, after in changes)),
    )


def _array(values: Sequence[int], kind: str = "int64") -> ir.ArrayValue:
    return ibis.literal(list(values), f"array<{kind}>")
