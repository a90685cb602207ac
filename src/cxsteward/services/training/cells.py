"""Reading one cell of a learning-system export: days, scores, yes/no and plain text.

Each reader returns the value or raises ``ValueError`` with what is wrong, in words the
import puts beside the file, row, column and value.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from cxsteward.domain.interactions import FALSE_WORDS, TRUE_WORDS
from cxsteward.services.contract import FIRST_DAY, LAST_DAY

# Spreadsheets run cells that start with these; text that does is refused, never stored.
FORMULA_START = ("=", "+", "-", "@")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?$")
# Two numbers then a year, in any order of day and month: 03/04/2026, 3.4.26, 03-04-2026.
_NUMERIC = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")
SHOWN_MAX = 80


def shown(value: str) -> str:
    """A cell as a message quotes it: at most ``SHOWN_MAX`` characters."""
    return value if len(value) <= SHOWN_MAX else value[:SHOWN_MAX] + "..."


def hostile(value: str) -> str | None:
    """Why a text cell may not be stored as it is, or None when it may."""
    if any(not ch.isprintable() for ch in value):
        return "holds control characters; remove them"
    if value.startswith(FORMULA_START):
        return "starts like a spreadsheet formula; remove the leading character"
    return None


def read_day(value: str, date_format: str | None) -> date:
    """A completion day from a cell, in ``date_format`` or else YYYY-MM-DD."""
    if date_format:
        try:
            day = datetime.strptime(value, date_format).date()
        except ValueError:
            raise ValueError(f"is not a day in the mapping's date_format {date_format!r}") from None
    elif _ISO.match(value):
        try:
            day = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            raise ValueError("is not a day of the calendar") from None
    elif _NUMERIC.match(value):
        raise ValueError(
            "is ambiguous (day/month or month/day?); write YYYY-MM-DD or set date_format "
            "in the mapping, e.g. %d/%m/%Y"
        )
    else:
        raise ValueError("is not a day; write YYYY-MM-DD or set date_format in the mapping")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError("falls outside the years 1900 to 2199")
    return day


def read_score(value: str) -> float:
    """A score in percent, 0 to 100 ("85" or "85%")."""
    text = value.removesuffix("%").strip()
    try:
        score = float(text)
    except ValueError:
        raise ValueError("is not a number") from None
    if not 0 <= score <= 100:
        raise ValueError("is not a percentage from 0 to 100")
    return score


def read_passed(value: str) -> bool:
    """Passed or failed, from yes/no, true/false, 1/0, pass/fail."""
    word = value.strip().lower()
    if word in TRUE_WORDS or word in ("pass", "passed"):
        return True
    if word in FALSE_WORDS or word in ("fail", "failed"):
        return False
    raise ValueError("is not yes or no (true/false, pass/fail, 1/0)")
