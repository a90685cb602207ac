"""Threshold rules as data: parsing, every problem at once, and the rule in words."""

from __future__ import annotations

import pytest

from cxsteward.domain.thresholds import Severity, Threshold, parse_thresholds
from cxsteward.errors import Invalid

METRICS = {"csat_satisfied_rate", "complaint_rate", "escalation_rate"}

GOOD = """
thresholds:
  - id: csat-gap
    metric: csat_satisfied_rate
    direction: below
    points: 5
    severity: sev2
    action: escalate
  - id: billing-complaints
    metric: complaint_rate
    direction: above
    ratio: 1.5
    segment: {inquiry_type: billing}
    deployment: support-chat
  - id: escalation-ceiling
    metric: escalation_rate
    compare_to: absolute
    direction: above
    value: 0.25
"""


def test_parse_good_file() -> None:
    rules = parse_thresholds(GOOD, "t.yaml", METRICS)
    assert [r.id for r in rules] == ["csat-gap", "billing-complaints", "escalation-ceiling"]
    assert rules[0].severity is Severity.SEV2 and rules[0].min_n == 100
    assert rules[1].describe() == (
        "AI complaint_rate / humans above 1.5 (support-chat, inquiry_type=billing)"
    )
    assert rules[0].describe() == "AI csat_satisfied_rate more than 5 points below humans"
    assert rules[2].describe() == "AI escalation_rate above 0.25"


def test_every_problem_is_reported_with_its_line() -> None:
    text = """thresholds:
  - id: a
    metric: nps
    direction: below
    points: 5
  - id: a
    metric: complaint_rate
    direction: sideways
    ratio: 2
  - id: Bad Id
    metric: complaint_rate
    direction: above
    points: 2
    ratio: 2
"""
    with pytest.raises(Invalid) as caught:
        parse_thresholds(text, "t.yaml", METRICS)
    found = [(p.row, p.column) for p in caught.value.problems]
    assert (2, "metric") in found  # unknown metric, on the rule's line
    assert (6, "direction") in found  # not below/above
    assert (10, None) in found  # both points and ratio
    assert all(p.file == "t.yaml" for p in caught.value.problems)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"points": 1, "ratio": 2}, "exactly one of points, ratio or value"),
        ({"compare_to": "absolute", "points": 1}, "exactly one|value goes with"),
        ({"value": 0.2}, "value goes with compare_to: absolute"),
        ({"compare_to": "baseline", "points": 1}, "baseline names the snapshot"),
        ({"points": -1}, "greater than 0"),
    ],
    ids=["two-sizes", "absolute-without-value", "value-without-absolute", "baseline", "negative"],
)
def test_rule_consistency(rule: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Threshold.model_validate(
            {"id": "r", "metric": "complaint_rate", "direction": "above"} | rule
        )


def test_empty_or_broken_files() -> None:
    with pytest.raises(Invalid, match="expected a 'thresholds:' list"):
        parse_thresholds("rules: []\n", "t.yaml", METRICS)
    with pytest.raises(Invalid, match="not valid YAML"):
        parse_thresholds("thresholds: [\n", "t.yaml", METRICS)
