"""Scoring rules against hand computations."""

from __future__ import annotations

import statistics

import pytest

from cxsteward.config import Settings
from cxsteward.domain.bank import Question, QuestionBank
from cxsteward.domain.scale import Dimension, RoleGroup
from cxsteward.domain.scoring import (
    Answer,
    ScoringRules,
    classify_consensus,
    find_perception_gaps,
    score_answers,
)

EXEC, FRONT, TECH = RoleGroup.EXECUTIVE, RoleGroup.FRONTLINE, RoleGroup.TECHNOLOGY


def question(qid: str, dimension: Dimension, weight: float = 1.0) -> Question:
    return Question(
        id=qid,
        dimension=dimension,
        text=f"Text of {qid}",
        why="Why.",
        fully_in_place="Done.",
        next_action="Do it.",
        answered_by=(RoleGroup.EXECUTIVE,),
        weight=weight,
    )


def small_bank() -> QuestionBank:
    return QuestionBank(
        id="t",
        version="1",
        questions=(
            question("STR-01", Dimension.STRATEGY),
            question("STR-02", Dimension.STRATEGY, weight=2.0),
            question("GOV-01", Dimension.GOVERNANCE),
            question("PPL-01", Dimension.PEOPLE),
            question("DAT-01", Dimension.DATA),
            question("TRU-01", Dimension.TRUST),
        ),
    )


def answers(
    qid: str, values: list[int | None], groups: list[RoleGroup] | None = None
) -> list[Answer]:
    groups = groups or [EXEC] * len(values)
    return [
        Answer(respondent=f"r{i}", role_group=g, question_id=qid, value=v)
        for i, (v, g) in enumerate(zip(values, groups, strict=True))
    ]


def full_answers() -> list[Answer]:
    return [
        *answers("STR-01", [4, 3, 2, None]),
        *answers("STR-02", [1, 1, 2, 0]),
        *answers("GOV-01", [2, 2, 2]),
        *answers("PPL-01", [0, 4, 0, 4]),
        *answers("DAT-01", [3, 3, None, None, 3]),
        *answers("TRU-01", [1, 2, 3]),
    ]


def test_question_mean_leaves_dont_know_out() -> None:
    scores = score_answers(small_bank(), full_answers(), ScoringRules())
    str01 = next(q for q in scores.questions if q.id == "STR-01")
    assert str01.mean == pytest.approx(3.0)  # (4 + 3 + 2) / 3, not (4+3+2+0)/4
    assert str01.n_answers == 3 and str01.n_dont_know == 1
    assert str01.dont_know_share == pytest.approx(0.25)
    assert str01.score == pytest.approx(75.0)
    assert str01.std_dev == pytest.approx(statistics.pstdev([4, 3, 2]))
    assert str01.distribution == {"0": 0, "1": 0, "2": 1, "3": 1, "4": 1, "dont_know": 1}


def test_dimension_score_is_weighted_mean_times_25() -> None:
    scores = score_answers(small_bank(), full_answers(), ScoringRules())
    strategy = next(d for d in scores.dimensions if d.id == "strategy")
    # STR-01 mean 3.0 (weight 1), STR-02 mean 1.0 (weight 2): (3 + 2) / 3 = 1.6667 -> 41.67
    assert strategy.score == pytest.approx((3.0 * 1 + 1.0 * 2) / 3 * 25)
    assert strategy.n_answers == 7 and strategy.n_dont_know == 1
    assert "weighted mean of 2 of 2" in strategy.computation
    assert "41.7" in strategy.computation


def test_overall_is_mean_of_five_dimensions() -> None:
    scores = score_answers(small_bank(), full_answers(), ScoringRules())
    expected = statistics.mean([(3 + 2) / 3 * 25, 2 * 25, 2 * 25, 3 * 25, 2 * 25])
    assert scores.overall == pytest.approx(expected)


def test_question_with_too_few_answers_is_not_scored_and_dimension_not_scorable() -> None:
    data = [a for a in full_answers() if a.question_id != "GOV-01"]
    data += answers("GOV-01", [4, 4, None, None])  # two valid answers < 3
    scores = score_answers(small_bank(), data, ScoringRules())
    gov = next(d for d in scores.dimensions if d.id == "governance")
    gov01 = next(q for q in scores.questions if q.id == "GOV-01")
    assert not gov01.scorable and gov01.score is None and gov01.mean == pytest.approx(4.0)
    assert gov.score is None and not gov.scorable
    assert "not scored: GOV-01 (2 valid, needs 3)" in gov.computation
    assert scores.overall is None


def test_dimension_scorable_when_scored_questions_carry_half_its_weight() -> None:
    data = [a for a in full_answers() if a.question_id != "STR-01"]  # STR-02 weight 2 of 3 left
    scores = score_answers(small_bank(), data, ScoringRules())
    strategy = next(d for d in scores.dimensions if d.id == "strategy")
    assert strategy.scorable and strategy.score == pytest.approx(25.0)
    data = [a for a in full_answers() if a.question_id != "STR-02"]  # weight 1 of 3 left
    strategy = next(d for d in score_answers(small_bank(), data, ScoringRules()).dimensions)
    assert not strategy.scorable


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([2, 2, 2, 3], "strong"),  # sd 0.43
        ([1, 2, 3, 2], "strong"),  # sd 0.71: both camps present, but close together
        ([2, 2, 3, 4, 2, 1], "mixed"),  # sd 0.94, one low answer in six
        ([0, 2, 4, 2, 2], "divided"),  # sd 1.26
        ([0, 4, 0, 4], "divided"),  # sd 2.0
        ([1, 1, 3, 3], "divided"),  # sd 1.0 with half at 0-1 and half at 3-4
        ([4, 4], "insufficient"),
    ],
    ids=["tight", "close-camps", "spread", "wide", "split", "two-camps", "too-few"],
)
def test_consensus_rule(values: list[int], expected: str) -> None:
    assert classify_consensus(values, ScoringRules()) == expected


def test_consensus_rule_matches_its_standard_deviation() -> None:
    # The thresholds apply to the population standard deviation, as statistics computes it.
    assert statistics.pstdev([2, 2, 3, 4, 2, 1]) == pytest.approx(0.9428, abs=1e-4)
    assert statistics.pstdev([0, 2, 4, 2, 2]) == pytest.approx(1.2649, abs=1e-4)


def test_perception_gap_lists_both_means_and_counts() -> None:
    groups = [EXEC, EXEC, EXEC, FRONT, FRONT, FRONT, TECH, TECH]
    data = answers("GOV-01", [4, 4, 3, 1, 2, 1, 3, 3], groups)
    scores = score_answers(small_bank(), data, ScoringRules())
    gaps = find_perception_gaps(scores.questions, ScoringRules())
    # exec 11/3 vs frontline 4/3 = 2.33; technology has two answers: withheld, never compared.
    assert [(g.higher_group, g.lower_group) for g in gaps] == [("executive", "frontline")]
    gap = gaps[0]
    assert gap.higher_mean == pytest.approx(11 / 3) and gap.higher_n == 3
    assert gap.lower_mean == pytest.approx(4 / 3) and gap.lower_n == 3
    assert gap.difference == pytest.approx(7 / 3)
    # With the setting lowered to 2, technology (3.0) is compared too: 3.0 - 4/3 = 1.67.
    two = ScoringRules(min_group_size=2)
    lowered = find_perception_gaps(score_answers(small_bank(), data, two).questions, two)
    assert [(g.higher_group, g.lower_group) for g in lowered] == [
        ("executive", "frontline"),
        ("technology", "frontline"),
    ]
    assert lowered[1].difference == pytest.approx(3.0 - 4 / 3) and lowered[1].higher_n == 2


def test_gap_of_exactly_the_threshold_counts() -> None:
    data = answers(
        "GOV-01", [4, 4, 4, 2, 3, 2, 3], [EXEC, EXEC, EXEC, FRONT, FRONT, FRONT, FRONT]
    )  # 4.0 vs 2.5
    scores = score_answers(small_bank(), data, ScoringRules())
    assert [g.difference for g in find_perception_gaps(scores.questions, ScoringRules())] == [
        pytest.approx(1.5)
    ]


@pytest.mark.parametrize(
    ("frontline", "shown"),
    [([1, 2], False), ([1, 2, 4], True), ([1, 2, None], False), ([1, 2, None, 3], True)],
    ids=["two-withheld", "three-shown", "three-with-dont-know-withheld", "three-valid-shown"],
)
def test_groups_below_the_default_of_three_are_withheld(
    frontline: list[int | None], shown: bool
) -> None:
    data = answers("GOV-01", [4, 4, 4, *frontline], [EXEC] * 3 + [FRONT] * len(frontline))
    rules = ScoringRules()
    assert rules.min_group_size == 3 == Settings().min_group_size
    gov01 = next(q for q in score_answers(small_bank(), data, rules).questions if q.id == "GOV-01")
    group = next(g for g in gov01.by_role_group if g.role_group == "frontline")
    valid = [v for v in frontline if v is not None]
    assert group.n_respondents == len(frontline)
    if shown:
        assert group.mean == pytest.approx(sum(valid) / len(valid))
        assert (group.n_answers, group.n_dont_know) == (len(valid), len(frontline) - len(valid))
        assert group.distribution is not None
    else:
        # Nothing of the group: each of two could otherwise read the other's answer.
        assert (group.mean, group.distribution, group.n_answers, group.n_dont_know) == (
            None,
            None,
            None,
            None,
        )
    assert "fewer than 3 respondents" in rules.describe_withheld()


def test_small_groups_are_withheld_and_never_compared() -> None:
    data = answers("GOV-01", [4, 1, 1, 1], [EXEC, FRONT, FRONT, FRONT])
    scores = score_answers(small_bank(), data, ScoringRules())
    gov01 = next(q for q in scores.questions if q.id == "GOV-01")
    executive = next(g for g in gov01.by_role_group if g.role_group == "executive")
    assert executive.n_respondents == 1 and executive.mean is None
    assert executive.distribution is None
    assert find_perception_gaps(scores.questions, ScoringRules()) == []
