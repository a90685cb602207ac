"""Governance as code: apply, plan, export and the round trip, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cxsteward.domain.governance.spec import Governance, Lifecycle, Meeting, Person, Transition
from cxsteward.errors import GovernanceInvalid, GovernanceNotFound
from cxsteward.registry.tables_governance import (
    GovDeploymentRecord,
    GovPersonRecord,
    GovTransitionRecord,
)
from cxsteward.services.contract import jsonable
from cxsteward.services.governance import setup as service
from cxsteward.services.governance import store as governance_store
from cxsteward.services.governance.committee import (
    list_committee_decisions,
    record_committee_decision,
)
from cxsteward.services.governance.reading import parse_governance
from cxsteward.services.workspace import Workspace

EXAMPLE = Path(__file__).parents[2] / "examples" / "governance.yaml"
COUNCIL = ["maya-okafor", "dev-raman", "lena-fischer", "hana-sato"]


@pytest.fixture
def example() -> Governance:
    return service.read_governance_file(EXAMPLE)


def _counts(ws: Workspace) -> dict[str, int]:
    with ws.transaction() as session:
        return {
            "people": session.scalar(select(func.count()).select_from(GovPersonRecord)) or 0,
            "deployments": session.scalar(select(func.count()).select_from(GovDeploymentRecord))
            or 0,
        }


def test_example_applies_and_round_trips(ws_any: Workspace, example: Governance) -> None:
    plan = service.apply_governance(ws_any, example)
    assert plan.counts.add > 50 and plan.counts.remove == 0
    assert service.current_governance(ws_any) == example
    exported = service.export_governance(ws_any)
    again = parse_governance(exported, "export.yaml")
    assert again.governance == example
    assert service.plan_governance(ws_any, again.governance, again).empty
    assert service.apply_governance(ws_any, again.governance).empty
    assert service.export_governance(ws_any) == exported


def test_nothing_applied_is_a_clear_not_found(ws: Workspace) -> None:
    with pytest.raises(GovernanceNotFound, match="governance apply"):
        service.current_governance(ws)
    with pytest.raises(GovernanceNotFound):
        service.export_governance(ws)


def test_plan_shows_add_change_and_remove(ws: Workspace, example: Governance) -> None:
    service.apply_governance(ws, example)
    people = [
        p.model_copy(update={"title": "Chief Customer & Digital Officer"})
        if p.key == "maya-okafor"
        else p
        for p in example.people
    ] + [Person(key="new-hire", name="Noor Haddad", function="data")]
    articles = example.knowledge_base[1:]
    changed = example.model_copy(update={"people": people, "knowledge_base": articles})
    plan = service.plan_governance(ws, changed)
    summary = {(c.kind, c.key, c.action) for c in plan.changes}
    assert summary == {
        ("person", "maya-okafor", "change"),
        ("person", "new-hire", "add"),
        ("article", "kb-roaming-charges", "remove"),
    }
    change = next(c for c in plan.changes if c.action == "change")
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("title", "Chief Customer Officer", "Chief Customer & Digital Officer")
    ]
    assert jsonable(plan)["counts"] == {"add": 1, "change": 1, "remove": 1}
    # Planning wrote nothing.
    assert service.current_governance(ws) == example


def test_apply_keeps_created_at_and_moves_updated_at(ws: Workspace, example: Governance) -> None:
    service.apply_governance(ws, example)
    with ws.transaction() as session:
        before = session.scalars(
            select(GovPersonRecord).where(GovPersonRecord.key == "dev-raman")
        ).one()
        created, updated = before.created_at, before.updated_at
    people = [
        p.model_copy(update={"title": "VP Digital Care"}) if p.key == "dev-raman" else p
        for p in example.people
    ]
    service.apply_governance(ws, example.model_copy(update={"people": people}))
    with ws.transaction() as session:
        after = session.scalars(
            select(GovPersonRecord).where(GovPersonRecord.key == "dev-raman")
        ).one()
        assert after.title == "VP Digital Care"
        assert after.created_at == created
        assert after.updated_at > updated


def test_apply_is_all_or_nothing(
    ws: Workspace, example: Governance, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = service._find

    def failing(session, kind_name, entry):  # type: ignore[no-untyped-def]
        if kind_name == "vendor":  # clauses look up their vendor after people were added
            raise RuntimeError("disk full")
        return real(session, kind_name, entry)

    monkeypatch.setattr(service, "_find", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        service.apply_governance(ws, example)
    with ws.transaction() as session:
        assert governance_store.load_stored(session) is None
    assert _counts(ws) == {"people": 0, "deployments": 0}


def test_dropping_history_is_refused_with_its_line(ws: Workspace, example: Governance) -> None:
    service.apply_governance(ws, example)
    text = EXAMPLE.read_text("utf-8")
    # Remove the second committee meeting (three lines: date, attendees, decisions header + 1).
    start = text.index("    - held_on: 2025-02-11")
    end = text.index("# Vendors and their contract clauses")
    edited = parse_governance(text[:start] + "\n" + text[end:], "edited.yaml")
    with pytest.raises(GovernanceInvalid) as caught:
        service.plan_governance(ws, edited.governance, edited)
    [problem] = caught.value.problems
    assert problem.column == "committee.meetings"
    assert problem.value == "2025-02-11"
    assert problem.row == text[: text.index("  meetings:")].count("\n") + 1
    assert "history is never removed" in problem.message


def test_removing_a_deployment_with_history_is_refused(ws: Workspace, example: Governance) -> None:
    service.apply_governance(ws, example)
    kept = [d for d in example.deployments if d.key != "campaign-writer"]
    with pytest.raises(GovernanceInvalid, match="status: retired"):
        service.apply_governance(ws, example.model_copy(update={"deployments": kept}))


def test_status_change_records_a_transition(ws: Workspace, example: Governance) -> None:
    service.apply_governance(ws, example)
    deployments = [
        d.model_copy(update={"status": Lifecycle.PAUSED}) if d.key == "billing-voice" else d
        for d in example.deployments
    ]
    changed = example.model_copy(update={"deployments": deployments})
    # priya-nair holds no pause right on billing-voice: the apply is refused, naming who does.
    with pytest.raises(GovernanceInvalid, match=r"dev-raman, marco-ricci \(the pause right"):
        service.apply_governance(ws, changed, actor="priya-nair", by="priya-nair")
    plan = service.apply_governance(ws, changed, by="marco-ricci")
    [auto] = [c for c in plan.changes if c.kind == "transition"]
    assert "recorded automatically" in auto.note
    stored = service.current_governance(ws).deployment("billing-voice")
    assert stored is not None and stored.status == Lifecycle.PAUSED
    last = stored.history[-1]
    assert (last.status, last.by, last.reason) == (
        Lifecycle.PAUSED,
        "marco-ricci",
        "governance apply",
    )
    # The same file again is a no-op, though it does not list the automatic entry.
    assert service.plan_governance(ws, changed).empty


def test_status_change_with_its_own_history_entry(ws: Workspace, example: Governance) -> None:
    assert example.committee is not None
    meeting = Meeting(held_on=date(2025, 3, 30), attendees=COUNCIL)
    committee = example.committee.model_copy(
        update={"meetings": [*example.committee.meetings, meeting]}
    )
    example = example.model_copy(update={"committee": committee})
    service.apply_governance(ws, example)
    step = Transition(status=Lifecycle.PRODUCTION, on="2025-04-01", by="maya-okafor", reason="ok")
    deployments = [
        d.model_copy(update={"status": Lifecycle.PRODUCTION, "history": [*d.history, step]})
        if d.key == "billing-voice"
        else d
        for d in example.deployments
    ]
    changed = example.model_copy(update={"deployments": deployments})
    # scaling -> production is the committee's decision, never one person's.
    with pytest.raises(GovernanceInvalid, match="quorum 4 of 6"):
        service.apply_governance(ws, changed, by="maya-okafor")
    record_committee_decision(
        ws,
        "billing-voice",
        "production",
        meeting.held_on,
        COUNCIL,
        4,
        0,
        "ok",
        "maya-okafor",
        execute=False,
        override_gate=True,  # the bare example has no data: its scale gate says no-go
    )
    # The history names maya-okafor as the decider: nobody else may apply it in her name.
    with pytest.raises(GovernanceInvalid, match="names maya-okafor as the decider"):
        service.apply_governance(ws, changed, by="dev-raman")
    plan = service.apply_governance(ws, changed, by="maya-okafor")
    transitions = [c for c in plan.changes if c.kind == "transition"]
    assert [(c.action, c.note) for c in transitions] == [("add", "")]
    with ws.transaction() as session:
        assert session.scalar(select(func.count()).select_from(GovTransitionRecord)) == 8
    # The decision was used up: the same move could not ride on it twice.
    [used] = list_committee_decisions(ws, "billing-voice")
    assert used.used_at is not None


def test_lifecycle_is_enforced_on_apply(ws: Workspace, example: Governance) -> None:
    service.apply_governance(ws, example)
    deployments = [
        d.model_copy(update={"status": Lifecycle.PRODUCTION}) if d.key == "sales-assistant" else d
        for d in example.deployments
    ]
    with pytest.raises(GovernanceInvalid, match="pilot deployment can only move to: scaling"):
        service.apply_governance(ws, example.model_copy(update={"deployments": deployments}))


def _template(gov: Governance, key: str, **update: object) -> Governance:
    templates = [t.model_copy(update=update) if t.key == key else t for t in gov.templates]
    return gov.model_copy(update={"templates": templates})


def test_template_text_change_needs_a_new_version(ws: Workspace, example: Governance) -> None:
    service.apply_governance(ws, example)
    with pytest.raises(GovernanceInvalid, match="raise it to 2"):
        service.plan_governance(ws, _template(example, "service-paused", text="Back soon."))
    carried = _template(example, "service-paused", text="Back soon.", version=2)
    with pytest.raises(GovernanceInvalid, match="keeps the approval of version 1"):
        service.plan_governance(ws, carried)
    fresh = _template(
        example, "service-paused", text="Back soon.", version=2, approved_by=None, approved_at=None
    )
    plan = service.apply_governance(ws, fresh)
    [change] = plan.changes
    assert {f.field for f in change.fields} == {"text", "version", "approved_by", "approved_at"}


def test_hostile_strings_are_stored_and_exported_safely(ws_any: Workspace) -> None:
    nasty = "Zoë \x1b[31m\x07 O'Brien\u202e: {x} # not a comment\n- key: injected"
    gov = Governance(
        organization="Acme\nkey_metrics: [evil]",
        people=[Person(key="zoe", name=nasty), Person(key="long", name="N" * 200)],
    )
    service.apply_governance(ws_any, gov)
    text = service.export_governance(ws_any)
    assert "\x1b" not in text and "\x07" not in text  # escaped, never raw
    assert "\nkey_metrics: [evil]" not in text  # the header comment stays one line
    back = parse_governance(text, "export.yaml").governance
    assert back == gov
    assert service.plan_governance(ws_any, back).empty


def test_nul_characters_are_refused_before_anything_is_stored(ws_any: Workspace) -> None:
    gov = Governance(organization="Acme", people=[Person(key="zoe", name="Zo\x00e")])
    with pytest.raises(GovernanceInvalid) as caught:
        service.apply_governance(ws_any, gov)
    [problem] = caught.value.problems
    assert problem.column == "people[0].name" and "NUL" in problem.message
    with ws_any.transaction() as session:
        assert governance_store.load_stored(session) is None


def test_a_vulnerable_promise_round_trips_with_or_without_a_scale_gate(
    ws: Workspace, example: Governance
) -> None:
    # support-chat declares a promise and no gate; billing-voice both (two JSON columns).
    service.apply_governance(ws, example)
    stored = service.current_governance(ws)
    for key in ("support-chat", "billing-voice"):
        assert stored.deployment(key) == example.deployment(key)
    chat = stored.deployment("support-chat")
    assert chat is not None and chat.scale_gate is None and chat.vulnerable is not None
    # Changing only the promise is one change of that deployment, applied and exported.
    looser = chat.vulnerable.model_copy(update={"within_floor": 0.8})
    changed = example.model_copy(
        update={
            "deployments": [
                d.model_copy(update={"vulnerable": looser}) if d.key == "support-chat" else d
                for d in example.deployments
            ]
        }
    )
    plan = service.apply_governance(ws, changed)
    assert [(c.kind, c.key) for c in plan.changes] == [("deployment", "support-chat")]
    exported = parse_governance(service.export_governance(ws), "export.yaml").governance
    again = exported.deployment("support-chat")
    assert again is not None and again.vulnerable == looser
