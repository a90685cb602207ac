"""What a file's columns hold, as the mapping suggestion needs it: fill, kinds, dates, values."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxsteward.domain.interactions import FALSE_WORDS, TRUE_WORDS
from cxsteward.engine.timestamps import DateEvidence, date_evidence

SENTINELS = ("-", "?", "NA", "N/A", "n/a", "null", "NULL", "None", "#N/A")
MAX_LISTED_VALUES = 50
_TIME_ONLY = r"^\d{1,2}[:.]\d{2}([:.]\d{2})?(\s*[AaPp][Mm])?$"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)$"
_ISO_DAY = r"^\d{4}-\d{2}-(?P<day>\d{2})"
_TEXT_DAY_FIRST = r"^(?P<day>\d{1,2})[-/.]\d{1,2}[-/.]\d{4}"
_ZERO_TIMES = ("0:00:00", "00:00:00", "0:00")


@dataclass
class Column:
    """One column of the sampled file, profiled."""

    name: str
    key: str  # lower-case letters and digits only, for name matching
    text: pa.Array  # trimmed cells, sentinels and empty cells as null
    filled: int
    distinct: int
    unique: bool
    numeric: bool
    boolean: bool
    time_only: bool
    dates: DateEvidence
    values: list[str]  # the most frequent values
    sentinels: set[str]  # null markers found in the column
    every: set[str]  # every distinct value when there are few, for spotting bots
    zero_times: int = 0  # 0:00:00 cells, which exports write for "never"
    yymmdd: bool = False  # six-digit dates such as 990801
    swapped: str | None = None  # why the dates look exchanged by a spreadsheet
    minimum: float | None = None
    maximum: float | None = None

    @property
    def is_date(self) -> bool:
        return self.yymmdd or (self.dates.share >= 0.9 and not self.numeric and not self.time_only)

    @property
    def rows(self) -> int:
        return len(self.text)


def profile(name: str, column: pa.ChunkedArray | pa.Array) -> Column:
    """Profile one column of the sample."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pa.types.is_boolean(array.type):
        array = pc.if_else(array, "true", "false")
    text = pc.utf8_trim_whitespace(array.cast(pa.string()))
    empty = pc.or_(
        pc.equal(text, ""), pc.is_in(text, value_set=pa.array(SENTINELS, pa.string()))
    ).fill_null(True)
    found = pc.filter(text, pc.and_(pc.is_valid(text), pc.is_in(text, pa.array(SENTINELS))))
    text = pc.if_else(empty, pa.scalar(None, pa.string()), text)
    real = pc.drop_null(text)
    counts = pc.value_counts(real).to_pylist()
    counts.sort(key=lambda item: -item["counts"])
    filled = len(real)
    numeric = filled > 0 and bool(pc.all(pc.match_substring_regex(real, _NUMBER)).as_py())
    lowered = set(pc.unique(pc.utf8_lower(real)).to_pylist())
    out = Column(
        name=name,
        key=re.sub(r"[^a-z0-9#]", "", name.lower()),
        text=text,
        filled=filled,
        distinct=len(counts),
        unique=filled == len(text) and len(counts) == filled,
        numeric=numeric,
        boolean=0 < len(lowered) <= 2 and lowered <= (TRUE_WORDS | FALSE_WORDS) - {"1.0", "0.0"},
        time_only=filled > 0 and bool(pc.all(pc.match_substring_regex(real, _TIME_ONLY)).as_py()),
        dates=date_evidence(real),
        values=[str(item["values"]) for item in counts[:MAX_LISTED_VALUES]],
        sentinels=set(pc.unique(found).to_pylist()),
        every={str(item["values"]) for item in counts} if len(counts) <= 1000 else set(),
    )
    if numeric:
        bounds = pc.min_max(real.cast(pa.float64()))
        out.minimum, out.maximum = bounds["min"].as_py(), bounds["max"].as_py()
        out.yymmdd = _yymmdd(real, out.key)
    if out.boolean:
        out.numeric = False
    if out.time_only:
        out.zero_times = int(pc.sum(pc.is_in(real, pa.array(_ZERO_TIMES))).as_py() or 0)
    out.swapped = _swapped(real)
    return out


def _yymmdd(real: pa.Array, key: str) -> bool:
    """Six-digit numbers that all read as YYMMDD dates, in a column named like a date."""
    if not re.search(r"date|day", key) or not len(real):
        return False
    if not pc.all(pc.match_substring_regex(real, r"^\d{6}$")).as_py():
        return False
    numbers = real.cast(pa.int64()).to_numpy()
    month, day = numbers // 100 % 100, numbers % 100
    return bool(np.all((month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)))


def _swapped(real: pa.Array) -> str | None:
    """Why a column looks like day-first text that a spreadsheet partly read month-first.

    The spreadsheet turns every value whose day is 12 or less into a real date with day and
    month exchanged (the reader writes it as ISO), and leaves days 13-31 as text. So: ISO
    values whose "day" is never above 12, beside day-first text whose day is always above 12.
    """
    iso = pc.extract_regex(real, _ISO_DAY)
    text = pc.extract_regex(real, _TEXT_DAY_FIRST)
    iso_days = pc.cast(pc.struct_field(pc.drop_null(iso), "day"), pa.int32())
    text_days = pc.cast(pc.struct_field(pc.drop_null(text), "day"), pa.int32())
    if len(iso_days) < 10 or len(text_days) < 10:
        return None
    if pc.max(iso_days).as_py() <= 12 < pc.min(text_days).as_py():
        return (
            f"{len(iso_days):,} values are spreadsheet dates whose day is never above 12, and "
            f"{len(text_days):,} are day-first text whose day is always above 12: a spreadsheet "
            "read DD-MM month-first wherever it could"
        )
    return None


def filled_share(column: Column, rows: np.ndarray) -> float:
    """The share of these rows on which the column has a value."""
    if not rows.any():
        return 0.0
    valid = np.asarray(pc.is_valid(column.text).to_numpy(zero_copy_only=False), dtype=bool)
    return float(valid[rows].mean())
