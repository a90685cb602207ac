"""Stage rules: the weakest link decides, and blockers name what stops the next stage."""

from __future__ import annotations

import pytest

from cxsteward.domain.bank import QuestionBank
from cxsteward.domain.maturity import (
    Criterion,
    MaturityModel,
    Stage,
    evaluate_stage,
    parse_maturity,
    unmet_criteria,
)
from cxsteward.errors import Invalid


def model() -> MaturityModel:
    def stage(number: int, *criteria: tuple[str, float]) -> Stage:
        return Stage(
            number=number,
            name=f"S{number}",
            description="d",
            criteria=tuple(Criterion(question=q, minimum=m) for q, m in criteria),
        )

    return MaturityModel(
        model="m",
        version="1",
        stages=(
            stage(1),
            stage(2, ("GOV-01", 1.5)),
            stage(3, ("GOV-01", 3.0), ("GOV-02", 3.0)),
            stage(4, ("GOV-06", 3.0)),
            stage(5, ("GOV-05", 3.5)),
        ),
    )


@pytest.mark.parametrize(
    ("means", "stage", "blockers"),
    [
        ({"GOV-01": 1.0}, 1, ["stage 2 needs GOV-01 >= 1.5; it is 1.0"]),
        ({"GOV-01": 1.5, "GOV-02": 3.5}, 2, ["stage 3 needs GOV-01 >= 3; it is 1.5"]),
        (
            {"GOV-01": 3.2, "GOV-02": 2.95},
            2,
            ["stage 3 needs GOV-02 >= 3; it is 2.95"],  # never printed as 3.0
        ),
        (
            {"GOV-01": 3.0, "GOV-02": 3.0, "GOV-06": None},
            3,
            ["stage 4 needs GOV-06 >= 3; it has too few valid answers to score"],
        ),
        # Weakest link: stage 5's criterion met, stage 4's not, so stage 3.
        (
            {"GOV-01": 4, "GOV-02": 4, "GOV-06": 2.0, "GOV-05": 4},
            3,
            ["stage 4 needs GOV-06 >= 3; it is 2.0"],
        ),
        ({"GOV-01": 4, "GOV-02": 4, "GOV-06": 3.0, "GOV-05": 3.5}, 5, []),
    ],
    ids=["stage-1", "stage-2", "rounding", "unscorable", "weakest-link", "top"],
)
def test_stage_and_blockers(
    means: dict[str, float | None], stage: int, blockers: list[str]
) -> None:
    result = evaluate_stage(model(), means)
    assert result.number == stage
    assert [b.message for b in result.blockers] == blockers
    assert result.next_stage == (stage + 1 if stage < 5 else None)


def test_blocker_carries_requirement_and_actual() -> None:
    result = evaluate_stage(model(), {"GOV-01": 1.4})
    blocker = result.blockers[0]
    assert (blocker.stage, blocker.question_id, blocker.requirement) == (
        2,
        "GOV-01",
        "GOV-01 >= 1.5",
    )
    assert blocker.actual == pytest.approx(1.4)


def test_unmet_criteria_lists_every_stage() -> None:
    unmet = unmet_criteria(model(), {"GOV-01": 2.0})
    assert [(b.stage, b.question_id) for b in unmet] == [
        (3, "GOV-01"),
        (3, "GOV-02"),
        (4, "GOV-06"),
        (5, "GOV-05"),
    ]


def test_model_naming_unknown_question_is_refused() -> None:
    bank = QuestionBank(id="b", version="1", questions=())
    text = """
model: m
version: "1"
stages:
  - {number: 1, name: A, description: a, criteria: []}
  - {number: 2, name: B, description: b, criteria: [{question: XYZ-01, minimum: 2}]}
"""
    with pytest.raises(Invalid) as caught:
        parse_maturity(text, "m.yaml", bank)
    assert "XYZ-01" in str(caught.value) and "m.yaml" in str(caught.value)
