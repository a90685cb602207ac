"""The committee pack as one typed document: what `cxsteward pack --format json` prints, what
the API serves and what the HTML, Markdown and PDF renderings read (C10)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import Field

from cxsteward.domain.governance.spec import Lifecycle
from cxsteward.domain.results import SelfReportedQuestion
from cxsteward.services.contract import Command, Day, Result
from cxsteward.services.data.freshness import FreshnessOut
from cxsteward.services.governance.check import GapOut
from cxsteward.services.governance.committee import CommitteeDecisionOut
from cxsteward.services.governance.gate import GateOut, GateSummaryOut
from cxsteward.services.incidents.models import DecisionOut, IncidentOut
from cxsteward.services.monitoring.behind import BehindItem
from cxsteward.services.monitoring.model_changes import ModelChangesOut
from cxsteward.services.monitoring.scorecard import ScorecardOut
from cxsteward.services.monitoring.trends import TrendOut
from cxsteward.services.monitoring.trust import TrustChecksOut
from cxsteward.services.people.models import FeedbackOut
from cxsteward.services.trust.models import ReviewSummary


class PreviousPackOut(Result):
    """The pack issued before this one: what "since the previous pack" counts from."""

    id: int
    issued_at: datetime
    as_of: date


class ReadinessPointOut(Result):
    """One assessment cycle's readiness: claimed beside evidenced."""

    cycle: str
    status: str
    day: date = Field(description="When the cycle closed, or today for an open cycle.")
    respondents: int
    claimed_score: float | None = Field(description="0-100 over all answered questions.")
    evidenced_score: float | None = Field(description="0-100 over the evidenced questions.")
    claimed_stage: int
    claimed_stage_name: str
    evidenced_stage: int | None
    evidenced_stage_name: str | None


class DimensionOut(Result):
    name: str
    claimed_score: float | None
    evidenced_score: float | None
    n_rules: int


class ReadinessOut(Result):
    """Readiness and maturity with their trend, claimed beside evidenced."""

    cycles: list[ReadinessPointOut] = Field(description="Oldest first.")
    dimensions: list[DimensionOut] = Field(description="Of the newest cycle with answers.")
    contradicted: list[str] = Field(
        description="Criteria the answers meet and the records do not (the newest cycle)."
    )
    n_rules: int = Field(description="Questions an evidence rule can check.")
    self_reported: int = Field(description="Questions no record can confirm: self-reported.")
    self_reported_questions: list[SelfReportedQuestion] = Field(
        default_factory=list, description="Those questions, with why no record can check them."
    )


class OverrideOut(Result):
    """A committee decision that moved a deployment although the scale gate said no-go."""

    decision: int
    deployment: str
    move: str
    meeting: date
    reason: str
    quorum: str = Field(description="Members present of members, and the quorum.")


class DeploymentPackOut(Result):
    """One deployment's pages: gate, scorecard, trends and what each model version changed."""

    key: str
    name: str
    status: Lifecycle
    gate: GateOut | None = Field(description="Null for a deployment that is not live.")
    gate_history: list[GateSummaryOut] = Field(description="Stored evaluations, newest first.")
    overrides: list[OverrideOut] = Field(
        description="Overrides of the gate standing while the gate is not go."
    )
    scorecard: ScorecardOut | None = Field(description="Null until a run covered it.")
    trends: list[TrendOut] = Field(description="One per key metric with data.")
    model_changes: ModelChangesOut
    trust: TrustChecksOut | None = Field(
        default=None,
        description="Disclosure per channel and the vulnerable-customer promise, from the "
        "latest run that measured them; null before one did.",
    )


class FlagsOut(Result):
    """Frontline flags in the period and what was done about them."""

    submitted: int
    acted_on: int
    declined: int
    waiting: int = Field(description="Not yet triaged, or triaged and not yet closed.")
    flags: list[FeedbackOut]


class ClauseStateOut(Result):
    kind: str
    status: str
    evidence: str | None


class VendorOut(Result):
    key: str
    name: str
    deployments: list[str] = Field(description="Live deployments it serves.")
    complete: bool = Field(description="All four clauses in contract or waived on record.")
    clauses: list[ClauseStateOut]


class GapGroupOut(Result):
    """Chain gaps of one deployment (or of the organization), counted by rule."""

    group: str = Field(description="deployment:KEY, vendor:KEY or organization.")
    blocking: int
    warnings: int
    by_rule: dict[str, int]
    gaps: list[GapOut]


class CoverageOut(Result):
    """Crosswalk coverage of one framework."""

    framework: str
    title: str
    clauses: int
    coverage: float = Field(description="Evidenced controls over mapped controls, percent.")
    missing: list[str] = Field(description="Clauses below full coverage, in words.")


class PackOut(Result):
    """The committee pack: the answer first, then everything behind it."""

    organization: str
    issued_at: datetime
    as_of: date
    since: date | None = Field(description="The period starts here (the previous pack, or set).")
    id: int | None = Field(description="The issued pack's id; null for a preview.")
    previous: PreviousPackOut | None
    scope: list[str] = Field(description="The deployments the pack covers.")
    gates: list[GateOut] = Field(description="The scale gate per live deployment.")
    behind: list[BehindItem] = Field(description="Where the AI is furthest behind humans.")
    changes: list[str] = Field(description="What changed since the previous pack, in words.")
    freshness: FreshnessOut
    readiness: ReadinessOut | None = Field(description="Null before any assessment answers.")
    deployments: list[DeploymentPackOut]
    incidents: list[IncidentOut] = Field(description="Opened or still open in the period.")
    decisions: list[DecisionOut] = Field(description="Decisions on deployments in the period.")
    committee_decisions: list[CommitteeDecisionOut]
    reviews: ReviewSummary
    flags: FlagsOut
    vendors: list[VendorOut]
    chain: list[GapGroupOut]
    crosswalk: list[CoverageOut]


class PackCreate(Command):
    """Issue a committee pack: kept, so the next pack says what changed since."""

    period_days: int | None = Field(
        default=None,
        ge=1,
        le=3660,
        description="The period: this many days back from as_of; default: since the previous "
        "pack (or 90 days).",
    )
    deployment: str | None = Field(
        default=None,
        max_length=80,
        pattern=r"^[a-z0-9][a-z0-9._-]{0,79}$",
        description="One deployment only; default: every live one.",
    )
    as_of: Day | None = Field(default=None, description="Judge the records as of this day.")

    def since(self, today: date) -> date | None:
        """The first day of the period, counted back from ``as_of`` (or ``today``)."""
        if self.period_days is None:
            return None
        return (self.as_of or today) - timedelta(days=self.period_days)
