"""The scale gate's criteria, each made to pass and to fail on hand-built facts (issue 13)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from cxsteward.domain.governance.evidence_base import BaselineEvidence
from cxsteward.domain.governance.gate import (
    CUSTOMER_ONLY,
    Breach,
    ChannelDisclosure,
    Flag,
    Gap,
    GateFacts,
    OpenIncident,
    judge,
    verdict,
)
from cxsteward.domain.governance.gate_policy import (
    DEFAULTS,
    Criterion,
    GatePolicy,
    Verdict,
    effective_policy,
)
from cxsteward.domain.governance.spec import (
    Clause,
    Committee,
    Deployment,
    Governance,
    Lifecycle,
    Meeting,
    Member,
    Person,
    Vendor,
)
from cxsteward.domain.thresholds import Threshold

TODAY = date(2026, 12, 7)
GO_LIVE = date(2026, 6, 1)
BEFORE = datetime(2026, 5, 1, tzinfo=UTC)
AFTER = datetime(2026, 7, 1, tzinfo=UTC)
METRICS = ("complaint_rate", "csat_satisfied_rate")
CLAUSES = ("transparency", "bias_audit_access", "data_handling", "incident_notification")


def _gov(clauses: dict[str, str] | None = None) -> Governance:
    status = clauses or dict.fromkeys(CLAUSES, "in_contract")
    return Governance(
        organization="Kestrel",
        key_metrics=list(METRICS),
        people=[Person(key="ana", name="Ana"), Person(key="ben", name="Ben")],
        committee=Committee(
            name="Council",
            members=[Member(person="ana", function="cx"), Member(person="ben", function="it")],
            cadence_days=30,
            meetings=[Meeting(held_on=date(2026, 11, 20), attendees=["ana", "ben"])],
        ),
        vendors=[
            Vendor(
                key="lumen",
                name="Lumen",
                clauses=[Clause(kind=k, status=v) for k, v in status.items()],  # type: ignore[arg-type]
            )
        ],
        deployments=[_dep()],
    )


def _dep() -> Deployment:
    return Deployment(
        key="chat",
        name="Chat",
        function="support",
        channels=["chat", "email"],
        vendor="lumen",
        go_live=GO_LIVE,
        status=Lifecycle.PILOT,
    )


def _facts(**changes: Any) -> GateFacts:
    """Facts on which every criterion is met; each test spoils one."""
    gov = changes.pop("governance", None) or _gov()
    base = GateFacts(
        governance=gov,
        deployment=gov.deployments[0],
        target=Lifecycle.SCALING,
        today=TODAY,
        evidenced_stage=(3, "Defined"),
        accountable_metrics=METRICS,
        key_metrics=METRICS,
        baselines=[
            BaselineEvidence(
                "humans", BEFORE, "human", frozenset(("chat", "overall", m) for m in METRICS)
            )
        ],
        thresholds=[
            Threshold.model_validate(
                {
                    "id": f"t-{m}",
                    "metric": m,
                    "direction": "above",
                    "points": 2,
                    "created_at": BEFORE,
                }
            )
            for m in METRICS
        ],
        monitored=True,
        disclosure=[
            ChannelDisclosure("chat", 1000, 1000, 990),
            ChannelDisclosure("email", 400, 400, 392),
        ],
        reviews_due=10,
        reviews_in_time=10,
        last_meeting=date(2026, 11, 20),
        newest_contact=date(2026, 12, 6),
    )
    return replace(base, **changes)


def _one(criterion: Criterion, facts: GateFacts, policy: GatePolicy | None = None) -> Any:
    found = [r for r in judge(policy or DEFAULTS, facts) if r.criterion is criterion]
    assert len(found) == 1
    return found[0]


def test_all_met_is_go() -> None:
    results = judge(DEFAULTS, _facts())
    assert [r.criterion for r in results] == list(Criterion)
    assert all(r.status == "met" for r in results), [r for r in results if r.status != "met"]
    assert verdict(results) is Verdict.GO


FAILING: list[tuple[Criterion, dict[str, Any], str]] = [
    (Criterion.MATURITY, {"evidenced_stage": (2, "Reactive")}, "stage 2"),
    (Criterion.CHAIN, {"blocking_gaps": [("deployment.nobody_can_pause", "nobody")]}, "1 blocking"),
    (
        Criterion.BASELINES,
        {
            "baselines": [
                BaselineEvidence(
                    "late", AFTER, "human", frozenset({("chat", "overall", "complaint_rate")})
                )
            ]
        },
        "2 of 2",
    ),
    (
        Criterion.THRESHOLDS,
        {
            "thresholds": [
                Threshold.model_validate(
                    {
                        "id": "t",
                        "metric": "complaint_rate",
                        "direction": "above",
                        "points": 2,
                        "created_at": AFTER,
                    }
                )
            ]
        },
        "2 of 2",
    ),
    (
        Criterion.BREACHES,
        {"breaches": [Breach(7, 3, "complaint_rate", "sev2", date(2026, 12, 1), "too many")]},
        "1 confirmed",
    ),
    (
        Criterion.INCIDENTS,
        {"open_incidents": [OpenIncident(4, "Billing", "sev1", TODAY)]},
        "1 incident",
    ),
    (
        Criterion.AI_GAP,
        {"gaps": [Gap(9, 3, "complaint_rate", "inquiry_type=billing", 0.103, 0.0364, 1.83, "")]},
        "1 place",
    ),
    (
        Criterion.DISCLOSURE,
        {
            "disclosure": [
                ChannelDisclosure("chat", 10, 10, 10),
                ChannelDisclosure("email", 100, 100, 89),
            ]
        },
        "below 95% on 1 channel",
    ),
    (Criterion.REVIEW_SLA, {"reviews_due": 10, "reviews_in_time": 8}, "8 of 10"),
    (Criterion.FLAGS, {"untriaged": [Flag(5, date(2026, 11, 1), "wrong_answer")]}, "1 frontline"),
    (
        Criterion.VENDOR,
        {
            "governance": _gov(
                {**dict.fromkeys(CLAUSES, "in_contract"), "incident_notification": "negotiating"}
            )
        },
        "lacks 1 of 4",
    ),
    (Criterion.COMMITTEE, {"last_meeting": date(2026, 10, 1)}, "67 days ago"),
    (Criterion.FRESHNESS, {"newest_contact": date(2026, 11, 1)}, "36 days old"),
]


@pytest.mark.parametrize(
    ("criterion", "changes", "words"), FAILING, ids=[c.value for c, _, _ in FAILING]
)
def test_each_criterion_fails_on_its_own(
    criterion: Criterion, changes: dict[str, Any], words: str
) -> None:
    facts = _facts(**changes)
    results = judge(DEFAULTS, facts)
    failed = [r for r in results if r.status != "met"]
    assert [r.criterion for r in failed] == [criterion]
    assert words in failed[0].evidence
    assert verdict(results) is Verdict.NO_GO


UNKNOWN: list[tuple[Criterion, dict[str, Any]]] = [
    (Criterion.MATURITY, {"evidenced_stage": None}),
    (Criterion.BREACHES, {"monitored": False}),
    (Criterion.DISCLOSURE, {"disclosure": [ChannelDisclosure("chat", 10, 10, 10)]}),
    (Criterion.FRESHNESS, {"newest_contact": None}),
]


@pytest.mark.parametrize(("criterion", "changes"), UNKNOWN, ids=[c.value for c, _ in UNKNOWN])
def test_what_the_records_cannot_show_is_unknown_and_stops_the_gate(
    criterion: Criterion, changes: dict[str, Any]
) -> None:
    results = judge(DEFAULTS, _facts(**changes))
    assert _one(criterion, _facts(**changes)).status == "unknown"
    assert verdict(results) is Verdict.NO_GO


def test_boundaries_are_inclusive_where_the_policy_says_at_or_above() -> None:
    # 95.0% disclosed meets a 95% floor; 9 of 10 in SLA meets 90%; 30 days since the
    # meeting meets a 30-day cadence; 14 days old meets a 14-day freshness limit.
    facts = _facts(
        disclosure=[
            ChannelDisclosure("chat", 100, 100, 95),
            ChannelDisclosure("email", 20, 20, 19),
        ],
        reviews_due=10,
        reviews_in_time=9,
        last_meeting=date(2026, 11, 7),
        newest_contact=date(2026, 11, 23),
    )
    assert verdict(judge(DEFAULTS, facts)) is Verdict.GO


def test_a_gap_within_tolerance_passes_and_beyond_fails() -> None:
    gap = Gap(9, 3, "csat_satisfied_rate", "all contacts", 0.72, 0.80, 0.10, "")
    assert _one(Criterion.AI_GAP, _facts(gaps=[gap])).status == "met"  # exactly 10% worse
    wider = replace(gap, ai=0.70, worse_by=0.125)
    assert _one(Criterion.AI_GAP, _facts(gaps=[wider])).status == "not_met"
    strict = GatePolicy(ai_gap_tolerance=0.0).over(DEFAULTS)
    assert _one(Criterion.AI_GAP, _facts(gaps=[gap]), strict).status == "not_met"


def test_minor_breaches_and_incidents_below_the_severity_floor_do_not_count() -> None:
    facts = _facts(
        breaches=[Breach(7, 3, "complaint_rate", "sev3", date(2026, 12, 1), "")],
        open_incidents=[OpenIncident(4, "Typo", "sev4", TODAY)],
    )
    assert verdict(judge(DEFAULTS, facts)) is Verdict.GO
    strict = GatePolicy(breach_severity="sev3", open_incident_severity="sev4").over(DEFAULTS)
    assert {r.criterion for r in judge(strict, facts) if r.status != "met"} == {
        Criterion.BREACHES,
        Criterion.INCIDENTS,
    }


def test_a_waived_clause_is_settled_and_an_in_house_deployment_needs_none() -> None:
    waived = _gov({**dict.fromkeys(CLAUSES, "in_contract"), "bias_audit_access": "waived"})
    assert _one(Criterion.VENDOR, _facts(governance=waived)).status == "met"
    in_house = replace(_facts(), deployment=_dep().model_copy(update={"vendor": None}))
    assert _one(Criterion.VENDOR, in_house).status == "met"


def test_an_internal_deployment_is_not_judged_on_customer_contacts() -> None:
    internal = _dep().model_copy(update={"customer_facing": False})
    facts = _facts(newest_contact=None, monitored=False, disclosure=[], baselines=[])
    results = judge(DEFAULTS, replace(facts, deployment=internal))
    assert {r.criterion for r in results} == set(Criterion) - CUSTOMER_ONLY
    assert verdict(results) is Verdict.GO
    assert verdict(judge(DEFAULTS, facts)) is Verdict.NO_GO


def test_conditions_attach_instead_of_blocking() -> None:
    policy = GatePolicy(conditions=[Criterion.REVIEW_SLA]).over(DEFAULTS)
    results = judge(policy, _facts(reviews_due=10, reviews_in_time=5))
    assert verdict(results) is Verdict.CONDITIONS
    assert Verdict.CONDITIONS.allows and not Verdict.NO_GO.allows


def test_a_criterion_turned_off_is_not_asked() -> None:
    policy = GatePolicy(off=[Criterion.MATURITY, Criterion.FRESHNESS, Criterion.VENDOR]).over(
        DEFAULTS
    )
    asked = {r.criterion for r in judge(policy, _facts(evidenced_stage=None))}
    assert asked == set(Criterion) - {Criterion.MATURITY, Criterion.FRESHNESS, Criterion.VENDOR}


def test_a_deployment_overrides_only_what_it_sets() -> None:
    org = GatePolicy(min_stage=4, disclosure_floor=0.9)
    dep = GatePolicy(min_stage=2)
    policy = effective_policy(org, dep)
    assert (policy.min_stage, policy.disclosure_floor, policy.fresh_days) == (2, 0.9, 14)
    # What a deployment leaves null is inherited, so its stored form holds only its own.
    assert dep.model_dump(exclude_none=True) == {"min_stage": 2}
    # A dump with every field (as an export writes it) still overrides nothing else.
    again = GatePolicy.model_validate(dep.model_dump())
    assert effective_policy(org, again) == policy
