"""Governance chain checks (issue 4): every rule, its id, and one function that runs them all.

Each rule is a pure function from :class:`GovernanceFacts` to a list of :class:`Gap`; the
service gathers the facts from the registry, and tests build them by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from cxsteward.domain.governance.checks_chain import (
    check_accountability,
    check_decision_rights,
    check_protocols,
)
from cxsteward.domain.governance.checks_contracts import check_templates, check_vendors
from cxsteward.domain.governance.checks_disclosure import check_disclosure
from cxsteward.domain.governance.checks_evidence import check_evidence, check_key_metrics
from cxsteward.domain.governance.checks_model import (
    DEFAULT_KEY_METRICS,
    BaselineFacts,
    CheckReport,
    Gap,
    GovernanceFacts,
    accountability_key,
    protocol_key,
)
from cxsteward.domain.governance.checks_oversight import (
    check_committee,
    check_knowledge_base,
    check_ratifications,
    check_roadmap,
)

__all__ = [
    "DEFAULT_KEY_METRICS",
    "RULES",
    "BaselineFacts",
    "CheckReport",
    "Gap",
    "GovernanceFacts",
    "Rule",
    "accountability_key",
    "not_applied",
    "protocol_key",
    "run_checks",
]

Check = Callable[[GovernanceFacts], list[Gap]]


@dataclass(frozen=True)
class Rule:
    """One rule id, whether it blocks, and what it checks (the docs table lists them all)."""

    id: str
    level: str  # "blocking", "warning", or when it depends: "blocking or warning"
    checks: str


RULES: tuple[Rule, ...] = (
    Rule("governance.not_applied", "blocking", "a governance file was applied at all"),
    Rule("deployment.no_decision_rights", "blocking", "a live deployment has decision rights"),
    Rule("deployment.nobody_can_pause", "blocking", "a known person may pause it"),
    Rule("accountability.missing", "blocking", "each key metric has an accountability row"),
    Rule("accountability.incomplete", "blocking", "monitors, escalates, acts are known people"),
    Rule("accountability.collapsed_chain", "blocking", "the three roles are not one person"),
    Rule("accountability.shared_roles", "warning", "the three roles are three people"),
    Rule("accountability.declared_after_go_live", "warning", "the chain predates go-live"),
    Rule("protocol.missing", "blocking or warning", "each severity has a protocol"),
    Rule("protocol.no_decider", "warning", "the protocol names a known decider"),
    Rule("protocol.no_notify", "warning", "the protocol notifies someone known"),
    Rule("protocol.customers_not_told", "warning", "sev1/sev2 tell customers"),
    Rule("protocol.declared_after_go_live", "warning", "sev1/sev2 protocols predate go-live"),
    Rule("vendor.clause_missing", "blocking or warning", "the four clauses are signed"),
    Rule("vendor.clause_waived", "warning", "a waived clause says why"),
    Rule("key_metrics.unknown", "blocking", "key metrics are catalogue metrics"),
    Rule("evidence.no_go_live", "warning", "a live deployment has a go-live date"),
    Rule("evidence.threshold_missing", "blocking", "a threshold applies to each key metric"),
    Rule("evidence.threshold_late", "blocking", "one was created before go-live"),
    Rule("evidence.baseline_missing", "blocking", "a baseline holds each key metric"),
    Rule("evidence.baseline_late", "blocking", "one was frozen before go-live"),
    Rule("evidence.baseline_altered", "blocking", "the baseline still matches its checksum"),
    Rule("template.not_approved", "warning", "each template has legal approval"),
    Rule("template.missing_for_incident", "blocking", "each incident type has an approved one"),
    Rule("committee.missing", "blocking", "a governance committee exists"),
    Rule("committee.cannot_pause", "blocking", "it has authority to pause"),
    Rule("committee.cannot_roll_back", "warning", "it has authority to roll back"),
    Rule("committee.narrow", "warning", "members come from at least 3 functions"),
    Rule("committee.overdue", "blocking", "it met within its cadence"),
    Rule("decision.ratification_overdue", "blocking", "an emergency pause was ratified in time"),
    Rule("roadmap.never_reviewed", "blocking or warning", "the roadmap was ever reviewed"),
    Rule("roadmap.review_overdue", "warning", "it was reviewed in the last 92 days"),
    Rule("disclosure.missing", "blocking", "each live channel discloses AI"),
    Rule("disclosure.partial", "warning", "all functions on a channel disclose, or none"),
    Rule("disclosure.inconsistent", "warning", "functions on a channel use the same words"),
    Rule("knowledge.no_owner", "warning", "each article has a known owner"),
    Rule("knowledge.stale", "warning", "each article was reviewed within 180 days"),
)
RULE_IDS = tuple(rule.id for rule in RULES)

CHECKS: tuple[Check, ...] = (
    check_decision_rights,
    check_accountability,
    check_protocols,
    check_vendors,
    check_key_metrics,
    check_evidence,
    check_templates,
    check_committee,
    check_ratifications,
    check_roadmap,
    check_disclosure,
    check_knowledge_base,
)


def run_checks(facts: GovernanceFacts, checked_at: datetime) -> CheckReport:
    """Run every rule; gaps are ordered by rule (as in RULES), then object, then message."""
    gaps = [gap for check in CHECKS for gap in check(facts)]
    gaps.sort(key=lambda gap: (RULE_IDS.index(gap.rule), gap.object, gap.message))
    return CheckReport(gaps=tuple(gaps), checked_at=checked_at, today=facts.today)


def not_applied(checked_at: datetime, today: date) -> CheckReport:
    """The report for a workspace where no governance was ever applied."""
    gap = Gap(
        "governance.not_applied",
        True,
        "governance",
        "No governance has been applied to this workspace, so there is no chain to check.",
        "Write a governance file and run `cxsteward governance apply governance.yaml`.",
    )
    return CheckReport(gaps=(gap,), checked_at=checked_at, today=today)
