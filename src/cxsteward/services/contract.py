"""What every service's typed results and commands share, and the one JSON writer for them.

A result a service returns is what the API sends (its ``response_model``) and what the CLI's
``--json`` prints, written by :func:`render_json` in both places, so the two cannot drift.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter, WithJsonSchema


class Result(BaseModel):
    """A service's answer: immutable, built from records or domain objects by attribute."""

    model_config = ConfigDict(frozen=True, from_attributes=True)


class Command(BaseModel):
    """A service's typed input: immutable; unknown fields are refused, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# Days a record can be about: written YYYY-MM-DD, years 1900 to 2199. Lax validation would
# read 0 (or "0", as a query string brings it) as 1970-01-01, and a year 1 or 9999 breaks the
# date arithmetic of every window; the pattern says so in the OpenAPI document.
DAY_PATTERN = r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
_DAY = re.compile(DAY_PATTERN)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


def _a_day(value: object) -> object:
    if isinstance(value, str) and not _DAY.match(value):
        raise ValueError("a day is written YYYY-MM-DD, years 1900 to 2199")
    if isinstance(value, date) and not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError("a day falls in the years 1900 to 2199")
    if not isinstance(value, str | date):
        raise ValueError("a day is written YYYY-MM-DD, not as a number")
    return value


Day = Annotated[
    date,
    BeforeValidator(_a_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]
"""A day in a command: YYYY-MM-DD text (or a ``date`` from Python) in 1900-2199."""


_ANY: TypeAdapter[Any] = TypeAdapter(Any)


def jsonable(value: object) -> Any:
    """``value`` (results, lists of them, plain data) as JSON-ready Python data."""
    return _ANY.dump_python(value, mode="json")


def render_json(data: object) -> bytes:
    """JSON-ready data as the bytes the API sends and ``--json`` prints (indented, one newline)."""
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def dump_json(value: object) -> bytes:
    """A result (or a list of results) as JSON bytes: :func:`jsonable` then :func:`render_json`."""
    return render_json(jsonable(value))
