"""Reading timestamps from text, vectorized: formats, date order, swapped dates, time zones.

Numeric dates such as 04-08-2015 read two ways. A column proves its order when some value
can only be read one way (22-04-2015); when none does, the mapping must say which order
(``date_order``), and a mapping that contradicts the values is refused rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cxsteward.domain.mapping import Mapping
from cxsteward.engine.readers import LoadRefused
from cxsteward.engine.zones import first_instant
from cxsteward.errors import Problem

_GENERIC = (
    r"^(?P<a>\d{1,4})[-/.](?P<b>\d{1,2}|[A-Za-z]{3,9})[-/.](?P<c>\d{1,4})"
    r"(?:(?:[ T]+|, ?)(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2})(?P<F>[.,]\d{1,9})?)?"
    r"\s*(?P<P>[AaPp]\.?[Mm]\.?)?)?"
    r"\s*(?P<Z>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY_US = 86_400_000_000
_SAMPLE = 1000
_UNREADABLE = (
    "not a timestamp this loader can read: use ISO 8601 (2021-02-04 10:39:34), a "
    "day/month/year form, or give the field a format"
)


@dataclass
class Parsed:
    """Timestamps as UTC microseconds, with what went wrong where."""

    micros: np.ndarray
    valid: np.ndarray
    problems: list[tuple[np.ndarray, str]] = field(default_factory=list)
    swapped: np.ndarray | None = None
    note: str | None = None

    def array(self) -> pa.Array:
        values = pa.array(self.micros, pa.int64(), mask=~self.valid)
        return values.cast(pa.timestamp("us", tz="UTC"))


@dataclass
class _Parts:
    year: np.ndarray
    month: np.ndarray
    day: np.ndarray
    time_us: np.ndarray  # microseconds since midnight
    offset_us: np.ndarray  # to subtract to reach UTC
    aware: np.ndarray
    ok: np.ndarray


def parse_timestamps(
    values: pa.Array, column: str, mapping: Mapping, fmt: str | None, source: str
) -> Parsed:
    """Parse one column (text, or typed timestamps from Parquet) into UTC microseconds.

    Raises:
        LoadRefused: the date order is ambiguous and unstated, or contradicts the mapping;
            or timestamps carry no zone and the mapping names none.
    """
    n = len(values)
    present = np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool)
    note = None
    problems: list[tuple[np.ndarray, str]] = []
    typed = values if pa.types.is_timestamp(values.type) else None
    if typed is None and fmt is None:
        typed = _iso(values)
    if typed is not None and mapping.ambiguous_dates != "swapped":
        # The common case (typed Parquet, or ISO 8601 text): no components needed.
        aware = typed.type.tz is not None
        raw = typed.cast(pa.timestamp("us", tz=typed.type.tz)).cast(pa.int64())
        ok = np.asarray(pc.is_valid(raw).to_numpy(zero_copy_only=False), dtype=bool)
        micros = np.asarray(raw.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
        if not aware and ok.any():
            micros = _localize(micros, ok, mapping, column, values, source)
        return Parsed(micros, ok, [])
    if typed is not None:
        parts = _from_timestamps(typed, aware=typed.type.tz is not None)
    elif fmt is not None:
        parsed = _strptime(values, fmt)
        parts = _from_timestamps(parsed, aware="%z" in fmt)
        problems.append((present & ~parts.ok, f"does not match the format {fmt}"))
    else:
        parts, order_problem, note = _parse_text(values, column, mapping, source)
        problems.append((present & ~parts.ok & ~order_problem[0], _UNREADABLE))
        problems.append(order_problem)
    swapped = np.zeros(n, dtype=bool)
    if mapping.ambiguous_dates == "swapped":
        swapped = parts.ok & (parts.day <= 12) & (parts.month <= 12) & (parts.day != parts.month)
        parts.day, parts.month = (
            np.where(swapped, parts.month, parts.day),
            np.where(swapped, parts.day, parts.month),
        )
    micros, ok = _compose(parts)
    impossible = parts.ok & ~ok
    problems.append((impossible, "not a real date (day beyond the end of the month)"))
    micros = micros - parts.offset_us
    naive = ok & ~parts.aware
    if naive.any():
        micros = _localize(micros, naive, mapping, column, values, source)
    return Parsed(micros, ok, problems, swapped, note)


def _iso(values: pa.Array) -> pa.Array | None:
    """The whole column as timestamps when every value is plain ISO 8601, all without a zone
    or all with one (Z or an offset), else None."""
    # A cast that fails reads the whole column first: a sample picks the one to try.
    head = values.slice(0, _SAMPLE)
    for kind in (pa.timestamp("us"), pa.timestamp("us", tz="UTC")):
        try:
            head.cast(kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        try:
            return values.cast(kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
    return None


def _strptime(values: pa.Array, fmt: str) -> pa.Array:
    """Parse with an explicit format; pandas refuses impossible dates that strptime rolls over."""
    series = pd.Series(values.to_pandas(), dtype=object)
    parsed = pd.to_datetime(series, format=fmt, errors="coerce", utc="%z" in fmt)
    return pa.array(parsed.dt.as_unit("us"), from_pandas=True)


def _from_timestamps(values: pa.Array, aware: bool) -> _Parts:
    n = len(values)
    ok = np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool)
    raw = values.cast(pa.timestamp("us", tz=values.type.tz)).cast(pa.int64())
    micros = np.asarray(raw.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    days = np.floor_divide(micros, _DAY_US)
    dates = days.astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    years = months.astype("datetime64[Y]")
    return _Parts(
        year=years.astype(np.int64) + 1970,
        month=(months - years).astype(np.int64) + 1,
        day=(dates - months).astype(np.int64) + 1,
        time_us=micros - days * _DAY_US,
        offset_us=np.zeros(n, dtype=np.int64),
        aware=np.full(n, aware),
        ok=ok,
    )


def _parse_text(
    values: pa.Array, column: str, mapping: Mapping, source: str
) -> tuple[_Parts, tuple[np.ndarray, str], str | None]:
    n = len(values)
    parts = _from_timestamps(pa.nulls(n, pa.timestamp("us")), aware=False)
    rest = np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool)
    order_bad = np.zeros(n, dtype=bool)
    note = None
    if not rest.any():
        return parts, (order_bad, ""), note
    index = np.flatnonzero(rest)
    found = pc.extract_regex(values.take(pa.array(index)), _GENERIC)
    matched = np.asarray(pc.is_valid(found).to_numpy(zero_copy_only=False), dtype=bool)
    a, b_text, c = _int(found, "a"), found.field("b"), _int(found, "c")
    b = _int(found, "b")
    a_len = _len(found, "a")
    iso = matched & (a_len == 4)
    month_name = _month_number(b_text)
    named = matched & ~iso & (month_name > 0)
    numeric = matched & ~iso & (month_name == 0) & (b >= 0)
    order, order_bad_sub, note, reason = _settle_order(
        a, b, numeric, values.take(pa.array(index)), column, mapping, source
    )
    day_first = order == "day_first"
    year = np.where(iso, a, _full_year(c, _len(found, "c")))
    month = np.where(iso, b, np.where(named, month_name, np.where(day_first, b, a)))
    day = np.where(iso, c, np.where(named | day_first, a, b))
    time_us, time_ok = _time_of_day(found)
    offset, aware = _offsets(found)
    ok = matched & time_ok & (iso | named | numeric) & ~order_bad_sub
    ok &= ~iso | (_len(found, "c") <= 2)
    ok &= iso | (a_len <= 2)
    parts.year[index] = year
    parts.month[index] = month
    parts.day[index] = day
    parts.time_us[index] = time_us
    parts.offset_us[index] = offset
    parts.aware[index] = aware
    parts.ok[index] = ok & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    order_bad[index] = order_bad_sub
    return parts, (order_bad, reason), note


def _settle_order(
    first: np.ndarray,
    second: np.ndarray,
    numeric: np.ndarray,
    values: pa.Array,
    column: str,
    mapping: Mapping,
    source: str,
) -> tuple[str, np.ndarray, str | None, str]:
    """Decide day-first or month-first from the mapping and the values, or refuse."""
    day_proof = numeric & (first > 12) & (second <= 12)
    month_proof = numeric & (second > 12) & (first <= 12)
    ambiguous = numeric & (first <= 12) & (second <= 12) & (first != second)
    order = mapping.date_order
    line = mapping.line("date_order") if order else None
    note = None

    def example(mask: np.ndarray) -> str:
        return str(values[int(np.flatnonzero(mask)[0])].as_py())

    if order is None:
        if day_proof.any() and month_proof.any():
            raise LoadRefused(
                f"{source}: column {column!r} mixes day-first dates ({example(day_proof)!r}) "
                f"and month-first dates ({example(month_proof)!r}); nothing was loaded. Fix "
                "the export, or set date_order in the mapping so that the other kind is "
                "quarantined."
            )
        if day_proof.any() or month_proof.any():
            order = "day_first" if day_proof.any() else "month_first"
            proof = day_proof if day_proof.any() else month_proof
            note = (
                f"{column}: dates read {order.replace('_', '-')}, as values such as "
                f"{example(proof)!r} prove"
            )
        elif ambiguous.any():
            sample = example(ambiguous)
            raise LoadRefused(
                f"{source}: column {column!r} has dates such as {sample!r} that read both "
                "day-first and month-first, and no value settles which; nothing was loaded. "
                "Add `date_order: day_first` or `date_order: month_first` to the mapping "
                f"{mapping.origin}.",
                [Problem("ambiguous date order", source, column=column, value=sample)],
            )
        else:
            order = "day_first"
    contradicting = month_proof if order == "day_first" else day_proof
    supporting = day_proof if order == "day_first" else month_proof
    other = "month-first" if order == "day_first" else "day-first"
    if contradicting.any() and not supporting.any():
        sample = example(contradicting)
        raise LoadRefused(
            f"{source}: the mapping says date_order: {order} but column {column!r} holds "
            f"{sample!r}, which can only be {other}; nothing was loaded. Set date_order: "
            f"{other.replace('-', '_')} in {mapping.origin}"
            + (f" (line {line})." if line else "."),
            [Problem(f"a {other} date", source, column=column, value=sample)],
        )
    reason = f"cannot be a {order.replace('_', '-')} date (the mapping's date_order)"
    return order, contradicting, note, reason


def _int(found: pa.StructArray, name: str) -> np.ndarray:
    text = found.field(name)
    digits = pc.match_substring_regex(text, r"^\d+$")
    clean = pc.if_else(digits, text, pa.scalar(None, pa.string())).cast(pa.int64())
    return np.asarray(clean.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _len(found: pa.StructArray, name: str) -> np.ndarray:
    lengths = pc.utf8_length(found.field(name)).fill_null(0)
    return np.asarray(lengths.to_numpy(zero_copy_only=False), dtype=np.int64)


def _month_number(text: pa.Array) -> np.ndarray:
    prefix = pc.utf8_slice_codeunits(pc.utf8_lower(text), 0, 3)
    index = pc.index_in(prefix, value_set=pa.array(_MONTHS)).fill_null(-1)
    return np.asarray(index.to_numpy(zero_copy_only=False), dtype=np.int64) + 1


def _full_year(year: np.ndarray, digits: np.ndarray) -> np.ndarray:
    # The POSIX %y rule: 69-99 are 1969-1999, 00-68 are 2000-2068.
    short = digits == 2
    return np.where(short, np.where(year >= 69, 1900 + year, 2000 + year), year)


def _time_of_day(found: pa.StructArray) -> tuple[np.ndarray, np.ndarray]:
    hour, minute, second = _int(found, "H"), _int(found, "M"), _int(found, "S")
    fraction_text = pc.utf8_slice_codeunits(found.field("F"), 1, 7)
    padded = pc.utf8_rpad(fraction_text, 6, "0")
    fraction = _int_text(padded)
    meridiem = pc.utf8_lower(pc.replace_substring(found.field("P"), ".", ""))
    pm = np.asarray(pc.equal(meridiem, "pm").fill_null(False).to_numpy(False), dtype=bool)
    twelve = np.asarray(pc.not_equal(meridiem, "").fill_null(False).to_numpy(False), dtype=bool)
    hour = np.where(hour < 0, 0, hour)
    ok = np.where(twelve, (hour >= 1) & (hour <= 12), hour <= 23)
    hour = np.where(twelve, hour % 12 + np.where(pm, 12, 0), hour)
    minute, second, fraction = (np.where(x < 0, 0, x) for x in (minute, second, fraction))
    ok &= (minute <= 59) & (second <= 59)
    micros = ((hour * 60 + minute) * 60 + second) * 1_000_000 + fraction
    return micros, ok


def _int_text(text: pa.Array) -> np.ndarray:
    digits = pc.match_substring_regex(text, r"^\d+$")
    clean = pc.if_else(digits, text, pa.scalar(None, pa.string())).cast(pa.int64())
    return np.asarray(clean.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _offsets(found: pa.StructArray) -> tuple[np.ndarray, np.ndarray]:
    zone = found.field("Z")
    n = len(zone)
    given = np.asarray(pc.not_equal(zone, "").fill_null(False).to_numpy(False), dtype=bool)
    utc = np.asarray(
        pc.is_in(zone, value_set=pa.array(["Z", "UTC", "GMT"])).to_numpy(False), dtype=bool
    )
    numbers = pc.replace_substring(pc.utf8_slice_codeunits(zone, 1, 6), ":", "")
    hours = _int_text(pc.utf8_slice_codeunits(numbers, 0, 2))
    minutes = _int_text(pc.utf8_slice_codeunits(numbers, 2, 4))
    sign = np.where(
        np.asarray(pc.starts_with(zone, "-").fill_null(False).to_numpy(False), dtype=bool), -1, 1
    )
    offset = np.where(given & ~utc, sign * (hours * 60 + minutes) * 60_000_000, 0)
    return offset.astype(np.int64).reshape(n), given


def _compose(parts: _Parts) -> tuple[np.ndarray, np.ndarray]:
    ok = parts.ok & (parts.month >= 1) & (parts.month <= 12) & (parts.day >= 1)
    ok &= (parts.year >= 1) & (parts.year <= 9999)
    month_index = np.where(ok, (parts.year - 1970) * 12 + parts.month - 1, 0)
    months = month_index.astype("datetime64[M]")
    days = months.astype("datetime64[D]") + np.where(ok, parts.day - 1, 0)
    ok &= days.astype("datetime64[M]") == months
    micros = days.astype(np.int64) * _DAY_US + parts.time_us
    return np.where(ok, micros, 0), ok


def _localize(
    micros: np.ndarray,
    naive: np.ndarray,
    mapping: Mapping,
    column: str,
    values: pa.Array,
    source: str,
) -> np.ndarray:
    if mapping.timezone is None:
        sample = values[int(np.flatnonzero(naive)[0])].as_py()
        raise LoadRefused(
            f"{source}: timestamps in column {column!r} (such as {str(sample)!r}) carry no time "
            "zone and the mapping names none; nothing was loaded. Add `timezone: ...` to "
            f"{mapping.origin} with the zone the export was written in (an IANA name such as "
            "Europe/London, or UTC)."
        )
    if mapping.timezone in ("UTC", "Etc/UTC"):
        return micros
    index = np.flatnonzero(naive)
    local = pd.DatetimeIndex(micros[index].astype("datetime64[us]"))
    # A wall-clock time that occurs twice when clocks go back is read as the first one.
    # pandas' shift_forward moves a skipped one by an hour whatever the jump (00:05 in
    # Kathmandu on 1 January 1986, a 15-minute gap, came out after 00:20), so skipped times
    # are found as NaT and read one distinct value at a time: they are few.
    placed = local.tz_localize(
        mapping.timezone, ambiguous=np.ones(len(index), dtype=bool), nonexistent="NaT"
    )
    out = micros.copy()
    out[index] = placed.as_unit("us").asi8
    skipped = index[np.asarray(placed.isna())]
    if len(skipped):
        walls, where = np.unique(micros[skipped], return_inverse=True)
        instants = [first_instant(mapping.timezone, int(wall)) for wall in walls]
        out[skipped] = np.array(instants, dtype=np.int64)[where]
    return out


@dataclass(frozen=True)
class DateEvidence:
    """How a text column reads as dates, for suggesting a mapping."""

    share: float  # of non-empty values that read as a date
    with_time: bool
    day_first: str | None  # a value that can only be day-first
    month_first: str | None  # a value that can only be month-first
    ambiguous: str | None  # a value that reads both ways


def date_evidence(values: pa.Array) -> DateEvidence:
    """Whether a column looks like dates, and what its values say about the date order."""
    text = pc.utf8_trim_whitespace(values.cast(pa.string()))
    present = pc.and_(pc.is_valid(text), pc.not_equal(text, ""))
    text = pc.filter(text, present)
    if not len(text):
        return DateEvidence(0.0, False, None, None, None)
    found = pc.extract_regex(text, _GENERIC)
    matched = np.asarray(pc.is_valid(found).to_numpy(zero_copy_only=False), dtype=bool)
    first, second = _int(found, "a"), _int(found, "b")
    numeric = matched & (_len(found, "a") <= 2) & (second >= 0)
    with_time = bool(np.any(_len(found, "H") > 0))

    def example(mask: np.ndarray) -> str | None:
        hits = np.flatnonzero(mask)
        return str(text[int(hits[0])].as_py()) if len(hits) else None

    return DateEvidence(
        share=float(np.mean(matched)),
        with_time=with_time,
        day_first=example(numeric & (first > 12) & (second <= 12)),
        month_first=example(numeric & (second > 12) & (first <= 12)),
        ambiguous=example(numeric & (first <= 12) & (second <= 12) & (first != second)),
    )
