"""Scoring rules: per question, per dimension, overall, consensus and perception gaps."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from pydantic import BaseModel, ConfigDict, Field

from cxsteward.domain.bank import QuestionBank
from cxsteward.domain.results import (
    Consensus,
    DimensionResult,
    GroupFigures,
    PerceptionGap,
    QuestionResult,
)
from cxsteward.domain.scale import DONT_KNOW, MAX_ANSWER, Dimension, RoleGroup


@dataclass(frozen=True)
class Answer:
    """One respondent's answer to one question; ``value`` None means don't know."""

    respondent: str
    role_group: RoleGroup
    question_id: str
    value: int | None
    comment: str | None = None


class ScoringRules(BaseModel):
    """The knobs of scoring; defaults are the ones the report states."""

    model_config = ConfigDict(frozen=True)

    min_answers_per_question: int = Field(default=3, ge=1)
    min_group_size: int = Field(default=3, ge=1)
    perception_gap: float = Field(default=1.5, gt=0)
    strong_max_sd: float = 0.8
    divided_min_sd: float = 1.2
    polarised_share: float = 0.25
    min_dimension_weight_share: float = 0.5

    def describe_scoring(self) -> str:
        return (
            "A question's mean is the average of its 0-4 answers; don't-know answers are left "
            f"out, never counted as 0. A question is scored when it has at least "
            f"{self.min_answers_per_question} valid answers. A dimension's score is the "
            "weighted mean of its scored questions' means, times 25 (0-100); it is not scorable "
            f"when its scored questions carry less than {self.min_dimension_weight_share:.0%} "
            "of its weight. The overall score is the plain mean of the five dimension scores, "
            "given only when every dimension is scorable."
        )

    def describe_consensus(self) -> str:
        return (
            f"Strong: standard deviation of valid answers at most {self.strong_max_sd}. "
            f"Divided: standard deviation above {self.divided_min_sd}, or above "
            f"{self.strong_max_sd} with at least {self.polarised_share:.0%} of answers at 0-1 "
            f"and at least {self.polarised_share:.0%} at 3-4 (two camps). Mixed: anything "
            "between. Insufficient: fewer "
            f"than {self.min_answers_per_question} valid answers."
        )

    def describe_gap(self) -> str:
        return (
            f"Two role groups whose means on a question differ by {self.perception_gap} points "
            f"or more on the 0-4 scale, each with at least {self.min_group_size} valid answers. "
            f"A group with fewer than {self.min_group_size} valid answers on a question has its "
            "figures withheld, so that no answer can be traced to one person."
        )

    def describe_withheld(self) -> str:
        return (
            f"Withheld: fewer than {self.min_group_size} respondents of the group gave an "
            "answer (0-4) to the question. With so few, each of them could work out the "
            "others' answers from the group's figures, so none are shown: no mean, no "
            "distribution, no count of don't-know answers."
        )


@dataclass(frozen=True)
class Scores:
    """Per-question and per-dimension results of one cycle."""

    questions: list[QuestionResult]
    dimensions: list[DimensionResult]
    overall: float | None

    def question_means(self) -> dict[str, float | None]:
        return {q.id: (q.mean if q.scorable else None) for q in self.questions}


def score_answers(bank: QuestionBank, answers: Iterable[Answer], rules: ScoringRules) -> Scores:
    """Score every question and dimension of the bank from the cycle's answers."""
    by_question: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_question[answer.question_id].append(answer)
    questions = [
        score_question(q.id, q.dimension.value, q.text, q.weight, by_question[q.id], rules)
        for q in bank.questions
    ]
    dimensions = [_score_dimension(d, questions, rules) for d in Dimension]
    overall = (
        sum(d.score for d in dimensions if d.score is not None) / len(dimensions)
        if all(d.scorable for d in dimensions)
        else None
    )
    return Scores(questions=questions, dimensions=dimensions, overall=overall)


def score_question(
    qid: str,
    dimension: str,
    text: str,
    weight: float,
    answers: Sequence[Answer],
    rules: ScoringRules,
) -> QuestionResult:
    """Mean, spread, consensus and role-group figures of one question."""
    values = [a.value for a in answers if a.value is not None]
    n_dk = len(answers) - len(values)
    mean = sum(values) / len(values) if values else None
    sd = _population_sd(values)
    scorable = len(values) >= rules.min_answers_per_question
    return QuestionResult(
        id=qid,
        dimension=dimension,
        text=text,
        weight=weight,
        n_answers=len(values),
        n_dont_know=n_dk,
        dont_know_share=n_dk / len(answers) if answers else None,
        mean=mean,
        score=mean / MAX_ANSWER * 100 if scorable and mean is not None else None,
        std_dev=sd,
        scorable=scorable,
        consensus=classify_consensus(values, rules),
        distribution=_distribution(answers),
        by_role_group=_group_figures(answers, rules),
        comments=[a.comment for a in answers if a.comment],
    )


def classify_consensus(values: Sequence[int], rules: ScoringRules) -> Consensus:
    """Strong / mixed / divided / insufficient, by the rule ``describe_consensus`` states."""
    if len(values) < rules.min_answers_per_question:
        return "insufficient"
    sd = _population_sd(values) or 0.0
    low = sum(1 for v in values if v <= 1) / len(values)
    high = sum(1 for v in values if v >= 3) / len(values)
    polarised = low >= rules.polarised_share and high >= rules.polarised_share
    if sd > rules.divided_min_sd or (polarised and sd > rules.strong_max_sd):
        return "divided"
    return "strong" if sd <= rules.strong_max_sd else "mixed"


def find_perception_gaps(
    questions: Iterable[QuestionResult], rules: ScoringRules
) -> list[PerceptionGap]:
    """Every pair of role groups whose means on a question differ by the gap or more."""
    gaps: list[PerceptionGap] = []
    for question in questions:
        groups = [
            (g, g.mean)
            for g in question.by_role_group
            if g.mean is not None and (g.n_answers or 0) >= rules.min_group_size
        ]
        for (a, mean_a), (b, mean_b) in combinations(groups, 2):
            (high, high_mean), (low, low_mean) = sorted(
                [(a, mean_a), (b, mean_b)], key=lambda pair: -pair[1]
            )
            difference = high_mean - low_mean
            # Tolerance: 4.0 - 2.5 must count as a 1.5 gap despite float rounding.
            if difference >= rules.perception_gap - 1e-9:
                gaps.append(
                    PerceptionGap(
                        question_id=question.id,
                        dimension=question.dimension,
                        text=question.text,
                        higher_group=high.role_group,
                        higher_mean=high_mean,
                        higher_n=high.n_answers or 0,
                        lower_group=low.role_group,
                        lower_mean=low_mean,
                        lower_n=low.n_answers or 0,
                        difference=difference,
                    )
                )
    return sorted(gaps, key=lambda g: (-g.difference, g.question_id))


def _score_dimension(
    dimension: Dimension, questions: list[QuestionResult], rules: ScoringRules
) -> DimensionResult:
    members = [q for q in questions if q.dimension == dimension.value]
    scored = [q for q in members if q.scorable and q.mean is not None]
    total_weight = sum(q.weight for q in members)
    scored_weight = sum(q.weight for q in scored)
    n_answers = sum(q.n_answers for q in members)
    n_dk = sum(q.n_dont_know for q in members)
    scorable = bool(members) and scored_weight >= rules.min_dimension_weight_share * total_weight
    weighted_mean = (
        sum(q.weight * (q.mean or 0.0) for q in scored) / scored_weight if scored else None
    )
    score = weighted_mean * 100 / MAX_ANSWER if scorable and weighted_mean is not None else None
    left_out = [
        f"{q.id} ({q.n_answers} valid, needs {rules.min_answers_per_question})"
        for q in members
        if not q.scorable
    ]
    computation = (
        f"weighted mean of {len(scored)} of {len(members)} question means "
        f"(weight {scored_weight:g} of {total_weight:g})"
    )
    if weighted_mean is not None:
        computation += f" = {weighted_mean:.2f} of 4"
    computation += f" -> {score:.1f}" if score is not None else " -> not scorable"
    if left_out:
        computation += "; not scored: " + ", ".join(left_out)
    return DimensionResult(
        id=dimension.value,
        name=dimension.label,
        score=score,
        scorable=scorable,
        n_questions=len(members),
        n_scored_questions=len(scored),
        n_answers=n_answers,
        n_dont_know=n_dk,
        dont_know_share=n_dk / (n_answers + n_dk) if n_answers + n_dk else None,
        computation=computation,
    )


def _group_figures(answers: Sequence[Answer], rules: ScoringRules) -> list[GroupFigures]:
    grouped: dict[RoleGroup, list[Answer]] = defaultdict(list)
    for answer in answers:
        grouped[answer.role_group].append(answer)
    figures = []
    for group in RoleGroup:
        rows = grouped.get(group)
        if not rows:
            continue
        values = [a.value for a in rows if a.value is not None]
        # Counted on valid answers: a group of two where one said "don't know" would
        # otherwise show the other person's answer as the group's mean.
        shown = len(values) >= rules.min_group_size
        figures.append(
            GroupFigures(
                role_group=group.value,
                n_respondents=len(rows),
                # Even the split into answers and don't-knows tells a pair who said what.
                n_answers=len(values) if shown else None,
                n_dont_know=len(rows) - len(values) if shown else None,
                mean=sum(values) / len(values) if shown and values else None,
                distribution=_distribution(rows) if shown else None,
            )
        )
    return figures


def _distribution(answers: Sequence[Answer]) -> dict[str, int]:
    counts = Counter(DONT_KNOW if a.value is None else str(a.value) for a in answers)
    return {key: counts.get(key, 0) for key in [*map(str, range(MAX_ANSWER + 1)), DONT_KNOW]}


def _population_sd(values: Sequence[int]) -> float | None:
    if not values:
        return None
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
