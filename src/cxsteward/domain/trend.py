"""Trend: change against the previous closed cycle."""

from __future__ import annotations

from collections.abc import Sequence

from cxsteward.domain.results import (
    AssessmentReport,
    Change,
    DimensionResult,
    QuestionResult,
    StageResult,
    Trend,
)


def compare_cycles(
    previous: AssessmentReport,
    dimensions: Sequence[DimensionResult],
    questions: Sequence[QuestionResult],
    overall: float | None,
    stage: StageResult,
) -> Trend:
    """Change per question (mean, 0-4), dimension and overall (0-100), and stage."""
    before_dims = {d.id: d.score for d in previous.dimensions}
    before_questions = {q.id: q.mean if q.scorable else None for q in previous.questions}
    return Trend(
        previous_cycle=previous.cycle,
        overall=_change("overall", previous.overall_score, overall),
        stage=_change("stage", float(previous.stage.number), float(stage.number)),
        dimensions=[_change(d.id, before_dims.get(d.id), d.score) for d in dimensions],
        questions=[
            _change(q.id, before_questions.get(q.id), q.mean if q.scorable else None)
            for q in questions
        ],
    )


def _change(key: str, previous: float | None, current: float | None) -> Change:
    delta = current - previous if previous is not None and current is not None else None
    return Change(id=key, previous=previous, current=current, change=delta)
