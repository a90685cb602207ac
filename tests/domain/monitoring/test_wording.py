"""Comparison sentences say what differs, which way and for whom, per metric's meaning."""

from __future__ import annotations

import pytest

from cxsteward.domain.monitoring.wording import (
    comparison_sentence,
    elsewhere_phrase,
    segment_phrase,
)


@pytest.mark.parametrize(
    ("metric", "scope", "ai", "human", "sentence"),
    [
        (
            "escalation_rate",
            {"vulnerable": "yes"},
            0.05,
            0.18,
            "For vulnerable customers the AI escalates 13 points less often than humans "
            "(5.0% vs 18.0%).",
        ),
        (
            "escalation_rate",
            {"vulnerable": "no"},
            0.12,
            0.10,
            "For customers who are not vulnerable the AI escalates 2.0 points more often than "
            "humans (12.0% vs 10.0%).",
        ),
        (
            "complaint_rate",
            {"inquiry_type": "billing"},
            0.105,
            0.035,
            "Where inquiry type is billing the AI draws complaints 7.0 points more often than "
            "humans (10.5% vs 3.5%).",
        ),
        (
            "first_contact_resolution",
            {},
            0.82,
            0.74,
            "Across all contacts the AI resolves contacts at first contact 8.0 points more "
            "often than humans (82.0% vs 74.0%).",
        ),
        (
            "average_handle_time",
            {"channel": "voice"},
            231.4,
            420.0,
            "Where channel is voice the AI takes 189 s shorter per contact than humans "
            "(231 s vs 420 s).",
        ),
        (
            "csat_mean",
            {"language": "es", "tier": "gold"},
            3.9,
            4.15,
            "Where language is es and tier is gold the AI's average csat is 0.25 lower than "
            "the humans' (3.90 vs 4.15).",
        ),
        (
            "escalation_rate",
            {},
            0.08,
            0.0801,
            "Across all contacts the AI escalates as often as humans (8.0% vs 8.0%).",
        ),
    ],
    ids=[
        "vulnerable-less",
        "not-vulnerable-more",
        "segment",
        "overall",
        "seconds",
        "mean",
        "level",
    ],
)
def test_sentences(
    metric: str, scope: dict[str, str], ai: float, human: float, sentence: str
) -> None:
    assert comparison_sentence(metric, scope, ai, human) == sentence


def test_yes_no_columns_read_as_the_customers_they_name() -> None:
    assert segment_phrase({"vulnerable": "Yes"}) == "For vulnerable customers"
    assert segment_phrase({"first_time": "false"}) == "For customers who are not first time"
    assert segment_phrase({"region": "north"}) == "Where region is north"


def test_no_figure_no_comparison() -> None:
    text = comparison_sentence("escalation_rate", {}, float("nan"), 0.1)
    assert text == "Across all contacts the AI and humans cannot be compared on escalations."


def test_elsewhere_of_a_yes_no_segment_is_named() -> None:
    assert elsewhere_phrase({"vulnerable": "no"}) == "for vulnerable customers"
    assert elsewhere_phrase({"vulnerable": "yes"}) == "for customers who are not vulnerable"
    assert elsewhere_phrase({"inquiry_type": "billing"}) == "elsewhere"
    text = comparison_sentence("escalation_rate", {}, 0.077, 0.197, who="for vulnerable customers")
    assert text == (
        "for vulnerable customers the AI escalates 12 points less often than humans "
        "(7.7% vs 19.7%)."
    )
