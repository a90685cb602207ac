"""Evidence rules (C2): each fires on bad records and stays quiet on good ones; the stage."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from importlib.resources import files
from pathlib import Path

import pytest
from evidence_world import BEFORE, GO_LIVE, TODAY, at, facts, governance, threshold

from cxsteward.domain.bank import parse_bank
from cxsteward.domain.governance.evidence import RULE_IDS, RULES, judge_evidence
from cxsteward.domain.governance.evidence_base import (
    MAX_ITEMS,
    SCORES,
    BaselineEvidence,
    EvidenceFacts,
    PromisePartEvidence,
    RunEvidence,
    UsageEvidence,
    function_group,
    judged,
    no,
    protocol_key,
    yes,
)
from cxsteward.domain.governance.spec import (
    Article,
    ClauseKind,
    ClauseStatus,
    DecisionRights,
    Governance,
    Lifecycle,
    Member,
    RoadmapReview,
)
from cxsteward.domain.maturity import parse_maturity
from cxsteward.domain.monitoring.trust_checks import ChannelDisclosure
from cxsteward.domain.report import build_report
from cxsteward.domain.results import EvidenceReport, QuestionEvidence
from cxsteward.domain.scale import RoleGroup
from cxsteward.domain.scoring import Answer, ScoringRules

BANK = parse_bank(files("cxsteward").joinpath("data/question_bank.yaml").read_text("utf-8"), "bank")
MATURITY = parse_maturity(
    files("cxsteward").joinpath("data/maturity.yaml").read_text("utf-8"), "maturity", BANK
)


def verdict(f: EvidenceFacts, question: str) -> QuestionEvidence:
    report = judge_evidence(f, BANK.ids())
    return next(q for q in report.questions if q.question_id == question)


def texts(q: QuestionEvidence) -> str:
    return "\n".join(("+ " if i.supports else "- ") + i.text for i in q.items)


def with_gov(f: EvidenceFacts, **changes: object) -> EvidenceFacts:
    return dataclasses.replace(f, governance=f.governance.model_copy(update=changes))  # type: ignore[union-attr]


def with_dep(f: EvidenceFacts, **changes: object) -> EvidenceFacts:
    gov = f.governance
    assert gov is not None
    return with_gov(f, deployments=[gov.deployments[0].model_copy(update=changes)])


def test_at_least_fifteen_of_the_bank_checks_have_an_evidence_rule() -> None:
    assert len(BANK.questions) == 36
    assert len(set(RULE_IDS)) == len(RULE_IDS) >= 15
    assert set(RULE_IDS) <= set(BANK.ids())
    assert all(rule.checks.endswith(".") and len(rule.checks) > 40 for rule in RULES)
    report = judge_evidence(facts(), BANK.ids())
    assert len(report.questions) + len(report.self_reported_only) == 36
    assert "STR-01" in report.self_reported_only and "GOV-05" not in report.self_reported_only


def test_the_good_world_is_evidenced_on_every_rule() -> None:
    report = judge_evidence(facts(), BANK.ids())
    wrong = {q.question_id: texts(q) for q in report.questions if q.verdict != "evidenced"}
    assert wrong == {}
    for q in report.questions:
        assert q.score == 4.0 and q.passed == q.total > 0
        assert all(item.supports for item in q.items)


def test_an_empty_registry_gives_no_records_everywhere() -> None:
    report = judge_evidence(EvidenceFacts(today=TODAY), BANK.ids())
    assert {q.verdict for q in report.questions} == {"no_records"}
    assert all(q.score is None and q.items for q in report.questions)
    assert report.governance_applied is False


def test_scores_follow_the_documented_mapping() -> None:
    assert SCORES == {"evidenced": 4.0, "partly": 2.0, "not_evidenced": 0.0, "no_records": None}


def late(f: EvidenceFacts) -> EvidenceFacts:
    moved = [
        t.model_copy(update={"created_at": datetime(2026, 5, 2, 10, tzinfo=UTC)})
        for t in f.thresholds
    ]
    return dataclasses.replace(f, thresholds=moved)


def one_late(f: EvidenceFacts) -> EvidenceFacts:
    first, *rest = f.thresholds
    moved = first.model_copy(update={"created_at": datetime(2026, 4, 3, 8, tzinfo=UTC)})
    return dataclasses.replace(f, thresholds=[moved, *rest])


def speed_only(f: EvidenceFacts) -> EvidenceFacts:
    f = with_gov(f, key_metrics=["average_handle_time"])
    return dataclasses.replace(f, thresholds=[threshold("aht", "average_handle_time", BEFORE)])


def narrow_committee(f: EvidenceFacts) -> EvidenceFacts:
    gov = f.governance
    assert gov is not None and gov.committee is not None
    c = gov.committee.model_copy(update={"members": [Member(person="ana", function="cx")]})
    return with_gov(f, committee=c)


def lapsed_committee(f: EvidenceFacts) -> EvidenceFacts:
    gov = f.governance
    assert gov is not None and gov.committee is not None
    c = gov.committee.model_copy(
        update={"meetings": gov.committee.meetings[2:], "authority": ["pause"]}
    )
    return with_gov(f, committee=c)


def old_review(f: EvidenceFacts) -> EvidenceFacts:
    gov = f.governance
    assert gov is not None
    review = RoadmapReview(held_on=date(2026, 1, 10), reviewers=["ana", "ben", "cara"])
    return with_gov(f, roadmap=gov.roadmap.model_copy(update={"reviews": [review]}))


def protocol_gaps(f: EvidenceFacts) -> EvidenceFacts:
    gov = f.governance
    assert gov is not None
    created = {**f.created_at, protocol_key("sev1"): datetime(2026, 4, 20, tzinfo=UTC)}
    f = dataclasses.replace(f, created_at=created)
    return with_gov(f, protocols=[p for p in gov.protocols if p.severity != "sev4"])


def unanswered_incident(f: EvidenceFacts) -> EvidenceFacts:
    incident = dataclasses.replace(f.incidents[0], acknowledged_at=None)
    return dataclasses.replace(f, incidents=[incident])


def negotiating(f: EvidenceFacts) -> EvidenceFacts:
    gov = f.governance
    assert gov is not None
    vendor = gov.vendors[0]
    clauses = [
        c.model_copy(update={"status": ClauseStatus.NEGOTIATING})
        if c.kind is ClauseKind.INCIDENT_NOTIFICATION
        else c
        for c in vendor.clauses
    ]
    return with_gov(f, vendors=[vendor.model_copy(update={"clauses": clauses})])


def late_baseline(f: EvidenceFacts) -> EvidenceFacts:
    b = dataclasses.replace(f.baselines[0], created_at=at(date(2026, 4, 20)))
    return dataclasses.replace(f, baselines=[b])


def overall_only_baseline(f: EvidenceFacts) -> EvidenceFacts:
    b = f.baselines[0]
    kept = frozenset(v for v in b.values if v[1] == "overall")
    return dataclasses.replace(f, baselines=[dataclasses.replace(b, values=kept)])


def collapsed_roles(f: EvidenceFacts) -> EvidenceFacts:
    gov = f.governance
    assert gov is not None
    first, second = gov.accountability
    return with_gov(f, accountability=[first.model_copy(update={"acts": "ben"}), second])


def no_agent_runs(f: EvidenceFacts) -> EvidenceFacts:
    runs = [dataclasses.replace(r, slices=(("vulnerable",),)) for r in f.runs]
    return dataclasses.replace(f, runs=runs)


def stale_article(f: EvidenceFacts) -> EvidenceFacts:
    article = Article(key="kb-refunds", title="Refunds", owner=None, last_reviewed=date(2025, 9, 1))
    return with_gov(f, knowledge_base=[article])


def ai_baseline_only(f: EvidenceFacts) -> EvidenceFacts:
    return dataclasses.replace(f, baselines=[dataclasses.replace(f.baselines[0], handler="ai")])


def thin_baseline(f: EvidenceFacts) -> EvidenceFacts:
    b = f.baselines[0]
    kept = frozenset(v for v in b.values if v[2] != "complaint_rate")
    return dataclasses.replace(f, baselines=[dataclasses.replace(b, values=kept)])


def stopped_loading(f: EvidenceFacts) -> EvidenceFacts:
    return dataclasses.replace(f, loads=f.loads[:3], runs=f.runs[:2])


def broken_promise(f: EvidenceFacts) -> EvidenceFacts:
    found = f.promises[0]
    part = PromisePartEvidence("ai_alone", False, "56.2% of 1,178 AI contacts were alone")
    return dataclasses.replace(
        f, promises=[dataclasses.replace(found, parts=(found.parts[0], part))]
    )


def unmeasured_promise(f: EvidenceFacts) -> EvidenceFacts:
    # The last run that measured it is older than a month.
    old = dataclasses.replace(f.promises[0], run_started=at(date(2026, 4, 1)))
    return dataclasses.replace(f, promises=[old])


def email_under_the_floor(f: EvidenceFacts) -> EvidenceFacts:
    chat, _ = f.channel_disclosure["support-bot"]
    email = ChannelDisclosure("email", 2000, 2000, 1780)
    return dataclasses.replace(f, channel_disclosure={"support-bot": [chat, email]})


def late_template(f: EvidenceFacts) -> EvidenceFacts:
    gov = f.governance
    assert gov is not None
    t = gov.templates[0].model_copy(update={"approved_at": at(date(2026, 4, 10))})
    return with_gov(f, templates=[t])


def weak_disclosure(f: EvidenceFacts) -> EvidenceFacts:
    # Without a channel in the data, the deployment's whole share is judged.
    f = with_dep(f, disclosure={"chat": "You are chatting with an AI."})
    usage = [UsageEvidence("support-bot", 5000, 5000, 5000, 4000)]
    return dataclasses.replace(f, usage=usage, channel_disclosure={})


def no_complaint_threshold(f: EvidenceFacts) -> EvidenceFacts:
    return dataclasses.replace(
        f, thresholds=[t for t in f.thresholds if t.metric != "complaint_rate"]
    )


def late_answers(f: EvidenceFacts) -> EvidenceFacts:
    slow = [
        dataclasses.replace(r, resolved_at=r.due_at + timedelta(hours=2)) if r.id <= 2 else r
        for r in f.reviews
    ]
    return dataclasses.replace(f, reviews=slow)


def unanswered_review(f: EvidenceFacts) -> EvidenceFacts:
    first, *rest = f.reviews
    return dataclasses.replace(f, reviews=[dataclasses.replace(first, resolved_at=None), *rest])


def unexplained(f: EvidenceFacts) -> EvidenceFacts:
    return dataclasses.replace(
        f, reviews=[dataclasses.replace(r, explained_at=None) for r in f.reviews]
    )


def slow_triage(f: EvidenceFacts) -> EvidenceFacts:
    slow = [
        dataclasses.replace(x, triaged_at=x.submitted_at + timedelta(days=9)) if x.id > 2 else x
        for x in f.flags
    ]
    return dataclasses.replace(f, flags=slow)


def no_change(f: EvidenceFacts) -> EvidenceFacts:
    return dataclasses.replace(f, flags=[dataclasses.replace(x, acted_at=None) for x in f.flags])


def stale_policy(f: EvidenceFacts) -> EvidenceFacts:
    return dataclasses.replace(f, policy_changes=[at(date(2025, 11, 1))])


def no_meeting_after_change(f: EvidenceFacts) -> EvidenceFacts:
    gov = f.governance
    assert gov is not None and gov.committee is not None
    kept = [
        m for m in gov.committee.meetings if not date(2026, 4, 20) <= m.held_on <= date(2026, 6, 4)
    ]
    return with_gov(f, committee=gov.committee.model_copy(update={"meetings": kept}))


# (question, how the records go wrong, expected verdict, text an item must contain)
def breached_opt_out(f: EvidenceFacts) -> EvidenceFacts:
    assert f.consent is not None
    return dataclasses.replace(
        f, consent=dataclasses.replace(f.consent, breaches=3, breached_customers=2)
    )


FIRING: list[tuple[str, Callable[[EvidenceFacts], EvidenceFacts], str, str]] = [
    ("STR-02", speed_only, "not_evidenced", "thresholds watch customer outcomes none"),
    ("STR-03", old_review, "partly", "last review 2026-01-10, over a quarter ago"),
    ("STR-05", narrow_committee, "partly", "no member representing technology"),
    ("GOV-01", narrow_committee, "partly", "from 1 function(s): cx (3 or more needed)"),
    ("GOV-01", lapsed_committee, "partly", "lacks the authority to roll back"),
    (
        "GOV-02",
        lambda f: with_dep(f, decision_rights=DecisionRights()),
        "not_evidenced",
        "deployment support-bot has no decision rights",
    ),
    (
        "GOV-02",
        lambda f: with_dep(f, decision_rights=DecisionRights(pause=["ana"])),
        "not_evidenced",
        "nobody known may modify, discontinue",
    ),
    ("GOV-03", protocol_gaps, "partly", "no escalation protocol for sev4"),
    ("GOV-03", protocol_gaps, "partly", "written 2026-04-20 00:00 UTC, 19 days after support-bot"),
    ("GOV-03", unanswered_incident, "partly", "0 of 1 incidents of the last 12 months"),
    ("GOV-04", negotiating, "not_evidenced", "lacking incident_notification (negotiating)"),
    ("GOV-06", late_baseline, "not_evidenced", "frozen 2026-04-20 09:00 UTC, 19 days after"),
    ("GOV-06", overall_only_baseline, "not_evidenced", "predates support-bot's go-live but has"),
    (
        "GOV-07",
        late,
        "not_evidenced",
        "threshold csat-gap on csat_satisfied_rate created 2026-05-02 10:00 UTC, 31 days after "
        "support-bot went live on 2026-04-01",
    ),
    ("GOV-07", one_late, "partly", "csat-gap on csat_satisfied_rate created 2026-04-03 08:00"),
    ("GOV-07", lambda f: with_dep(f, go_live=None), "not_evidenced", "has no go-live date"),
    ("GOV-08", collapsed_roles, "partly", "acts Ben Okafor (not three people)"),
    (
        "GOV-08",
        lambda f: with_gov(f, accountability=[]),
        "not_evidenced",
        "complaint_rate on support-bot: no accountability recorded",
    ),
    ("PPL-10", no_agent_runs, "partly", "no monitoring run of the last month computed rates"),
    (
        "PPL-10",
        lambda f: dataclasses.replace(f, usage=[UsageEvidence("support-bot", 100, 10, 100, 100)]),
        "partly",
        "human_override is recorded on 10.0% of 100 AI contacts",
    ),
    ("DAT-03", stale_article, "not_evidenced", "article kb-refunds: owner unknown, reviewed 2025"),
    ("DAT-04", ai_baseline_only, "not_evidenced", "no human baseline has been frozen"),
    ("DAT-04", thin_baseline, "partly", "lacks complaint_rate"),
    ("DAT-05", stopped_loading, "partly", "none in 2026-04-17..2026-05-16, 2026-05-17..2026-06-15"),
    ("TRU-02", broken_promise, "partly", "broken: 56.2% of 1,178"),
    (
        "TRU-02",
        lambda f: with_dep(f, vulnerable=None),
        "not_evidenced",
        "support-bot declares no path for vulnerable customers",
    ),
    ("TRU-02", unmeasured_promise, "partly", "no monitoring run of the last month measured"),
    ("TRU-05", late_template, "not_evidenced", "after support-bot went live on 2026-04-01"),
    ("TRU-06", weak_disclosure, "partly", "support-bot on email: no disclosure statement"),
    ("TRU-06", weak_disclosure, "partly", "disclosure_rate 80.0% over 5,000 AI contacts"),
    (
        "TRU-06",
        email_under_the_floor,
        "partly",
        "support-bot on email: AI disclosed on 89.0% of 2,000 AI contacts (floor 95.0%)",
    ),
    ("TRU-07", no_complaint_threshold, "partly", "complaint thresholds: none"),
    ("TRU-04", late_answers, "partly", "8 of 10 request(s) due were answered in time (80.0%"),
    ("TRU-04", unanswered_review, "partly", "1 request(s) past their due time and still"),
    ("TRU-03", unexplained, "not_evidenced", "support-bot: 0 of 10 answered request(s)"),
    ("PPL-09", slow_triage, "partly", "2 of 4 flag(s) waited more than 7 days for triage"),
    ("PPL-09", no_change, "partly", "0 flag(s) led to a recorded change in the last 180 days"),
    ("GOV-05", stale_policy, "partly", "revised on 0 day(s) in the last 183 days; last revised"),
    (
        "GOV-05",
        no_meeting_after_change,
        "partly",
        "took effect on 2026-04-20; the committee met not",
    ),
    ("PPL-02", lambda f: untrained(f, "ana"), "partly", "committee member Ana Ruiz: lit-committee"),
    ("PPL-05", lambda f: untrained(f, "fay"), "not_evidenced", "lit-frontline never completed"),
    ("PPL-06", lambda f: overdue(f, "sam"), "not_evidenced", "lit-supervisor overdue since"),
    ("PPL-07", lambda f: overdue(f, "eli"), "not_evidenced", "senior leader Eli Stone"),
    ("TRU-01", breached_opt_out, "partly", "3 AI contacts of 2 customers after they opted out"),
    (
        "TRU-07",
        lambda f: dataclasses.replace(f, sentiment_scored=0),
        "partly",
        "no contact of the last 90 days carries a sentiment score",
    ),
]


def untrained(f: EvidenceFacts, person: str) -> EvidenceFacts:
    return dataclasses.replace(f, training=[c for c in f.training if c.person != person])


def overdue(f: EvidenceFacts, person: str) -> EvidenceFacts:
    old = [dataclasses.replace(c, completed_on=date(2025, 1, 5)) for c in f.training]
    return dataclasses.replace(
        f, training=[c if c.person != person else o for c, o in zip(f.training, old, strict=True)]
    )


@pytest.mark.parametrize(
    ("question", "spoil", "expected", "text"),
    FIRING,
    ids=[f"{q}-{i}" for i, (q, *_rest) in enumerate(FIRING)],
)
def test_rule_fires_on_bad_records(
    question: str, spoil: Callable[[EvidenceFacts], EvidenceFacts], expected: str, text: str
) -> None:
    good = verdict(facts(), question)
    bad = verdict(spoil(facts()), question)
    assert good.verdict == "evidenced"
    assert bad.verdict == expected, texts(bad)
    assert text in texts(bad), texts(bad)
    assert bad.score == SCORES[expected]  # type: ignore[index]


def test_every_rule_has_a_firing_case() -> None:
    assert {q for q, *_ in FIRING} == set(RULE_IDS)


def test_in_house_deployments_need_no_vendor_clauses() -> None:
    f = with_dep(facts(), vendor=None)
    assert verdict(f, "GOV-04").verdict == "evidenced"
    assert "run in-house" in texts(verdict(f, "GOV-04"))


def test_paused_deployments_are_not_judged_as_live() -> None:
    f = late(with_dep(facts(), status=Lifecycle.PAUSED))
    assert verdict(f, "GOV-07").verdict == "no_records"
    assert "no live customer-facing deployment" in texts(verdict(f, "GOV-07"))


def test_judged_folds_supporting_items_past_the_limit() -> None:
    items = [yes(f"ok {k}") for k in range(20)] + [no("bad one")]
    outcome = judged(items)
    assert (outcome.verdict, outcome.passed, outcome.total) == ("partly", 20, 21)
    assert [i.text for i in outcome.items] == ["bad one", "20 of 21 checks are met"]
    assert len(judged([no(f"bad {k}") for k in range(30)]).items) == MAX_ITEMS + 1


@pytest.mark.parametrize(
    ("function", "group"),
    [
        ("Customer Experience", "cx"),
        ("IT", "technology"),
        ("Sales", "business"),
        ("Legal & Compliance", "legal"),
        ("facilities", None),
    ],
    ids=["cx", "it", "sales", "legal", "unknown"],
)
def test_function_groups(function: str, group: str | None) -> None:
    assert function_group(function) == group


def test_baseline_evidence_lists_segment_slices() -> None:
    b = BaselineEvidence(
        "b", BEFORE, "human", frozenset({("d", "overall", "m"), ("d", "tier", "m")})
    )
    assert b.segment_slices("d") == ["tier"] and b.holds("d", "m") and not b.holds("e")


def test_recent_runs_keep_the_last_month() -> None:
    f = dataclasses.replace(
        facts(), runs=[RunEvidence(1, at(date(2026, 5, 14))), RunEvidence(2, at(date(2026, 5, 16)))]
    )
    assert [r.id for r in f.recent_runs()] == [2]


def _claims(means: dict[str, list[int]]) -> list[Answer]:
    return [
        Answer(respondent=f"r{k}", role_group=RoleGroup.EXECUTIVE, question_id=q, value=v)
        for q, values in means.items()
        for k, v in enumerate(values)
    ]


def test_claimed_stage_four_is_evidenced_stage_two() -> None:
    # Every question claimed at 3.6 (4,4,4,3,3) except GOV-05 at 3.0: stage 5 needs GOV-05 >= 3.5,
    # so the claimed stage is 4.
    table = {q: [4, 4, 4, 3, 3] for q in BANK.ids()}
    table["GOV-05"] = [3, 3, 3, 3, 3]

    def rule(q: str, v: str, passed: int, total: int) -> QuestionEvidence:
        return QuestionEvidence(
            question_id=q,
            checks=f"checks {q}",
            verdict=v,  # type: ignore[arg-type]
            score=SCORES[v],
            passed=passed,
            total=total,
            items=[],
        )  # type: ignore[index]

    # Stage 2 (STR-01, GOV-01..03, DAT-06 >= 1.5/2): GOV-01..03 evidenced; STR-01 and DAT-06
    # have no rule and keep 3.6. Stage 3 fails: GOV-04 is only partly (2 < 3), TRU-05 has no
    # records. Stage 4's GOV-07 is not evidenced.
    verdicts = {
        "GOV-01": ("evidenced", 5, 5),
        "GOV-02": ("evidenced", 1, 1),
        "GOV-03": ("evidenced", 4, 4),
        "STR-05": ("evidenced", 3, 3),
        "GOV-04": ("partly", 2, 4),
        "TRU-05": ("no_records", 0, 0),
        "GOV-07": ("not_evidenced", 0, 2),
    }
    evidence = EvidenceReport(
        as_of=TODAY,
        governance_applied=True,
        questions=[rule(q, *v) for q, v in verdicts.items()],
        self_reported_only=[q for q in BANK.ids() if q not in verdicts],
        scoring="s",
    )
    report = build_report(
        cycle="c",
        status="open",
        opened_at=BEFORE,
        closed_at=None,
        generated_at=BEFORE,
        bank=BANK,
        maturity=MATURITY,
        respondents=[(RoleGroup.EXECUTIVE, False)] * 5,
        answers=_claims(table),
        rules=ScoringRules(),
        previous=None,
        evidence=evidence,
    )
    assert report.stage.number == 4
    e = report.evidence
    assert e is not None
    assert e.stage.claimed == report.stage
    assert (e.stage.evidenced.number, e.stage.evidenced.next_stage) == (2, 3)
    assert [b.question_id for b in e.stage.evidenced.blockers] == ["GOV-04", "TRU-05"]
    assert e.stage.evidenced.blockers[0].message == (
        "stage 3 needs GOV-04 >= 3; the records show it partly evidenced "
        "(2 of 4 checks met, score 2)"
    )
    assert e.stage.evidenced.blockers[1].message == (
        "stage 3 needs TRU-05 >= 2.5; there are no records to check it"
    )
    assert [b.question_id for b in e.stage.contradicted] == ["GOV-04", "TRU-05", "GOV-07"]
    assert e.stage.resting_on_self_report == ["STR-01", "DAT-06"]
    # Governance: GOV-01..04, GOV-07 compared (weights from the bank); claimed 3.6 each.
    gov = next(d for d in e.dimensions if d.id == "governance")
    weights = {q.id: q.weight for q in BANK.questions}
    compared = {"GOV-01": 4.0, "GOV-02": 4.0, "GOV-03": 4.0, "GOV-04": 2.0, "GOV-07": 0.0}
    total = sum(weights[q] for q in compared)
    assert gov.n_rules == 5 and gov.n_compared == 5 and gov.n_questions == 8
    assert gov.claimed_score == pytest.approx(3.6 * 25)
    assert gov.evidenced_score == pytest.approx(
        sum(weights[q] * s for q, s in compared.items()) / total * 25
    )
    assert gov.verdicts == {"evidenced": 3, "partly": 1, "not_evidenced": 1}
    row = next(q for q in e.questions if q.question_id == "GOV-07")
    assert (row.claimed, row.evidenced, row.difference) == (
        pytest.approx(3.6),
        0.0,
        pytest.approx(3.6),
    )
    assert len(e.self_reported_only) == 36 - 7


def test_without_evidence_the_report_is_unchanged() -> None:
    report = build_report(
        cycle="c",
        status="open",
        opened_at=BEFORE,
        closed_at=None,
        generated_at=BEFORE,
        bank=BANK,
        maturity=MATURITY,
        respondents=[],
        answers=[],
        rules=ScoringRules(),
        previous=None,
    )
    assert report.evidence is None and report.stage.number == 1


def test_gov_07_on_the_go_live_day_itself_is_late() -> None:
    f = dataclasses.replace(
        facts(),
        thresholds=[
            t.model_copy(update={"created_at": datetime(2026, 4, 1, 0, 30, tzinfo=UTC)})
            for t in facts().thresholds
        ],
    )
    q = verdict(f, "GOV-07")
    assert q.verdict == "not_evidenced"
    assert f"0 hours after support-bot went live on {GO_LIVE}" in texts(q)


def test_governance_world_is_consistent() -> None:
    from cxsteward.domain.governance.spec import reference_problems

    assert reference_problems(governance()) == []
    assert isinstance(governance(), Governance)


def test_the_assessment_doc_lists_every_rule() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "assessment.md").read_text("utf-8")
    section = doc.split("## Claimed against evidenced", 1)[1].split("\n## ", 1)[0]
    assert f"For {len(RULES)} of the 36 questions" in section
    listed = [
        line.split("|")[1].strip()
        for line in section.splitlines()
        if line.startswith("| ") and line[2:5].isupper()
    ]
    assert listed == list(RULE_IDS)


def test_a_naive_approval_time_counts_as_utc() -> None:
    f = facts()
    gov = f.governance
    assert gov is not None
    naive = gov.templates[0].model_copy(update={"approved_at": datetime(2026, 3, 31, 23, 0)})
    assert verdict(with_gov(f, templates=[naive]), "TRU-05").verdict == "evidenced"
    later = naive.model_copy(update={"approved_at": datetime(2026, 4, 1, 0, 0)})
    assert verdict(with_gov(f, templates=[later]), "TRU-05").verdict == "not_evidenced"
