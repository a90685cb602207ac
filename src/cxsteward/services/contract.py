"""What every service's typed results and commands share, and the one JSON writer for them.

A result a service returns is what the API sends (its ``response_model``) and what the CLI's
``--json`` prints, written by :func:`render_json` in both places, so the two cannot drift.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter


class Result(BaseModel):
    """A service's answer: immutable, built from records or domain objects by attribute."""

    model_config = ConfigDict(frozen=True, from_attributes=True)


class Command(BaseModel):
    """A service's typed input: immutable; unknown fields are refused, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


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
