"""What every service's typed results and commands share, and the one JSON writer for them.

A result a service returns is what the API sends (its ``response_model``) and what the CLI's
``--json`` prints, written by :func:`render_json` in both places, so the two cannot drift.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter


class Result(BaseModel):
    """A service's answer: immutable, built from records or domain objects by attribute."""

    model_config = ConfigDict(frozen=True, from_attributes=True)


class Command(BaseModel):
    """A service's typed input: immutable; unknown fields are refused, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _not_a_number(value: object) -> object:
    # Lax validation would read 0 as 1970-01-01: a day must be written as one.
    if isinstance(value, int | float):
        raise ValueError("a day is written YYYY-MM-DD, not as a number")
    return value


Day = Annotated[date, BeforeValidator(_not_a_number)]
"""A day in a command: YYYY-MM-DD text (or a ``date`` from Python), never a number."""


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
