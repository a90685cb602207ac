"""Column mappings: how one real export becomes canonical interactions.

A mapping is YAML (see examples/mappings). It is validated as a whole, and every problem is
reported at once with its line in the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from cxsteward.domain.interactions import (
    FALSE_WORDS,
    FIELD_NAMES,
    FIELDS,
    HANDLERS,
    REQUIRED,
    STORE_COLUMNS,
    TRUE_WORDS,
    Kind,
    field,
    reserved_names,
)
from cxsteward.domain.yamlsource import parse_yaml, yaml_problem
from cxsteward.errors import Invalid, ProblemList

SOURCE_FORMATS = ("csv", "tsv", "parquet", "xlsx", "ods", "jsonl")
# Seconds per unit; ``h:mm:ss`` is text such as 0:04:02 (hours may exceed 24).
UNITS: dict[str, float | None] = {
    "seconds": 1.0,
    "milliseconds": 0.001,
    "minutes": 60.0,
    "hours": 3600.0,
    "h:mm:ss": None,
}
SEGMENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_SHAPES = ("column", "columns", "present", "start", "date")
_TEXT_KINDS = (Kind.STRING,)
_CELL_OPTIONS = ("map", "other", "default")
# started_at may be a constant: a snapshot (one row per customer, no contact times) has one
# date, the day it was taken. Any other timestamp differs from row to row.
TIMESTAMPS_NOT_CONSTANT = tuple(
    f.name for f in FIELDS if f.kind is Kind.TIMESTAMP and f.name != "started_at"
)


class MappingInvalid(Invalid):
    """A mapping file breaks the mapping rules; nothing was loaded."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(_Strict):
    """How to read the file; each key defaults from the file itself."""

    format: Literal["csv", "tsv", "parquet", "xlsx", "ods", "jsonl"] | None = None
    sheet: str | None = None
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    encoding: str | None = None


class FieldSpec(_Strict):
    """Where one canonical field comes from, and how its cells are read."""

    column: str | None = None
    columns: tuple[str, ...] | None = None  # several columns joined into one id
    separator: str = "-"
    # true when this column has a value; given a list, when any of them has one (a call
    # handed on is either queued or served at once)
    present: str | tuple[str, ...] | None = None
    start: str | None = None  # a duration from two timestamps
    end: str | None = None
    date: str | None = None  # a timestamp from a date column and a time column
    time: str | None = None
    format: str | None = None  # strptime format of timestamps, e.g. %d-%m-%Y %H:%M
    unit: str | None = None
    map: dict[str, str] | None = None
    other: str | None = None  # value for any non-empty cell the map does not name
    default: str | None = None  # value for an empty cell
    null_values: tuple[str, ...] = ()

    def shape(self) -> str | None:
        given = [name for name in _SHAPES if getattr(self, name) is not None]
        return given[0] if len(given) == 1 else None

    def source_columns(self) -> list[str]:
        found = [self.column, self.start, self.end, self.date, self.time]
        return [c for c in found if c is not None] + list(self.columns or ()) + self.presence()

    def presence(self) -> list[str]:
        """The columns ``present`` reads."""
        if self.present is None:
            return []
        return [self.present] if isinstance(self.present, str) else list(self.present)


class SegmentSpec(_Strict):
    """A segment column: text as written, mapped, or numbers cut into bins."""

    column: str
    map: dict[str, str] | None = None
    null_values: tuple[str, ...] = ()
    bins: tuple[float, ...] | None = None
    labels: tuple[str, ...] | None = None

    def label_for(self, index: int) -> str:
        if self.labels is not None:
            return self.labels[index]
        assert self.bins is not None
        return f"[{_num(self.bins[index])}, {_num(self.bins[index + 1])})"


class ExcludeSpec(_Strict):
    """Rows to set aside: they go to quarantine with this reason, never to the store."""

    column: str
    values: tuple[str, ...] = Field(min_length=1)
    reason: str | None = None


class RepeatedIdsSpec(_Strict):
    """Which row stands for a contact when an id repeats (an event log has one row per update).

    ``keep: first`` (the default) keeps the first row of an id in file order; ``last`` the
    last; with ``by`` the rows of an id are ordered by that column (numbers, or timestamps
    read with the mapping's date rules) first. The other rows are quarantined with the row
    that was kept, so rows read = accepted + quarantined still holds.
    """

    keep: Literal["first", "last"] = "first"
    by: str | None = None


class Mapping(_Strict):
    """A validated column mapping."""

    source: SourceSpec = SourceSpec()
    timezone: str | None = None
    date_order: Literal["day_first", "month_first"] | None = None
    ambiguous_dates: Literal["as_written", "swapped"] = "as_written"
    null_values: tuple[str, ...] = ("",)
    constants: dict[str, str] = {}
    fields: dict[str, FieldSpec]
    segments: dict[str, SegmentSpec] = {}
    exclude: tuple[ExcludeSpec, ...] = ()
    repeated_ids: RepeatedIdsSpec = RepeatedIdsSpec()
    # A regular expression whose one group takes the team out of agent_id, e.g. ^(t\d+)-
    team_from_agent: str | None = None
    # A free-text column (a ticket description, a survey verbatim) scored into `sentiment`
    # at load; the text itself is never stored.
    sentiment_text: str | None = Field(default=None, min_length=1)

    _origin: str = PrivateAttr(default="mapping")
    _lines: dict[tuple[Any, ...], int] = PrivateAttr(default_factory=dict)

    @field_validator("fields", mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: {"column": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("segments", mode="before")
    @classmethod
    def _segment_shorthand(cls, value: object) -> object:
        return cls._shorthand(value)

    @property
    def origin(self) -> str:
        return self._origin

    def line(self, *path: Any) -> int | None:
        """The line in the YAML of this key, or of the nearest enclosing one."""
        for end in range(len(path), 0, -1):
            if path[:end] in self._lines:
                return self._lines[path[:end]]
        return None

    def columns(self) -> dict[str, list[tuple[str, ...]]]:
        """Every source column the mapping reads, with the mapping keys that name it."""
        used: dict[str, list[tuple[str, ...]]] = {}
        for name, spec in self.fields.items():
            for column in spec.source_columns():
                used.setdefault(column, []).append(("fields", name))
        for name, segment in self.segments.items():
            used.setdefault(segment.column, []).append(("segments", name))
        for index, rule in enumerate(self.exclude):
            used.setdefault(rule.column, []).append(("exclude", str(index)))
        if self.repeated_ids.by is not None:
            used.setdefault(self.repeated_ids.by, []).append(("repeated_ids", "by"))
        if self.sentiment_text is not None:
            used.setdefault(self.sentiment_text, []).append(("sentiment_text",))
        return used


def parse_mapping(text: str, origin: str) -> Mapping:
    """Parse and validate a whole mapping.

    Raises:
        MappingInvalid: listing every problem with file, line and key.
    """
    problems = ProblemList()
    data, lines = _load_with_lines(text, origin, problems)
    if data is None or problems:
        raise MappingInvalid(f"{origin} is not a valid mapping", problems.items)
    if not isinstance(data, dict):
        problems.add("a mapping must be a YAML mapping with at least 'fields'", file=origin)
        raise MappingInvalid(f"{origin} is not a valid mapping", problems.items)
    mapping = _validate(data, lines, origin, problems)
    if mapping is None:
        raise MappingInvalid(f"{origin} is not a valid mapping", problems.items)
    mapping._origin = origin
    mapping._lines = lines
    for path, message, value in check_mapping(mapping):
        problems.add(
            message, file=origin, row=mapping.line(*path), column=".".join(path), value=value
        )
    if problems:
        raise MappingInvalid(f"{origin} is not a valid mapping", problems.items)
    return mapping


def _validate(
    data: dict[str, Any],  # the mapping file's YAML as read: a file boundary
    lines: dict[tuple[Any, ...], int],
    origin: str,
    problems: ProblemList,
) -> Mapping | None:
    """Validate the structure; drop what is broken and retry, so the rules still run."""
    for _ in range(5):
        try:
            return Mapping.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(str(p) for p in error["loc"])
                problems.add(
                    _pydantic_message(error),
                    file=origin,
                    row=_line(lines, loc),
                    column=".".join(loc) or None,
                )
                data = _without(data, loc)
            data.setdefault("fields", {})
    return None


def _without(data: Any, loc: tuple[str, ...]) -> Any:
    """A copy of ``data`` without the value at ``loc`` (or the nearest dict key on the way)."""
    if not loc or not isinstance(data, dict):
        return data
    copy = dict(data)
    key = loc[0]
    if key not in copy:
        return copy
    if len(loc) == 1 or not isinstance(copy[key], dict | list):
        del copy[key]
    elif isinstance(copy[key], dict):
        copy[key] = _without(copy[key], loc[1:])
    else:
        del copy[key]
    return copy


def identity_mapping(columns: list[str], origin: str) -> Mapping:
    """The mapping of a file already in the canonical schema: other columns become segments.

    Timestamps without an offset in such a file are read as UTC.
    """
    names = set(columns)
    fields = {name: {"column": name} for name in FIELD_NAMES if name in names}
    skipped = set(FIELD_NAMES) | set(STORE_COLUMNS)
    segments = {c: {"column": c} for c in columns if c not in skipped and SEGMENT_NAME.match(c)}
    data = {"timezone": "UTC", "fields": fields, "segments": segments}
    problems = ProblemList()
    for name in REQUIRED:
        if name not in names:
            problems.add(
                "without --mapping the file must use the canonical column names; "
                "this required column is missing (write a mapping, or run "
                "`cxsteward data suggest-mapping`)",
                file=origin,
                column=name,
            )
    if problems:
        raise MappingInvalid(f"{origin} is not in the canonical schema", problems.items)
    mapping = Mapping.model_validate(data)
    mapping._origin = f"{origin} (canonical column names)"
    return mapping


def mapping_json(mapping: Mapping) -> dict[str, Any]:  # JSON for the load log's column
    """The mapping as plain JSON, for the load log."""
    return mapping.model_dump(mode="json", exclude_defaults=True)


# --- rules ---------------------------------------------------------------------------------


def check_mapping(mapping: Mapping) -> list[tuple[tuple[str, ...], str, str | None]]:
    """Every rule a parsed mapping breaks, as (key path, message, value)."""
    found: list[tuple[tuple[str, ...], str, str | None]] = []

    def bad(path: tuple[str, ...], message: str, value: str | None = None) -> None:
        found.append((path, message, value))

    for name in mapping.fields:
        if name not in FIELD_NAMES:
            bad(("fields", name), f"unknown canonical field{_did_you_mean(name, FIELD_NAMES)}")
    for name, value in mapping.constants.items():
        if name not in FIELD_NAMES:
            bad(("constants", name), f"unknown canonical field{_did_you_mean(name, FIELD_NAMES)}")
        elif name == "interaction_id" or name in TIMESTAMPS_NOT_CONSTANT:
            bad(("constants", name), "cannot be a constant: it differs from row to row")
        elif name in mapping.fields:
            bad(("constants", name), "given both as a constant and in fields; keep one")
        else:
            message = value_problem(field(name).kind, value)
            if message:
                bad(("constants", name), message, value)
    for name in REQUIRED:
        if name not in mapping.fields and name not in mapping.constants:
            where = "fields" if name != "handler" else "fields (or constants)"
            bad(("fields",), f"the required field {name!r} is not mapped; add it to {where}")
    for name, spec in mapping.fields.items():
        if name in FIELD_NAMES:
            _check_field(name, spec, bad)
    for name, segment in mapping.segments.items():
        _check_segment(name, segment, bad)
    if mapping.timezone is not None:
        try:
            zoneinfo.ZoneInfo(mapping.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            bad(
                ("timezone",),
                "unknown time zone; use an IANA name such as Europe/London or UTC",
                mapping.timezone,
            )
    if mapping.sentiment_text is not None and (
        "sentiment" in mapping.fields or "sentiment" in mapping.constants
    ):
        # Two sources for one score would make it depend on which one won: refuse both.
        bad(
            ("sentiment_text",),
            "sentiment is also mapped in fields (or constants): keep one, either the score "
            "the export carries or the free text to score at load",
            mapping.sentiment_text,
        )
    if mapping.ambiguous_dates == "swapped" and mapping.date_order is None:
        bad(("ambiguous_dates",), "'swapped' needs date_order: the order the dates are written in")
    if mapping.team_from_agent is not None:
        _check_team_rule(mapping, bad)
    return found


def team_pattern(rule: str) -> re.Pattern[str]:
    """The compiled team rule; Invalid when it is no regular expression with one group."""
    try:
        pattern = re.compile(rule)
    except re.error as exc:
        raise Invalid(f"not a regular expression: {exc}") from None
    if pattern.groups != 1:
        raise Invalid(
            f"the expression has {pattern.groups} groups; it needs exactly one, the team, "
            "as in ^(t\\d+)-"
        )
    return pattern


def _check_team_rule(mapping: Mapping, bad: Any) -> None:
    rule = mapping.team_from_agent
    assert rule is not None
    path = ("team_from_agent",)
    try:
        team_pattern(rule)
    except Invalid as exc:
        bad(path, str(exc), rule)
    if "agent_id" not in mapping.fields and "agent_id" not in mapping.constants:
        bad(path, "a team rule reads agent_id, which is not mapped; map agent_id too")
    if "team" in mapping.fields or "team" in mapping.constants:
        bad(path, "the team is also mapped; keep either fields.team or team_from_agent")


def _check_field(name: str, spec: FieldSpec, bad: Any) -> None:
    kind = field(name).kind
    path = ("fields", name)
    shape = spec.shape()
    given = [s for s in _SHAPES if getattr(spec, s) is not None]
    if shape is None:
        if given:
            bad(path, f"give only one of {', '.join(given)}")
        else:
            bad(path, "say where the value comes from: column, present, start/end or date/time")
        return
    allowed = {
        "column": True,
        "columns": kind in _TEXT_KINDS,
        "present": kind is Kind.BOOL,
        "start": name == "handle_time_s",
        "date": kind is Kind.TIMESTAMP,
    }
    if not allowed[shape]:
        bad((*path, shape), f"{shape!r} cannot give {name} ({kind.value})")
    if shape == "present" and not spec.presence():
        bad((*path, "present"), "list at least one column")
    if shape == "columns" and len(spec.columns or ()) < 2:
        bad((*path, "columns"), "list at least two columns to join")
    if shape == "start" and spec.end is None:
        bad((*path, "start"), "a duration needs both start and end")
    if spec.end is not None and spec.start is None:
        bad((*path, "end"), "a duration needs both start and end")
    if spec.time is not None and spec.date is None:
        bad((*path, "time"), "'time' goes with 'date'")
    if spec.unit is not None and (name != "handle_time_s" or shape != "column"):
        bad((*path, "unit"), "'unit' applies to handle_time_s read from one column")
    if spec.unit is not None and spec.unit not in UNITS:
        bad((*path, "unit"), f"unknown unit; use one of {', '.join(UNITS)}", spec.unit)
    timestamps = kind is Kind.TIMESTAMP or shape == "start"
    if spec.format is not None:
        if not timestamps:
            bad((*path, "format"), "'format' applies to timestamps")
        elif "%" not in spec.format:
            bad(
                (*path, "format"),
                "a format uses strptime codes such as %d-%m-%Y %H:%M:%S",
                spec.format,
            )
    cell_kind = Kind.STRING if shape == "columns" else kind
    for option in _CELL_OPTIONS:
        if getattr(spec, option) is not None and (timestamps or shape == "present"):
            bad((*path, option), f"{option!r} does not apply to {name} read this way")
    for key, value in (spec.map or {}).items():
        message = value_problem(cell_kind, value)
        if message:
            bad((*path, "map", key), message, value)
    for option in ("other", "default"):
        value = getattr(spec, option)
        message = value_problem(cell_kind, value) if value is not None else None
        if message:
            bad((*path, option), message, value)


def _check_segment(name: str, segment: SegmentSpec, bad: Any) -> None:
    path = ("segments", name)
    if name in reserved_names():
        bad(path, "a segment cannot take the name of a canonical or store column; rename it")
    elif not SEGMENT_NAME.match(name):
        bad(
            path,
            "segment names are lower-case letters, digits and _ (at most 40), "
            "starting with a letter",
        )
    if segment.bins is not None:
        bins = segment.bins
        if len(bins) < 2 or any(b >= a for b, a in zip(bins, bins[1:], strict=False)):
            bad((*path, "bins"), "bins are at least two numbers in increasing order")
        elif segment.labels is not None and len(segment.labels) != len(bins) - 1:
            bad(
                (*path, "labels"),
                f"{len(bins) - 1} bins need {len(bins) - 1} labels, not {len(segment.labels)}",
            )
        if segment.map is not None:
            bad((*path, "map"), "use either map or bins")
    elif segment.labels is not None:
        bad((*path, "labels"), "labels go with bins")


def value_problem(kind: Kind, value: str) -> str | None:
    """Why this text is not a valid value of the kind, or None when it is."""
    text = value.strip().lower()
    if kind is Kind.HANDLER and text not in HANDLERS:
        return "a handler is ai or human"
    if kind is Kind.BOOL and text not in TRUE_WORDS | FALSE_WORDS:
        return "not a boolean; use true or false"
    if kind is Kind.TIMESTAMP:
        try:
            dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return "not an ISO 8601 date or time; write it as 2024-11-17 or 2024-11-17T09:00"
    if kind in (Kind.INT, Kind.FLOAT):
        try:
            number = float(text)
        except ValueError:
            return "not a number"
        if kind is Kind.INT and not number.is_integer():
            return "not a whole number"
    return None


# --- YAML with lines -----------------------------------------------------------------------


def _load_with_lines(
    text: str, origin: str, problems: ProblemList
) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML with every scalar kept as text, remembering the line of every key."""
    try:
        # BaseLoader keeps scalars as written: Y, No and 0 stay text, and the field decides.
        node, data = parse_yaml(text, yaml.BaseLoader)
    except yaml.YAMLError as exc:
        message, row = yaml_problem(exc)
        problems.add(message, file=origin, row=row)
        return None, {}
    if node is None:
        problems.add("the file is empty", file=origin)
        return None, {}
    lines: dict[tuple[Any, ...], int] = {}
    _walk(node, (), lines)
    return data, lines


def _walk(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[(*path, str(key.value))] = key.start_mark.line + 1
            _walk(value, (*path, str(key.value)), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, str(index))] = item.start_mark.line + 1
            _walk(item, (*path, str(index)), lines)


def _line(lines: dict[tuple[Any, ...], int], path: tuple[str, ...]) -> int | None:
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _pydantic_message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "missing"
    return str(error["msg"])


def _did_you_mean(name: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; the fields are {', '.join(choices)}"


def _num(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)
