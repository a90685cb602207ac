"""What the evidence rules read (facts) and give (outcomes): shared by every rule module (C2).

The service collects :class:`EvidenceFacts` from the registry and the interaction store;
tests build them by hand. Rules are pure functions of the facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from cxsteward.domain.consent import ConsentEvidence
from cxsteward.domain.governance.checks_model import DEFAULT_KEY_METRICS
from cxsteward.domain.governance.spec import Deployment, Governance
from cxsteward.domain.monitoring.trust_checks import ChannelDisclosure
from cxsteward.domain.results import EvidenceItem, Verdict
from cxsteward.domain.thresholds import Threshold
from cxsteward.domain.training import CompletionFact

if TYPE_CHECKING:  # the adoption rule's module imports this one
    from cxsteward.domain.governance.evidence_adoption import (
        AdoptionEvidence,
        AdoptionFollowUp,
        AdoptionRunEvidence,
    )

# Verdict -> evidenced score on the 0-4 answer scale. "Partly" sits at 2 ("partly in place"):
# enough for stage 2 criteria (minimum 1.5), never for stage 3 and above (minimum 2.5+).
SCORES: Mapping[Verdict, float | None] = {
    "evidenced": 4.0,
    "partly": 2.0,
    "not_evidenced": 0.0,
    "no_records": None,
}
QUARTER_DAYS = 92  # "in the last quarter"
RECENT_RUN_DAYS = 31  # monitoring counts as operating when a run started this recently
REVIEW_DAYS = 180  # knowledge articles need a review within this many days
USAGE_DAYS = 90  # interaction figures (disclosure, overrides) cover this many days
RECORDED_SHARE = 0.9  # a field counts as recorded when filled on at least this share
DISCLOSURE_TARGET = 0.95  # AI contacts told that AI was involved
QUARANTINE_LIMIT = 0.05  # loads quarantining more than this share of rows fail DAT-05
MAX_ITEMS = 12  # items listed per rule before the rest are summarized


@dataclass(frozen=True)
class BaselineEvidence:
    """A frozen baseline: when, for which handler, which (deployment, slice, metric) it holds."""

    name: str
    created_at: datetime
    handler: str
    values: frozenset[tuple[str, str, str]]

    def holds(self, deployment: str, metric: str | None = None) -> bool:
        return any(d == deployment and (metric is None or m == metric) for d, _, m in self.values)

    def segment_slices(self, deployment: str) -> list[str]:
        """The segment slices (not 'overall') held for ``deployment``."""
        return sorted({s for d, s, _ in self.values if d == deployment and s != "overall"})

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset(m for _, _, m in self.values)


@dataclass(frozen=True)
class RunEvidence:
    """A monitoring run: when, which slices it computed and which thresholds it judged."""

    id: int
    started_at: datetime
    slices: tuple[tuple[str, ...], ...] = ()
    thresholds: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadEvidence:
    """A data load and its quality summary."""

    id: int
    finished_at: datetime
    rows_accepted: int
    rows_quarantined: int
    null_rate: Mapping[str, float | None] = field(default_factory=dict)
    segments: tuple[str, ...] = ()


@dataclass(frozen=True)
class UsageEvidence:
    """AI contacts of one deployment in the recent window, and what was recorded on them."""

    deployment: str
    ai_contacts: int
    override_recorded: int
    disclosure_recorded: int
    disclosed: int


@dataclass(frozen=True)
class PromisePartEvidence:
    """One part of a vulnerable-customer promise as a monitoring run measured it."""

    part: str
    kept: bool | None  # None: nothing recorded to judge it by
    words: str


@dataclass(frozen=True)
class PromiseEvidence:
    """A deployment's vulnerable-customer promise, measured by a monitoring run."""

    deployment: str
    run_id: int
    run_started: datetime
    segment: str
    value: str
    contacts: int
    parts: tuple[PromisePartEvidence, ...]


@dataclass(frozen=True)
class PackEvidence:
    """An issued committee pack and the metrics it shows (its trends and where-behind list)."""

    id: int
    issued_at: datetime
    metrics: frozenset[str] = frozenset()


@dataclass(frozen=True)
class IncidentEvidence:
    id: int
    title: str
    severity: str
    incident_type: str
    opened_at: datetime
    respond_by: datetime | None
    acknowledged_at: datetime | None
    tell_customers: bool = False


@dataclass(frozen=True)
class ReviewEvidence:
    """A customer's request for a human review, and when it was answered and explained."""

    id: int
    deployment: str
    received_at: datetime
    due_at: datetime
    resolved_at: datetime | None = None
    withdrawn_at: datetime | None = None
    explained_at: datetime | None = None  # the first plain-language explanation linked to it


@dataclass(frozen=True)
class FlagEvidence:
    """A frontline flag about the AI, and what became of it."""

    id: int
    deployment: str
    submitted_at: datetime
    triaged_at: datetime | None = None
    acted_at: datetime | None = None
    declined_at: datetime | None = None

    def answered(self, by: datetime) -> datetime | None:
        """When the flag was first triaged, acted on or declined, if before ``by``."""
        times = [t for t in (self.triaged_at, self.acted_at, self.declined_at) if t is not None]
        first = min(times, default=None)
        return first if first is not None and first < by else None


@dataclass(frozen=True)
class EvidenceFacts:
    """Everything the evidence rules look at, as of ``today``."""

    today: date
    governance: Governance | None = None
    # First-stored times of governance objects the spec does not date, keyed by
    # protocol_key / template_key.
    created_at: Mapping[str, datetime] = field(default_factory=dict)
    thresholds: Sequence[Threshold] = ()
    baselines: Sequence[BaselineEvidence] = ()
    runs: Sequence[RunEvidence] = ()
    loads: Sequence[LoadEvidence] = ()
    usage: Sequence[UsageEvidence] = ()
    incidents: Sequence[IncidentEvidence] = ()
    reviews: Sequence[ReviewEvidence] = ()
    flags: Sequence[FlagEvidence] = ()
    # When the audit log recorded a change to the governance setup (not its history rows).
    policy_changes: Sequence[datetime] = ()
    # Recorded training completions (PPL-02, PPL-05, PPL-06, PPL-07).
    training: Sequence[CompletionFact] = ()
    # Notices, choices and whether opt-outs were honoured (None: not collected).
    consent: ConsentEvidence | None = None
    adoption: Sequence[AdoptionEvidence] = ()
    adoption_runs: Sequence[AdoptionRunEvidence] = ()
    adoption_follow_ups: Sequence[AdoptionFollowUp] = ()
    # Issue 14, vulnerable customers and disclosure per channel: the latest run's promise
    # measurements, and AI disclosure per deployment and channel over the recent window.
    promises: Sequence[PromiseEvidence] = ()
    channel_disclosure: Mapping[str, Sequence[ChannelDisclosure]] = field(default_factory=dict)
    # Contacts of the last USAGE_DAYS days carrying a sentiment score (None: no data loaded).
    sentiment_scored: int | None = None
    latest_pack: PackEvidence | None = None  # the committee pack issued last

    @property
    def key_metrics(self) -> tuple[str, ...]:
        """Declared key metrics, or the governance checks' default four."""
        declared = tuple(self.governance.key_metrics) if self.governance else ()
        return declared or DEFAULT_KEY_METRICS

    @property
    def live(self) -> list[Deployment]:
        """Live (pilot, scaling, production) customer-facing deployments."""
        if self.governance is None:
            return []
        return [d for d in self.governance.deployments if d.customer_facing and d.status.live]

    def person(self, key: str | None) -> str | None:
        """The person's name, or None when the key names nobody known."""
        if key is None or self.governance is None:
            return None
        found = self.governance.person(key)
        return found.name if found is not None else None

    def recent_runs(self, days: int = RECENT_RUN_DAYS) -> list[RunEvidence]:
        since = start_of(self.today - timedelta(days=days))
        return sorted((r for r in self.runs if r.started_at >= since), key=lambda r: r.started_at)


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    passed: int
    total: int
    items: tuple[EvidenceItem, ...]


@dataclass(frozen=True)
class EvidenceRule:
    """One question the records can verify: what is checked and how."""

    question_id: str
    checks: str
    judge: Callable[[EvidenceFacts], Outcome]


def judged(items: Sequence[EvidenceItem], summary: str | None = None) -> Outcome:
    """The verdict from the items: all support it, none do, or some do (partly).

    Past MAX_ITEMS, supporting items are folded into one count so that failures stay visible.
    """
    passed = sum(item.supports for item in items)
    total = len(items)
    if total == 0:
        return no_records(summary or "nothing to judge")
    verdict: Verdict = (
        "evidenced" if passed == total else "not_evidenced" if passed == 0 else "partly"
    )
    shown = list(items)
    if len(shown) > MAX_ITEMS:
        failing = [i for i in shown if not i.supports]
        shown = failing[:MAX_ITEMS]
        if len(failing) > MAX_ITEMS:
            shown.append(no(f"... and {len(failing) - MAX_ITEMS} more like these"))
        if passed:
            shown.append(yes(f"{passed} of {total} checks are met"))
    return Outcome(verdict, passed, total, tuple(shown))


def no_records(reason: str) -> Outcome:
    return Outcome("no_records", 0, 0, (EvidenceItem(supports=False, text=reason),))


def yes(text: str) -> EvidenceItem:
    return EvidenceItem(supports=True, text=text)


def no(text: str) -> EvidenceItem:
    return EvidenceItem(supports=False, text=text)


def check(ok: bool, text: str) -> EvidenceItem:
    return EvidenceItem(supports=ok, text=text)


def start_of(day: date) -> datetime:
    """The first instant of ``day`` in UTC: "before go-live" means before this."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC time; a naive time from a hand-written file is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stamp(moment: datetime) -> str:
    """A time as the report prints it: '2026-03-01 09:30 UTC'."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def after(moment: datetime, day: date) -> str:
    """How long after the start of ``day`` a moment fell, e.g. '30 days' or '5 hours'."""
    delta = moment - start_of(day)
    if delta.days >= 1:
        return f"{delta.days} day{'s' if delta.days != 1 else ''}"
    hours = delta.seconds // 3600
    return f"{hours} hour{'s' if hours != 1 else ''}"


def names(values: Sequence[str]) -> str:
    return ", ".join(values) if values else "none"


def percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def first_go_live(facts: EvidenceFacts) -> tuple[Deployment, date] | None:
    """The live customer-facing deployment that went live first, with its date."""
    dated = [(d, d.go_live) for d in facts.live if d.go_live is not None]
    if not dated:
        return None
    return min(dated, key=lambda pair: pair[1])


# Free-text functions (people's and committee members') grouped by what they represent;
# a function is matched by any of its words.
FUNCTION_GROUPS: Mapping[str, frozenset[str]] = {
    "cx": frozenset(
        {"cx", "customer", "service", "support", "contact", "care", "frontline", "operations"}
    ),
    "technology": frozenset({"technology", "tech", "it", "engineering", "data", "digital", "ai"}),
    "business": frozenset(
        {"business", "executive", "sales", "marketing", "finance", "product", "commercial"}
    ),
    "legal": frozenset({"legal", "compliance", "risk", "privacy"}),
}


def function_group(function: str) -> str | None:
    """'cx', 'technology', 'business' or 'legal' for a free-text function; None if unknown."""
    words = set("".join(c if c.isalnum() else " " for c in function.lower()).split())
    return next((group for group, known in FUNCTION_GROUPS.items() if words & known), None)


def protocol_key(severity: str) -> str:
    """The ``created_at`` key of the protocol for one severity, e.g. 'protocol:sev1'."""
    return f"protocol:{severity}"


def template_key(key: str) -> str:
    """The ``created_at`` key of a customer template."""
    return f"template:{key}"
