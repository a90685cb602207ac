"""Invitation links in the service: create, hashed at rest, resume, revoke, expire, refuse."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cxsteward.domain.scale import RoleGroup
from cxsteward.errors import AssessmentCycleClosed, Conflict, CycleNotFound, Invalid
from cxsteward.registry.tables import RespondentRecord
from cxsteward.services.accounts.sessions import token_hash
from cxsteward.services.assessment.cycles import close_cycle, open_cycle
from cxsteward.services.assessment.invitations import (
    MAX_DAYS,
    MAX_LINKS,
    InvitationNotFound,
    InvitationUnusable,
    create_invitations,
    list_invitations,
    open_invitation,
    respondent_code,
    revoke_invitation,
    save_answers,
    start_invitation,
    submit_invitation,
)
from cxsteward.services.clock import FixedClock
from cxsteward.services.workspace import Workspace

CYCLE = "2026-Q4"


@pytest.fixture
def cycle(ws: Workspace) -> str:
    open_cycle(ws, CYCLE)
    return CYCLE


def _registry_bytes(ws: Workspace) -> bytes:
    """Every byte SQLite keeps for the registry: the database file and its journals."""
    base = ws.settings.workspace / "registry.sqlite"
    files = [base, *(Path(f"{base}{suffix}") for suffix in ("-wal", "-journal"))]
    return b"".join(f.read_bytes() for f in files if f.exists())


def _refused_field(excinfo: pytest.ExceptionInfo[Invalid]) -> str | None:
    (problem,) = excinfo.value.problems
    return problem.column


def test_create_issues_one_link_per_name_plus_unnamed_ones(ws: Workspace, cycle: str) -> None:
    issued = create_invitations(ws, cycle, "frontline", "maya", ["Jo  Bloggs", "  "], count=2)
    assert [(i.label, i.role_group) for i in issued] == [
        ("Jo Bloggs", RoleGroup.FRONTLINE),
        (None, RoleGroup.FRONTLINE),
        (None, RoleGroup.FRONTLINE),
    ]
    assert len({i.token for i in issued}) == 3 and all(len(i.token) >= 40 for i in issued)
    listed = list_invitations(ws, cycle)
    assert [(i.id, i.label, i.status, i.created_by) for i in listed] == [
        (issued[0].id, "Jo Bloggs", "not opened", "maya"),
        (issued[1].id, None, "not opened", "maya"),
        (issued[2].id, None, "not opened", "maya"),
    ]
    assert all(i.expires_at is None for i in listed)


def test_tokens_are_stored_hashed_never_raw(ws: Workspace, cycle: str) -> None:
    issued = create_invitations(ws, cycle, "data", "maya", count=3)
    stored = _registry_bytes(ws)
    for link in issued:
        # The hash is there (so this reads the right bytes), the token itself nowhere.
        assert token_hash(link.token).encode() in stored
        assert link.token.encode() not in stored


def test_answers_are_saved_and_resumed_then_submitted(ws: Workspace, cycle: str) -> None:
    (link,) = create_invitations(ws, cycle, "cx_management", "maya", count=1)
    fresh = open_invitation(ws, link.token)
    assert (fresh.started, fresh.answered, fresh.role_group) == (
        False,
        0,
        RoleGroup.CX_MANAGEMENT,
    )
    start_invitation(ws, link.token, anonymous=False, name="Jo Bloggs")
    first, second = (q.id for q in fresh.bank.questions[:2])
    save_answers(ws, link.token, {first: (3, "Roadmap in slides only"), second: (None, None)})
    # Coming back later with the same link finds the answers where they were left.
    resumed = open_invitation(ws, link.token)
    assert (resumed.started, resumed.name, resumed.anonymous) == (True, "Jo Bloggs", False)
    assert resumed.answered == 2 and resumed.total == len(fresh.bank.questions)
    assert resumed.answers[first].value == 3
    assert resumed.answers[first].comment == "Roadmap in slides only"
    assert resumed.answers[second].value is None
    assert list_invitations(ws, cycle)[0].status == "in progress"
    done = submit_invitation(ws, link.token)
    assert done.submitted_at is not None
    assert list_invitations(ws, cycle)[0].status == "submitted"
    with pytest.raises(AssessmentCycleClosed, match="can no longer change"):
        save_answers(ws, link.token, {first: (1, None)})


def test_revoked_links_stop_working(ws: Workspace, cycle: str) -> None:
    kept, stopped = create_invitations(ws, cycle, "frontline", "maya", count=2)
    out = revoke_invitation(ws, stopped.id, "maya")
    assert (out.id, out.status, out.revoked_at is not None) == (stopped.id, "revoked", True)
    with pytest.raises(InvitationUnusable, match="withdrawn") as excinfo:
        open_invitation(ws, stopped.token)
    assert excinfo.value.reason == "revoked"
    assert open_invitation(ws, kept.token).started is False  # the other link still works
    with pytest.raises(Conflict, match="already revoked"):
        revoke_invitation(ws, stopped.id, "maya")
    with pytest.raises(InvitationNotFound, match="No invitation 999"):
        revoke_invitation(ws, 999, "maya")


def test_links_expire_at_their_time(ws: Workspace, cycle: str) -> None:
    issued_at = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    clock = FixedClock(issued_at)
    ws = replace(ws, clock=clock)
    (link,) = create_invitations(ws, cycle, "technology", "maya", count=1, expires_in_days=7)
    assert link.expires_at == issued_at + timedelta(days=7)
    clock.advance(timedelta(days=6, hours=23))
    assert open_invitation(ws, link.token).started is False
    assert list_invitations(ws, cycle)[0].status == "not opened"
    clock.advance(timedelta(hours=1))
    with pytest.raises(InvitationUnusable, match="expired on 2026-10-08") as excinfo:
        open_invitation(ws, link.token)
    assert excinfo.value.reason == "expired"
    assert list_invitations(ws, cycle)[0].status == "expired"


def test_a_closed_cycle_stops_its_links_and_takes_no_new_ones(ws: Workspace, cycle: str) -> None:
    (link,) = create_invitations(ws, cycle, "executive", "maya", count=1)
    close_cycle(ws, cycle)
    with pytest.raises(InvitationUnusable, match="has closed") as excinfo:
        open_invitation(ws, link.token)
    assert excinfo.value.reason == "closed"
    assert list_invitations(ws, cycle)[0].status == "closed"
    with pytest.raises(AssessmentCycleClosed, match="is closed"):
        create_invitations(ws, cycle, "executive", "maya", count=1)


def test_anonymous_answers_store_no_name(ws: Workspace, cycle: str) -> None:
    hidden, named = create_invitations(ws, cycle, "frontline", "maya", ["Jo Bloggs", "Al Smith"])
    view = start_invitation(ws, hidden.token, anonymous=True, name="Jo Bloggs")
    assert (view.anonymous, view.name) == (True, None)
    start_invitation(ws, named.token, anonymous=False, name="Al Smith")
    with ws.transaction() as session:
        rows = {r.code: r for r in session.scalars(select(RespondentRecord))}
    anonymous = rows[respondent_code(hidden.token)]
    assert (anonymous.anonymous, anonymous.name) == (True, None)
    assert rows[respondent_code(named.token)].name == "Al Smith"
    # The name typed on the anonymous link is nowhere in the registry; the link's label is.
    with ws.transaction() as session:
        names = set(session.scalars(select(RespondentRecord.name)))
    assert names == {None, "Al Smith"}
    with pytest.raises(Conflict, match="already in use"):
        start_invitation(ws, hidden.token, anonymous=False, name="Jo Bloggs")


def test_unknown_links_and_cycles_are_refused(ws: Workspace, cycle: str) -> None:
    with pytest.raises(InvitationNotFound, match="not known"):
        open_invitation(ws, "no-such-token")
    with pytest.raises(CycleNotFound, match="No assessment cycle named '2030-Q1'"):
        create_invitations(ws, "2030-Q1", "frontline", "maya", count=1)
    with pytest.raises(CycleNotFound, match="Known cycles: 2026-Q4"):
        list_invitations(ws, "2030-Q1")


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"role_group": "marketing"}, "role_group", "Role group 'marketing' is not known"),
        ({"count": 0}, "names", "Ask for at least one link"),
        ({"count": -3, "labels": ["Jo"]}, "names", "Ask for at least one link"),
        ({"count": MAX_LINKS + 1}, "names", f"At most {MAX_LINKS} links at once, not 201"),
        ({"count": MAX_LINKS, "labels": ["Jo"]}, "names", "not 201"),
        ({"expires_in_days": 0}, "expires", "Links expire after 1 to 366 days; 0 is not"),
        ({"expires_in_days": -5}, "expires", "-5 is not"),
        ({"expires_in_days": MAX_DAYS + 1}, "expires", "367 is not"),
        ({"labels": ["x" * 201]}, "names", "the limit is 200"),
    ],
    ids=[
        "bad-role-group",
        "count-0",
        "count-negative",
        "too-many",
        "too-many-with-names",
        "days-0",
        "days-negative",
        "days-too-many",
        "name-too-long",
    ],
)
def test_bad_input_is_refused_and_names_the_field(
    ws: Workspace, cycle: str, kwargs: dict[str, object], field: str, message: str
) -> None:
    args: dict[str, object] = {"role_group": "frontline", "count": 1, **kwargs}
    with pytest.raises(Invalid, match=message) as excinfo:
        create_invitations(ws, cycle, by="maya", **args)  # type: ignore[arg-type]
    assert _refused_field(excinfo) == field
    assert list_invitations(ws, cycle) == []


def test_the_largest_batch_and_longest_lifetime_are_accepted(ws: Workspace, cycle: str) -> None:
    issued = create_invitations(
        ws, cycle, "data", "maya", count=MAX_LINKS, expires_in_days=MAX_DAYS
    )
    assert len(issued) == MAX_LINKS == len(list_invitations(ws, cycle))
