"""Pure incident rules: lifecycle moves, deadlines, routing, rights and template filling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cxsteward.domain.governance.spec import (
    Accountability,
    Committee,
    DecisionRights,
    Deployment,
    Governance,
    Member,
    Person,
    Protocol,
    Right,
)
from cxsteward.domain.incidents import (
    MOVES,
    DecisionAction,
    IncidentStatus,
    authority,
    check_move,
    escape_controls,
    fill,
    is_overdue,
    parse_action,
    parse_severity,
    parse_status,
    placeholders_of,
    respond_by,
    responded_late,
    route,
)
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import Conflict, Invalid, NotPermitted

S = IncidentStatus
ALLOWED = {
    (S.OPEN, S.ACKNOWLEDGED),
    (S.OPEN, S.MITIGATING),
    (S.ACKNOWLEDGED, S.MITIGATING),
    (S.ACKNOWLEDGED, S.RESOLVED),
    (S.MITIGATING, S.RESOLVED),
    (S.RESOLVED, S.CLOSED),
    (S.RESOLVED, S.OPEN),
}
EVERY_PAIR = [(a, b) for a in S for b in S if a is not b]
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED), ids=lambda s: s.value)
def test_allowed_moves_pass(current: IncidentStatus, target: IncidentStatus) -> None:
    check_move(1, current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [p for p in EVERY_PAIR if p not in ALLOWED] + [(s, s) for s in S],
    ids=lambda s: s.value,
)
def test_other_moves_are_refused_with_the_allowed_ones(
    current: IncidentStatus, target: IncidentStatus
) -> None:
    with pytest.raises(Conflict) as caught:
        check_move(7, current, target)
    message = str(caught.value)
    assert "Incident 7" in message
    if current is S.CLOSED:
        assert "closed and cannot change" in message
    else:
        assert f"from {current.value} to {target.value}" in message
        for option in MOVES[current]:
            assert option.value in message


def test_the_move_table_is_exactly_the_lifecycle() -> None:
    assert {(a, b) for a, targets in MOVES.items() for b in targets} == ALLOWED


def test_unknown_names_are_refused_listing_the_valid_ones() -> None:
    with pytest.raises(Invalid, match="use one of open, acknowledged"):
        parse_status("done")
    with pytest.raises(Invalid, match="sev1, sev2, sev3, sev4"):
        parse_severity("critical")
    with pytest.raises(Invalid, match="pause, modify, roll_back"):
        parse_action("shutdown")
    assert parse_severity("sev2") is Severity.SEV2


def test_deadline_and_overdue() -> None:
    protocol = Protocol(severity=Severity.SEV2, respond_within_hours=4, decides="ana")
    deadline = respond_by(T0, protocol)
    assert deadline == T0 + timedelta(hours=4)
    assert respond_by(T0, None) is None
    assert not is_overdue(deadline, None, T0 + timedelta(hours=3, minutes=59))
    assert is_overdue(deadline, None, T0 + timedelta(hours=4, minutes=1))
    # Acknowledged in time: never overdue, not late.
    acked = T0 + timedelta(hours=1)
    assert not is_overdue(deadline, acked, T0 + timedelta(days=3))
    assert not responded_late(deadline, acked)
    # Acknowledged after the deadline: no longer overdue, but late.
    late = T0 + timedelta(hours=5)
    assert not is_overdue(deadline, late, T0 + timedelta(days=3))
    assert responded_late(deadline, late)
    assert not is_overdue(None, None, T0 + timedelta(days=30))


def _gov(**extra: object) -> Governance:
    people = [Person(key=k, name=k.title(), email=f"{k}@example.com") for k in PEOPLE]
    return Governance.model_validate(
        {
            "organization": "Acme",
            "people": people,
            "deployments": [
                Deployment(
                    key="support-chat",
                    name="Support chat",
                    function="support",
                    decision_rights=DecisionRights(
                        pause=["ops"], modify=["eng"], roll_back=["eng"], discontinue=["cxo"]
                    ),
                )
            ],
            "protocols": [
                Protocol(
                    severity=Severity.SEV2,
                    notify=["ops", "legal"],
                    respond_within_hours=4,
                    decides="cxo",
                    tell_customers=True,
                )
            ],
            "accountability": [
                Accountability(
                    metric="complaint_rate", monitors="ana", acts="cxo", escalates="ops"
                ),
                Accountability(
                    metric="complaint_rate",
                    deployment="support-chat",
                    monitors="ana",
                    escalates="lead",
                    acts="eng",
                ),
            ],
            **extra,
        }
    )


PEOPLE = ["ana", "ops", "eng", "cxo", "legal", "lead", "chair", "guest"]


def test_routing_prefers_the_row_for_the_deployment() -> None:
    gov = _gov()
    exact = route(gov, Severity.SEV2, "support-chat", "complaint_rate")
    assert exact.owner == "eng"
    assert exact.notify == ["ops", "legal", "ana", "lead"]  # protocol first, no repeats
    general = route(gov, Severity.SEV2, "billing-voice", "complaint_rate")
    assert general.owner == "cxo"
    assert general.notify == ["ops", "legal", "ana"]
    assert general.protocol is not None and general.protocol.tell_customers


def test_routing_without_protocol_or_accountability() -> None:
    gov = _gov()
    quiet = route(gov, Severity.SEV4, "support-chat", "csat_mean")
    assert quiet.owner is None and quiet.notify == [] and quiet.protocol is None
    manual = route(gov, Severity.SEV2, "support-chat", None)
    assert manual.owner is None and manual.notify == ["ops", "legal"]


@pytest.mark.parametrize(
    ("action", "person", "granted"),
    [
        (DecisionAction.PAUSE, "ops", "pause right on support-chat"),
        (DecisionAction.RESUME, "ops", "pause right on support-chat"),
        (DecisionAction.MODIFY, "eng", "modify right on support-chat"),
        (DecisionAction.ROLL_BACK, "eng", "roll_back right on support-chat"),
        (DecisionAction.DISCONTINUE, "cxo", "discontinue right on support-chat"),
    ],
    ids=lambda v: str(v),
)
def test_rights_are_granted_to_their_holders(
    action: DecisionAction, person: str, granted: str
) -> None:
    gov = _gov()
    assert authority(gov, action, gov.deployments[0], person, None) == granted


@pytest.mark.parametrize(
    ("action", "person", "holders"),
    [
        (DecisionAction.PAUSE, "eng", r"Who may decide: ops \(the pause right"),
        (DecisionAction.RESUME, "guest", r"Who may decide: ops \(the pause right"),
        (DecisionAction.MODIFY, "ops", r"Who may decide: eng \(the modify right"),
        (DecisionAction.DISCONTINUE, "eng", r"Who may decide: cxo \(the discontinue right"),
    ],
    ids=lambda v: str(v),
)
def test_rights_are_refused_naming_the_holders(
    action: DecisionAction, person: str, holders: str
) -> None:
    gov = _gov()
    with pytest.raises(NotPermitted, match=holders):
        authority(gov, action, gov.deployments[0], person, None)


def test_a_committee_member_does_not_use_the_committee_authority_alone() -> None:
    committee = Committee(
        name="AI committee",
        members=[Member(person="chair", function="cx")],
        cadence_days=30,
        authority=[Right.PAUSE],
    )
    gov = _gov(committee=committee)
    dep = gov.deployments[0]
    with pytest.raises(NotPermitted, match="does not decide alone in its name"):
        authority(gov, DecisionAction.PAUSE, dep, "chair", None)
    with pytest.raises(NotPermitted, match="or a decision of AI committee with quorum 1 of 1"):
        authority(gov, DecisionAction.PAUSE, dep, "guest", None)
    # The committee was not given the roll-back right, so not even its decision would do.
    with pytest.raises(NotPermitted) as caught:
        authority(gov, DecisionAction.ROLL_BACK, dep, "chair", None)
    assert "Who may decide: eng (the roll_back right on" in str(caught.value)
    assert "AI committee with quorum" not in str(caught.value)


def test_accepting_a_risk_needs_the_protocol_decider_or_a_committee_member() -> None:
    committee = Committee(
        name="AI committee", members=[Member(person="chair", function="cx")], cadence_days=30
    )
    gov = _gov(committee=committee)
    dep = gov.deployments[0]
    accept = DecisionAction.ACCEPT_RISK
    assert "escalation protocol" in authority(gov, accept, dep, "cxo", Severity.SEV2)
    assert authority(gov, accept, dep, "chair", Severity.SEV2) == "member of AI committee"
    assert authority(gov, accept, dep, "chair", None) == "member of AI committee"
    with pytest.raises(NotPermitted, match="cxo, chair may"):
        authority(gov, accept, dep, "ops", Severity.SEV2)
    # Outside an incident there is no protocol: only the committee may accept the risk.
    with pytest.raises(NotPermitted, match="chair may"):
        authority(gov, accept, dep, "cxo", None)


def test_fill_replaces_every_placeholder_once() -> None:
    text = "Dear {customer}, on {date} our assistant {what}. Ref {customer}."
    assert placeholders_of(text) == ["customer", "date", "what"]
    out = fill(
        text,
        ["customer", "date", "what"],
        {"customer": "Ms {date}", "date": "1 May", "what": "gave wrong advice"},
        "t v1",
    )
    # A value that looks like a placeholder is kept as typed, not filled again.
    assert out == "Dear Ms {date}, on 1 May our assistant gave wrong advice. Ref Ms {date}."


def test_fill_names_missing_empty_and_unknown_values() -> None:
    with pytest.raises(Invalid) as caught:
        fill(
            "Hi {name}, see {link} {extra}",
            ["name", "link", "extra"],
            {"name": "Ana", "link": "  ", "colour": "red"},
            "apology v2",
        )
    message = str(caught.value)
    assert "Cannot fill template apology v2" in message
    assert "column 'link': has no value" in message
    assert "column 'extra': has no value" in message
    assert "column 'colour': is not a placeholder" in message
    assert "'name'" not in message


def test_declared_placeholders_missing_from_the_text_are_still_required() -> None:
    with pytest.raises(Invalid, match="'ref'"):
        fill("Hello {name}", ["name", "ref"], {"name": "Ana"}, "t v1")


def test_fill_quiet_when_every_value_is_given() -> None:
    assert fill("No placeholders here.", [], {}, "t v1") == "No placeholders here."


def test_control_characters_are_escaped() -> None:
    assert escape_controls("a\nb\tc\rd") == "a b c d"
    assert escape_controls("bell\x07 esc\x1b[31m") == "bell\\x07 esc\\x1b[31m"
    assert escape_controls("evil\u202etxt.exe") == "evil\\u202etxt.exe"
    assert escape_controls("Zoë 👩‍💻 ok") == "Zoë 👩‍💻 ok"
    filled = fill("Hi {name}.", ["name"], {"name": "Ana\x00\nSmith"}, "t v1")
    assert filled == "Hi Ana\\x00 Smith."
