"""Chain gaps summarised by rule, with a plain label each, for pages and the committee pack.

A deployment with a dozen gaps of three kinds reads as three lines ("No baseline frozen
before go-live: 4, blocking"), each opening onto its gaps, not as a wall of messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

# What each chain-check rule means, in a committee member's words.
RULE_LABELS = {
    "accountability.collapsed_chain": "One person holds every role of an accountability chain",
    "accountability.declared_after_go_live": "Accountability declared after go-live",
    "accountability.incomplete": "Accountability chain incomplete",
    "accountability.missing": "Nobody accountable for a key metric",
    "accountability.shared_roles": "Two roles of a chain held by one person",
    "committee.cannot_pause": "The committee cannot pause",
    "committee.cannot_roll_back": "The committee cannot roll back",
    "committee.missing": "No governance committee",
    "committee.narrow": "The committee represents too few functions",
    "committee.overdue": "The committee has not met within its cadence",
    "decision.ratification_overdue": "An emergency pause awaits ratification",
    "deployment.no_decision_rights": "No decision rights recorded",
    "deployment.nobody_can_pause": "Nobody may pause the deployment",
    "disclosure.inconsistent": "Functions disclose AI in different words on a channel",
    "disclosure.missing": "Customers are not told AI is involved",
    "disclosure.partial": "Only some functions disclose AI on a channel",
    "evidence.baseline_altered": "A baseline was changed after it was frozen",
    "evidence.baseline_late": "Baseline frozen after go-live",
    "evidence.baseline_missing": "No baseline for a key metric",
    "evidence.no_go_live": "No go-live date recorded",
    "evidence.threshold_late": "Threshold declared after go-live",
    "evidence.threshold_missing": "No threshold for a key metric",
    "governance.not_applied": "No governance applied",
    "key_metrics.unknown": "A key metric the catalogue does not know",
    "knowledge.no_owner": "Knowledge article without an owner",
    "knowledge.stale": "Knowledge article overdue for review",
    "protocol.customers_not_told": "Incident protocol does not tell customers",
    "protocol.declared_after_go_live": "Incident protocol declared after go-live",
    "protocol.missing": "No escalation protocol for a severity",
    "protocol.no_decider": "Incident protocol names nobody to decide",
    "protocol.no_notify": "Incident protocol notifies nobody",
    "roadmap.never_reviewed": "Roadmap never reviewed",
    "roadmap.review_overdue": "Roadmap review overdue",
    "template.missing_for_incident": "No approved customer message for an incident type",
    "template.not_approved": "Customer message not approved by legal",
    "vendor.clause_missing": "Vendor contract lacks a required clause",
    "vendor.clause_waived": "Vendor clause waived without a reason",
}


def rule_label(rule: str) -> str:
    """The rule in plain words; an unknown rule reads as its id, dots and underscores spaced."""
    return RULE_LABELS.get(rule, rule.replace(".", ": ").replace("_", " ").capitalize())


class RuledGap(Protocol):
    """A gap as the checks report it (the domain's Gap, the service's GapOut)."""

    @property
    def rule(self) -> str: ...

    @property
    def blocking(self) -> bool: ...


G = TypeVar("G", bound=RuledGap)


@dataclass(frozen=True)
class GapGroup(Generic[G]):
    """The gaps of one rule: how many, how many block, and each one."""

    rule: str
    label: str
    gaps: tuple[G, ...]

    @property
    def count(self) -> int:
        return len(self.gaps)

    @property
    def blocking(self) -> int:
        return sum(gap.blocking for gap in self.gaps)


def summarise_gaps(gaps: Iterable[G]) -> list[GapGroup[G]]:
    """Gaps grouped by rule: groups with blocking gaps first, then the largest, then by rule."""
    by_rule: dict[str, list[G]] = {}
    for gap in gaps:
        by_rule.setdefault(gap.rule, []).append(gap)
    groups = [GapGroup(rule, rule_label(rule), tuple(found)) for rule, found in by_rule.items()]
    return sorted(groups, key=lambda g: (g.blocking == 0, -g.count, g.rule))
