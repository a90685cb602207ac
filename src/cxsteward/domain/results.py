"""Typed results of an assessment: what every output format renders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Consensus = Literal["strong", "mixed", "divided", "insufficient"]


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class GroupFigures(_Result):
    """A role group's answers to one question; the mean is withheld below the minimum size."""

    role_group: str
    n_respondents: int = Field(description="Respondents of the group who saw the question.")
    n_answers: int | None = Field(
        description="Valid answers (0-4), don't-know excluded; null below the minimum size."
    )
    n_dont_know: int | None = Field(description="Null below the minimum size.")
    mean: float | None = Field(description="Null when the group is below the minimum size.")
    distribution: dict[str, int] | None = Field(
        description="Counts per answer '0'..'4' and 'dont_know'; null below the minimum size."
    )


class QuestionResult(_Result):
    id: str
    dimension: str
    text: str
    weight: float
    n_answers: int = Field(description="Valid answers (0-4).")
    n_dont_know: int
    dont_know_share: float | None = Field(description="Don't-know answers / all answers.")
    mean: float | None = Field(description="Mean of valid answers on 0-4; null if none.")
    score: float | None = Field(description="mean / 4 x 100, when scorable.")
    std_dev: float | None = Field(description="Population standard deviation of valid answers.")
    scorable: bool
    consensus: Consensus
    distribution: dict[str, int]
    by_role_group: list[GroupFigures]
    comments: list[str]


class DimensionResult(_Result):
    id: str
    name: str
    score: float | None = Field(description="0-100; null when not scorable.")
    scorable: bool
    n_questions: int
    n_scored_questions: int
    n_answers: int
    n_dont_know: int
    dont_know_share: float | None
    computation: str = Field(description="How the score was computed, in words and numbers.")


class PerceptionGap(_Result):
    question_id: str
    dimension: str
    text: str
    higher_group: str
    higher_mean: float
    higher_n: int
    lower_group: str
    lower_mean: float
    lower_n: int
    difference: float


class Blocker(_Result):
    stage: int
    question_id: str | None
    requirement: str = Field(description="e.g. 'GOV-01 >= 3'.")
    actual: float | None
    message: str


class StageResult(_Result):
    number: int
    name: str
    description: str
    next_stage: int | None
    blockers: list[Blocker] = Field(description="Unmet criteria of the next stage.")


class Priority(_Result):
    rank: int
    question_id: str
    dimension: str
    text: str
    mean: float | None
    consensus: Consensus
    reasons: list[str]
    next_action: str


class Change(_Result):
    id: str
    previous: float | None
    current: float | None
    change: float | None


class Trend(_Result):
    previous_cycle: str
    overall: Change
    stage: Change
    dimensions: list[Change]
    questions: list[Change]


class RespondentSummary(_Result):
    total: int
    by_role_group: dict[str, int]
    anonymous: int


class Rules(_Result):
    """The rules behind the figures, stated so the report can print them."""

    scoring: str
    consensus: str
    perception_gap: str
    withheld: str = ""
    stage: str
    priorities: str


Verdict = Literal["evidenced", "partly", "not_evidenced", "no_records"]


class EvidenceItem(_Result):
    """One concrete record behind a verdict, and whether it supports the claim."""

    supports: bool
    text: str


class QuestionEvidence(_Result):
    """What the registry shows for one question that an evidence rule can check (C2)."""

    question_id: str
    checks: str = Field(description="What the rule verifies, in one sentence.")
    verdict: Verdict
    score: float | None = Field(
        description="Evidenced score on the 0-4 answer scale; null when there are no records."
    )
    passed: int = Field(description="Checks of the rule that the records satisfy.")
    total: int = Field(description="Checks of the rule that were judged.")
    items: list[EvidenceItem]


class EvidenceReport(_Result):
    """Every evidence rule's verdict on the registry as it stands on ``as_of``."""

    as_of: date
    governance_applied: bool
    questions: list[QuestionEvidence]
    self_reported_only: list[str] = Field(description="Question ids that no rule can check.")
    scoring: str = Field(description="How verdicts map to the 0-4 scale.")


class ClaimedQuestion(_Result):
    """One question's claim (the answers) beside its evidence (the records)."""

    question_id: str
    dimension: str
    text: str
    checks: str
    claimed: float | None = Field(description="Mean of the answers on 0-4; null if unscored.")
    verdict: Verdict
    evidenced: float | None = Field(description="Evidenced score on 0-4; null without records.")
    difference: float | None = Field(description="claimed - evidenced, when both exist.")
    passed: int = Field(description="Checks of the rule that the records satisfy.")
    total: int = Field(description="Checks of the rule that were judged.")
    items: list[EvidenceItem]


class SelfReportedQuestion(_Result):
    question_id: str
    dimension: str
    text: str
    claimed: float | None
    why: str = Field(description="Why no record can check it: what would, and where it lives.")


class ClaimedDimension(_Result):
    """A dimension's claimed and evidenced scores over the same evidenced questions."""

    id: str
    name: str
    n_questions: int
    n_rules: int = Field(description="Questions of the dimension that an evidence rule checks.")
    n_compared: int = Field(description="Questions with both a claimed mean and records.")
    verdicts: dict[str, int] = Field(description="Count of each verdict in the dimension.")
    claimed_score: float | None = Field(description="0-100 over the compared questions.")
    evidenced_score: float | None = Field(description="0-100 over the compared questions.")


class StageEvidence(_Result):
    """The claimed stage beside the stage the records support."""

    claimed: StageResult
    evidenced: StageResult
    contradicted: list[Blocker] = Field(
        description="Criteria of the claimed stage and below that the answers meet and the "
        "records do not: why the evidenced stage is lower."
    )
    resting_on_self_report: list[str] = Field(
        description="Criteria of the evidenced stage and below met on the answers alone, "
        "because no rule can check them."
    )


class ClaimedVsEvidenced(_Result):
    """The assessment's claims checked against the registry's records (C2)."""

    as_of: date
    governance_applied: bool
    n_questions: int
    n_rules: int
    questions: list[ClaimedQuestion]
    dimensions: list[ClaimedDimension]
    claimed_score: float | None = Field(description="0-100 over all compared questions.")
    evidenced_score: float | None = Field(description="0-100 over all compared questions.")
    stage: StageEvidence
    self_reported_only: list[SelfReportedQuestion]
    method: str = Field(description="How verdicts, scores and the evidenced stage are computed.")


class AssessmentReport(_Result):
    """The whole result of one cycle: the JSON document ``assess report --format json`` prints."""

    schema_version: Literal["1"] = "1"
    cycle: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    generated_at: datetime
    bank: str
    bank_version: str
    respondents: RespondentSummary
    dimensions: list[DimensionResult]
    overall_score: float | None
    overall_scorable: bool
    stage: StageResult
    questions: list[QuestionResult]
    perception_gaps: list[PerceptionGap]
    priorities: list[Priority]
    trend: Trend | None
    rules: Rules
    evidence: ClaimedVsEvidenced | None = Field(
        default=None, description="Claimed against evidenced; null when not computed."
    )
