"""Load-level data-quality rules: a jump in a column's null rate, or in a load's quarantine or
duplicate rate, against the load before it.

"The load before" is the newest earlier load that shares a deployment with it (or, for loads
that name no deployment, the newest earlier such load), so that two feeds loaded in turn are
each compared with themselves. Only the newest load of each deployment is judged: a jump
that later loads repaired is history, not a finding. A rise is *confirmed* when its Newcombe
95% interval lies wholly above the limit and *suspected* when only the estimate does, as for
thresholds (a handful of rows cannot confirm anything).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import numpy as np

from cxsteward.domain.monitoring.findings import Finding, Trace
from cxsteward.domain.monitoring.quality_rules import (
    NO_DEPLOYMENT,
    DataQualityRules,
    quality_finding,
)
from cxsteward.domain.stats import newcombe_difference

Rule = Literal["null_rate", "quarantine_rate", "duplicate_rate"]


@dataclass(frozen=True)
class LoadFacts:
    """What the load log records of one load, as the load-level rules need it."""

    load_id: int
    source: str
    loaded_at: datetime
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    duplicates: int
    # Share of accepted rows without a value, per mapped field or segment column.
    null_rates: dict[str, float]
    deployments: frozenset[str]

    def label(self) -> str:
        return f"load {self.load_id} ({self.source}, {self.loaded_at:%Y-%m-%d})"


def load_pairs(loads: list[LoadFacts]) -> list[tuple[LoadFacts, LoadFacts, str]]:
    """(previous, newest, deployments) for the newest load of each deployment."""
    ordered = sorted(loads, key=lambda load: load.load_id)
    groups: dict[str, list[LoadFacts]] = {}
    for load in ordered:
        for deployment in load.deployments or {NO_DEPLOYMENT}:
            groups.setdefault(deployment, []).append(load)
    pairs: dict[tuple[int, int], list[str]] = {}
    by_id = {load.load_id: load for load in ordered}
    for deployment, chain in sorted(groups.items()):
        if len(chain) >= 2:
            pairs.setdefault((chain[-2].load_id, chain[-1].load_id), []).append(deployment)
    return [(by_id[a], by_id[b], ", ".join(names)) for (a, b), names in sorted(pairs.items())]


def load_jumps(loads: list[LoadFacts], rules: DataQualityRules) -> list[Finding]:
    """Every null-rate, quarantine-rate and duplicate-rate jump of the newest loads."""
    found: list[Finding] = []
    for before, after, deployment in load_pairs(loads):
        for column in sorted(set(before.null_rates) & set(after.null_rates)):
            x0 = round(before.null_rates[column] * before.rows_accepted)
            x1 = round(after.null_rates[column] * after.rows_accepted)
            finding = _jump(
                "null_rate",
                column,
                (x0, before.rows_accepted),
                (x1, after.rows_accepted),
                before,
                after,
                deployment,
                rules,
            )
            found += finding
        rates: tuple[tuple[Rule, tuple[int, int]], ...] = (
            ("quarantine_rate", (before.rows_quarantined, after.rows_quarantined)),
            ("duplicate_rate", (before.duplicates, after.duplicates)),
        )
        for rule, counts in rates:
            found += _jump(
                rule,
                "rows",
                (counts[0], before.rows_read),
                (counts[1], after.rows_read),
                before,
                after,
                deployment,
                rules,
            )
    return found


_WHAT = {
    "null_rate": "the share of rows without {column}",
    "quarantine_rate": "the share of rows quarantined",
    "duplicate_rate": "the share of rows quarantined as duplicate ids",
}
_HINT = {
    "null_rate": "the export may have dropped or renamed the column, or the mapping broke",
    "quarantine_rate": "`cxsteward data quarantine LOAD` lists the rows and their reasons",
    "duplicate_rate": "the export may overlap one already loaded",
}


def _jump(
    rule: Rule,
    column: str,
    old: tuple[int, int],
    new: tuple[int, int],
    before: LoadFacts,
    after: LoadFacts,
    deployment: str,
    rules: DataQualityRules,
) -> list[Finding]:
    if old[1] <= 0 or new[1] <= 0:
        return []
    limit: float = getattr(rules, f"{rule}_jump")
    result = newcombe_difference(new[0], new[1], old[0], old[1])
    rise, low, high = float(result.estimate), float(result.low), float(result.high)
    if not rise > limit:
        return []
    status: Literal["confirmed", "suspected"] = "confirmed" if low > limit else "suspected"
    what = _WHAT[rule].format(column=column)
    p0, p1 = old[0] / old[1], new[0] / new[1]
    message = (
        f"In {deployment}, {what} rose from {p0:.1%} in {before.label()} to {p1:.1%} in "
        f"{after.label()}: {rise * 100:+.1f} points (95% CI {low * 100:+.1f} to "
        f"{high * 100:+.1f}), {status}; {_HINT[rule]}: rule {rule}, limit "
        f"+{limit * 100:g} points."
    )
    return [
        quality_finding(
            rule=rule,
            metric=column,
            deployment=deployment,
            windows={"before": before.label(), "after": after.label()},
            estimate={"before": p0, "after": p1},
            n={"before": old[1], "after": new[1]},
            effect={"difference": rise},
            ci=(low, high),
            p_value=float(np.clip(result.p_value, 0.0, 1.0)),
            rule_text=(
                f"{rule}: a rise of more than {limit * 100:g} points against the load before "
                f"({rules.source(rule)}); confirmed when the 95% interval lies above it"
            ),
            severity=getattr(rules, f"{rule}_severity").value,
            status=status,
            message=message,
            # A row filter names one deployment; several sharing a load name none.
            trace=Trace(
                deployment=None if deployment == NO_DEPLOYMENT or ", " in deployment else deployment
            ),
        )
    ]
