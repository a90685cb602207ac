"""TRU-07 counts sentiment with satisfaction and complaints: each verdict, and its reason."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from evidence_world import at, facts, threshold

from cxsteward.domain.governance.evidence import judge_evidence
from cxsteward.domain.governance.evidence_base import EvidenceFacts, PackEvidence
from cxsteward.domain.results import QuestionEvidence


def tru07(f: EvidenceFacts) -> QuestionEvidence:
    report = judge_evidence(f, ["TRU-07"])
    return next(q for q in report.questions if q.question_id == "TRU-07")


def texts(q: QuestionEvidence) -> list[str]:
    return [i.text for i in q.items]


def test_sentiment_in_the_data_compared_by_a_run_and_in_the_last_pack_is_evidenced() -> None:
    q = tru07(facts())
    assert q.verdict == "evidenced"
    assert "sentiment (3,000 scored contacts in 90 days): compared for the AI against humans " in (
        " ".join(texts(q))
    )
    assert "committee pack 4 issued 2026-06-01 shows sentiment" in texts(q)


def test_a_sentiment_threshold_is_named_when_one_watches_it() -> None:
    f = facts()
    rule = threshold("sentiment-gap", "sentiment_mean", date(2026, 3, 1))
    q = tru07(dataclasses.replace(f, thresholds=[*f.thresholds, rule]))
    assert q.verdict == "evidenced"
    assert any("watched by thresholds sentiment-gap" in t for t in texts(q))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"sentiment_scored": 0}, "no contact of the last 90 days carries a sentiment score"),
        ({"sentiment_scored": None}, "sentiment: no interaction data of the last 90 days"),
        ({"latest_pack": None}, "sentiment: no committee pack has been issued"),
        (
            {"latest_pack": PackEvidence(5, at(date(2026, 6, 10)), frozenset({"csat_mean"}))},
            "committee pack 5 issued 2026-06-10 does not show sentiment",
        ),
        ({"runs": ()}, "no threshold watches it and no run of the last month compared it"),
    ],
    ids=["no-text", "no-data", "no-pack", "pack-without-it", "not-compared"],
)
def test_sentiment_missing_anywhere_leaves_it_partly_with_the_reason(
    change: dict[str, object], reason: str
) -> None:
    q = tru07(dataclasses.replace(facts(), **change))  # type: ignore[arg-type]
    assert q.verdict == "partly"
    assert any(reason in t for t in texts(q)), texts(q)


def test_nothing_watched_and_no_sentiment_is_not_evidenced() -> None:
    q = tru07(
        dataclasses.replace(facts(), thresholds=[], runs=(), sentiment_scored=0, latest_pack=None)
    )
    assert q.verdict == "not_evidenced"


def test_no_governance_threshold_or_run_is_no_records() -> None:
    q = tru07(EvidenceFacts(today=date(2026, 6, 15), sentiment_scored=0))
    assert q.verdict == "no_records"
