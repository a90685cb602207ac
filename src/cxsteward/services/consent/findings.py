"""Consent findings of a monitoring run: opt-outs not honoured, contacts before any notice.

Counts of individual contacts, not estimates: each finding is confirmed, carries no
interval, and names its first rows (interaction id, load, source file and row). They are
added only once the workspace records notices or choices, so a workspace that does not
keep consent records sees no change in its runs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cxsteward.domain.monitoring.analyse import Analysis
from cxsteward.domain.monitoring.findings import Finding, Trace
from cxsteward.services.consent.check import Measured, measure
from cxsteward.services.consent.models import BreachOut, NoticeGapOut
from cxsteward.services.workspace import Workspace

BREACH_METRIC = "ai_after_opt_out"
GAP_METRIC = "notice_missing"
BREACH_RULE = (
    "A customer who opted out of AI handling was handled by the AI after the choice, before "
    "any withdrawal, within the choice's deployment and channel."
)
GAP_RULE = "Contacts of a customer-facing deployment and channel before any notice was in force."


def with_consent(
    ws: Workspace, analysis: Analysis, date_from: date | None, date_to: date | None
) -> Analysis:
    """The run's analysis with its consent findings added (none until consent is recorded)."""
    found = measure(ws, date_from, date_to)
    return replace(analysis, findings=[*analysis.findings, *consent_findings(found)])


def consent_findings(found: Measured) -> list[Finding]:
    """A finding per deployment and channel with a breach, then one per notice gap."""
    if not found.started:
        return []
    return [*(_breach(b) for b in found.breaches), *(_gap(g) for g in found.gaps)]


def _breach(breach: BreachOut) -> Finding:
    deployment = breach.deployment or "(none)"
    scope = {} if breach.channel is None else {"channel": breach.channel}
    first, last = breach.first_at.date().isoformat(), breach.last_at.date().isoformat()
    where = deployment + ("" if breach.channel is None else f" on {breach.channel}")
    plural = "s" if breach.contacts != 1 else ""
    return Finding(
        kind="consent",
        metric=BREACH_METRIC,
        scope=scope,
        deployment=deployment,
        windows={"from": first, "to": last},
        estimate={"contacts": float(breach.contacts)},
        n={"contacts": breach.contacts, "customers": breach.customers},
        ci=(None, None),
        p_value=None,
        q_value=None,
        effect={},
        rule=BREACH_RULE,
        severity="sev2",
        status="confirmed",
        message=(
            f"{breach.contacts} contact{plural} of {breach.customers} customer"
            f"{'s' if breach.customers != 1 else ''} who opted out of AI handling "
            f"{'were' if breach.contacts != 1 else 'was'} handled by the AI in {where} after "
            f"the choice ({first} to {last})."
        ),
        trace=Trace(
            deployment=breach.deployment,
            handlers=["ai"],
            segment=scope,
            day_from=first,
            day_to=last,
        ),
        impact=float(breach.contacts),
        rows=breach.rows,
    )


def _gap(gap: NoticeGapOut) -> Finding:
    first, last = gap.first_day.isoformat(), gap.last_day.isoformat()
    return Finding(
        kind="consent",
        metric=GAP_METRIC,
        scope={"channel": gap.channel},
        deployment=gap.deployment,
        windows={"from": first, "to": last},
        estimate={"contacts": float(gap.contacts)},
        n={"contacts": gap.contacts},
        ci=(None, None),
        p_value=None,
        q_value=None,
        effect={},
        rule=GAP_RULE,
        severity="sev3",
        status="confirmed",
        message=(
            f"{gap.contacts} contacts of {gap.deployment} on {gap.channel} ({first} to {last}) "
            "came before any data-use notice was in force there."
        ),
        trace=Trace(
            deployment=gap.deployment, segment={"channel": gap.channel}, day_from=first, day_to=last
        ),
        impact=float(gap.contacts),
    )
