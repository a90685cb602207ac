"""Assemble one cycle's full report from its answers: a pure function."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from cxsteward.domain.bank import QuestionBank
from cxsteward.domain.governance.evidence import compare_claims
from cxsteward.domain.maturity import MaturityModel, evaluate_stage, unmet_criteria
from cxsteward.domain.priorities import describe_priorities, rank_priorities
from cxsteward.domain.results import (
    AssessmentReport,
    EvidenceReport,
    RespondentSummary,
    Rules,
)
from cxsteward.domain.scale import RoleGroup
from cxsteward.domain.scoring import Answer, ScoringRules, find_perception_gaps, score_answers
from cxsteward.domain.trend import compare_cycles


def build_report(
    *,
    cycle: str,
    status: str,
    opened_at: datetime,
    closed_at: datetime | None,
    generated_at: datetime,
    bank: QuestionBank,
    maturity: MaturityModel,
    respondents: Sequence[tuple[RoleGroup, bool]],
    answers: Sequence[Answer],
    rules: ScoringRules,
    previous: AssessmentReport | None,
    evidence: EvidenceReport | None = None,
) -> AssessmentReport:
    """Score, stage, gaps, priorities and trend of one cycle.

    Args:
        respondents: (role group, anonymous) of each respondent of the cycle.
        previous: the report of the previous closed cycle, for the trend.
        evidence: the registry's evidence verdicts, to set beside the answers (C2).
    """
    scores = score_answers(bank, answers, rules)
    means = scores.question_means()
    stage = evaluate_stage(maturity, means)
    gaps = find_perception_gaps(scores.questions, rules)
    priorities = rank_priorities(
        bank, scores.questions, stage, unmet_criteria(maturity, means), gaps
    )
    counts = Counter(group.value for group, _ in respondents)
    return AssessmentReport(
        cycle=cycle,
        status=status,
        opened_at=opened_at,
        closed_at=closed_at,
        generated_at=generated_at,
        bank=bank.id,
        bank_version=bank.version,
        respondents=RespondentSummary(
            total=len(respondents),
            by_role_group={g.value: counts[g.value] for g in RoleGroup if counts[g.value]},
            anonymous=sum(1 for _, anonymous in respondents if anonymous),
        ),
        dimensions=scores.dimensions,
        overall_score=scores.overall,
        overall_scorable=scores.overall is not None,
        stage=stage,
        questions=scores.questions,
        perception_gaps=gaps,
        priorities=priorities,
        trend=(
            compare_cycles(previous, scores.dimensions, scores.questions, scores.overall, stage)
            if previous is not None
            else None
        ),
        rules=Rules(
            scoring=rules.describe_scoring(),
            consensus=rules.describe_consensus(),
            perception_gap=rules.describe_gap(),
            withheld=rules.describe_withheld(),
            stage=(
                "A stage is reached only when every criterion of it and of each stage below "
                "it is met: the weakest link decides. Each criterion is a question's mean "
                "(0-4) at or above a minimum; a question without enough answers counts as "
                "unmet. Blockers are the unmet criteria of the next stage."
            ),
            priorities=describe_priorities(),
        ),
        evidence=(
            compare_claims(maturity, scores.questions, scores.dimensions, stage, evidence)
            if evidence is not None
            else None
        ),
    )
