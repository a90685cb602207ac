"""The metric catalogue (DESIGN section 4) and its roll-up from cells to windows, in numpy.

The engine's one heavy pass produces a *cell table*: additive statistics per slice, day,
handler, deployment and model version (the column names are defined here). Every window is a
sum of cells, so this module never sees a contact: it sums cells into windows and turns the
sums into estimates, each with the counts behind it.

Handle time is summarised two ways: n / sum / sum of squares for the mean; and sums of
``log(1 + x)`` and its square for Welch on the log scale (``log1p`` keeps contacts of 0 s,
which a plain log would turn into -inf; the ratio it yields is that of geometric means of
``x + 1`` seconds, indistinguishable from the plain ratio at handle times of minutes). Its
median and p90 are not sums, so no cell holds them: the engine computes them exactly for the
windows that report them (``cxsteward.engine.quantiles``) and ``metric_rows`` takes them as
``HandleTimeQuantiles``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypedDict

import numpy as np
from numpy.typing import NDArray

from cxsteward.domain.interactions import BOOL_FIELDS, HANDLERS
from cxsteward.errors import Invalid, NotFound

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
ObjectArray = NDArray[np.object_]
Slice = tuple[str, ...]

KEY_COLUMNS = ("day", "handler", "deployment", "model_version")
SLICE_COLUMN = "slice"
OVERALL = "overall"
SLICE_SEPARATOR = "×"
# A contact with no value (or a blank one) in a slice's column: a level of its own, never
# merged into the overall scope.
MISSING_LEVEL = "(missing)"
# ai_assisted is read per agent by the adoption query (services/monitoring/adoption.py); the
# cell table, and every run stored before it existed, keep their columns.
FLAGS = tuple(f for f in BOOL_FIELDS if f != "ai_assisted")
SATISFIED_FROM = 4  # top-2-box: a CSAT of 4 or 5
# The handle-time quantiles reported beside the mean: the median and the p90.
QUANTILES = (0.5, 0.9)

N = "n"
CSAT_N, CSAT_SATISFIED, CSAT_SUM, CSAT_SUMSQ = "csat_n", "csat_satisfied", "csat_sum", "csat_sumsq"
HANDLE_N, HANDLE_SUM, HANDLE_SUMSQ = "handle_time_n", "handle_time_sum", "handle_time_sumsq"
HANDLE_LOG_SUM, HANDLE_LOG_SUMSQ = "handle_time_log1p_sum", "handle_time_log1p_sumsq"
# Repeat contacts count only contacts with a customer id: the others cannot be followed.
REPEAT_N, REPEAT_TRUE = "repeat_contact_n", "repeat_contact_true"
# Handled by the AI alone: neither escalated nor offered a human. Counted only where both
# flags are recorded, so an export without ``offered_human`` never reads as "alone".
AI_ALONE_N, AI_ALONE_TRUE = "ai_alone_n", "ai_alone_true"
# Sentiment (-1 to 1) counts only contacts with a score: blank text is no score, not 0.
SENTIMENT_N, SENTIMENT_SUM, SENTIMENT_SUMSQ = "sentiment_n", "sentiment_sum", "sentiment_sumsq"


def flag_n(flag: str) -> str:
    """Cell column counting contacts where ``flag`` is known (true or false)."""
    return f"{flag}_n"


def flag_true(flag: str) -> str:
    """Cell column counting contacts where ``flag`` is true."""
    return f"{flag}_true"


STAT_COLUMNS: tuple[str, ...] = (
    N,
    *(name for f in FLAGS for name in (flag_n(f), flag_true(f))),
    *(CSAT_N, CSAT_SATISFIED, CSAT_SUM, CSAT_SUMSQ),
    *(HANDLE_N, HANDLE_SUM, HANDLE_SUMSQ, HANDLE_LOG_SUM, HANDLE_LOG_SUMSQ),
    *(REPEAT_N, REPEAT_TRUE),
    *(AI_ALONE_N, AI_ALONE_TRUE),
    *(SENTIMENT_N, SENTIMENT_SUM, SENTIMENT_SUMSQ),
)
# Sums of real values; every other statistic is a count.
SUM_COLUMNS = frozenset(
    {HANDLE_SUM, HANDLE_SUMSQ, HANDLE_LOG_SUM, HANDLE_LOG_SUMSQ, SENTIMENT_SUM, SENTIMENT_SUMSQ}
)


def slice_name(columns: Slice) -> str:
    """``overall`` for the empty slice, else the columns joined by ``×`` (region×tier)."""
    return SLICE_SEPARATOR.join(columns) if columns else OVERALL


class MetricKind(StrEnum):
    COUNT = "count"
    RATE = "rate"
    MEAN = "mean"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    HIGHER_IS_WORSE = "higher_is_worse"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class MetricSpec:
    """One catalogue metric: which cell columns it reads and how it is judged by default."""

    name: str
    kind: MetricKind
    description: str
    n: str
    direction: Direction
    min_n: int
    successes: str | None = None
    total: str | None = None
    total_sq: str | None = None
    log_total: str | None = None
    log_total_sq: str | None = None
    handlers: tuple[str, ...] = HANDLERS
    unit: str = "share"


BETTER, WORSE = Direction.HIGHER_IS_BETTER, Direction.HIGHER_IS_WORSE


def _rate(
    name: str, n: str, successes: str, text: str, direction: Direction, min_n: int = 30
) -> MetricSpec:
    return MetricSpec(name, MetricKind.RATE, text, n, direction, min_n, successes=successes)


def _flag(name: str, flag: str, text: str, direction: Direction, min_n: int = 30) -> MetricSpec:
    return _rate(name, flag_n(flag), flag_true(flag), text, direction, min_n)


# fmt: off
CATALOGUE: tuple[MetricSpec, ...] = (
    MetricSpec("contacts", MetricKind.COUNT, "Number of contacts.", N, Direction.NEUTRAL, 1,
               unit="contacts"),
    _flag("first_contact_resolution", "resolved_first_contact",
          "Share of contacts resolved without another contact.", BETTER),
    MetricSpec("average_handle_time", MetricKind.MEAN, "Mean handle time in seconds.", HANDLE_N,
               WORSE, 30, total=HANDLE_SUM, total_sq=HANDLE_SUMSQ, log_total=HANDLE_LOG_SUM,
               log_total_sq=HANDLE_LOG_SUMSQ, unit="seconds"),
    _rate("csat_satisfied_rate", CSAT_N, CSAT_SATISFIED,
          "Share of surveyed contacts with CSAT 4 or 5 (top-2-box).", BETTER),
    MetricSpec("csat_mean", MetricKind.MEAN, "Mean CSAT (1-5) over surveyed contacts.", CSAT_N,
               BETTER, 30, total=CSAT_SUM, total_sq=CSAT_SUMSQ, unit="score 1-5"),
    # Complaints are rare (a few percent): fewer than 100 contacts rarely hold one.
    _flag("complaint_rate", "complaint", "Share of contacts that led to a complaint.", WORSE,
          min_n=100),
    _flag("escalation_rate", "escalated",
          "Share of contacts handed to a human or a higher tier.", WORSE),
    replace(_flag("override_rate", "human_override",
                  "Share of AI contacts a human reversed or corrected.", WORSE),
            handlers=("ai",)),
    replace(_flag("disclosure_rate", "ai_disclosed",
                  "Share of AI contacts told that AI was involved.", BETTER),
            handlers=("ai",)),
    _rate("repeat_contact_rate", REPEAT_N, REPEAT_TRUE,
          "Share of contacts (with a customer id) followed by another contact of the same "
          "customer within the repeat window.", WORSE),
    replace(_flag("offered_human_rate", "offered_human",
                  "Share of AI contacts whose customer was offered a human.",
                  Direction.NEUTRAL),
            handlers=("ai",)),
    replace(_rate("ai_alone_rate", AI_ALONE_N, AI_ALONE_TRUE,
                  "Share of AI contacts neither escalated nor offered a human (handled by "
                  "the AI alone).", Direction.NEUTRAL),
            handlers=("ai",)),
    MetricSpec("sentiment_mean", MetricKind.MEAN,
               "Mean customer sentiment (-1 to 1) over contacts with a score.", SENTIMENT_N,
               BETTER, 30, total=SENTIMENT_SUM, total_sq=SENTIMENT_SUMSQ, unit="score -1 to 1"),
)
# fmt: on
METRIC_NAMES = tuple(m.name for m in CATALOGUE)
# What a reader calls each metric, in headlines and charts (a plural noun for a rate of events).
LABELS = {
    "contacts": "Contacts",
    "first_contact_resolution": "Resolution",
    "average_handle_time": "Handle time",
    "csat_satisfied_rate": "Satisfied customers",
    "csat_mean": "Average CSAT",
    "complaint_rate": "Complaints",
    "escalation_rate": "Escalations",
    "override_rate": "Overrides",
    "disclosure_rate": "AI disclosure",
    "repeat_contact_rate": "Repeat contacts",
    "offered_human_rate": "Offered a human",
    "ai_alone_rate": "Handled by the AI alone",
    "sentiment_mean": "Sentiment",
}


def metric_label(name: str) -> str:
    """The catalogue metric's name in plain words ("Complaints" for complaint_rate)."""
    return LABELS.get(name, name.replace("_", " ").capitalize())


def metric(name: str) -> MetricSpec:
    """The catalogue metric of that name."""
    for spec in CATALOGUE:
        if spec.name == name:
            return spec
    raise NotFound(f"No metric {name!r}; the catalogue has: {', '.join(METRIC_NAMES)}")


class Window(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO week, Monday to Sunday
    MONTH = "month"
    ALL = "all"  # the whole range of the cells


_EPOCH = _dt.date(1970, 1, 1)


def day_number(value: _dt.date) -> int:
    """Days since 1970-01-01: the store's ``day`` column."""
    return (value - _EPOCH).days


def day_date(number: int) -> _dt.date:
    """The calendar date of a ``day`` number."""
    return _EPOCH + _dt.timedelta(days=int(number))


def window_start(days: IntArray, window: Window) -> IntArray:
    """The first day of the window holding each day."""
    days = np.asarray(days, dtype=np.int64)
    if window is Window.DAY:
        return days
    if window is Window.WEEK:
        # 1970-01-01 was a Thursday: shifting by 3 makes every week index start on a Monday.
        return np.asarray((days + 3) // 7 * 7 - 3, dtype=np.int64)
    if window is Window.MONTH:
        months = days.astype("datetime64[D]").astype("datetime64[M]")
        return months.astype("datetime64[D]").astype(np.int64)
    first = int(days.min()) if days.size else 0
    return np.full(days.shape, first, dtype=np.int64)


def window_end(starts: IntArray, window: Window, last_day: int | None = None) -> IntArray:
    """The last day (inclusive) of windows starting on ``starts``; ALL ends on ``last_day``."""
    starts = np.asarray(starts, dtype=np.int64)
    if window is Window.DAY:
        return starts
    if window is Window.WEEK:
        return starts + 6
    if window is Window.MONTH:
        following = starts.astype("datetime64[D]").astype("datetime64[M]") + 1
        return following.astype("datetime64[D]").astype(np.int64) - 1
    if last_day is None:
        last_day = int(starts.max()) if starts.size else 0
    return np.full(starts.shape, last_day, dtype=np.int64)


def window_label(start: int, end: int, window: Window) -> str:
    """2024-03-05, 2024-W10, 2024-03, or 2024-01-01..2024-06-30 for ALL."""
    first = day_date(start)
    if window is Window.DAY:
        return first.isoformat()
    if window is Window.WEEK:
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    if window is Window.MONTH:
        return f"{first:%Y-%m}"
    return f"{first.isoformat()}..{day_date(end).isoformat()}"


@dataclass(frozen=True, eq=False)
class CellTable:
    """The engine's cells as numpy columns; a segment is None where not part of the slice."""

    slice: ObjectArray
    day: IntArray
    handler: ObjectArray
    deployment: ObjectArray
    model_version: ObjectArray
    segments: Mapping[str, ObjectArray]
    stats: Mapping[str, FloatArray]

    def __post_init__(self) -> None:
        missing = [c for c in STAT_COLUMNS if c not in self.stats]
        if missing:
            raise Invalid(f"the cell table lacks statistics: {', '.join(missing)}")
        size = len(self.slice)
        columns = [self.day, self.handler, self.deployment, self.model_version]
        columns += [*self.segments.values(), *self.stats.values()]
        if any(len(c) != size for c in columns):
            raise Invalid("the cell table's columns differ in length")

    def __len__(self) -> int:
        return len(self.slice)


@dataclass(frozen=True, eq=False)
class WindowTotals:
    """Cells summed per window, slice, segment values, deployment, handler (and version)."""

    window: Window
    start: IntArray
    end: IntArray
    slice: ObjectArray
    deployment: ObjectArray
    handler: ObjectArray
    model_version: ObjectArray | None
    segments: Mapping[str, ObjectArray]
    stats: Mapping[str, FloatArray]

    def __len__(self) -> int:
        return len(self.slice)


def roll_up(cells: CellTable, window: Window, *, by_model_version: bool = False) -> WindowTotals:
    """Sum the cells into windows per slice value, deployment and handler (and version).

    Groups come out sorted by slice (in the order first seen), segment values (a missing
    value last), deployment, handler, model version, then window start.
    """
    starts = window_start(cells.day, window)
    names = list(cells.segments)
    labels = [cells.slice, *(cells.segments[s] for s in names), cells.deployment, cells.handler]
    if by_model_version:
        labels.append(cells.model_version)
    factors = [_factor(cells.slice, by_first_seen=True), *(_factor(c) for c in labels[1:])]
    days, day_codes = np.unique(starts, return_inverse=True)
    codes = np.column_stack([*(f[0] for f in factors), day_codes.astype(np.int64)])
    order = np.lexsort(codes.T[::-1]) if len(cells) else np.zeros(0, dtype=np.int64)
    ordered = codes[order]
    changes = np.r_[True, (ordered[1:] != ordered[:-1]).any(axis=1)] if len(cells) else []
    first = np.flatnonzero(changes)
    matrix = np.column_stack([np.asarray(cells.stats[c], np.float64) for c in STAT_COLUMNS])
    if len(first):
        sums = np.add.reduceat(matrix[order], first, axis=0)
    else:
        sums = np.zeros((0, len(STAT_COLUMNS)))
    group_codes = ordered[first]
    values = [
        _objects([levels[i] for i in group_codes[:, k]]) for k, (_, levels) in enumerate(factors)
    ]
    start = np.asarray(days[group_codes[:, -1]], dtype=np.int64)
    last = int(cells.day.max()) if len(cells) else None
    return WindowTotals(
        window=window,
        start=start,
        end=window_end(start, window, last),
        slice=values[0],
        segments={s: values[1 + i] for i, s in enumerate(names)},
        deployment=values[1 + len(names)],
        handler=values[2 + len(names)],
        model_version=values[3 + len(names)] if by_model_version else None,
        stats={c: np.asarray(sums[:, i], dtype=np.float64) for i, c in enumerate(STAT_COLUMNS)},
    )


def _factor(values: ObjectArray, *, by_first_seen: bool = False) -> tuple[IntArray, list[object]]:
    """An integer code per value, numbered in sort order (None last) or in order first seen."""
    items = values.tolist()
    levels: list[object] = list(dict.fromkeys(items))
    if not by_first_seen:
        levels.sort(key=lambda v: (v is None, "" if v is None else str(v)))
    index = {level: i for i, level in enumerate(levels)}
    return np.fromiter((index[v] for v in items), dtype=np.int64, count=len(items)), levels


def _objects(values: Sequence[object]) -> ObjectArray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


@dataclass(frozen=True, eq=False)
class MetricValues:
    """One metric over every group of a roll-up: its estimate and the counts behind it.

    ``estimate`` is NaN where the metric does not apply (a handler it excludes) or has no
    observations; ``sufficient`` is False there and wherever n is below the metric's minimum.
    """

    spec: MetricSpec
    applicable: BoolArray
    n: FloatArray
    estimate: FloatArray
    sufficient: BoolArray
    successes: FloatArray | None = None
    total: FloatArray | None = None
    total_sq: FloatArray | None = None
    log_total: FloatArray | None = None
    log_total_sq: FloatArray | None = None


def metric_values(totals: WindowTotals, spec: MetricSpec) -> MetricValues:
    """The estimate of ``spec`` with its counts, for every group of ``totals``."""
    applicable = np.isin(totals.handler.astype(str), spec.handlers)
    stats = totals.stats
    n = np.where(applicable, stats[spec.n], 0.0)

    def pick(column: str | None) -> FloatArray | None:
        return None if column is None else np.where(applicable, stats[column], 0.0)

    successes, total = pick(spec.successes), pick(spec.total)
    numerator = n if spec.kind is MetricKind.COUNT else (successes if total is None else total)
    if numerator is None:  # a spec names neither successes nor a total
        raise Invalid(f"metric {spec.name} names no numerator column")
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = numerator if spec.kind is MetricKind.COUNT else numerator / n
    usable = applicable & (n > 0)
    return MetricValues(
        spec=spec,
        applicable=applicable,
        n=n,
        estimate=np.where(usable, estimate, np.nan),
        sufficient=usable & (n >= spec.min_n),
        successes=successes,
        total=total,
        total_sq=pick(spec.total_sq),
        log_total=pick(spec.log_total),
        log_total_sq=pick(spec.log_total_sq),
    )


# A roll-up group: window start (day number), slice, the slice's segment values in its column
# order, deployment, handler, model version (None unless split by version).
GroupKey = tuple[int, str, tuple[str | None, ...], str | None, str, str | None]


@dataclass(frozen=True)
class HandleTimeQuantiles:
    """The exact median and p90 of the handle times of one group, and how many there are.

    Exact as numpy's default (linear) method has it: at rank q x (n - 1) among the sorted
    times, interpolated between the two nearest contacts. No bound to carry, no bin edge.
    """

    n: int
    median: float
    p90: float


def group_key(totals: WindowTotals, i: int) -> GroupKey:
    """The key of group ``i`` of ``totals``, as the engine's quantiles are keyed."""
    name = str(totals.slice[i])
    columns = () if name == OVERALL else name.split(SLICE_SEPARATOR)
    version = None if totals.model_version is None else _text(totals.model_version[i])
    return (
        int(totals.start[i]),
        name,
        tuple(_text(totals.segments[c][i]) for c in columns),
        _text(totals.deployment[i]),
        str(totals.handler[i]),
        version,
    )


def _checked_quantiles(
    totals: WindowTotals, i: int, quantiles: Mapping[GroupKey, HandleTimeQuantiles]
) -> HandleTimeQuantiles | None:
    """The group's quantiles, refused when they count other contacts than its mean does."""
    found = quantiles.get(group_key(totals, i))
    counted = 0 if found is None else found.n
    timed = int(totals.stats[HANDLE_N][i])
    if counted != timed:
        group = _group(totals, i)
        where = [group["window_label"], group["slice"]]
        where += [f"{c}={v}" for c, v in group["segment"].items()]
        where += [f"deployment {group['deployment']}", group["handler"]]
        where += [f"model version {v}" for v in [group["model_version"]] if v is not None]
        raise Invalid(
            f"The handle-time quantiles of {' · '.join(where)} rest on {counted} contacts "
            f"where its mean rests on {timed}: the contacts changed between the two queries "
            "(was data being loaded?). Run the command again."
        )
    return found


@dataclass(frozen=True)
class MetricRow:
    """One metric for one window, slice value, deployment and handler, with its counts.

    ``segment`` maps each column of the slice to its value (None: the contact had none).
    """

    metric: str
    window: str
    window_start: _dt.date
    window_end: _dt.date
    window_label: str
    slice: str
    segment: dict[str, str | None]
    deployment: str | None
    handler: str
    model_version: str | None
    n: int
    estimate: float | None
    sufficient: bool
    min_n: int
    successes: int | None = None
    total: float | None = None
    total_sq: float | None = None
    log_total: float | None = None
    log_total_sq: float | None = None
    median: float | None = None
    p90: float | None = None


def metric_rows(
    totals: WindowTotals,
    specs: Sequence[MetricSpec] = CATALOGUE,
    quantiles: Mapping[GroupKey, HandleTimeQuantiles] | None = None,
) -> list[MetricRow]:
    """Every metric of ``specs`` for every group of ``totals`` whose handler it applies to.

    Groups without observations are kept (n = 0, no estimate): nothing is dropped silently.
    Handle time carries the median and p90 of ``quantiles`` (the engine's, per group); none
    without them.

    Raises:
        Invalid: a group's quantiles count other contacts than its cells.
    """
    values = [metric_values(totals, spec) for spec in specs]
    rows: list[MetricRow] = []
    for i in range(len(totals)):
        group = _group(totals, i)
        found = None if quantiles is None else _checked_quantiles(totals, i, quantiles)
        for v in values:
            if v.applicable[i]:
                quantile = found if v.spec.log_total is not None else None
                rows.append(
                    MetricRow(
                        metric=v.spec.name,
                        **group,
                        n=int(v.n[i]),
                        estimate=_number(v.estimate, i),
                        sufficient=bool(v.sufficient[i]),
                        min_n=v.spec.min_n,
                        successes=None if v.successes is None else int(v.successes[i]),
                        total=_number(v.total, i),
                        total_sq=_number(v.total_sq, i),
                        log_total=_number(v.log_total, i),
                        log_total_sq=_number(v.log_total_sq, i),
                        median=None if quantile is None else quantile.median,
                        p90=None if quantile is None else quantile.p90,
                    )
                )
    return rows


class _Group(TypedDict):
    """The fields of a MetricRow that name its group (the same for every metric of it)."""

    window: str
    window_start: _dt.date
    window_end: _dt.date
    window_label: str
    slice: str
    segment: dict[str, str | None]
    deployment: str | None
    handler: str
    model_version: str | None


def _group(totals: WindowTotals, i: int) -> _Group:
    start, end, name = int(totals.start[i]), int(totals.end[i]), str(totals.slice[i])
    columns = () if name == OVERALL else name.split(SLICE_SEPARATOR)
    version = None if totals.model_version is None else _text(totals.model_version[i])
    return _Group(
        window=totals.window.value,
        window_start=day_date(start),
        window_end=day_date(end),
        window_label=window_label(start, end, totals.window),
        slice=name,
        segment={c: _text(totals.segments[c][i]) for c in columns},
        deployment=_text(totals.deployment[i]),
        handler=str(totals.handler[i]),
        model_version=version,
    )


def parse_slice(text: str) -> Slice:
    """``region`` or a pair written ``region×tier``, ``region*tier`` or ``region,tier``."""
    for separator in ("*", ","):
        text = text.replace(separator, SLICE_SEPARATOR)
    columns = tuple(part.strip() for part in text.split(SLICE_SEPARATOR))
    if not all(columns):
        raise Invalid(f"{text!r} is not a segment column or a pair like region×tier")
    return () if columns == (OVERALL,) else columns


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _number(values: FloatArray | None, i: int) -> float | None:
    if values is None or not np.isfinite(values[i]):
        return None
    return float(values[i])
