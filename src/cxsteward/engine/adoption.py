"""The staff-adoption counts: human contacts per deployment, team, agent and week, with how
many an AI assistant made a suggestion on and how many of those the agent overrode."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cxsteward.engine.backend import fetch_arrow

# Days since 1970-01-01 (a Thursday) to the Monday that starts their ISO week.
_MONDAY_SHIFT = 3
BASIS_COLUMN = "ai_assisted"
BASIS_OVERRIDE = "override_recorded"


def assist_basis(table: ir.Table, day_from: int | None, day_to: int | None) -> str:
    """``ai_assisted`` when some human contact of the window records it, else
    ``override_recorded`` (a recorded override decision is the evidence of a suggestion)."""
    human = _window(table, day_from, day_to)
    known = fetch_arrow(human.aggregate(k=human.ai_assisted.count())).to_pylist()[0]["k"]
    return BASIS_COLUMN if known else BASIS_OVERRIDE


def adoption_counts(
    table: ir.Table, basis: str, day_from: int | None, day_to: int | None
) -> pa.Table:
    """Counts per deployment, team, agent_id and week (its Monday's day number).

    ``human`` human contacts; ``unknown`` those whose assistance is not recorded (left out
    of both rates); ``assisted`` those with a suggestion; ``overridden`` those assisted
    whose agent overrode it; ``recorded`` those assisted whose human_override is filled.
    """
    human = _window(table, day_from, day_to)
    if basis == BASIS_COLUMN:
        assisted = human.ai_assisted.fill_null(False)
        unknown = human.ai_assisted.isnull()
    else:
        assisted = human.human_override.notnull()
        unknown = ibis.literal(False)
    overridden = assisted & human.human_override.fill_null(False)
    week = human.day - (human.day + _MONDAY_SHIFT) % 7
    grouped = human.mutate(
        week=week.cast("int64"),
        # CASE rather than a cast: PostgreSQL casts no boolean to bigint.
        _assisted=_count(assisted),
        _unknown=_count(unknown),
        _overridden=_count(overridden),
        _recorded=_count(assisted & human.human_override.notnull()),
    )
    result = grouped.group_by(["deployment", "team", "agent_id", "week"]).aggregate(
        human=grouped.count(),
        unknown=grouped._unknown.sum(),
        assisted=grouped._assisted.sum(),
        overridden=grouped._overridden.sum(),
        recorded=grouped._recorded.sum(),
    )
    return fetch_arrow(result)


def _count(flag: ir.BooleanValue) -> ir.IntegerValue:
    """1 where ``flag`` holds, else 0, on every backend."""
    return flag.ifelse(1, 0).cast("int64")


def _window(table: ir.Table, day_from: int | None, day_to: int | None) -> ir.Table:
    human = table.filter(table.handler == "human")
    if day_from is not None:
        human = human.filter(human.day >= day_from)
    if day_to is not None:
        human = human.filter(human.day <= day_to)
    return human
