"""Data-quality findings of a monitoring run: is the data fit to be judged at all?

A gate that passes over stale, missing or broken data is worse than no gate: these rules
turn the usual failures of a feed into findings with a severity that ``--fail-on`` honours.
Run-level rules live here (stale feed, volume drop or spike, empty window, a metric recorded
for one handler only); the load-level ones (null, quarantine and duplicate rates between
loads) in :mod:`cxsteward.domain.monitoring.load_quality`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from cxsteward.domain.metrics import OVERALL, CellTable, day_date, day_number
from cxsteward.domain.monitoring.findings import Finding, Trace, at_or_above
from cxsteward.domain.monitoring.load_quality import LoadFacts, load_jumps
from cxsteward.domain.monitoring.quality_rules import (
    NO_DEPLOYMENT,
    DataQualityRules,
    quality_finding,
)
from cxsteward.domain.stats.volume import judge_volume

ALL_DEPLOYMENTS = "(all)"
ONE_HANDLER_RULE = "a metric must be recorded for both handlers to be compared"


@dataclass(frozen=True)
class RunWindow:
    """What the run was asked to look at, and the day it ran."""

    today: date
    date_from: date | None = None
    date_to: date | None = None

    @property
    def reference(self) -> date:
        """The day a feed's age is counted against: today, or an earlier end of the window."""
        return min(self.today, self.date_to) if self.date_to else self.today

    def label(self) -> str:
        if self.date_from is None and self.date_to is None:
            return "every day loaded"
        start = self.date_from.isoformat() if self.date_from else "the first contact"
        end = self.date_to.isoformat() if self.date_to else "the newest contact"
        return f"{start} to {end}"


@dataclass(frozen=True)
class DailyCounts:
    """Contacts per day of one deployment and handler, overall (no segment)."""

    deployment: str
    handler: str
    days: np.ndarray  # sorted day numbers with at least one contact
    counts: np.ndarray


def daily_counts(cells: CellTable) -> list[DailyCounts]:
    """Contacts per (deployment, handler) and day, from the overall cells only."""
    mask = cells.slice == OVERALL
    deployment = np.array([_deployment(d) for d in cells.deployment[mask]], dtype=object)
    handler = cells.handler[mask].astype(str)
    days = cells.day[mask].astype(np.int64)
    n = cells.stats["n"][mask]
    out: list[DailyCounts] = []
    for dep, hand in sorted(set(zip(deployment.tolist(), handler.tolist(), strict=True))):
        rows = (deployment == dep) & (handler == hand)
        unique, index = np.unique(days[rows], return_inverse=True)
        out.append(DailyCounts(dep, hand, unique, np.bincount(index, weights=n[rows])))
    return out


def data_quality_findings(
    cells: CellTable,
    loads: list[LoadFacts],
    rules: DataQualityRules,
    window: RunWindow,
    earlier: list[Finding],
) -> list[Finding]:
    """``earlier`` with the one-handler findings given their severity, plus every new one."""
    series = daily_counts(cells)
    contacts = int(sum(s.counts.sum() for s in series))
    found = [_with_severity(f, rules) for f in earlier]
    if contacts < rules.empty_window_min_contacts:
        found.append(_empty_window(contacts, window, rules))
    found += stale_feeds(series, window, rules)
    found += volume_changes(series, rules)
    found += load_jumps(loads, rules)
    return found


def stale_feeds(
    series: list[DailyCounts], window: RunWindow, rules: DataQualityRules
) -> list[Finding]:
    """One finding per deployment whose newest contact is older than the limit."""
    newest: dict[str, int] = {}
    totals: dict[str, int] = {}
    for s in series:
        newest[s.deployment] = max(newest.get(s.deployment, -(10**9)), int(s.days.max()))
        totals[s.deployment] = totals.get(s.deployment, 0) + int(s.counts.sum())
    reference = window.reference
    against = "today" if reference == window.today else "the end of the window (--to)"
    found: list[Finding] = []
    for deployment, day in sorted(newest.items()):
        age = day_number(reference) - day
        if age <= rules.stale_feed_days:
            continue
        last = day_date(day).isoformat()
        found.append(
            quality_finding(
                rule="stale_feed",
                metric="contacts",
                deployment=deployment,
                windows={"newest": last, "reference": reference.isoformat()},
                estimate={"age_days": float(age)},
                n={"contacts": totals[deployment]},
                effect={"age_days": float(age)},
                rule_text=(
                    f"stale_feed: the newest contact may be at most {rules.stale_feed_days} "
                    f"days older than {against} ({rules.source('stale_feed')})"
                ),
                severity=rules.stale_feed_severity.value,
                message=(
                    f"The newest contact of {deployment} is {age:,} days old ({last}, against "
                    f"{against}, {reference.isoformat()}); the feed looks stale: rule "
                    f"stale_feed, limit {rules.stale_feed_days} days. Load the latest export."
                ),
                trace=Trace(deployment=_trace_deployment(deployment), day_from=last, day_to=last),
            )
        )
    return found


def volume_changes(series: list[DailyCounts], rules: DataQualityRules) -> list[Finding]:
    """Deployments and handlers whose newest days' volume left its trailing range."""
    if not series:
        return []
    end = max(int(s.days.max()) for s in series)
    recent_days, trailing_days = rules.volume_recent_days, rules.volume_trailing_days
    first_recent = end - recent_days + 1
    found: list[Finding] = []
    for s in series:
        start = max(first_recent - trailing_days, int(s.days.min()))
        # Days without a contact are zeros, but only once the deployment had started.
        trailing = np.zeros(max(first_recent - start, 0))
        inside = (s.days >= start) & (s.days < first_recent)
        trailing[s.days[inside] - start] = s.counts[inside]
        recent = int(s.counts[s.days >= first_recent].sum())
        check = judge_volume(trailing, recent, recent_days, rules.volume_alpha)
        if check is None:
            continue
        tail = rules.volume_alpha / 2
        dropped = check.p_low < tail and check.change < -rules.volume_min_change
        spiked = check.p_high < tail and check.change > rules.volume_min_change
        if not (dropped or spiked):
            continue
        span = (
            day_date(end).isoformat()
            if recent_days == 1
            else f"{day_date(first_recent).isoformat()}..{day_date(end).isoformat()}"
        )
        who = "the AI" if s.handler == "ai" else f"{s.handler} agents"
        lower, upper = check.limits(rules.volume_alpha)
        edge = (
            f"the lowest total within normal variation is {lower}"
            if dropped
            else f"the highest total within normal variation is {upper}"
        )
        found.append(
            quality_finding(
                rule="volume",
                metric="contacts",
                deployment=s.deployment,
                scope={"handler": s.handler},
                windows={
                    "trailing": f"{day_date(start).isoformat()}.."
                    f"{day_date(first_recent - 1).isoformat()}",
                    "recent": span,
                },
                estimate={"recent": float(check.observed), "expected": check.expected},
                n={"recent": check.observed, "trailing": int(trailing.sum())},
                effect={"change": check.change, "dispersion": check.dispersion},
                p_value=min(1.0, 2 * min(check.p_low, check.p_high)),
                ci=(float(lower), float(upper)),
                rule_text=(
                    f"volume: the total of the newest {recent_days} day(s) against the "
                    f"{len(trailing)} days before, over-dispersed Poisson, false-alarm rate "
                    f"{rules.volume_alpha:g}, at least {rules.volume_min_change:.0%} off "
                    f"({rules.source('volume')})"
                ),
                severity=rules.volume_severity.value,
                message=(
                    f"Contacts handled by {who} in {s.deployment}: {check.observed} on {span} "
                    f"against {check.expected:.0f} expected from the {len(trailing)} days "
                    f"before ({check.change:+.0%}, a {'drop' if dropped else 'spike'}); {edge} "
                    f"(rule volume, false-alarm rate {rules.volume_alpha:g}, over-dispersion "
                    f"{check.dispersion:.1f})."
                ),
                trace=Trace(
                    deployment=_trace_deployment(s.deployment),
                    handlers=[s.handler],
                    day_from=day_date(first_recent).isoformat(),
                    day_to=day_date(end).isoformat(),
                ),
            )
        )
    return found


def gate_reasons(findings: list[Finding], fail_on: str | None) -> list[str]:
    """Why a run fails its gate; empty when it passes.

    A run over an empty window always fails: it checked nothing. Otherwise, with
    ``fail_on``, a confirmed breach or data-quality finding at that severity or worse fails.
    """
    reasons: list[str] = []
    for f in findings:
        if f.kind == "data_quality" and f.threshold == "empty_window":
            reasons.append(f"the monitoring window is empty ({f.severity}): {f.message}")
        elif (
            fail_on is not None
            and f.kind in ("threshold_breach", "data_quality")
            and f.status == "confirmed"
            and at_or_above(f.severity, fail_on)
        ):
            what = "breach" if f.kind == "threshold_breach" else "data-quality finding"
            reasons.append(
                f"{f.threshold or f.metric} in {f.deployment} is a confirmed {what} at "
                f"{f.severity} (--fail-on {fail_on})"
            )
    return reasons


def _empty_window(contacts: int, window: RunWindow, rules: DataQualityRules) -> Finding:
    limit = rules.empty_window_min_contacts
    return quality_finding(
        rule="empty_window",
        metric="contacts",
        deployment=ALL_DEPLOYMENTS,
        windows={
            name: day.isoformat()
            for name, day in (("from", window.date_from), ("to", window.date_to))
            if day is not None
        },
        estimate={"contacts": float(contacts)},
        n={"contacts": contacts},
        effect={},
        rule_text=(
            f"empty_window: a run needs at least {limit} contact(s) to pass a gate "
            f"({rules.source('empty_window')})"
        ),
        severity=rules.empty_window_severity.value,
        message=(
            f"The monitoring window ({window.label()}) holds {contacts} contacts: "
            + (
                "nothing was monitored"
                if contacts == 0
                else f"too few to judge (rule empty_window needs at least {limit})"
            )
            + ", so this run is a failed gate, not a green one. Check --from and --to, and "
            f"that the latest export was loaded (rule empty_window, at least {limit} contacts)."
        ),
        trace=Trace(
            day_from=window.date_from.isoformat() if window.date_from else None,
            day_to=window.date_to.isoformat() if window.date_to else None,
        ),
    )


def _with_severity(finding: Finding, rules: DataQualityRules) -> Finding:
    if finding.kind != "data_quality" or finding.rule != ONE_HANDLER_RULE:
        return finding
    return finding.model_copy(
        update={
            "severity": rules.one_handler_severity.value,
            "status": "confirmed",
            "threshold": "one_handler",
            "rule": f"one_handler: {ONE_HANDLER_RULE} ({rules.source('one_handler')})",
        }
    )


def _deployment(value: object) -> str:
    return NO_DEPLOYMENT if value is None else str(value)


def _trace_deployment(deployment: str) -> str | None:
    return None if deployment in (NO_DEPLOYMENT, ALL_DEPLOYMENTS) else deployment
