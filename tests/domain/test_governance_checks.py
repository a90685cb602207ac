"""Governance chain rules: each fires on its gap and stays quiet on a compliant setup."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cxsteward.domain.governance.checks import (
    DEFAULT_KEY_METRICS,
    RULES,
    BaselineFacts,
    CheckReport,
    Gap,
    GovernanceFacts,
    accountability_key,
    not_applied,
    protocol_key,
    run_checks,
)
from cxsteward.domain.governance.rights import (
    EmergencyPause,
    ratification_due,
    ratification_overdue,
)
from cxsteward.domain.governance.spec import Governance
from cxsteward.domain.thresholds import Severity, Threshold
from cxsteward.services.contract import jsonable
from cxsteward.services.governance.check import CheckCounts, CheckOut

TODAY = date(2026, 6, 15)
CHECKED = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "governance-checks.md"
ALL_CLAUSES = ["transparency", "bias_audit_access", "data_handling", "incident_notification"]
STATEMENT = "You are chatting with an AI assistant. Type 'human' at any time to reach a person."


def compliant() -> dict[str, Any]:
    """A governance file (as data) that satisfies every rule on TODAY."""
    rights = {"pause": ["ana"], "modify": ["ben"], "roll_back": ["ben"], "discontinue": ["ana"]}
    return {
        "organization": "Example Co",
        "people": [
            {"key": "ana", "name": "Ana", "function": "cx"},
            {"key": "ben", "name": "Ben", "function": "technology"},
            {"key": "cara", "name": "Cara", "function": "legal"},
            {"key": "dev", "name": "Dev", "function": "data"},
            {"key": "eve", "name": "Eve", "function": "frontline"},
        ],
        "committee": {
            "name": "AI council",
            "members": [
                {"person": "ana", "function": "cx"},
                {"person": "ben", "function": "technology"},
                {"person": "cara", "function": "legal"},
            ],
            "cadence_days": 30,
            "authority": ["pause", "roll_back", "modify"],
            "meetings": [{"held_on": "2026-06-01", "attendees": ["ana", "ben"]}],
        },
        "vendors": [
            {
                "key": "acme",
                "name": "Acme AI",
                "clauses": [
                    {"kind": k, "status": "in_contract", "evidence": f"MSA section {i}"}
                    for i, k in enumerate(ALL_CLAUSES, 1)
                ],
            }
        ],
        "deployments": [
            {
                "key": "support-chat",
                "name": "Support chat",
                "function": "support",
                "channels": ["chat"],
                "vendor": "acme",
                "go_live": "2026-03-01",
                "status": "production",
                "disclosure": {"chat": STATEMENT},
                "decision_rights": rights,
            },
            {
                "key": "sales-chat",
                "name": "Sales chat",
                "function": "sales",
                "channels": ["chat"],
                "vendor": "acme",
                "go_live": "2026-04-01",
                "status": "pilot",
                "disclosure": {"chat": STATEMENT},
                "decision_rights": rights,
            },
        ],
        "protocols": [
            {
                "severity": f"sev{n}",
                "notify": ["ana", "cara"],
                "respond_within_hours": n * 4,
                "decides": "ben",
                "tell_customers": n <= 2,
            }
            for n in range(1, 5)
        ],
        "accountability": [
            {"metric": m, "monitors": "dev", "escalates": "ana", "acts": "ben"}
            for m in DEFAULT_KEY_METRICS
        ],
        "templates": [
            {
                "key": "outage-v1",
                "incident_type": "outage",
                "text": "Our assistant had a problem on {date}. {next_steps}",
                "placeholders": ["date", "next_steps"],
                "approved_by": "cara",
                "approved_at": "2026-01-10T12:00:00Z",
            }
        ],
        "roadmap": {"owner": "ana", "reviews": [{"held_on": "2026-05-01", "reviewers": ["ana"]}]},
        "knowledge_base": [
            {"key": "refunds", "title": "Refunds", "owner": "eve", "last_reviewed": "2026-05-01"}
        ],
    }


def threshold(metric: str, created: datetime, deployment: str | None = None) -> Threshold:
    return Threshold(
        id=f"{metric}-{deployment or 'all'}",
        metric=metric,
        direction="below",
        points=5,
        deployment=deployment,
        created_at=created,
    )


def baseline(name: str, created: datetime, deployments: tuple[str, ...]) -> BaselineFacts:
    covers = frozenset((d, m) for d in deployments for m in DEFAULT_KEY_METRICS)
    return BaselineFacts(name=name, created_at=created, handler="human", covers=covers)


BEFORE = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
THRESHOLDS = tuple(threshold(m, BEFORE) for m in DEFAULT_KEY_METRICS)
BASELINES = (baseline("pre-launch", BEFORE, ("support-chat", "sales-chat")),)


def facts(data: dict[str, Any] | None = None, **changes: Any) -> GovernanceFacts:
    values: dict[str, Any] = {
        "governance": Governance.model_validate(data if data is not None else compliant()),
        "today": TODAY,
        "thresholds": THRESHOLDS,
        "baselines": BASELINES,
    }
    values.update(changes)
    return GovernanceFacts(**values)


def check(data: dict[str, Any] | None = None, **changes: Any) -> list[Gap]:
    return list(run_checks(facts(data, **changes), CHECKED).gaps)


Edit = Callable[[dict[str, Any]], None]


def setting(path: str, value: Any) -> Edit:
    """An edit that sets a dotted path (list indexes as numbers) in the governance data."""

    def apply(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return apply


def edited(*edits: Edit) -> dict[str, Any]:
    data = copy.deepcopy(compliant())
    for edit in edits:
        edit(data)
    return data


def drop_protocol(severity: str) -> Edit:
    def apply(data: dict[str, Any]) -> None:
        data["protocols"] = [p for p in data["protocols"] if p["severity"] != severity]

    return apply


def chain(monitors: str | None, escalates: str | None, acts: str | None) -> Edit:
    row = {"monitors": monitors, "escalates": escalates, "acts": acts}
    return setting("accountability.2", {"metric": "complaint_rate", **row})


def clauses(*items: dict[str, Any]) -> Edit:
    return setting("vendors.0.clauses", list(items))


def signed(*skip: str) -> list[dict[str, Any]]:
    return [
        {"kind": k, "status": "in_contract", "evidence": "MSA"}
        for k in ALL_CLAUSES
        if k not in skip
    ]


def test_compliant_governance_has_no_gaps() -> None:
    report = run_checks(facts(), CHECKED)
    assert report.gaps == ()
    assert not report.blocking
    assert CheckOut.of(report).counts == CheckCounts(blocking=0, warnings=0)


SUPPORT = "deployment:support-chat"
SALES = "deployment:sales-chat"
COMPLAINTS = "deployment:support-chat/metric:complaint_rate"
FIRES: list[tuple[str, list[Edit], str, bool, str]] = [
    ("no-rights", [setting("deployments.0.decision_rights", {})],
     "deployment.no_decision_rights", True, SUPPORT),
    ("no-pause", [setting("deployments.0.decision_rights", {"roll_back": ["ben"]})],
     "deployment.nobody_can_pause", True, SUPPORT),
    ("pause-unknown", [setting("deployments.0.decision_rights", {"pause": ["zed"]})],
     "deployment.nobody_can_pause", True, SUPPORT),
    ("no-row", [setting("accountability", [])], "accountability.missing", True, COMPLAINTS),
    ("no-escalator", [chain("dev", None, "ben")], "accountability.incomplete", True, COMPLAINTS),
    ("unknown-actor", [chain("dev", "ana", "zed")], "accountability.incomplete", True, COMPLAINTS),
    ("collapsed", [chain("ana", "ana", "ana")], "accountability.collapsed_chain", True, COMPLAINTS),
    ("two-of-three", [chain("ana", "ana", "ben")], "accountability.shared_roles", False,
     COMPLAINTS),
    ("no-sev1", [drop_protocol("sev1")], "protocol.missing", True, "protocol:sev1"),
    ("no-sev2", [drop_protocol("sev2")], "protocol.missing", True, "protocol:sev2"),
    ("no-sev3", [drop_protocol("sev3")], "protocol.missing", False, "protocol:sev3"),
    ("no-sev4", [drop_protocol("sev4")], "protocol.missing", False, "protocol:sev4"),
    ("empty-decider", [setting("protocols.2.decides", "")], "protocol.no_decider", False,
     "protocol:sev3"),
    ("empty-notify", [setting("protocols.3.notify", [])], "protocol.no_notify", False,
     "protocol:sev4"),
    ("sev1-silent", [setting("protocols.0.tell_customers", False)],
     "protocol.customers_not_told", False, "protocol:sev1"),
    ("clause-absent-production", [clauses(*signed("transparency"))], "vendor.clause_missing",
     True, "vendor:acme/clause:transparency"),
    ("clause-negotiating", [clauses(*signed("data_handling"),
                                    {"kind": "data_handling", "status": "negotiating"})],
     "vendor.clause_missing", True, "vendor:acme/clause:data_handling"),
    ("clause-missing-pilot-only", [setting("deployments.0.status", "paused"),
                                   clauses(*signed("bias_audit_access"),
                                           {"kind": "bias_audit_access", "status": "missing"})],
     "vendor.clause_missing", False, "vendor:acme/clause:bias_audit_access"),
    ("waived-no-reason", [clauses(*signed("transparency"),
                                  {"kind": "transparency", "status": "waived"})],
     "vendor.clause_waived", False, "vendor:acme/clause:transparency"),
    ("unknown-key-metric", [setting("key_metrics", ["complaint_rate", "nps"])],
     "key_metrics.unknown", True, "metric:nps"),
    ("no-go-live", [setting("deployments.1.go_live", None)], "evidence.no_go_live", False, SALES),
    ("template-unapproved", [setting("templates.0.approved_at", None)], "template.not_approved",
     False, "template:outage-v1"),
    ("incident-type-unapproved", [setting("templates.0.approved_by", None)],
     "template.missing_for_incident", True, "incident_type:outage"),
    ("no-templates", [setting("templates", [])], "template.missing_for_incident", True,
     "templates"),
    ("no-committee", [setting("committee", None)], "committee.missing", True, "committee"),
    ("committee-no-pause", [setting("committee.authority", ["roll_back"])],
     "committee.cannot_pause", True, "committee"),
    ("committee-no-roll-back", [setting("committee.authority", ["pause"])],
     "committee.cannot_roll_back", False, "committee"),
    ("committee-two-functions", [setting("committee.members.2.function", "CX ")],
     "committee.narrow", False, "committee"),
    ("committee-never-met", [setting("committee.meetings", [])], "committee.overdue", True,
     "committee"),
    ("roadmap-never-reviewed", [setting("roadmap.reviews", [])], "roadmap.never_reviewed", True,
     "roadmap"),
    ("roadmap-stale", [setting("roadmap.reviews.0.held_on", "2026-03-14")],
     "roadmap.review_overdue", False, "roadmap"),
    ("no-disclosure", [setting("deployments.1.disclosure", {})], "disclosure.missing", True,
     "deployment:sales-chat/channel:chat"),
    ("one-function-silent", [setting("deployments.1.disclosure", {})], "disclosure.partial",
     False, "channel:chat"),
    ("different-words", [setting("deployments.1.disclosure.chat", "This is a bot.")],
     "disclosure.inconsistent", False, "channel:chat"),
    ("article-no-owner", [setting("knowledge_base.0.owner", None)], "knowledge.no_owner", False,
     "article:refunds"),
    ("article-unknown-owner", [setting("knowledge_base.0.owner", "zed")], "knowledge.no_owner",
     False, "article:refunds"),
    ("article-never-reviewed", [setting("knowledge_base.0.last_reviewed", None)],
     "knowledge.stale", False, "article:refunds"),
    ("article-181-days", [setting("knowledge_base.0.last_reviewed", "2025-12-16")],
     "knowledge.stale", False, "article:refunds"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("edits", "rule", "blocking", "obj"),
    [case[1:] for case in FIRES],
    ids=[case[0] for case in FIRES],
)
def test_rule_fires(edits: list[Edit], rule: str, blocking: bool, obj: str) -> None:
    gaps = check(edited(*edits))
    found = [g for g in gaps if g.rule == rule and g.object == obj]
    assert found, [(g.rule, g.object) for g in gaps]
    assert all(g.blocking is blocking for g in found)
    assert all(g.message and g.fix for g in found)


QUIET: list[tuple[str, list[Edit], set[str]]] = [
    ("paused-without-rights", [setting("deployments.0.status", "paused"),
                               setting("deployments.0.decision_rights", {})], set()),
    ("internal-without-rights", [setting("deployments.0.customer_facing", False),
                                 setting("deployments.0.decision_rights", {})], set()),
    ("pause-only-right", [setting("deployments.0.decision_rights", {"pause": ["ana"]})], set()),
    ("specific-row-overrides-collapsed-general", [
        chain("ana", "ana", "ana"),
        lambda d: d["accountability"].extend(
            {"metric": "complaint_rate", "deployment": dep, "monitors": "dev",
             "escalates": "ana", "acts": "ben"} for dep in ("support-chat", "sales-chat")),
    ], set()),
    ("sev3-silent-customers", [setting("protocols.2.tell_customers", False)], set()),
    ("waived-with-reason", [clauses(*signed("bias_audit_access"),
                                    {"kind": "bias_audit_access", "status": "waived",
                                     "evidence": "Vendor publishes a yearly third-party audit"})],
     set()),
    ("duplicate-clause-strongest-wins", [
        lambda d: d["vendors"][0]["clauses"].append({"kind": "transparency", "status": "missing"}),
    ], set()),
    ("vendor-of-retired-only", [setting("deployments.0.status", "retired"),
                                setting("deployments.1.status", "retired"),
                                clauses()], set()),
    ("in-house-no-vendor", [setting("deployments.0.vendor", None),
                            setting("deployments.1.vendor", None), clauses()], set()),
    ("older-version-approved", [lambda d: d["templates"].append(
        {"key": "outage-v2", "incident_type": "outage", "version": 2, "text": "New text",
         "approved_by": "cara", "approved_at": "2026-02-01T00:00:00Z"})], set()),
    # Nobody is told, so no template is needed; the silence is its own (non-blocking) warning.
    ("no-template-nobody-told", [setting("templates", []),
                                 setting("protocols.0.tell_customers", False),
                                 setting("protocols.1.tell_customers", False)],
     {"protocol.customers_not_told"}),
    ("meeting-exactly-cadence-ago", [setting("committee.meetings.0.held_on", "2026-05-16")],
     set()),
    ("roadmap-92-days", [setting("roadmap.reviews.0.held_on", "2026-03-15")], set()),
    ("whitespace-only-difference", [setting("deployments.1.disclosure.chat",
                                            STATEMENT.replace(" ", "  ", 3) + "\n")], set()),
    ("different-words-same-function", [setting("deployments.1.function", "support"),
                                       setting("deployments.1.disclosure.chat", "A bot.")],
     set()),
    ("article-180-days", [setting("knowledge_base.0.last_reviewed", "2025-12-17")], set()),
    ("shared-roles-on-paused-only", [setting("deployments.0.status", "paused"),
                                     setting("deployments.1.status", "paused"),
                                     chain("ana", "ana", "ben")], set()),
]  # fmt: skip


@pytest.mark.parametrize(("edits", "expected"), [q[1:] for q in QUIET], ids=[q[0] for q in QUIET])
def test_rule_stays_quiet(edits: list[Edit], expected: set[str]) -> None:
    gaps = check(edited(*edits))
    assert {g.rule for g in gaps} == expected
    assert not any(g.blocking for g in gaps)


GO_LIVE = datetime(2026, 3, 1, tzinfo=UTC)  # support-chat; sales-chat goes live on April 1


def only(gaps: list[Gap], rule: str) -> list[Gap]:
    return [g for g in gaps if g.rule == rule]


@pytest.mark.parametrize(
    ("created", "late_by"),
    [
        (GO_LIVE - timedelta(minutes=1), None),
        (GO_LIVE - timedelta(days=27), None),
        (GO_LIVE, "0 hours"),
        (GO_LIVE + timedelta(hours=23, minutes=59), "23 hours"),
        (GO_LIVE + timedelta(days=3, hours=10), "3 days 10 hours"),
        (GO_LIVE + timedelta(days=1), "1 day"),
    ],
    ids=["minute-before", "weeks-before", "midnight-of-go-live", "end-of-go-live-day",
         "days-after", "one-day-after"],
)  # fmt: skip
def test_threshold_created_around_go_live(created: datetime, late_by: str | None) -> None:
    # Only complaint_rate's rule moves; the others stay well before go-live.
    rules = [r for r in THRESHOLDS if r.metric != "complaint_rate"]
    rules.append(threshold("complaint_rate", created, deployment="support-chat"))
    rules.append(threshold("complaint_rate", BEFORE, deployment="sales-chat"))
    gaps = check(thresholds=rules)
    late = only(gaps, "evidence.threshold_late")
    if late_by is None:
        assert gaps == []
        return
    assert [(g.object, g.blocking) for g in late] == [(COMPLAINTS, True)]
    assert f"{late_by} after go-live (2026-03-01)" in late[0].message
    assert "complaint_rate-support-chat" in late[0].message
    assert len(gaps) == 1


def test_threshold_for_another_deployment_does_not_count() -> None:
    rules = [r for r in THRESHOLDS if r.metric != "escalation_rate"]
    rules.append(threshold("escalation_rate", BEFORE, deployment="sales-chat"))
    gaps = check(thresholds=rules)
    assert [(g.rule, g.object) for g in gaps] == [
        ("evidence.threshold_missing", "deployment:support-chat/metric:escalation_rate")
    ]


def test_one_early_threshold_is_enough_and_unknown_times_prove_nothing() -> None:
    late = threshold("csat_satisfied_rate", GO_LIVE + timedelta(days=60))
    assert check(thresholds=[*THRESHOLDS, late]) == []
    undated = Threshold.model_validate(
        {**THRESHOLDS[1].model_dump(), "id": "undated", "created_at": None}
    )
    rules = [r for r in THRESHOLDS if r.metric != undated.metric] + [undated]
    gaps = only(check(thresholds=rules), "evidence.threshold_late")
    assert {g.object for g in gaps} == {
        f"deployment:{d}/metric:{undated.metric}" for d in ("support-chat", "sales-chat")
    }
    assert all("undated has no recorded creation time" in g.message for g in gaps)


def test_no_thresholds_at_all_blocks_every_key_metric() -> None:
    gaps = check(thresholds=())
    assert {g.rule for g in gaps} == {"evidence.threshold_missing"}
    assert len(gaps) == 2 * len(DEFAULT_KEY_METRICS) and all(g.blocking for g in gaps)


def test_declared_key_metrics_replace_the_default_list() -> None:
    gaps = check(edited(setting("key_metrics", ["override_rate"])))
    assert {(g.rule, g.object) for g in gaps} == {
        (rule, f"deployment:{d}/metric:override_rate")
        for rule in ("accountability.missing", "evidence.threshold_missing",
                     "evidence.baseline_missing")
        for d in ("support-chat", "sales-chat")
    }  # fmt: skip


@pytest.mark.parametrize(
    ("baselines", "rule", "detail"),
    [
        ((baseline("sales-only", BEFORE, ("sales-chat",)),), "evidence.baseline_missing",
         "No baseline holds"),
        ((baseline("after", GO_LIVE + timedelta(days=2, hours=5), ("support-chat",)),
          baseline("sales", BEFORE, ("sales-chat",))),
         "evidence.baseline_late", "after, was frozen 2026-03-03 05:00 UTC, 2 days 5 hours after"),
        ((baseline("day-of", GO_LIVE + timedelta(hours=9), ("support-chat",)),
          baseline("sales", BEFORE, ("sales-chat",))),
         "evidence.baseline_late", "9 hours after go-live (2026-03-01)"),
        ((baseline("eve", GO_LIVE - timedelta(seconds=1), ("support-chat",)),
          baseline("sales", BEFORE, ("sales-chat",))), None, ""),
        ((baseline("late", GO_LIVE + timedelta(days=9), ("support-chat", "sales-chat")),
          *BASELINES), None, ""),
    ],
    ids=["other-deployment", "frozen-after", "frozen-on-go-live-day", "frozen-day-before",
         "one-early-is-enough"],
)  # fmt: skip
def test_baselines_around_go_live(
    baselines: tuple[BaselineFacts, ...], rule: str | None, detail: str
) -> None:
    gaps = check(baselines=baselines)
    if rule is None:
        assert gaps == []
        return
    assert {(g.rule, g.object) for g in gaps} == {
        (rule, f"deployment:support-chat/metric:{m}") for m in DEFAULT_KEY_METRICS
    }
    assert all(g.blocking and detail in g.message for g in gaps)


def test_altered_baseline_is_not_evidence() -> None:
    altered = BaselineFacts(
        name="edited", created_at=BEFORE, handler="human", covers=BASELINES[0].covers, intact=False
    )
    gaps = check(baselines=(altered,))
    assert {g.rule for g in gaps} == {"evidence.baseline_altered"}
    assert len(gaps) == 2 * len(DEFAULT_KEY_METRICS) and all(g.blocking for g in gaps)
    assert "edited" in gaps[0].message
    # An intact baseline beside it still counts, even when frozen later.
    late = BaselineFacts(
        name="late", created_at=datetime(2026, 5, 1, tzinfo=UTC), handler="ai",
        covers=BASELINES[0].covers,
    )  # fmt: skip
    assert {g.rule for g in check(baselines=(altered, late))} == {"evidence.baseline_late"}
    assert check(baselines=(altered, *BASELINES)) == []


def test_baseline_must_hold_the_metric_itself() -> None:
    partial = BaselineFacts(
        name="no-csat",
        created_at=BEFORE,
        handler="human",
        covers=frozenset(
            (d, m)
            for d in ("support-chat", "sales-chat")
            for m in DEFAULT_KEY_METRICS
            if m != "csat_satisfied_rate"
        ),
    )
    assert partial.deployments == {"support-chat", "sales-chat"}
    gaps = check(baselines=(partial,))
    assert {(g.rule, g.object) for g in gaps} == {
        ("evidence.baseline_missing", f"deployment:{d}/metric:csat_satisfied_rate")
        for d in ("support-chat", "sales-chat")
    }


def test_live_deployment_without_go_live_is_warned_and_not_checked_for_evidence() -> None:
    gaps = check(edited(setting("deployments.1.go_live", None)), baselines=())
    assert {(g.rule, g.object, g.blocking) for g in gaps if g.object.startswith(SALES)} == {
        ("evidence.no_go_live", SALES, False)
    }


@pytest.mark.parametrize(
    ("meetings", "cadence", "overdue", "text"),
    [
        (["2026-05-16"], 30, False, ""),
        (["2026-05-15"], 30, True, "last met on 2026-05-15"),
        (["2026-06-15"], 1, False, ""),
        (["2026-06-13"], 1, True, "due on or after 2026-06-14"),
        (["2026-01-02", "2026-06-10", "2026-04-01"], 7, False, ""),
        (["2026-06-20"], 30, True, "has never met"),
        ([], 366, True, "has never met"),
    ],
    ids=["exactly-cadence", "one-day-late", "met-today", "daily-missed", "unordered-meetings",
         "only-future-meeting", "never-met"],
)  # fmt: skip
def test_committee_cadence(meetings: list[str], cadence: int, overdue: bool, text: str) -> None:
    data = edited(
        setting("committee.cadence_days", cadence),
        setting("committee.meetings", [{"held_on": day} for day in meetings]),
    )
    gaps = check(data)
    if not overdue:
        assert gaps == []
        return
    assert [(g.rule, g.blocking) for g in gaps] == [("committee.overdue", True)]
    assert text in gaps[0].message


def test_roadmap_never_reviewed_blocks_only_when_customers_meet_live_ai() -> None:
    data = edited(setting("roadmap.reviews", [{"held_on": "2026-07-01"}]))
    assert [(g.rule, g.blocking) for g in check(data)] == [("roadmap.never_reviewed", True)]
    for index in (0, 1):
        setting(f"deployments.{index}.status", "retired")(data)
    assert [(g.rule, g.blocking) for g in check(data)] == [("roadmap.never_reviewed", False)]


def test_inconsistent_disclosure_shows_both_texts() -> None:
    gaps = check(edited(setting("deployments.1.disclosure.chat", "This is a bot.")))
    assert len(gaps) == 1
    assert f'sales says "This is a bot."; support says "{STATEMENT}"' in gaps[0].message


def test_channel_without_statement_blocks_even_within_one_function() -> None:
    data = edited(setting("deployments.0.channels", ["chat", "email"]))
    gaps = check(data)
    assert [(g.rule, g.object, g.blocking) for g in gaps] == [
        ("disclosure.missing", "deployment:support-chat/channel:email", True)
    ]


def test_vendor_clause_blocks_for_production_and_names_deployments() -> None:
    gaps = check(edited(clauses(*signed("incident_notification"))))
    assert len(gaps) == 1 and gaps[0].blocking
    assert "support-chat (production), sales-chat (pilot)" in gaps[0].message
    undeclared = check(edited(setting("vendors", []), setting("deployments.0.status", "paused")))
    assert {(g.rule, g.blocking) for g in undeclared} == {("vendor.clause_missing", False)}
    assert len(undeclared) == 4
    assert "not declared under vendors" in undeclared[0].message


def test_creation_times_after_go_live_are_warned() -> None:
    row = compliant()["accountability"][0]
    late = GO_LIVE + timedelta(days=5)
    times = {
        accountability_key(row["metric"], None): late,
        protocol_key(Severity.SEV1): late,
        protocol_key(Severity.SEV2): GO_LIVE - timedelta(days=1),
        protocol_key(Severity.SEV3): late,  # warned only for sev1 and sev2
    }
    gaps = check(created_at=times)
    assert {(g.rule, g.object, g.blocking) for g in gaps} == {
        ("accountability.declared_after_go_live", f"deployment:support-chat/metric:{row['metric']}",
         False),
        ("protocol.declared_after_go_live", "protocol:sev1", False),
    }  # fmt: skip
    # sales-chat went live in April, after the row was recorded.
    assert "5 days after Support chat went live on 2026-03-01" in gaps[0].message


def test_report_result_is_json_ready_and_ordered() -> None:
    data = edited(
        setting("knowledge_base.0.owner", None),
        setting("committee", None),
        setting("deployments.0.decision_rights", {}),
        chain("ana", "ana", "ben"),
    )
    report = run_checks(facts(data), CHECKED)
    document = jsonable(CheckOut.of(report))
    assert json.loads(json.dumps(document)) == document
    assert list(document) == ["checked_at", "today", "blocking", "counts", "gaps"]
    assert document["today"] == "2026-06-15" and document["blocking"] is True
    rules = [g["rule"] for g in document["gaps"]]  # type: ignore[attr-defined]
    order = [r.id for r in RULES]
    assert rules == sorted(rules, key=order.index)
    assert rules[0] == "deployment.no_decision_rights" and rules[-1] == "knowledge.no_owner"
    assert document["counts"] == {"blocking": 2, "warnings": 3}
    assert report.warnings == tuple(g for g in report.gaps if not g.blocking)
    assert run_checks(facts(data), CHECKED) == report


def test_not_applied_report_blocks_and_says_what_to_run() -> None:
    report = not_applied(CHECKED, TODAY)
    assert isinstance(report, CheckReport) and report.blocking
    assert [g.rule for g in report.gaps] == ["governance.not_applied"]
    assert "cxsteward governance apply" in report.gaps[0].fix


@pytest.mark.parametrize(
    ("paused_on", "ratified", "overdue"),
    [
        (date(2026, 6, 5), False, False),
        (date(2026, 5, 25), False, True),
        (date(2026, 5, 25), True, False),
    ],
    ids=["after-the-last-meeting", "a-meeting-was-held-since", "ratified"],
)
def test_emergency_pause_ratification(paused_on: date, ratified: bool, overdue: bool) -> None:
    # The compliant committee met on 2026-06-01 with a 30-day cadence; today is 2026-06-15.
    pause = EmergencyPause("support-chat", "ana", paused_on, ratified)
    gaps = check(emergency_pauses=[pause])
    if not overdue:
        assert gaps == []
        return
    assert [(g.rule, g.blocking, g.object) for g in gaps] == [
        ("decision.ratification_overdue", True, "deployment:support-chat")
    ]
    assert "by ana on 2026-05-25" in gaps[0].message and "(due by 2026-06-24)" in gaps[0].message
    assert "committee-decision support-chat ratify" in gaps[0].fix


@pytest.mark.parametrize(
    ("today", "meetings", "overdue"),
    [
        (date(2026, 5, 31), [], False),
        (date(2026, 6, 1), [], True),
        (date(2026, 5, 2), [date(2026, 5, 1)], False),
        (date(2026, 5, 2), [date(2026, 5, 2)], True),
    ],
    ids=["last-day-of-cadence", "a-day-past-cadence", "meeting-before-pause", "meeting-since"],
)
def test_ratification_is_due_at_the_next_meeting_or_cadence(
    today: date, meetings: list[date], overdue: bool
) -> None:
    # Paused on 2026-05-01 with a 30-day cadence: due by 2026-05-31 (hand count).
    assert ratification_due(date(2026, 5, 1), 30) == date(2026, 5, 31)
    assert ratification_overdue(date(2026, 5, 1), meetings, 30, today) is overdue


def test_every_rule_is_catalogued_and_documented() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    fired = {case[2] for case in FIRES} | {
        "evidence.threshold_missing", "evidence.threshold_late", "evidence.baseline_missing",
        "evidence.baseline_late", "evidence.baseline_altered",
        "accountability.declared_after_go_live",
        "protocol.declared_after_go_live", "governance.not_applied",
        "decision.ratification_overdue",
    }  # fmt: skip
    assert fired == set(ids), "every catalogued rule has a test that makes it fire"
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", DOCS.read_text("utf-8"), re.M))
    assert documented == set(ids)
