"""What a mapping needs of a table to be applied in place, checked before any query runs."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping as AnyMapping

import ibis
import ibis.expr.datatypes as dt

from cxsteward.domain.interactions import Kind, field
from cxsteward.domain.mapping import Mapping, MappingInvalid
from cxsteward.engine.in_place_time import translate
from cxsteward.errors import Invalid, Problem

UTC_NAMES = ("UTC", "Etc/UTC")


def check_in_place(
    columns: AnyMapping[str, dt.DataType] | ibis.Schema, mapping: Mapping, source: str
) -> None:
    """Refuse a mapping that reads missing columns or asks what an engine cannot compute.

    Raises:
        MappingInvalid: every problem, each with the mapping's line and the column.
    """
    types = dict(columns.items())
    names = list(types)
    problems: list[Problem] = []

    def bad(path: tuple[str, ...], message: str, column: str | None = None) -> None:
        problems.append(Problem(message, mapping.origin, mapping.line(*path), column))

    used = mapping.columns()
    missing = [c for c in used if c not in types]
    for column in missing:
        similar = [c for c in names if c.strip().lower() == column.strip().lower()]
        suggestion = f"; did you mean {similar[0]!r}?" if similar else ""
        for path in used[column]:
            bad(
                path,
                f"{'.'.join(path)} reads a column this table does not have{suggestion}",
                column,
            )
    if mapping.sentiment_text is not None:
        bad(
            ("sentiment_text",),
            "sentiment_text is scored in Python at load and cannot be computed in place; "
            "map a precomputed score column as fields.sentiment instead",
            mapping.sentiment_text,
        )
    if mapping.ambiguous_dates == "swapped":
        bad(
            ("ambiguous_dates",),
            "swapped dates are settled from the data at load and cannot be read in place; "
            "fix the dates in the source",
        )
    for name, spec in mapping.fields.items():
        timed = field(name).kind is Kind.TIMESTAMP or spec.shape() == "start"
        if not timed:
            continue
        path = ("fields", name)
        read = [spec.start, spec.end] if spec.shape() == "start" else [spec.date or spec.column]
        for column in (c for c in read if c is not None and c in types):
            _check_timestamp(mapping, path, column, types[column], spec.format, spec.time, bad)
    if problems:
        head = (
            f"{source}: {len(missing)} of the {len(used)} columns the mapping reads are "
            f"missing; nothing was computed. Found: {_listed(names)}."
            if missing
            else f"{source}: the mapping {mapping.origin} cannot be applied in place"
        )
        raise MappingInvalid(head, problems)


def _check_timestamp(
    mapping: Mapping,
    path: tuple[str, ...],
    column: str,
    kind: dt.DataType,
    fmt: str | None,
    time: str | None,
    bad: Callable[..., None],
) -> None:
    aware = False
    if kind.is_string() or time is not None:
        if not kind.is_string():
            bad(path, "a date column joined with a time column must be text in place", column)
            return
        if fmt is None:
            bad(
                path,
                "timestamps written as text need a 'format' in place (the load infers the "
                "date order from the data, which a query cannot); add one such as "
                'format: "%Y-%m-%d %H:%M:%S"',
                column,
            )
            return
        try:
            aware = translate(fmt).aware
        except Invalid as exc:
            bad((*path, "format"), exc.message, column)
            return
    elif kind.is_timestamp():
        aware = kind.timezone is not None
    elif not kind.is_date():
        bad(path, f"a {kind} column cannot be read as timestamps", column)
        return
    if aware:
        return
    if mapping.timezone is None:
        bad(
            path,
            "timestamps carry no time zone and the mapping names none; add `timezone: UTC` "
            "(or the zone the data was written in)",
            column,
        )
    elif mapping.timezone not in UTC_NAMES:
        bad(
            ("timezone",),
            f"naive timestamps in {mapping.timezone} cannot be converted in place yet; store "
            "them in UTC or with an offset (%z)",
            column,
        )


def _listed(names: list[str]) -> str:
    return ", ".join(repr(c) for c in names[:40]) + (" ..." if len(names) > 40 else "")
