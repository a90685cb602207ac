"""The five-stage maturity model: criteria as data, the weakest link decides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxsteward.domain.bank import QuestionBank
from cxsteward.domain.results import Blocker, StageResult
from cxsteward.domain.yamlsource import parse_yaml
from cxsteward.errors import Invalid, Problem


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str
    minimum: float = Field(ge=0, le=4)
    basis: Literal["claimed"] = "claimed"

    @property
    def requirement(self) -> str:
        return f"{self.question} >= {self.minimum:g}"


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1, le=5)
    name: str
    description: str
    criteria: tuple[Criterion, ...] = ()


class MaturityModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str
    version: str
    stages: tuple[Stage, ...]

    def stage(self, number: int) -> Stage:
        return next(s for s in self.stages if s.number == number)

    def criteria_questions(self) -> set[str]:
        return {c.question for s in self.stages for c in s.criteria}


def parse_maturity(text: str, source: str, bank: QuestionBank) -> MaturityModel:
    """Parse a maturity model and check that its criteria name questions of the bank.

    Raises:
        Invalid: listing every problem.
    """
    try:
        model = MaturityModel.model_validate(parse_yaml(text)[1])
    except (yaml.YAMLError, ValidationError) as exc:
        problem = Problem(str(exc), source)
        raise Invalid(f"{source} is not a valid maturity model", [problem]) from None
    problems = [
        Problem("criterion names a question the bank lacks", source, value=question)
        for question in sorted(model.criteria_questions() - set(bank.ids()))
    ]
    numbers = [s.number for s in model.stages]
    if numbers != list(range(1, len(numbers) + 1)) or not numbers or model.stages[0].criteria:
        problems.append(Problem("stages must be numbered 1.. in order; stage 1 has no criteria"))
    if problems:
        raise Invalid(f"{source} does not fit the question bank", problems)
    return model


def evaluate_stage(model: MaturityModel, means: Mapping[str, float | None]) -> StageResult:
    """The highest stage whose criteria, and those of every stage below, are all met."""
    reached = model.stages[0]
    for stage in model.stages[1:]:
        if _unmet(stage, means):
            break
        reached = stage
    following = next((s for s in model.stages if s.number == reached.number + 1), None)
    return StageResult(
        number=reached.number,
        name=reached.name,
        description=reached.description,
        next_stage=following.number if following else None,
        blockers=_unmet(following, means) if following else [],
    )


def unmet_criteria(model: MaturityModel, means: Mapping[str, float | None]) -> list[Blocker]:
    """Every unmet criterion of every stage, lowest stage first."""
    return [b for stage in model.stages for b in _unmet(stage, means)]


def _unmet(stage: Stage, means: Mapping[str, float | None]) -> list[Blocker]:
    blockers = []
    for criterion in stage.criteria:
        actual = means.get(criterion.question)
        if actual is not None and actual >= criterion.minimum - 1e-9:
            continue
        shown = (
            "it has too few valid answers to score"
            if actual is None
            else f"it is {_shown_below(actual, criterion.minimum)}"
        )
        blockers.append(
            Blocker(
                stage=stage.number,
                question_id=criterion.question,
                requirement=criterion.requirement,
                actual=actual,
                message=f"stage {stage.number} needs {criterion.requirement}; {shown}",
            )
        )
    return blockers


def _shown_below(actual: float, minimum: float) -> str:
    # 2.95 against a minimum of 3 must not print as "3.0": add decimals until it reads below.
    for digits in (1, 2, 3):
        text = f"{actual:.{digits}f}"
        if float(text) < minimum:
            return text
    return f"{actual:.4f}"
