"""Typed results of an assessment: what every output format renders."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Consensus = Literal["strong", "mixed", "divided", "insufficient"]


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class GroupFigures(_Result):
    """A role group's answers to one question; the mean is withheld below the minimum size."""

    role_group: str
    n_respondents: int = Field(description="Respondents of the group who saw the question.")
    n_answers: int = Field(description="Valid answers (0-4), don't-know excluded.")
    n_dont_know: int
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
    stage: str
    priorities: str


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
