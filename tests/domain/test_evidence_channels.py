"""The evidence rules on people's channels: review path, explanations, flags, policy upkeep.

The good world (evidence_world.py) evidences every rule; the firing cases live in
test_evidence.py. These tests pin the edges: windows, withdrawn requests, boundaries.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from importlib.resources import files

from evidence_world import TODAY, at, facts

from cxsteward.domain.bank import parse_bank
from cxsteward.domain.governance.evidence import RULE_IDS, judge_evidence
from cxsteward.domain.governance.evidence_base import EvidenceFacts
from cxsteward.domain.governance.evidence_channels import (
    TRIAGE_DAYS,
    explanations,
    flag_channel,
    policy_upkeep,
    review_path,
)
from cxsteward.domain.governance.self_reported import UNKNOWN, WHY

BANK = parse_bank(files("cxsteward").joinpath("data/question_bank.yaml").read_text("utf-8"), "bank")


def texts(outcome: object) -> str:
    return " | ".join(i.text for i in outcome.items)  # type: ignore[attr-defined]


def test_no_requests_in_the_window_is_no_records_not_a_pass() -> None:
    old = [
        dataclasses.replace(r, received_at=at(TODAY - timedelta(days=200))) for r in facts().reviews
    ]
    f = dataclasses.replace(facts(), reviews=old)
    assert review_path(f).verdict == "no_records"
    assert "no customer asked for a human review in the last 90 days" in texts(review_path(f))


def test_a_withdrawn_request_is_neither_due_nor_overdue() -> None:
    first, *rest = facts().reviews
    withdrawn = dataclasses.replace(
        first, resolved_at=None, withdrawn_at=first.received_at + timedelta(hours=1)
    )
    outcome = review_path(dataclasses.replace(facts(), reviews=[withdrawn, *rest]))
    assert outcome.verdict == "evidenced"
    assert "9 of 9 request(s) due were answered in time (100.0%" in texts(outcome)


def test_a_request_still_within_its_time_is_not_yet_due() -> None:
    fresh = dataclasses.replace(
        facts().reviews[0],
        received_at=at(TODAY),
        due_at=at(TODAY) + timedelta(days=5),
        resolved_at=None,
        explained_at=None,
    )
    f = dataclasses.replace(facts(), reviews=[fresh, *facts().reviews[1:]])
    assert review_path(f).verdict == "evidenced"
    assert "10 review request(s) received" in texts(review_path(f))
    assert "9 of 9 request(s) due" in texts(review_path(f))


def test_the_review_floor_is_ninety_percent_inclusive() -> None:
    # 9 of 10 in time is exactly the floor: met; 8 of 10 is not (see the firing cases).
    late = dataclasses.replace(
        facts().reviews[0], resolved_at=facts().reviews[0].due_at + timedelta(seconds=1)
    )
    f = dataclasses.replace(facts(), reviews=[late, *facts().reviews[1:]])
    assert review_path(f).verdict == "evidenced"


def test_explanations_are_judged_per_deployment() -> None:
    other = [
        dataclasses.replace(r, id=100 + r.id, deployment="voice", explained_at=None)
        for r in facts().reviews[:3]
    ]
    f = dataclasses.replace(facts(), reviews=[*facts().reviews, *other])
    outcome = explanations(f)
    assert outcome.verdict == "partly"
    assert outcome.passed == 1 and outcome.total == 2
    assert "voice: 0 of 3 answered request(s)" in texts(outcome)


def test_an_explanation_written_after_today_does_not_count() -> None:
    later = [
        dataclasses.replace(r, explained_at=at(TODAY + timedelta(days=3))) for r in facts().reviews
    ]
    assert explanations(dataclasses.replace(facts(), reviews=later)).verdict == "not_evidenced"


def test_a_flag_waiting_past_the_triage_limit_counts_as_late() -> None:
    waiting = dataclasses.replace(
        facts().flags[0],
        submitted_at=at(TODAY - timedelta(days=TRIAGE_DAYS + 1)),
        triaged_at=None,
    )
    f = dataclasses.replace(facts(), flags=[waiting, *facts().flags[1:]])
    assert flag_channel(f).verdict == "partly"
    assert "1 of 4 flag(s) waited more than 7 days" in texts(flag_channel(f))
    within = dataclasses.replace(waiting, submitted_at=at(TODAY - timedelta(days=2)))
    f = dataclasses.replace(facts(), flags=[within, *facts().flags[1:]])
    assert flag_channel(f).verdict == "evidenced"


def test_no_flags_is_no_records() -> None:
    outcome = flag_channel(dataclasses.replace(facts(), flags=[]))
    assert outcome.verdict == "no_records"


def test_policy_upkeep_counts_days_not_log_entries() -> None:
    same_day = [at(date(2026, 5, 20), h) for h in range(9, 15)]
    outcome = policy_upkeep(dataclasses.replace(facts(), policy_changes=same_day))
    assert "revised on 1 day(s) in the last 183 days; last revised on 2026-05-20" in texts(outcome)


def test_a_model_change_too_recent_to_judge_is_left_out() -> None:
    f = facts()
    assert f.governance is not None
    dep = f.governance.deployments[0]
    recent = dep.models[1].model_copy(update={"effective_from": TODAY - timedelta(days=10)})
    gov = f.governance.model_copy(
        update={"deployments": [dep.model_copy(update={"models": [dep.models[0], recent]})]}
    )
    outcome = policy_upkeep(dataclasses.replace(f, governance=gov))
    assert outcome.total == 1 and outcome.verdict == "evidenced"


def test_a_deployments_first_version_is_its_launch_not_a_change() -> None:
    f = facts()
    assert f.governance is not None and f.governance.committee is not None
    gov = f.governance.model_copy(
        update={"committee": f.governance.committee.model_copy(update={"meetings": []})}
    )
    outcome = policy_upkeep(dataclasses.replace(f, governance=gov))
    # Only version 2 is judged: no meeting followed it. Version 1 (go-live) is not listed.
    assert outcome.total == 2 and outcome.passed == 1
    assert "acme-chat 2 took effect" in texts(outcome) and "acme-chat 1" not in texts(outcome)


def test_policy_upkeep_without_governance_is_no_records() -> None:
    assert policy_upkeep(EvidenceFacts(today=TODAY)).verdict == "no_records"


def test_every_unchecked_question_says_why_and_no_checked_one_does() -> None:
    report = judge_evidence(facts(), BANK.ids())
    assert not set(WHY) & set(RULE_IDS)
    assert set(report.self_reported_only) == set(WHY)
    assert all(len(text) > 60 and text.endswith(".") for text in WHY.values())
    assert UNKNOWN not in WHY.values()
