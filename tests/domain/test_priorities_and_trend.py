"""Priorities and trend, through the whole report assembly, against hand-worked cases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cxsteward.domain.bank import Question, QuestionBank
from cxsteward.domain.maturity import Criterion, MaturityModel, Stage
from cxsteward.domain.report import build_report
from cxsteward.domain.results import AssessmentReport
from cxsteward.domain.scale import Dimension, RoleGroup
from cxsteward.domain.scoring import Answer, ScoringRules

EXEC, FRONT = RoleGroup.EXECUTIVE, RoleGroup.FRONTLINE
IDS = {
    "STR-01": Dimension.STRATEGY,
    "GOV-01": Dimension.GOVERNANCE,
    "GOV-02": Dimension.GOVERNANCE,
    "PPL-01": Dimension.PEOPLE,
    "DAT-01": Dimension.DATA,
    "TRU-01": Dimension.TRUST,
}


def bank() -> QuestionBank:
    return QuestionBank(
        id="t",
        version="1",
        questions=tuple(
            Question(
                id=qid,
                dimension=dim,
                text=qid,
                why="w",
                fully_in_place="f",
                next_action=f"Act on {qid}.",
                answered_by=(EXEC,),
                weight=1.5 if qid == "GOV-02" else 1.0,
            )
            for qid, dim in IDS.items()
        ),
    )


def maturity() -> MaturityModel:
    return MaturityModel(
        model="m",
        version="1",
        stages=(
            Stage(number=1, name="Ad hoc", description="a"),
            Stage(
                number=2,
                name="Reactive",
                description="b",
                criteria=(Criterion(question="STR-01", minimum=1.0),),
            ),
            Stage(
                number=3,
                name="Defined",
                description="c",
                criteria=(
                    Criterion(question="GOV-01", minimum=3.0),
                    Criterion(question="GOV-02", minimum=3.0),
                ),
            ),
            Stage(
                number=4,
                name="Managed",
                description="d",
                criteria=(Criterion(question="DAT-01", minimum=3.0),),
            ),
        ),
    )


def report(
    values: dict[str, list[int | None]],
    previous: AssessmentReport | None = None,
    cycle: str = "c2",
    rules: ScoringRules | None = None,
) -> AssessmentReport:
    """Two executives and two anonymous frontline respondents; groups of two are shown
    unless ``rules`` say otherwise (the default minimum is three)."""
    groups = [EXEC, EXEC, FRONT, FRONT]
    answers = [
        Answer(respondent=f"r{i}", role_group=groups[i], question_id=qid, value=v)
        for qid, column in values.items()
        for i, v in enumerate(column)
    ]
    when = datetime(2026, 10, 1, tzinfo=UTC)
    return build_report(
        cycle=cycle,
        status="open",
        opened_at=when,
        closed_at=None,
        generated_at=when,
        bank=bank(),
        maturity=maturity(),
        respondents=[(g, g is FRONT) for g in groups],
        answers=answers,
        rules=rules or ScoringRules(min_group_size=2),
        previous=previous,
    )


CURRENT: dict[str, list[int | None]] = {
    "STR-01": [3, 3, 2, 2],  # 2.5: stage 2 met
    "GOV-01": [3, 3, 2, 2],  # 2.5: short of 3 by 0.5
    "GOV-02": [2, 2, 1, 2],  # 1.75: short by 1.25, heaviest gap
    "PPL-01": [4, 4, 0, 0],  # 2.0, divided, exec-frontline gap 4.0
    "DAT-01": [2, 2, 2, 2],  # 2.0: stage 4 criterion unmet
    "TRU-01": [3, None, None, 3],  # 50% don't know
}


def test_priorities_order_and_reasons() -> None:
    result = report(CURRENT)
    assert result.stage.number == 2
    assert [p.question_id for p in result.priorities] == [
        "GOV-02",  # tier 1, shortfall 1.25
        "GOV-01",  # tier 1, shortfall 0.5
        "DAT-01",  # tier 2: stage 4
        "PPL-01",  # tier 3: divided and a perception gap
        "TRU-01",  # tier 3: don't know share
    ]
    assert [p.rank for p in result.priorities] == [1, 2, 3, 4, 5]
    gov02 = result.priorities[0]
    assert gov02.reasons == ["stage 3 needs GOV-02 >= 3; it is 1.8"]
    assert gov02.next_action == "Act on GOV-02."
    ppl01 = result.priorities[3]
    assert "answers are divided (standard deviation 2.00)" in ppl01.reasons
    assert "Executive say 4.0, Frontline say 0.0" in ppl01.reasons
    assert result.priorities[4].reasons == ["50% answered don't know"]


def test_no_trend_without_previous_cycle() -> None:
    assert report(CURRENT).trend is None


def test_trend_against_previous_cycle() -> None:
    before = report(
        {**CURRENT, "GOV-01": [1, 1, 1, 1], "STR-01": [1, 0, 0, 0], "TRU-01": [2, 2, 2, 2]},
        cycle="c1",
    )
    now = report(CURRENT, previous=before)
    assert now.trend is not None
    trend = now.trend
    assert trend.previous_cycle == "c1"
    assert (trend.stage.previous, trend.stage.current, trend.stage.change) == (1.0, 2.0, 1.0)
    gov01 = next(c for c in trend.questions if c.id == "GOV-01")
    assert (gov01.previous, gov01.current, gov01.change) == (1.0, 2.5, 1.5)
    # TRU-01 had 4 valid answers before, only 2 now: not scorable now, so no change.
    tru01 = next(c for c in trend.questions if c.id == "TRU-01")
    assert (tru01.previous, tru01.current, tru01.change) == (2.0, None, None)
    governance = next(c for c in trend.dimensions if c.id == "governance")
    # (1 x 1.0 + 1.5 x 1.75) / 2.5 x 25 = 36.25 before; (2.5 + 1.5 x 1.75) / 2.5 x 25 = 51.25 now
    assert governance.previous == pytest.approx(36.25)
    assert governance.current == pytest.approx(51.25)
    assert governance.change == pytest.approx(15.0)
    # Trust is not scorable now, so the overall score is not either, and has no change.
    assert (trend.overall.current, trend.overall.change) == (None, None)
    assert trend.overall.previous == pytest.approx(before.overall_score)


def test_a_perception_gap_of_groups_below_the_minimum_is_not_a_reason() -> None:
    """With the default minimum of three, two anonymous frontline answers reveal nothing."""
    ppl01 = next(
        p for p in report(CURRENT, rules=ScoringRules()).priorities if p.question_id == "PPL-01"
    )
    assert ppl01.reasons == ["answers are divided (standard deviation 2.00)"]
