"""A mapping applied in place: canonical rows as Ibis expressions over an external table.

Nothing is copied: ``map_in_place`` returns two expressions on the table's own engine, the
rows that pass every check of the load (ingest.py) and one line per problem of the others,
with the load's reasons. What cannot be expressed on an engine is refused beforehand by
``check_in_place``, with the mapping line to change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from cxsteward.domain.interactions import FIELDS
from cxsteward.domain.mapping import Mapping
from cxsteward.engine.backend import fetch_arrow
from cxsteward.engine.in_place_check import check_in_place
from cxsteward.engine.in_place_rows import Mapper, keep
from cxsteward.engine.in_place_time import with_instants

__all__ = [
    "InPlace",
    "RejectedExample",
    "RejectedGroup",
    "check_in_place",
    "map_in_place",
    "rejected_summary",
]

REJECTED_COLUMNS = ("row", "interaction_id", "field", "column", "value", "reason")


@dataclass(frozen=True)
class InPlace:
    """The canonical rows that pass every check, and one line per (failing row, problem)."""

    table: ir.Table
    rejected: ir.Table  # row, interaction_id, field, column, value, reason


@dataclass(frozen=True)
class RejectedExample:
    row: int | None
    interaction_id: str | None
    value: str | None


@dataclass(frozen=True)
class RejectedGroup:
    """How many lines share a (field, column, reason), with a few of them."""

    field: str
    column: str | None
    reason: str
    count: int
    examples: tuple[RejectedExample, ...]


def map_in_place(
    raw: ir.Table,
    mapping: Mapping,
    *,
    source: str,
    order: str | None = None,
    now: dt.datetime | None = None,
) -> InPlace:
    """The mapping's canonical rows over ``raw``, computed by ``raw``'s engine.

    ``order`` names a column holding each row's position in the source (a row number): it
    breaks ties between repeated ids as file order does at load, and identifies rejected
    rows (without it, the earliest start breaks ties, and ``row`` is null). ``now`` is the
    instant after which a timestamp is in the future (default: now).

    Raises:
        MappingInvalid: columns are missing, or the mapping asks what cannot be done in place.
    """
    raw = with_instants(raw)
    check_in_place(raw.schema(), mapping, source)
    moment = now or dt.datetime.now(dt.UTC)
    mapper = Mapper(raw, mapping, source, moment)
    wide = mapper.wide(order)
    segments = list(mapping.segments)
    canonical = [f.name for f in FIELDS]
    valid = keep(wide, ~wide["_cx_excluded"] & ~wide["_cx_flagged"])
    keys = [valid.deployment, valid.interaction_id]
    # Without ``order`` a table has no file order: the start time decides, then the engine.
    rank = [valid["_cx_rank"], valid["_cx_row"], valid.started_at]
    last = mapping.repeated_ids.keep == "last"
    window = ibis.window(group_by=keys, order_by=[r.desc() if last else r.asc() for r in rank])
    ranked = valid.mutate(
        _cx_position=ibis.row_number().over(window),
        _cx_kept=valid["_cx_row"].first().over(window),
    )
    table = ranked.filter(ranked["_cx_position"] == 0).select(*canonical, *segments)
    lines = mapper.rejected_lines(wide)
    lines.append(_duplicates(ranked, mapping, order is not None, mapper.id_column))
    rejected = lines[0].union(*lines[1:]) if len(lines) > 1 else lines[0]
    return InPlace(table, rejected)


def _duplicates(ranked: ir.Table, mapping: Mapping, numbered: bool, column: str | None) -> ir.Table:
    repeated = mapping.repeated_ids
    kept = ranked["_cx_kept"].cast("string")
    if repeated.by is None and repeated.keep == "first":
        reason = (
            "duplicate interaction_id: row " + kept + " has the same id and was kept"
            if numbered
            else ibis.literal("duplicate interaction_id: another row has the same id and was kept")
        )
    else:
        rule = f"repeated_ids: keep {repeated.keep}" + (f" by {repeated.by}" if repeated.by else "")
        reason = (
            "another row of this contact stands for it: row " + kept + f" ({rule})"
            if numbered
            else ibis.literal(f"another row of this contact stands for it ({rule})")
        )
    dropped = ranked.filter(ranked["_cx_position"] > 0)
    return dropped.select(
        row=dropped["_cx_row"],
        interaction_id=dropped["_cx_id"],
        field=ibis.literal("interaction_id"),
        column=ibis.literal(column, "string"),
        value=dropped["_cx_id"],
        reason=reason if isinstance(reason, ir.Value) else ibis.literal(reason),
    ).select(*REJECTED_COLUMNS)


def rejected_summary(rejected: ir.Table, *, sample: int = 5) -> list[RejectedGroup]:
    """Each (field, column, reason) with its count and up to ``sample`` example lines, in
    two queries on the engine (never a fetch of every line)."""
    group = ["field", "column", "reason"]
    counts = fetch_arrow(rejected.group_by(group).aggregate(count=rejected.count())).to_pylist()
    window = ibis.window(group_by=group, order_by=["row", "interaction_id", "value"])
    numbered = rejected.mutate(_cx_n=ibis.row_number().over(window))
    examples = fetch_arrow(numbered.filter(numbered["_cx_n"] < sample).drop("_cx_n"))
    found: dict[tuple[str | None, ...], list[RejectedExample]] = {}
    for line in examples.to_pylist():
        key = (line["field"], line["column"], line["reason"])
        found.setdefault(key, []).append(
            RejectedExample(line["row"], line["interaction_id"], line["value"])
        )
    out = [
        RejectedGroup(
            c["field"],
            c["column"],
            c["reason"],
            int(c["count"]),
            tuple(sorted(found.get((c["field"], c["column"], c["reason"]), []), key=_example_key)),
        )
        for c in counts
    ]
    return sorted(out, key=lambda g: (-g.count, g.field, g.column or "", g.reason))


def _example_key(example: RejectedExample) -> tuple[int, str, str]:
    return (example.row or 0, example.interaction_id or "", example.value or "")
