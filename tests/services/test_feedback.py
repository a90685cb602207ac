"""Frontline feedback: anonymity at the SQL level, follow-up codes, triage, incidents, figures."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from test_reviews import T0, declare

from cxsteward.errors import (
    DeploymentNotFound,
    FeedbackNotFound,
    Invalid,
    PersonNotFound,
    TransitionNotAllowed,
)
from cxsteward.registry.tables_audit import AuditPendingRecord, AuditRecord
from cxsteward.registry.tables_incidents import IncidentRecord
from cxsteward.services.contract import jsonable
from cxsteward.services.incidents.lifecycle import get_incident
from cxsteward.services.people.feedback import (
    ANONYMOUS,
    act_on_feedback,
    decline_feedback,
    feedback_summary,
    follow_feedback,
    get_feedback,
    list_feedback,
    submit_feedback,
    triage_feedback,
)
from cxsteward.services.workspace import Workspace


def flag(ws: Workspace, at: Any = T0, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "deployment": "support-chat",
        "category": "wrong_answer",
        "description": "The bot told a customer roaming is free in Canada; it is not.",
        "by": "finn",
    }
    return submit_feedback(ws, **{**fields, **changes}, at=at)


def incidents(ws: Workspace) -> int:
    with ws.transaction() as session:
        return session.scalar(select(func.count()).select_from(IncidentRecord)) or 0


def test_anonymous_feedback_stores_no_person_at_all(ws_any: Workspace) -> None:
    declare(ws_any)
    receipt = flag(ws_any, by=None, anonymous=True)
    named = flag(ws_any)
    with ws_any.transaction() as session:
        rows = session.execute(
            text("SELECT id, anonymous, reporter FROM frontline_feedback ORDER BY anonymous")
        ).all()
        assert [(r.id, bool(r.anonymous), r.reporter) for r in rows] == [
            (named.id, False, "finn"),
            (receipt.id, True, None),
        ]
        # The named flag is in the chain under its sender; the anonymous one waits, nobody's.
        actors = session.scalars(
            select(AuditRecord.actor).where(AuditRecord.table_name == "frontline_feedback")
        ).all()
        assert actors == ["finn"]
        held = session.scalars(
            select(AuditPendingRecord.object_key).where(
                AuditPendingRecord.table_name == "frontline_feedback"
            )
        ).all()
        assert held == [str(receipt.id)] and ANONYMOUS == "anonymous"
    assert get_feedback(ws_any, receipt.id).reporter is None


@pytest.mark.parametrize(
    ("anonymous", "reporter"), [(True, "finn"), (False, None)], ids=["named", "unnamed"]
)
def test_the_database_refuses_a_flag_that_breaks_anonymity(
    ws_any: Workspace, anonymous: bool, reporter: str | None
) -> None:
    # Written past the service, straight in SQL: the constraint itself must refuse it.
    with pytest.raises(IntegrityError), ws_any.transaction() as session:
        session.execute(
            text(
                "INSERT INTO frontline_feedback (code_hash, deployment, category, description, "
                "anonymous, reporter, status, submitted_at) VALUES ('h', 'support-chat', "
                "'tone', 'x', :anonymous, :reporter, 'new', :at)"
            ),
            {"anonymous": anonymous, "reporter": reporter, "at": T0},
        )


def test_sender_must_be_named_or_anonymous_not_both_nor_neither(ws: Workspace) -> None:
    declare(ws)
    with pytest.raises(Invalid, match="Anonymous feedback names nobody"):
        flag(ws, anonymous=True)
    with pytest.raises(Invalid, match="send it anonymously \\(--anonymous\\)"):
        flag(ws, by=None)
    with pytest.raises(Invalid, match="Unknown category 'rude'"):
        flag(ws, category="rude")
    with pytest.raises(Invalid, match="What happened is empty"):
        flag(ws, description="")
    with pytest.raises(Invalid, match="control character U\\+001B"):
        flag(ws, description="\x1b[2J")
    with pytest.raises(Invalid, match="4001 characters long"):
        flag(ws, description="y" * 4001)
    with pytest.raises(DeploymentNotFound, match="No deployment 'web-bot'"):
        flag(ws, deployment="web-bot")
    assert list_feedback(ws) == [] and incidents(ws) == 0


def test_the_follow_up_code_is_hashed_and_shows_progress(ws: Workspace) -> None:
    declare(ws)
    receipt = flag(ws, by=None, anonymous=True)
    assert follow_feedback(ws, receipt.follow_up_code.lower()).status == "new"
    triage_feedback(ws, receipt.id, "sev3", "omar", owner="eve", at=T0 + timedelta(hours=1))
    act_on_feedback(ws, receipt.id, "Roaming answers now quote the tariff table.", "eve")
    seen = follow_feedback(ws, receipt.follow_up_code)
    assert seen.status == "acted_on"
    assert seen.change_made == "Roaming answers now quote the tariff table."
    assert "reporter" not in jsonable(seen) and "owner" not in jsonable(seen)
    with pytest.raises(FeedbackNotFound, match="No feedback has that follow-up code"):
        follow_feedback(ws, "FB-0000-0000-0000-0000")
    ws.close()
    raw = (ws.settings.workspace / "registry.sqlite").read_bytes()
    body = receipt.follow_up_code.replace("-", "")[2:]
    assert receipt.follow_up_code.encode() not in raw and body.encode() not in raw


def test_triage_then_act_records_who_what_and_when(ws_any: Workspace) -> None:
    declare(ws_any)
    receipt = flag(ws_any)
    triaged = triage_feedback(
        ws_any,
        receipt.id,
        "sev3",
        "omar",
        owner="eve",
        note="Check the roaming prompt.",
        at=T0 + timedelta(hours=2),
    )
    assert (triaged.status, triaged.severity, triaged.owner) == ("triaged", "sev3", "eve")
    assert triaged.triage_note == "Check the roaming prompt." and triaged.incident_id is None
    acted = act_on_feedback(ws_any, receipt.id, "Prompt fixed.", "eve", at=T0 + timedelta(days=3))
    assert (acted.status, acted.acted_by, acted.change_made) == ("acted_on", "eve", "Prompt fixed.")
    assert acted.days_to_action == 3.0


def test_every_refused_move_is_refused_by_the_service(ws: Workspace) -> None:
    declare(ws)
    receipt = flag(ws)
    with pytest.raises(TransitionNotAllowed, match="from new it can move to triaged"):
        act_on_feedback(ws, receipt.id, "Fixed.", "eve")
    with pytest.raises(TransitionNotAllowed, match="from new"):
        decline_feedback(ws, receipt.id, "Not a failure.", "eve")
    triage_feedback(ws, receipt.id, "sev4", "omar")
    with pytest.raises(TransitionNotAllowed, match="from triaged"):
        triage_feedback(ws, receipt.id, "sev3", "omar")
    decline_feedback(ws, receipt.id, "The answer was right for that tariff.", "omar")
    with pytest.raises(TransitionNotAllowed, match="declined and cannot change"):
        act_on_feedback(ws, receipt.id, "Fixed.", "eve")
    seen = follow_feedback(ws, receipt.follow_up_code)
    assert seen.decline_reason == "The answer was right for that tariff."


def test_bad_triage_and_action_input_is_refused(ws: Workspace) -> None:
    declare(ws)
    receipt = flag(ws)
    with pytest.raises(Invalid, match="Unknown severity 'high'"):
        triage_feedback(ws, receipt.id, "high", "omar")
    with pytest.raises(PersonNotFound, match="No person 'zed'.*known: omar, eve"):
        triage_feedback(ws, receipt.id, "sev3", "omar", owner="zed")
    with pytest.raises(Invalid, match="would come before"):
        triage_feedback(ws, receipt.id, "sev3", "omar", at=T0 - timedelta(minutes=1))
    with pytest.raises(FeedbackNotFound, match="No feedback 42"):
        triage_feedback(ws, 42, "sev3", "omar")
    triage_feedback(ws, receipt.id, "sev3", "omar")
    with pytest.raises(Invalid, match="What changed is empty"):
        act_on_feedback(ws, receipt.id, " ", "eve")
    with pytest.raises(Invalid, match="Reason is empty"):
        decline_feedback(ws, receipt.id, "", "eve")
    assert get_feedback(ws, receipt.id).status == "triaged"


def test_bias_opens_an_incident_at_once_and_triage_adds_no_second(ws_any: Workspace) -> None:
    declare(ws_any)
    receipt = flag(ws_any, category="bias", by=None, anonymous=True)
    assert receipt.incident_id is not None
    incident = get_incident(ws_any, receipt.incident_id)
    assert (incident.source, incident.severity, incident.incident_type) == (
        "frontline",
        "sev2",
        "frontline_bias",
    )
    assert incident.notify == ["omar"] and "bias or unfair treatment" in incident.title
    # The anonymous sender is nowhere on the incident either.
    assert {e.actor for e in incident.events} <= {"cxsteward feedback", "cxsteward notify"}
    triaged = triage_feedback(ws_any, receipt.id, "sev1", "omar")
    assert triaged.incident_id == receipt.incident_id and incidents(ws_any) == 1


def test_other_categories_open_an_incident_only_when_triaged_sev1_or_sev2(
    ws_any: Workspace,
) -> None:
    declare(ws_any)
    quiet, loud = flag(ws_any, category="tone"), flag(ws_any, category="missed_escalation")
    assert quiet.incident_id is None and loud.incident_id is None and incidents(ws_any) == 0
    assert triage_feedback(ws_any, quiet.id, "sev3", "omar").incident_id is None
    opened = triage_feedback(ws_any, loud.id, "sev2", "omar").incident_id
    assert opened is not None and incidents(ws_any) == 1
    incident = get_incident(ws_any, opened)
    assert (incident.source, incident.severity) == ("frontline", "sev2")
    assert "Feedback 2 triaged as sev2." in [e.detail.get("note") for e in incident.events]


def test_list_filters_and_newest_first(ws: Workspace) -> None:
    declare(ws)
    first = flag(ws, at=T0)
    second = flag(ws, at=T0 + timedelta(hours=1), category="tone", deployment="billing-voice")
    assert [f.id for f in list_feedback(ws)] == [second.id, first.id]
    assert [f.id for f in list_feedback(ws, category="tone")] == [second.id]
    assert [f.id for f in list_feedback(ws, deployment="support-chat")] == [first.id]
    assert list_feedback(ws, status="acted_on") == []
    with pytest.raises(Invalid, match="Unknown status 'done'"):
        list_feedback(ws, status="done")


def test_acted_on_rate_and_median_over_a_period_match_pandas(ws: Workspace) -> None:
    declare(ws)
    rng = random.Random(5)
    rows = []
    for index in range(40):
        submitted = T0 + timedelta(hours=index * 13)
        receipt = flag(ws, at=submitted)
        fate = rng.choice(["new", "triaged", "acted_on", "declined"])
        acted = None
        if fate != "new":
            triage_feedback(ws, receipt.id, "sev4", "omar", at=submitted + timedelta(hours=1))
        if fate == "acted_on":
            acted = submitted + timedelta(hours=rng.randint(2, 400))
            act_on_feedback(ws, receipt.id, "Changed the prompt.", "eve", at=acted)
        if fate == "declined":
            decline_feedback(ws, receipt.id, "Works as intended.", "omar")
        rows.append({"submitted": submitted, "status": fate, "acted": acted})
    frame = pd.DataFrame(rows)
    since, until = T0 + timedelta(days=3), T0 + timedelta(days=15)
    window = frame[(frame.submitted >= since) & (frame.submitted < until)]
    decided = window[window.status != "new"]
    acted = window[window.status == "acted_on"]
    stats = feedback_summary(ws, since=since, until=until)
    assert stats.submitted == len(window)
    assert stats.acted_on == len(acted) and stats.declined == (window.status == "declined").sum()
    assert stats.acted_on_rate == pytest.approx((decided.status == "acted_on").mean())
    days = (acted.acted - acted.submitted).dt.total_seconds() / 86400
    assert stats.median_days_to_action == pytest.approx(days.median())
    assert feedback_summary(ws).submitted == 40
    assert feedback_summary(ws, deployment="billing-voice").submitted == 0
