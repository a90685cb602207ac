"""Timestamps as Ibis expressions: strptime formats read the same way on every engine.

Engines disagree on date parsing (DuckDB's strptime raises on 31-02, Spark wants Java
patterns, PostgreSQL's to_timestamp rolls impossible dates over). So a format becomes one
regular expression whose groups are the date's parts, and the instant is computed from
them with integer arithmetic: only regex matching, substrings and arithmetic reach the
engine, which DuckDB, Spark and PostgreSQL all do alike.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from cxsteward.engine.in_place_zone import localize
from cxsteward.errors import Invalid

UTC = dt.Timestamp(timezone="UTC")
UTC_NAMES = ("UTC", "Etc/UTC")
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MICROS = 1_000_000
# strptime directive -> (regular expression of its text, the part it gives)
_DIRECTIVES: dict[str, tuple[str, str]] = {
    "Y": (r"(\d{4})", "year"),
    "y": (r"(\d{2})", "year2"),
    "m": (r"(\d{1,2})", "month"),
    "d": (r"(\d{1,2})", "day"),
    "H": (r"(\d{1,2})", "hour"),
    "I": (r"(\d{1,2})", "hour12"),
    "M": (r"(\d{1,2})", "minute"),
    "S": (r"(\d{1,2})", "second"),
    "f": (r"(\d{1,6})", "fraction"),
    "p": (r"(am|pm)", "meridiem"),
    "b": ("(" + "|".join(m[:3] for m in MONTH_NAMES) + ")", "month_name"),
    "B": ("(" + "|".join(MONTH_NAMES) + ")", "month_name"),
    "z": (r"(z|[+-]\d{2}:?\d{2})", "offset"),
}
SUPPORTED = "".join(f"%{d} " for d in _DIRECTIVES).strip() + " %%"


@dataclass(frozen=True)
class Pattern:
    """A strptime format as a regular expression and the part each group gives."""

    regex: str
    parts: tuple[str, ...]

    @property
    def aware(self) -> bool:
        return "offset" in self.parts


def translate(fmt: str) -> Pattern:
    """The regular expression of a strptime format, matched against lower-case text.

    Raises:
        Invalid: the format uses a directive that has no equivalent here.
    """
    regex, parts = ["^"], []
    index = 0
    while index < len(fmt):
        char = fmt[index]
        if char == "%":
            code = fmt[index + 1 : index + 2]
            if code == "%":
                regex.append("%")
            elif code in _DIRECTIVES:
                text, part = _DIRECTIVES[code]
                if part in parts:
                    raise Invalid(f"the format {fmt!r} gives %{code} twice")
                regex.append(text)
                parts.append(part)
            else:
                raise Invalid(
                    f"the format {fmt!r} uses %{code}, which cannot be read in place; "
                    f"the codes that can are {SUPPORTED}"
                )
            index += 2
            continue
        regex.append(_literal(char))
        index += 1
    regex.append("$")
    return Pattern("".join(regex), tuple(parts))


def _literal(char: str) -> str:
    # Written so that RE2 (DuckDB), Java (Spark) and POSIX (PostgreSQL) read it alike.
    if char.isspace():
        return r"\s+"  # as strptime: a space in the format matches any run of spaces
    if char.isalnum():
        return char.lower()
    if char in "]\\^-":
        return "\\" + char
    return f"[{char}]"


@dataclass(frozen=True)
class Stamp:
    """An instant as an Ibis expression: a UTC timestamp, and microseconds since 1970 for
    arithmetic (durations, the future check); ``ok`` is false where the text did not read."""

    value: ir.TimestampValue
    micros: ir.IntegerValue
    ok: ir.BooleanValue


class Scope:
    """A table that grows one projection at a time, so that a value used many times is
    computed once and referred to by name: inlined, a parsed timestamp would repeat its
    regular expressions thousands of times in the SQL."""

    def __init__(self, table: ir.Table) -> None:
        self.table = table
        self.prefix = "_cx_"
        while any(c.startswith(self.prefix) for c in table.columns):
            self.prefix = "_" + self.prefix
        self.count = 0

    def let(self, *values: ir.Value) -> list[ir.Value]:
        """``values`` as columns of one new projection."""
        names = [f"{self.prefix}{self.count + i}" for i in range(len(values))]
        self.count += len(values)
        columns: dict[str, ir.Value] = dict(zip(names, values, strict=True))
        if self.table.get_backend().name == "postgres":
            # PostgreSQL pulls plain subqueries up into their parent, which inlines every
            # named value where it is used (5 MB of SQL and minutes for 2,000 rows). It keeps
            # a subquery that computes a window function as its own step.
            columns[f"{self.prefix}step{self.count}"] = ibis.row_number().over()
        self.table = self.table.mutate(**columns)
        return [self.table[name] for name in names]

    def one(self, value: ir.Value) -> ir.Value:
        return self.let(value)[0]


def parse(text: ir.StringValue, pattern: Pattern, scope: Scope, zone: str) -> Stamp:
    """Read trimmed text with a translated format; offsets (%z) are applied, naive times
    are read in ``zone``."""
    lowered = text.lower()
    matched = lowered.re_search(pattern.regex)
    groups = [lowered.re_extract(pattern.regex, i + 1) for i in range(len(pattern.parts))]
    matched, *found = scope.let(matched, *(matched.ifelse(g, ibis.null("string")) for g in groups))

    def group(name: str) -> ir.StringValue:
        return found[pattern.parts.index(name)]

    def part(name: str, default: int) -> ir.IntegerValue:
        if name not in pattern.parts:
            return ibis.literal(default, "int64")
        return group(name).cast("int64")

    year = part("year", 1900)
    if "year2" in pattern.parts:
        short = part("year2", 0)
        year = (short >= 69).ifelse(1900 + short, 2000 + short)  # the POSIX %y rule
    month = part("month", 1)
    if "month_name" in pattern.parts:
        prefix = group("month_name").substr(0, 3)
        month = ibis.cases(
            *((prefix == name[:3], number) for number, name in enumerate(MONTH_NAMES, 1)),
            else_=ibis.null("int64"),
        )
    day = part("day", 1)
    hour = part("hour", 0)
    ok = matched & (hour <= 23)
    if "hour12" in pattern.parts:
        twelve = part("hour12", 0)
        ok = matched & (twelve >= 1) & (twelve <= 12)
        pm = group("meridiem") == "pm" if "meridiem" in pattern.parts else ibis.literal(False)
        hour = twelve % 12 + pm.ifelse(12, 0)
    minute, second = part("minute", 0), part("second", 0)
    fraction = ibis.literal(0, "int64")
    if "fraction" in pattern.parts:
        fraction = group("fraction").rpad(6, "0").cast("int64")
    offset = ibis.literal(0, "int64")
    if pattern.aware:
        written = group("offset")
        digits = written.replace(":", "")
        sign = written.startswith("-").ifelse(-1, 1)
        minutes = digits.substr(1, 2).cast("int64") * 60 + digits.substr(3, 2).cast("int64")
        offset = (written == "z").ifelse(0, sign * minutes)
    year, month, day, hour, ok = scope.let(year, month, day, hour, ok)
    ok = ok & (month >= 1) & (month <= 12) & (day >= 1) & (day <= _month_days(year, month))
    ok = (ok & (minute <= 59) & (second <= 59) & (year >= 1)).fill_null(False)
    seconds = _civil_days(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
    ok, total = scope.let(ok, (seconds - offset * 60) * _MICROS + fraction)
    if not pattern.aware and zone not in UTC_NAMES:
        total = scope.one(localize(total, zone, scope.one))
    micros = scope.one(ok.ifelse(total, ibis.null("int64")))
    return Stamp(scope.one(from_micros(micros)), micros, ok)


def native(column: ir.TimestampValue | ir.DateValue, zone: str, scope: Scope) -> Stamp:
    """A typed timestamp (or date) column: naive values are read in ``zone``."""
    value = column.cast("timestamp") if isinstance(column, ir.DateValue) else column
    # Parts are read on the naive value: engines disagree on extracting from zoned ones.
    naive = value.cast(dt.Timestamp()) if value.type().timezone is not None else value
    # From the calendar parts, not the epoch: DuckDB and PostgreSQL give the epoch with its
    # fraction (a cast rounds it up past .5 s), Spark truncates it towards 1970. Spark
    # extracts no microseconds: milliseconds are the common precision.
    days = _civil_days(
        naive.year().cast("int64"), naive.month().cast("int64"), naive.day().cast("int64")
    )
    clock = naive.hour().cast("int64") * 3600 + naive.minute().cast("int64") * 60
    seconds = days * 86_400 + clock + naive.second().floor().cast("int64")
    micros = seconds * _MICROS + naive.millisecond().cast("int64") * 1000
    if value.type().timezone is None and zone not in UTC_NAMES:
        micros = scope.one(localize(scope.one(micros), zone, scope.one))
        return Stamp(from_micros(micros), micros, value.notnull())
    return Stamp(value.cast(UTC), micros, value.notnull())


def with_instants(raw: ir.Table) -> ir.Table:
    """``raw`` with Spark's TIMESTAMP columns typed as UTC instants.

    Spark's TIMESTAMP is an instant (a zoned Parquet column reads as one) and its
    TIMESTAMP_NTZ a wall-clock time, but ibis calls both naive: read as naive, an instant
    would be moved by the mapping's zone. Other engines' types say it themselves.
    """
    con = raw.get_backend()
    if con.name != "pyspark":
        return raw
    from pyspark.sql.types import TimestampType

    schema = con._session.sql(con.compile(raw)).schema  # analysed, not run
    zoned = [f.name for f in schema.fields if type(f.dataType) is TimestampType]
    return raw.mutate(**{name: raw[name].cast(UTC) for name in zoned}) if zoned else raw


def from_micros(micros: ir.IntegerValue) -> ir.TimestampValue:
    """The UTC timestamp of microseconds since 1970."""
    seconds = micros // _MICROS
    rest = micros - seconds * _MICROS  # never negative, unlike % on some engines
    # An interval added to 1970 rather than to_timestamp: ibis compiles no epoch
    # conversion for PostgreSQL.
    epoch = ibis.literal(datetime.datetime(1970, 1, 1), "timestamp")
    return (epoch + seconds.as_interval("s") + rest.as_interval("us")).cast(UTC)


def _civil_days(
    year: ir.IntegerValue, month: ir.IntegerValue, day: ir.IntegerValue
) -> ir.IntegerValue:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil)."""
    y = year - (month <= 2).ifelse(1, 0)
    era = y // 400
    year_of_era = y - era * 400
    shifted = (month > 2).ifelse(month - 3, month + 9)
    day_of_year = (153 * shifted + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def _month_days(year: ir.IntegerValue, month: ir.IntegerValue) -> ir.IntegerValue:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return ibis.cases(
        (month == 2, leap.ifelse(29, 28)),
        (month.isin([4, 6, 9, 11]), 30),
        else_=31,
    )
