"""The registry's web forms: each edit goes through plan and apply, problems land on fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsteward.domain.governance.spec import ClauseStatus, Person
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import GovernanceInvalid, Invalid, NotPermitted, Problem
from cxsteward.services.governance import deployment_edits, people_edits
from cxsteward.services.governance.setup import (
    apply_governance,
    current_governance,
    export_governance,
    read_governance_file,
)
from cxsteward.services.workspace import Workspace
from cxsteward.web.forms import chain, deployments, meetings, people, templates, vendors
from cxsteward.web.forms import registry as registry_form
from cxsteward.web.forms.committee import committee_values, save_committee
from cxsteward.web.forms.fields import FormInvalid, refused

EXAMPLE = Path(__file__).parents[2] / "examples" / "governance.yaml"


@pytest.fixture
def gws(ws: Workspace) -> Workspace:
    apply_governance(ws, read_governance_file(EXAMPLE), actor="test")
    return ws


def _refused(gws: Workspace, action: object, *args: object) -> FormInvalid:
    before = export_governance(gws)
    with pytest.raises(FormInvalid) as caught:
        action(*args)  # type: ignore[operator]
    assert export_governance(gws) == before
    return caught.value


def test_person_added_and_renamed(gws: Workspace) -> None:
    people.save_person(gws, {"key": "ada", "name": "Ada Obi", "function": "data"}, "admin")
    people.save_person(gws, {"name": "Ada O. Obi", "email": "ada@example.org"}, "admin", key="ada")
    person = current_governance(gws).person("ada")
    assert person is not None and (person.name, person.email, person.function) == (
        "Ada O. Obi",
        "ada@example.org",
        "",
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"key": "Ada!", "name": "A"}, "key"),
        ({"key": "ada", "name": ""}, "name"),
        ({"key": "dev-raman", "name": "Dup"}, "key"),
    ],
    ids=["bad-key", "empty-name", "taken-key"],
)
def test_person_refused(gws: Workspace, values: dict[str, str], field: str) -> None:
    error = _refused(gws, people.save_person, gws, values, "admin")
    assert list(error.fields) == [field]


def test_unknown_decision_right_holder_is_a_field_error(gws: Workspace) -> None:
    values = {
        **deployments.deployment_values(current_governance(gws).deployments[0]),
        "rights_pause": ["zed"],
    }
    error = _refused(gws, deployments.save_deployment, gws, values, "admin", "support-chat")
    assert (
        "not in people" in error.fields["rights_pause"] and "'zed'" in error.fields["rights_pause"]
    )


def test_deployment_round_trip_changes_nothing(gws: Workspace) -> None:
    before = export_governance(gws)
    for dep in current_governance(gws).deployments:
        deployments.save_deployment(gws, deployments.deployment_values(dep), "admin", key=dep.key)
    assert export_governance(gws) == before


def test_status_move_rules(gws: Workspace) -> None:
    error = _refused(
        gws,
        deployments.change_status,
        gws,
        "sales-assistant",
        {"status": "production", "reason": "x"},
        "a",
    )
    assert "allowed: scaling, paused, retired" in error.fields["status"]
    assert (
        "reason"
        in _refused(
            gws, deployments.change_status, gws, "sales-assistant", {"status": "scaling"}, "a"
        ).fields
    )
    # An account linked to no person never decides; the message says who may.
    refused = _refused(
        gws,
        deployments.change_status,
        gws,
        "sales-assistant",
        {"status": "scaling", "reason": "ok"},
        "a",
    ).fields["status"]
    assert "Your account a is linked to no person" in refused
    assert "Who may decide: a decision of Customer AI Council with quorum 4 of 6" in refused
    values = {"status": "paused", "reason": "ok", "by": "amara-mensah"}
    deployments.change_status(gws, "sales-assistant", values, "amara-mensah")
    assert current_governance(gws).deployment("sales-assistant").status.value == "paused"  # type: ignore[union-attr]


def test_protocol_and_accountability(gws: Workspace) -> None:
    values = {
        "severity": "sev3",
        "notify": ["hana-sato"],
        "respond_within_hours": "12",
        "decides": "dev-raman",
    }
    chain.save_protocol(gws, values, "admin")
    protocol = current_governance(gws).protocol(Severity.SEV3)
    assert protocol is not None and (protocol.notify, protocol.respond_within_hours) == (
        ["hana-sato"],
        12.0,
    )
    bad = _refused(gws, chain.save_protocol, gws, {**values, "respond_within_hours": "-1"}, "admin")
    assert list(bad.fields) == ["respond_within_hours"]
    row = {
        "metric": "escalation_rate",
        "deployment": "billing-voice",
        "monitors": "marco-ricci",
        "escalates": "dev-raman",
        "acts": "priya-nair",
    }
    chain.save_accountability(gws, row, "admin", index=3)
    assert current_governance(gws).accountability[3].acts == "priya-nair"
    dup = _refused(gws, chain.save_accountability, gws, row, "admin")
    assert "twice" in dup.fields["metric"]


def test_clause_and_vendor(gws: Workspace) -> None:
    vendors.save_clause(
        gws, "parlance-voice", {"kind": "bias_audit_access", "status": "negotiating"}, "a"
    )
    vendor = next(v for v in current_governance(gws).vendors if v.key == "parlance-voice")
    assert vendor.clauses[-1].status == ClauseStatus.NEGOTIATING
    assert (
        "status"
        in _refused(
            gws, vendors.save_clause, gws, "lumen-ai", {"kind": "transparency", "status": "x"}, "a"
        ).fields
    )
    vendors.save_vendor(gws, {"name": "Parlance Voice Ltd"}, "a", key="parlance-voice")
    renamed = next(v for v in current_governance(gws).vendors if v.key == "parlance-voice")
    assert renamed.name == "Parlance Voice Ltd" and len(renamed.clauses) == 4


def test_template_versions_and_approval(gws: Workspace) -> None:
    same = templates.save_template(
        gws,
        {"incident_type": "billing_error", "text": current_governance(gws).templates[3].text},
        "a",
        key="billing-correction",
    )
    assert same.version == 1
    changed = templates.save_template(
        gws,
        {"incident_type": "billing_error", "text": "Credit of {amount}."},
        "a",
        key="billing-correction",
    )
    assert (changed.version, changed.placeholders, changed.approved_at) == (2, ["amount"], None)
    approved = templates.approve(gws, "billing-correction", {"by": "lena-fischer"})
    assert approved.approved_by == "lena-fischer" and approved.version == 2
    assert _refused(
        gws,
        templates.approve,
        gws,
        "billing-correction",
        {"by": "lena-fischer"},
    ).general
    assert (
        "by" in _refused(gws, templates.approve, gws, "ai-error-apology", {"by": "nobody"}).fields
    )


def test_meeting_and_review(gws: Workspace) -> None:
    assert (
        "held_on"
        in _refused(
            gws, meetings.add_meeting, gws, {"held_on": "soon", "attendees": ["dev-raman"]}
        ).fields
    )
    assert (
        "attendees"
        in _refused(
            gws, meetings.add_meeting, gws, {"held_on": "2025-03-01", "attendees": ["x"]}
        ).fields
    )
    meetings.add_roadmap_review(
        gws, {"held_on": "2025-04-01", "reviewers": ["maya-okafor"], "notes": "Q2"}
    )
    assert current_governance(gws).roadmap.reviews[-1].notes == "Q2"


def test_start_registry(ws: Workspace) -> None:
    assert (
        "organization" in pytest.raises(FormInvalid, registry_form.start, ws, {}, "a").value.fields
    )
    registry_form.start(ws, {"organization": "Acme"}, "a")
    assert current_governance(ws).organization == "Acme"


def test_the_committee_and_protocol_forms_keep_quorum_and_emergency_delegation(
    gws: Workspace,
) -> None:
    gov = current_governance(gws)
    values = committee_values(gov.committee)
    assert values["quorum"] == "4"
    assert save_committee(gws, values, "admin").quorum == 4
    assert save_committee(gws, {**values, "quorum": ""}, "admin").quorum is None
    bad = _refused(gws, save_committee, gws, {**values, "quorum": "four"}, "admin")
    assert "Enter a whole number of members" in bad.fields["quorum"]
    too_many = _refused(gws, save_committee, gws, {**values, "quorum": "7"}, "admin")
    assert "more than the committee's 6 members" in too_many.fields["quorum"]
    sev1 = {"severity": "sev1", "notify": ["dev-raman"], "respond_within_hours": "1"}
    sev1 |= {"decides": "maya-okafor"}
    assert chain.save_protocol(gws, {**sev1, "emergency_pause": "yes"}, "admin").emergency_pause
    assert not chain.save_protocol(gws, sev1, "admin").emergency_pause
    assert current_governance(gws).protocol(Severity.SEV1).emergency_pause is False  # type: ignore[union-attr]


def test_typed_edits_locate_the_registry_s_problems_inside_the_object(gws: Workspace) -> None:
    dep = current_governance(gws).deployments[0]
    unknown = dep.model_copy(update={"vendor": "nobody-ltd"})
    before = export_governance(gws)
    with pytest.raises(GovernanceInvalid) as caught:
        deployment_edits.save_deployment(gws, unknown, "admin", key=dep.key)
    assert export_governance(gws) == before
    assert "vendor" in {p.column for p in caught.value.problems}
    with pytest.raises(Invalid) as taken:
        people_edits.save_person(gws, Person(key="dev-raman", name="Another Dev"), "admin")
    assert [(p.column, p.message) for p in taken.value.problems] == [
        ("key", "'dev-raman' is already someone's key.")
    ]


def test_refused_puts_each_problem_on_its_field_and_the_rest_above_the_form() -> None:
    exc = Invalid(
        "Refused.",
        [
            Problem("must be a person", column="decision_rights.pause", value="zed"),
            Problem("deployments[3].vendor: unknown vendor"),
        ],
    )
    form = refused(exc, deployments.FIELDS)
    assert form.fields == {"rights_pause": "Must be a person (value 'zed')."}
    assert form.general == ["deployments[3].vendor: unknown vendor"]
    plain = refused(NotPermitted("Only dev-raman may pause."), {}, on="status")
    assert (plain.fields, plain.general) == ({"status": "Only dev-raman may pause."}, [])
