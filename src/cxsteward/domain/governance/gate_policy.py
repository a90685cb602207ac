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
    """The criteria of the scale gate. A value left out (null) is inherited: a deployment's
    from the organization's, the organization's from :data:`DEFAULTS`; ``off`` turns
    criteria off and ``conditions`` makes them attach a condition instead of blocking."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_stage: int | None = Field(
        default=None, ge=1, le=5, description="Lowest evidenced maturity stage (1-5); default 3."
    )
    breach_days: int | None = Field(
        default=None, ge=1, le=366, description="No confirmed breach within this many days; 30."
    )
    breach_severity: Severity | None = Field(
        default=None, description="Breaches at this severity or worse count; default sev2."
    )
    open_incident_severity: Severity | None = Field(
        default=None, description="No open incident at this severity or worse; default sev2."
    )
    ai_gap_tolerance: float | None = Field(
        default=None,
        ge=0,
        le=10,
        description="How far the AI may trail humans on a key metric, relative to the human "
        "figure (0.10: 10% worse), where a finding confirms it; default 0.10.",
    )
    disclosure_floor: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Lowest share of AI contacts disclosed, per channel; 0.95.",
    )
    review_sla_floor: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Lowest share of review requests answered in time; 0.90.",
    )
    flag_triage_days: int | None = Field(
        default=None, ge=1, le=366, description="No frontline flag left untriaged longer; 7."
    )
    fresh_days: int | None = Field(
        default=None, ge=1, le=366, description="The newest contact at most this many days old; 14."
    )
    off: list[Criterion] | None = Field(
        default=None, description="Criteria not asked at all; default none."
    )
    conditions: list[Criterion] | None = Field(
        default=None,
        description="Criteria that attach a condition instead of blocking when unmet; none.",
    )

    def over(self, base: GatePolicy) -> GatePolicy:
        """This policy's values laid over ``base``: what this one leaves null, ``base`` says."""
        mine = self.model_dump(exclude_none=True)
        return GatePolicy.model_validate({**base.model_dump(exclude_none=True), **mine})

    def applies(self, criterion: Criterion) -> bool:
        """Whether ``criterion`` is asked at all."""
        return criterion not in (self.off or [])

    def blocks(self, criterion: Criterion) -> bool:
        """Whether ``criterion`` stops the gate when unmet (else it attaches a condition)."""
        return criterion not in (self.conditions or [])


DEFAULTS = GatePolicy(
    min_stage=3,
    breach_days=30,
    breach_severity=Severity.SEV2,
    open_incident_severity=Severity.SEV2,
    ai_gap_tolerance=0.10,
    disclosure_floor=0.95,
    review_sla_floor=0.90,
    flag_triage_days=7,
    fresh_days=14,
    off=[],
    conditions=[],
)


def effective_policy(organization: GatePolicy | None, deployment: GatePolicy | None) -> GatePolicy:
    """The defaults, under the organization's ``scale_gate:``, under the deployment's: every
    value set."""
    policy = DEFAULTS
    for layer in (organization, deployment):
        if layer is not None:
            policy = layer.over(policy)
    return policy
