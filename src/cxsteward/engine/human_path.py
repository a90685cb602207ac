"""The path to a human of one group of AI contacts, counted on the backend.

A vulnerable-customer promise is judged on a handful of groups (a deployment's contacts in
one segment value), so each is one small filtered aggregation rather than cells: the
promised seconds differ per deployment, and a share within N seconds does not add up from
cells built for another N. The median is taken in numpy from the group's recorded times,
which every backend can return (no backend quantile; see ``cxsteward.engine.quantiles``).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np

from cxsteward.domain.governance.vulnerable import PromiseCounts
from cxsteward.engine.backend import fetch_arrow
from cxsteward.engine.cell_table import in_days

TIME = "time_to_human_s"


def human_path_counts(
    table: ir.Table,
    deployment: str,
    column: str,
    value: str,
    within_s: float | None,
    day_from: int | None = None,
    day_to: int | None = None,
) -> PromiseCounts:
    """Counts of the AI contacts of ``deployment`` whose ``column`` is ``value``.

    A contact is alone when both ``escalated`` and ``offered_human`` are recorded and
    neither is true; it is timed when its time to a human is recorded, or when it was alone
    (no human came: not in time). Without ``within_s`` nothing is in time.
    """
    if column not in table.columns:
        return PromiseCounts(0, 0, 0, 0, 0, 0, 0, None)
    rows = in_days(table, day_from, day_to)
    rows = rows.filter(
        (rows.handler == "ai")
        & (rows.deployment == deployment)
        & (rows[column].cast("string") == value)
    )
    escalated, offered = rows.escalated, rows.offered_human
    seconds = rows[TIME].cast("float64")
    known = escalated.notnull() & offered.notnull()
    alone = known & ~escalated & ~offered
    limit = ibis.literal(-1.0 if within_s is None else float(within_s))
    counts = rows.aggregate(
        contacts=rows.count(),
        alone_n=rows.count(where=known),
        alone=rows.count(where=alone),
        offered_n=offered.count(),
        offered=rows.count(where=offered),
        timed_n=rows.count(where=seconds.notnull() | alone),
        within=rows.count(where=seconds <= limit),
    )
    got = {k: int(v or 0) for k, v in fetch_arrow(counts).to_pylist()[0].items()}
    times = fetch_arrow(rows.filter(seconds.notnull()).select(t=seconds))["t"].to_numpy()
    return PromiseCounts(
        contacts=got["contacts"],
        alone_n=got["alone_n"],
        alone=got["alone"],
        offered_n=got["offered_n"],
        offered=got["offered"],
        timed_n=got["timed_n"],
        within=got["within"],
        median_s=float(np.median(times)) if times.size else None,
    )
