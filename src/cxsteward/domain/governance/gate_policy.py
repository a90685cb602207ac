"""What the scale gate asks of a deployment before it grows: the governance file's ``scale_gate:``.

The organization declares the criteria once; a deployment may override any of them in its
own ``scale_gate:``. Only what a file sets is stored (``exclude_unset``), so a deployment's
override of one value leaves the others to the organization, and the organization's to the
defaults here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from cxsteward.domain.thresholds import Severity


class Criterion(StrEnum):
    MATURITY = "maturity"
    CHAIN = "chain_gaps"
    BASELINES = "baselines_before_go_live"
    THRESHOLDS = "thresholds_before_go_live"
    BREACHES = "recent_breaches"
    INCIDENTS = "open_incidents"
    AI_GAP = "ai_behind_humans"
    DISCLOSURE = "disclosure_coverage"
    REVIEW_SLA = "review_sla"
    FLAGS = "untriaged_flags"
    VENDOR = "vendor_clauses"
    COMMITTEE = "committee_cadence"
    FRESHNESS = "data_freshness"


TITLES: dict[Criterion, str] = {
    Criterion.MATURITY: "Evidenced maturity stage",
    Criterion.CHAIN: "No blocking gap in the governance chain",
    Criterion.BASELINES: "Human baselines frozen before go-live",
    Criterion.THRESHOLDS: "Thresholds declared before go-live",
    Criterion.BREACHES: "No recent confirmed breach",
    Criterion.INCIDENTS: "No open serious incident",
    Criterion.AI_GAP: "The AI is not behind humans",
    Criterion.DISCLOSURE: "AI disclosed on every channel",
    Criterion.REVIEW_SLA: "Review requests answered in time",
    Criterion.FLAGS: "Frontline flags triaged",
    Criterion.VENDOR: "Vendor clauses complete",
    Criterion.COMMITTEE: "The committee meets on cadence",
    Criterion.FRESHNESS: "The data is fresh",
}


class Verdict(StrEnum):
    GO = "go"
    CONDITIONS = "go_with_conditions"
    NO_GO = "no_go"

    @property
    def allows(self) -> bool:
        """Whether the lifecycle move may be made on this verdict (conditions travel with it)."""
        return self is not Verdict.NO_GO

    @property
    def words(self) -> str:
        return {"go": "go", "go_with_conditions": "go with conditions", "no_go": "no-go"}[self]


@dataclass(frozen=True)
class Standing:
    """The gate's verdict as a lifecycle move reads it: what it says and why."""

    verdict: Verdict
    evaluation: int | None
    reasons: tuple[str, ...] = ()

    def cite(self) -> str:
        number = f" (evaluation #{self.evaluation})" if self.evaluation is not None else ""
        return f"scale gate {self.verdict.words}{number}"


class GatePolicy(BaseModel):
    """The criteria of the scale gate; a value of null (or false) turns a criterion off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_stage: int | None = Field(
        default=3, ge=1, le=5, description="Lowest evidenced maturity stage (1-5)."
    )
    chain_gaps: bool = Field(default=True, description="No blocking chain gap may remain.")
    baselines_before_go_live: bool = Field(
        default=True, description="A human baseline for every accountable metric predates go-live."
    )
    thresholds_before_go_live: bool = Field(
        default=True, description="A threshold on every key metric predates go-live."
    )
    breach_days: int | None = Field(
        default=30, ge=1, le=366, description="No confirmed breach within this many days."
    )
    breach_severity: Severity = Field(
        default=Severity.SEV2, description="Breaches at this severity or worse count."
    )
    open_incident_severity: Severity | None = Field(
        default=Severity.SEV2, description="No open incident at this severity or worse."
    )
    ai_gap_tolerance: float | None = Field(
        default=0.10,
        ge=0,
        le=10,
        description="How far the AI may trail humans on a key metric, relative to the human "
        "figure (0.10: 10% worse), in any segment with a confirmed finding.",
    )
    disclosure_floor: float | None = Field(
        default=0.95, ge=0, le=1, description="Lowest share of AI contacts disclosed, per channel."
    )
    review_sla_floor: float | None = Field(
        default=0.90, ge=0, le=1, description="Lowest share of review requests answered in SLA."
    )
    flag_triage_days: int | None = Field(
        default=7, ge=1, le=366, description="No frontline flag left untriaged longer."
    )
    vendor_clauses: bool = Field(default=True, description="The vendor's four clauses settled.")
    committee_cadence: bool = Field(default=True, description="The committee met within cadence.")
    fresh_days: int | None = Field(
        default=14, ge=1, le=366, description="The newest contact is at most this many days old."
    )
    conditions: list[Criterion] = Field(
        default_factory=list,
        description="Criteria that attach a condition instead of blocking when unmet.",
    )

    def over(self, base: GatePolicy) -> GatePolicy:
        """This policy's set values laid over ``base``."""
        values = {name: getattr(base, name) for name in base.model_fields_set}
        values.update({name: getattr(self, name) for name in self.model_fields_set})
        return GatePolicy(**values)

    def applies(self, criterion: Criterion) -> bool:
        """Whether ``criterion`` is asked at all."""
        value = {
            Criterion.MATURITY: self.min_stage,
            Criterion.CHAIN: self.chain_gaps,
            Criterion.BASELINES: self.baselines_before_go_live,
            Criterion.THRESHOLDS: self.thresholds_before_go_live,
            Criterion.BREACHES: self.breach_days,
            Criterion.INCIDENTS: self.open_incident_severity,
            Criterion.AI_GAP: self.ai_gap_tolerance,
            Criterion.DISCLOSURE: self.disclosure_floor,
            Criterion.REVIEW_SLA: self.review_sla_floor,
            Criterion.FLAGS: self.flag_triage_days,
            Criterion.VENDOR: self.vendor_clauses,
            Criterion.COMMITTEE: self.committee_cadence,
            Criterion.FRESHNESS: self.fresh_days,
        }[criterion]
        return value is not None and value is not False


def effective_policy(organization: GatePolicy | None, deployment: GatePolicy | None) -> GatePolicy:
    """The defaults, under the organization's ``scale_gate:``, under the deployment's."""
    policy = GatePolicy()
    if organization is not None:
        policy = organization.over(policy)
    if deployment is not None:
        policy = deployment.over(policy)
    # Every value set, so that the policy as applied is shown whole.
    return GatePolicy(**{name: getattr(policy, name) for name in GatePolicy.model_fields})
