"""The crosswalk report (C13) against a hand computation from the file and the records.

The expectation reads the crosswalk file as plain YAML, counts records with plain SQL, and
takes the chain gaps and evidence verdicts from their own services; the report must agree
on every clause of every framework, and a control must flip when its record is added.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from cxsteward.config import Settings
from cxsteward.domain.scale import RoleGroup
from cxsteward.errors import GovernanceNotFound, Invalid
from cxsteward.services.assessment.cycles import add_respondent, answer_question, open_cycle
from cxsteward.services.assessment.evidence import evidence_for
from cxsteward.services.crosswalk.models import ClauseOut, ControlStatus, CrosswalkOut
from cxsteward.services.crosswalk.records import RECORD_TYPES
from cxsteward.services.crosswalk.report import crosswalk_report
from cxsteward.services.demo.company import run_demo
from cxsteward.services.governance.check import check_governance
from cxsteward.services.governance.reading import read_governance_file
from cxsteward.services.governance.setup import apply_governance, current_governance
from cxsteward.services.trust.reviews import submit_review_request
from cxsteward.services.workspace import Workspace, open_workspace

# The file as plain data, read without the module under test.
RAW: dict[str, Any] = yaml.safe_load(
    files("cxsteward").joinpath("data/crosswalk.yaml").read_text("utf-8")
)
SECTIONS = {
    "questions": "question",
    "chain_checks": "chain_check",
    "evidence_rules": "evidence_rule",
    "record_types": "record_type",
}
# Each record type's table, written out here rather than taken from the code under test.
TABLES = {
    "incidents": "incidents",
    "incident_events": "incident_events",
    "incident_decisions": "decisions",
    "incident_communications": "communications",
    "incident_notifications": "notifications",
    "review_requests": "review_requests",
    "explanations": "explanations",
    "frontline_feedback": "frontline_feedback",
    "committee_members": "gov_committee_members",
    "committee_meetings": "gov_committee_meetings",
    "committee_decisions": "gov_committee_decisions",
    "emergency_pauses": "gov_emergency_pauses",
    "accountability": "gov_accountability",
    "escalation_protocols": "gov_protocols",
    "deployments": "gov_deployments",
    "model_versions": "gov_deployment_models",
    "lifecycle_transitions": "gov_deployment_transitions",
    "baselines": "baselines",
    "thresholds": "thresholds",
    "monitoring_runs": "monitor_runs",
    "findings": "findings",
    "message_templates": "gov_templates",
    "vendor_clauses": "gov_vendor_clauses",
    "knowledge_articles": "gov_kb_articles",
    "roadmap_reviews": "gov_roadmap_reviews",
    "data_loads": "data_loads",
    "assessment_answers": "assessment_answers",
    "audit_log": "audit_log",
    "training_modules": "gov_training_modules",
    "training_completions": "training_completions",
    "consent_notices": "consent_notices",
    "customer_choices": "consent_choices",
}
EXAMPLE = Path(__file__).parents[2] / "examples" / "governance.yaml"
TODAY = date(2026, 12, 7)
Key = tuple[str, str]


def controls_of(framework: str, clause: str) -> list[Key]:
    return [
        (kind, control)
        for section, kind in SECTIONS.items()
        for control, refs in RAW["mappings"][section].items()
        if clause in refs.get(framework, [])
    ]


def expected_statuses(ws: Workspace, today: date) -> dict[Key, str]:
    """Each control's status, decided from the records by the rules in docs/crosswalk.md."""
    with ws.transaction() as session:
        counts = {
            key: int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for key, table in TABLES.items()
        }
        cycle = session.execute(
            text("SELECT id FROM assessment_cycles ORDER BY opened_at DESC, id DESC LIMIT 1")
        ).scalar()
        answered = {
            row[0]
            for row in session.execute(
                text(
                    "SELECT a.question_id FROM assessment_answers a JOIN assessment_respondents r"
                    " ON a.respondent_id = r.id WHERE r.cycle_id = :c AND a.value IS NOT NULL"
                ),
                {"c": cycle},
            )
        }
    try:
        deployments = current_governance(ws).deployments
    except GovernanceNotFound:
        deployments = []
    counts["decision_rights"] = sum(not d.decision_rights.empty for d in deployments)
    counts["disclosure_statements"] = sum(
        any(v.strip() for v in d.disclosure.values()) for d in deployments
    )
    gaps = {g.rule for g in check_governance(ws, today).gaps}
    applied = "governance.not_applied" not in gaps
    verdicts = {e.question_id: e.verdict for e in evidence_for(ws, today).questions}
    statuses: dict[Key, str] = {}
    for key in RAW["mappings"]["record_types"]:
        statuses[("record_type", key)] = "evidenced" if counts[key] else "missing"
    for rule in RAW["mappings"]["chain_checks"]:
        passes = rule not in gaps and (applied or rule == "governance.not_applied")
        statuses[("chain_check", rule)] = "evidenced" if passes else "missing"
    for rule in RAW["mappings"]["evidence_rules"]:
        statuses[("evidence_rule", rule)] = (
            "evidenced" if verdicts.get(rule) == "evidenced" else "missing"
        )
    for question in RAW["mappings"]["questions"]:
        if verdicts.get(question) == "evidenced":
            statuses[("question", question)] = "evidenced"
        elif question in answered:
            statuses[("question", question)] = "self_reported"
        else:
            statuses[("question", question)] = "missing"
    return statuses


def clause_of(report: CrosswalkOut, framework: str, clause: str) -> ClauseOut:
    found = next(f for f in report.frameworks if f.key == framework)
    return next(c for c in found.clauses if c.id == clause)


def status_of(report: CrosswalkOut, framework: str, clause: str, key: Key) -> ControlStatus:
    found = clause_of(report, framework, clause)
    return next(c.status for c in found.controls if (c.kind.value, c.id) == key)


def assert_matches_hand_computation(ws: Workspace, report: CrosswalkOut) -> None:
    statuses = expected_statuses(ws, report.as_of)
    for framework in report.frameworks:
        distinct: set[Key] = set()
        for clause in framework.clauses:
            keys = controls_of(framework.key, clause.id)
            distinct.update(keys)
            got = {(c.kind.value, c.id): c.status.value for c in clause.controls}
            assert got == {k: statuses[k] for k in keys}, (framework.key, clause.id)
            evidenced = sum(statuses[k] == "evidenced" for k in keys)
            assert clause.coverage == round(100 * evidenced / len(keys), 1), clause.id
            assert clause.counts.total == len(keys)
            assert len(clause.missing) == len(keys) - evidenced
        evidenced = sum(statuses[k] == "evidenced" for k in distinct)
        assert framework.totals.total == len(distinct)
        assert framework.coverage == round(100 * evidenced / len(distinct), 1), framework.key


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crosswalk-demo") / "ws"
    run_demo(Settings(workspace=folder), rows=3000)
    return folder


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Iterator[Workspace]:
    target = tmp_path / "demo"
    shutil.copytree(demo_template, target)
    opened = open_workspace(Settings(workspace=target))
    yield opened
    opened.close()


def test_the_code_counts_the_same_record_types_the_test_does() -> None:
    assert set(RECORD_TYPES) == set(RAW["mappings"]["record_types"])
    assert set(TABLES) | {"decision_rights", "disclosure_statements"} == set(RECORD_TYPES)


def test_every_clause_of_the_demo_matches_the_hand_computation(demo: Workspace) -> None:
    report = crosswalk_report(demo, today=TODAY)
    assert report.cycle == "2026-Q4" and report.governance_applied
    assert_matches_hand_computation(demo, report)
    seen = {c.status for f in report.frameworks for cl in f.clauses for c in cl.controls}
    assert seen == set(ControlStatus), "the demo should show all three statuses"


def test_a_review_request_turns_gdpr_22_3_from_missing_to_evidenced(ws: Workspace) -> None:
    # The governance alone: the demo's story already holds review requests.
    apply_governance(ws, read_governance_file(EXAMPLE))
    demo = ws
    key = ("record_type", "review_requests")
    # Judged as of the day the request is sent (a fixed day would lie before it).
    today = demo.now().date()
    before = crosswalk_report(demo, "gdpr", today=today)
    assert status_of(before, "gdpr", "Art. 22(3)", key) is ControlStatus.MISSING
    assert clause_of(before, "gdpr", "Art. 22(3)").coverage == 0.0
    submit_review_request(demo, "support-chat", "The bot refused my refund.", "kim@example.com")
    after = crosswalk_report(demo, "gdpr", today=today)
    assert status_of(after, "gdpr", "Art. 22(3)", key) is ControlStatus.EVIDENCED
    # Six controls serve Art. 22(3): two questions, their two evidence rules and two record
    # types. The request evidences its record type, the review-path rule (received, none
    # overdue) and so its question; the explanation rule has no answered request to judge.
    assert len(controls_of("gdpr", "Art. 22(3)")) == 6
    statuses = {
        c.id: c.status
        for c in clause_of(after, "gdpr", "Art. 22(3)").controls
        if c.kind.value == "evidence_rule"
    }
    assert statuses == {"TRU-04": ControlStatus.EVIDENCED, "TRU-03": ControlStatus.MISSING}
    evidenced = {
        (c.kind.value, c.id)
        for c in clause_of(after, "gdpr", "Art. 22(3)").controls
        if c.status is ControlStatus.EVIDENCED
    }
    assert evidenced == {
        ("evidence_rule", "TRU-04"),
        ("record_type", "review_requests"),
        ("question", "TRU-04"),
    }
    assert clause_of(after, "gdpr", "Art. 22(3)").coverage == pytest.approx(100 * 3 / 6)
    assert [f.key for f in after.frameworks] == ["gdpr"]
    assert_matches_hand_computation(demo, after)


def test_an_empty_workspace_has_nothing_evidenced_but_the_audit_trail(ws: Workspace) -> None:
    report = crosswalk_report(ws, today=TODAY)
    assert report.cycle is None and not report.governance_applied
    chain = [
        c
        for f in report.frameworks
        for cl in f.clauses
        for c in cl.controls
        if c.kind.value == "chain_check"
    ]
    assert chain and all(c.status is ControlStatus.MISSING for c in chain)
    assert all("governance" in c.reason for c in chain)
    assert_matches_hand_computation(ws, report)


def test_governance_applied_lets_chain_checks_pass(ws: Workspace) -> None:
    apply_governance(ws, read_governance_file(EXAMPLE))
    report = crosswalk_report(ws, today=TODAY)
    assert report.governance_applied
    key = ("chain_check", "governance.not_applied")
    assert status_of(report, "nist_ai_rmf", "GOVERN 1.4", key) is ControlStatus.EVIDENCED
    assert_matches_hand_computation(ws, report)


def test_an_answer_is_a_self_report_and_does_not_count_as_coverage(ws: Workspace) -> None:
    open_cycle(ws, "2026-Q4")
    for value in (2, 4):
        code = add_respondent(ws, "2026-Q4", RoleGroup.FRONTLINE, anonymous=True).code
        answer_question(ws, "2026-Q4", code, "TRU-03", value)
        answer_question(ws, "2026-Q4", code, "TRU-04", None)
    clause = clause_of(crosswalk_report(ws, "gdpr", today=TODAY), "gdpr", "Art. 22(3)")
    by_id = {c.id: c for c in clause.controls}
    assert by_id["TRU-03"].status is ControlStatus.SELF_REPORTED
    assert "3.0 of 4 (in place)" in by_id["TRU-03"].reason
    assert by_id["TRU-04"].status is ControlStatus.MISSING
    assert "don't know" in by_id["TRU-04"].reason
    assert clause.coverage == 0.0
    assert (clause.counts.self_reported, clause.counts.missing) == (1, 5)


def test_an_unknown_framework_names_the_known_ones(ws: Workspace) -> None:
    with pytest.raises(Invalid, match="eu_ai_act, nist_ai_rmf, iso_42001, gdpr"):
        crosswalk_report(ws, "sox")
