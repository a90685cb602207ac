"""The committee decision form on a deployment's page: move, meeting, presence, votes, reason."""

from __future__ import annotations

from cxsteward.errors import Conflict, Invalid, NotFound, NotPermitted, PersonNotFound
from cxsteward.services.governance.committee import (
    CommitteeDecisionOut,
    load_person,
    record_committee_decision,
)
from cxsteward.services.workspace import Workspace
from cxsteward.web.forms.fields import FormErrors, FormValues, many, parse_date, refused, text

FIELDS = {"move": "move", "meeting": "meeting", "reason": "reason", "present": "present"}


def decide(ws: Workspace, deployment: str, values: FormValues, actor: str) -> CommitteeDecisionOut:
    """Record a committee decision from the form, as the signed-in person.

    Raises:
        FormInvalid: a missing or bad field, or a refusal (quorum, authority, not a person).
    """
    errors = FormErrors()
    move, reason = text(values, "move"), text(values, "reason")
    meeting = parse_date(values, "meeting", errors, required=True)
    counts: dict[str, int] = {}
    for name in ("votes_for", "votes_against"):
        raw = text(values, name) or "0"
        if not raw.isdigit():
            errors.add(name, f"{raw!r} is not a count; enter a whole number such as 4.")
        counts[name] = int(raw) if raw.isdigit() else 0
    if not move:
        errors.add("move", "Choose what the committee decided.")
    if not reason:
        errors.add("reason", "Say why the committee decided; the reason is the evidence.")
    errors.raise_if_any()
    assert meeting is not None
    try:
        return record_committee_decision(
            ws,
            deployment,
            move,
            meeting,
            many(values, "present"),
            counts["votes_for"],
            counts["votes_against"],
            reason,
            actor if load_person(ws, actor) else None,
            account=actor,
            override_gate=text(values, "override_gate") == "yes",
        )
    except (NotPermitted, Invalid, Conflict, PersonNotFound) as exc:
        title = "The committee decision was not recorded."
        raise refused(exc, {}, on="move", title=title) from None
    except NotFound as exc:
        raise refused(exc, {}, on="meeting", title="Unknown meeting.") from None
