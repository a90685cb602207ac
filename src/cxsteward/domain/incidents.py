"""Incident rules: the status machine, deadlines, routing and template filling (C7). Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cxsteward.domain.governance import rights
from cxsteward.domain.governance.spec import Deployment, Governance, Protocol
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import Conflict, Invalid, NotPermitted, Problem


class IncidentStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    MITIGATING = "mitigating"
    RESOLVED = "resolved"
    CLOSED = "closed"


class IncidentSource(StrEnum):
    FINDING = "finding"
    MANUAL = "manual"
    FRONTLINE = "frontline"
    REVIEW_REQUEST = "review_request"


class EventKind(StrEnum):
    OPENED = "opened"
    RECURRED = "recurred"
    STATUS = "status"
    DECISION = "decision"
    COMMUNICATION_DRAFTED = "communication_drafted"
    COMMUNICATION_SENT = "communication_sent"
    NOTIFIED = "notified"
    NOTIFY_FAILED = "notify_failed"
    NOTE = "note"


# Forward along the lifecycle, two short cuts, and a reopen when a fix did not hold.
MOVES: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.OPEN: frozenset({IncidentStatus.ACKNOWLEDGED, IncidentStatus.MITIGATING}),
    IncidentStatus.ACKNOWLEDGED: frozenset({IncidentStatus.MITIGATING, IncidentStatus.RESOLVED}),
    IncidentStatus.MITIGATING: frozenset({IncidentStatus.RESOLVED}),
    IncidentStatus.RESOLVED: frozenset({IncidentStatus.CLOSED, IncidentStatus.OPEN}),
    IncidentStatus.CLOSED: frozenset(),
}


def parse_status(value: str) -> IncidentStatus:
    """The status named by ``value``, or Invalid listing the statuses."""
    try:
        return IncidentStatus(value)
    except ValueError:
        names = ", ".join(s.value for s in IncidentStatus)
        raise Invalid(f"Unknown incident status {value!r}; use one of {names}.") from None


def parse_severity(value: str) -> Severity:
    """The severity named by ``value``, or Invalid listing the severities."""
    try:
        return Severity(value)
    except ValueError:
        names = ", ".join(s.value for s in Severity)
        raise Invalid(
            f"Unknown severity {value!r}; use one of {names} (sev1 is the worst)."
        ) from None


def check_move(incident_id: int, current: IncidentStatus, target: IncidentStatus) -> None:
    """Refuse a status change the lifecycle does not allow, saying which ones it does."""
    allowed = MOVES[current]
    if target in allowed:
        return
    if current is IncidentStatus.CLOSED:
        raise Conflict(
            f"Incident {incident_id} is closed and cannot change; if the problem is back, "
            "open a new incident (a recurring finding opens one by itself)."
        )
    options = ", ".join(sorted(s.value for s in allowed))
    raise Conflict(
        f"Incident {incident_id} cannot move from {current.value} to {target.value}; "
        f"from {current.value} it can move to {options}."
    )


def respond_by(opened_at: datetime, protocol: Protocol | None) -> datetime | None:
    """The response deadline: opening time plus the protocol's response window."""
    if protocol is None:
        return None
    return opened_at + timedelta(hours=protocol.respond_within_hours)


def is_overdue(deadline: datetime | None, acknowledged_at: datetime | None, at: datetime) -> bool:
    """True when the deadline passed with nobody having responded."""
    return deadline is not None and acknowledged_at is None and at > deadline


def responded_late(deadline: datetime | None, acknowledged_at: datetime | None) -> bool:
    """True when the response came, but after the deadline."""
    return deadline is not None and acknowledged_at is not None and acknowledged_at > deadline


def more_severe(new: Severity, old: Severity) -> bool:
    return new.rank < old.rank


@dataclass(frozen=True)
class Routing:
    """Who owns an incident, who hears about it, and the protocol behind the answer."""

    owner: str | None
    notify: list[str]
    protocol: Protocol | None


def route(
    gov: Governance | None, severity: Severity, deployment: str, metric: str | None
) -> Routing:
    """Owner from the accountability map; notify list from the protocol plus watchers."""
    if gov is None:
        return Routing(owner=None, notify=[], protocol=None)
    protocol = gov.protocol(severity)
    rows = [r for r in gov.accountability if metric is not None and r.metric == metric]
    # A row naming this deployment is more specific than one for every deployment.
    exact = [r for r in rows if r.deployment == deployment]
    general = [r for r in rows if r.deployment is None]
    row = (exact or general)[0] if exact or general else None
    people: list[str] = list(protocol.notify) if protocol is not None else []
    if row is not None:
        people += [p for p in (row.monitors, row.escalates) if p is not None]
    return Routing(
        owner=row.acts if row is not None else None,
        notify=list(dict.fromkeys(people)),
        protocol=protocol,
    )


# Bidirectional overrides can make a message read differently from what was approved.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def placeholders_of(text: str) -> list[str]:
    """The ``{name}`` placeholders of a template text, in order of first use."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def fill(text: str, declared: list[str], values: dict[str, str], where: str) -> str:
    """Fill every ``{name}``; refuse missing, empty or unknown values, naming each one."""
    wanted = list(dict.fromkeys([*placeholders_of(text), *declared]))
    problems = [
        Problem("has no value; give one", file=where, column=name)
        for name in wanted
        if not values.get(name, "").strip()
    ]
    problems += [
        Problem(f"is not a placeholder of this template ({', '.join(wanted)})", where, column=name)
        for name in values
        if name not in wanted
    ]
    if problems:
        raise Invalid(f"Cannot fill template {where}:", problems)
    clean = {name: escape_controls(value) for name, value in values.items()}
    # One pass: a value that itself contains "{x}" is never filled again.
    return PLACEHOLDER.sub(lambda m: clean[m.group(1)], text)


def escape_controls(value: str) -> str:
    """Line breaks and tabs become spaces; other control characters become visible escapes."""
    out: list[str] = []
    for char in value:
        if char in "\r\n\t":
            out.append(" ")
        elif unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


class DecisionAction(StrEnum):
    PAUSE = "pause"
    MODIFY = "modify"
    ROLL_BACK = "roll_back"
    DISCONTINUE = "discontinue"
    ACCEPT_RISK = "accept_risk"
    RESUME = "resume"


MOVE_OF: dict[DecisionAction, rights.Move] = {
    DecisionAction.PAUSE: rights.Move.PAUSE,
    DecisionAction.RESUME: rights.Move.RESUME,
    DecisionAction.MODIFY: rights.Move.MODEL,
    DecisionAction.ROLL_BACK: rights.Move.ROLL_BACK,
    DecisionAction.DISCONTINUE: rights.Move.RETIRE,
}


def parse_action(value: str) -> DecisionAction:
    """The decision named by ``value``, or Invalid listing the decisions."""
    try:
        return DecisionAction(value)
    except ValueError:
        names = ", ".join(a.value for a in DecisionAction)
        raise Invalid(f"Unknown decision {value!r}; use one of {names}.") from None


def authority(
    gov: Governance,
    action: DecisionAction,
    deployment: Deployment,
    person: str,
    severity: Severity | None,
) -> str:
    """The right or role that lets ``person`` take ``action``; NotPermitted naming holders."""
    committee = gov.committee
    members = [m.person for m in committee.members] if committee is not None else []
    if action is DecisionAction.ACCEPT_RISK:
        protocol = gov.protocol(severity) if severity is not None else None
        if protocol is not None and person == protocol.decides:
            return f"decides for {severity} incidents (escalation protocol)"
        if person in members and committee is not None:
            return f"member of {committee.name}"
        holders = ([protocol.decides] if protocol is not None else []) + members
        context = f"a {severity} incident" if severity is not None else "a deployment"
        raise NotPermitted(
            f"{person} may not accept the risk of {context} on {deployment.key}; "
            f"{_who(holders, 'the protocol decider or a committee member')} may."
        )
    # Every other decision follows the one rule of who may move a deployment; a committee
    # acts through a recorded decision, never through one member (domain/governance/rights).
    return rights.authorize(gov, deployment, MOVE_OF[action], person, None, severity).basis


def _who(people: list[str], nobody: str) -> str:
    return ", ".join(dict.fromkeys(people)) if people else nobody
