"""Who may make which move on a deployment, and who may approve customer messages (issue 12).

One rule for every door (CLI, web form, API, `governance apply`, incident decisions): the
service gathers the facts (the governance, an unused committee decision) and asks
:func:`authorize`. The refusal always names who may decide instead. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from cxsteward.domain.governance.gate_policy import Standing
from cxsteward.domain.governance.spec import (
    Committee,
    Deployment,
    Governance,
    Lifecycle,
    Protocol,
    Right,
)
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import Invalid, NotPermitted

LEGAL_FUNCTION = "legal"


class Move(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    RETIRE = "retire"
    SCALE = "scale"  # pilot -> scaling
    PRODUCTION = "production"  # scaling -> production
    MODEL = "model"  # a new model or version
    ROLL_BACK = "roll_back"
    RATIFY = "ratify"  # the committee ratifies an emergency pause; never a lifecycle move
    RIGHTS = "rights"  # who holds a decision right of a stored deployment


# The right each move needs; None: only a committee decision can authorize it.
RIGHT_FOR: dict[Move, Right | None] = {
    Move.PAUSE: Right.PAUSE,
    Move.RESUME: Right.PAUSE,
    Move.RETIRE: Right.DISCONTINUE,
    Move.MODEL: Right.MODIFY,
    Move.ROLL_BACK: Right.ROLL_BACK,
    Move.SCALE: None,
    Move.PRODUCTION: None,
    Move.RATIFY: None,
    # Whoever holds a right could otherwise hand it on, to others or to themselves.
    Move.RIGHTS: None,
}
_WHAT = {
    Move.PAUSE: "pause {dep}",
    Move.RESUME: "resume {dep}",
    Move.RETIRE: "retire {dep}",
    Move.SCALE: "move {dep} from pilot to scaling",
    Move.PRODUCTION: "move {dep} from scaling to production",
    Move.MODEL: "change the model of {dep}",
    Move.ROLL_BACK: "roll back {dep}",
    Move.RATIFY: "ratify the emergency pause of {dep}",
    Move.RIGHTS: "change who holds the decision rights on {dep}",
}


def move_of(current: Lifecycle, target: Lifecycle) -> Move:
    """The move a lifecycle change from ``current`` to ``target`` makes."""
    if target is Lifecycle.PAUSED:
        return Move.PAUSE
    if target is Lifecycle.RETIRED:
        return Move.RETIRE
    if current is Lifecycle.PAUSED:
        return Move.RESUME
    return Move.SCALE if target is Lifecycle.SCALING else Move.PRODUCTION


def changes_model(dep: Deployment) -> bool:
    """Whether a new model version for ``dep`` is a change customers meet, not a declaration.

    The first model of a deployment declares it; a new one on a live deployment changes it.
    """
    return dep.status.live and bool(dep.models)


def rights_changes(
    before: Deployment, after: Deployment
) -> list[tuple[Right, list[str], list[str]]]:
    """Each right whose holders differ: (right, added, removed); a new order is no change."""
    found = []
    for right in Right:
        old, new = before.decision_rights.holders(right), after.decision_rights.holders(right)
        added = [p for p in new if p not in old]
        removed = [p for p in old if p not in new]
        if added or removed:
            found.append((right, added, removed))
    return found


def describe_rights(changes: list[tuple[Right, list[str], list[str]]]) -> str:
    """The changes of :func:`rights_changes` in words, as a plan or refusal shows them."""
    return "; ".join(
        f"{right.value}: " + ", ".join([*(f"+{p}" for p in added), *(f"-{p}" for p in removed)])
        for right, added, removed in changes
    )


def self_grant(person: str, right: Right, dep: Deployment) -> str:
    """The refusal of ``person`` adding themselves as a holder of ``right`` on ``dep``."""
    return (
        f"Nobody grants a decision right to themselves: {person} may not add themselves as a "
        f"holder of the {right.value} right on {dep.key}, whatever the committee decided. Leave "
        f"{person} out of this change; the committee records its decision (`cxsteward "
        f"governance committee-decision {dep.key} rights`) and another person applies it"
    )


@dataclass(frozen=True)
class CommitteeVote:
    """A recorded committee decision not yet used: it authorizes one move on one deployment."""

    id: int
    deployment: str
    move: Move
    held_on: date
    present: tuple[str, ...]
    votes_for: int
    votes_against: int
    quorum: int
    members: int
    # The committee knowingly overrides a no-go of the scale gate (a scale move only).
    overrides_gate: bool = False


# Moves that grow a deployment: the scale gate must say go, or the committee override it.
GATED = (Move.SCALE, Move.PRODUCTION)


@dataclass(frozen=True)
class Grant:
    """Why ``person`` may make ``move``; ``vote`` and ``emergency`` say what it used."""

    person: str
    move: Move
    basis: str
    vote: int | None = None
    emergency: Severity | None = None


def quorum_of(committee: Committee) -> int:
    """Members who must be present: the declared quorum, or a majority of the members."""
    return committee.quorum or len(committee.members) // 2 + 1


def committee_may(committee: Committee | None, move: Move) -> bool:
    """Whether the committee, deciding as a body, may authorize ``move``."""
    if committee is None:
        return False
    right = RIGHT_FOR[move]
    return right is None or right in committee.authority


def emergency_protocols(
    gov: Governance, person: str, severity: Severity | None = None
) -> list[Protocol]:
    """Protocols that delegate an emergency pause to ``person`` (of ``severity`` if given)."""
    return [
        p
        for p in gov.protocols
        if p.emergency_pause and p.decides == person and severity in (None, p.severity)
    ]


def who_may(gov: Governance, dep: Deployment, move: Move) -> str:
    """Everyone who may make ``move`` on ``dep``, in words: people, committee, on-call."""
    parts: list[str] = []
    right = RIGHT_FOR[move]
    if right is not None:
        holders = dep.decision_rights.holders(right)
        if holders:
            parts.append(f"{', '.join(holders)} (the {right.value} right on {dep.key})")
    committee = gov.committee
    if committee is not None and committee_may(committee, move):
        parts.append(
            f"a decision of {committee.name} with quorum {quorum_of(committee)} of "
            f"{len(committee.members)} members"
        )
    if move is Move.PAUSE:
        parts += [
            f"{p.decides} as {p.severity.value} on-call decider, in an emergency"
            for p in gov.protocols
            if p.emergency_pause
        ]
    if parts:
        return "; or ".join(parts)
    if right is None:
        return "nobody yet: declare a committee in the governance file, whose decision it takes"
    return f"nobody yet: grant the {right.value} right on {dep.key} in the governance file"


def needs(gov: Governance, dep: Deployment, move: Move) -> str:
    """What a move needs, as `governance plan` shows it."""
    right = RIGHT_FOR[move]
    what = f"the {right.value} right" if right is not None else "a committee decision"
    return f"needs {what}: {who_may(gov, dep, move)}"


def authorize(
    gov: Governance,
    dep: Deployment,
    move: Move,
    person: str | None,
    vote: CommitteeVote | None = None,
    severity: Severity | None = None,
    account: str | None = None,
    gate: Standing | None = None,
) -> Grant:
    """Why ``person`` may make ``move`` on ``dep``; NotPermitted naming who may otherwise.

    ``vote`` is an unused committee decision for this move, ``severity`` the incident's
    severity when the move answers one, ``account`` the web account acting (for the message
    when it is linked to no person), ``gate`` the scale gate's verdict for a move to scaling
    or production (none given: such a move is refused, since nobody judged it).
    """
    what = _WHAT[move].format(dep=dep.key)
    if person is None or gov.person(person) is None:
        if account is not None:
            raise NotPermitted(
                f"Your account {account} is linked to no person of the governance registry, "
                f"so it cannot decide to {what}; an admin can link it (an account acts as "
                f"the person whose key is its username). Who may decide: "
                f"{who_may(gov, dep, move)}."
            )
        named = "nobody" if person is None else repr(person)
        raise NotPermitted(
            f"A decision to {what} is taken by a person of the governance registry, not by "
            f"{named}; name one with --by. Who may decide: {who_may(gov, dep, move)}."
        )
    if vote is not None and vote.deployment == dep.key and vote.move is move:
        basis = (
            f"committee decision #{vote.id} of {vote.held_on} ({len(vote.present)} of "
            f"{vote.members} members present, quorum {vote.quorum}; "
            f"{vote.votes_for} for, {vote.votes_against} against)"
        )
        if move in GATED:
            basis = f"{basis}; {gate_basis(dep, move, vote, gate)}"
        return Grant(person, move, basis, vote=vote.id)
    right = RIGHT_FOR[move]
    if right is not None and person in dep.decision_rights.holders(right):
        return Grant(person, move, f"{right.value} right on {dep.key}")
    if move is Move.PAUSE:
        delegated = emergency_protocols(gov, person, severity)
        if delegated:
            level = delegated[0].severity
            return Grant(
                person,
                move,
                f"emergency pause as {level.value} on-call decider; the committee must ratify it",
                emergency=level,
            )
    alone = ""
    committee = gov.committee
    if committee is not None and person in {m.person for m in committee.members}:
        alone = (
            f" A member of {committee.name} does not decide alone in its name; record the "
            "committee's decision with `cxsteward governance committee-decision`."
        )
    raise NotPermitted(
        f"{person} may not {what}. Who may decide: {who_may(gov, dep, move)}.{alone}"
    )


def gate_basis(dep: Deployment, move: Move, vote: CommitteeVote, gate: Standing | None) -> str:
    """How the scale gate lets a committee's move through; NotPermitted when it does not."""
    what = _WHAT[move].format(dep=dep.key)
    if gate is None:
        raise NotPermitted(
            f"The scale gate was not evaluated for the decision to {what}; nothing moves "
            f"until it is (`cxsteward gate {dep.key}`)."
        )
    if gate.verdict.allows:
        return gate.cite()
    if vote.overrides_gate:
        return f"overriding the {gate.cite()}"
    reasons = "; ".join(r.rstrip(".") for r in gate.reasons) or "see `cxsteward gate`"
    raise NotPermitted(
        f"The scale gate says no-go, so committee decision #{vote.id} cannot {what}: "
        f"{reasons}. Meet the criteria (`cxsteward gate {dep.key}` shows each), or the "
        f"committee records a decision that overrides the gate, with its quorum and reason "
        f"(`cxsteward governance committee-decision {dep.key} {move.value} --override-gate`)."
    )


def check_vote(
    committee: Committee | None,
    move: Move,
    attendees: list[str],
    present: list[str],
    votes_for: int,
    votes_against: int,
) -> None:
    """Refuse a committee decision that the committee may not take or that lacks its quorum."""
    if committee is None:
        raise Invalid("No governance committee is declared; add 'committee:' to the file.")
    if not committee_may(committee, move):
        right = RIGHT_FOR[move]
        held = ", ".join(r.value for r in committee.authority) or "none"
        raise NotPermitted(
            f"{committee.name} has no {right.value if right else move.value} authority "
            f"(its authority: {held}); the holders of that right decide, or the governance "
            "file grants the committee the authority."
        )
    members = {m.person for m in committee.members}
    strangers = [p for p in present if p not in members]
    if strangers:
        raise Invalid(
            f"Not members of {committee.name}: {', '.join(strangers)}; list only members "
            "present (--present)."
        )
    absent = [p for p in present if p not in attendees]
    if absent:
        raise Invalid(
            f"Not recorded as attending that meeting: {', '.join(absent)}; members present "
            "must be among the meeting's attendees."
        )
    quorum = quorum_of(committee)
    count = len(set(present))
    if count < quorum:
        raise NotPermitted(
            f"Quorum not met: {count} of {len(members)} members present, {committee.name} "
            f"needs {quorum}; the decision is not valid."
        )
    if votes_for < 0 or votes_against < 0 or votes_for + votes_against > count:
        raise Invalid(
            f"Votes for ({votes_for}) and against ({votes_against}) must be counts that add "
            f"up to at most the {count} members present."
        )
    if votes_for <= votes_against:
        raise NotPermitted(
            f"The motion did not carry ({votes_for} for, {votes_against} against); nothing "
            "is authorized."
        )


@dataclass(frozen=True)
class EmergencyPause:
    """A pause made under an emergency delegation, and whether the committee ratified it."""

    deployment: str
    by: str
    paused_on: date
    ratified: bool


def ratification_due(paused_on: date, cadence_days: int) -> date:
    """The last day the committee can ratify an emergency pause: its next meeting's due date."""
    return paused_on + timedelta(days=cadence_days)


def ratification_overdue(
    paused_on: date, meetings: list[date], cadence_days: int, today: date
) -> bool:
    """An unratified pause is overdue once a meeting was held after it, or the cadence ran out."""
    met_since = any(held > paused_on for held in meetings)
    return met_since or today > ratification_due(paused_on, cadence_days)


def legal_approvers(gov: Governance) -> list[str]:
    """People who may approve a customer message: function legal, or named approvers."""
    legal = [p.key for p in gov.people if p.function.strip().lower() == LEGAL_FUNCTION]
    return list(dict.fromkeys([*legal, *gov.legal_approvers]))


def authorize_approval(gov: Governance, person: str, template: str) -> None:
    """Refuse an approval by anyone who is neither legal nor a named approver."""
    allowed = legal_approvers(gov)
    if person in allowed:
        return
    who = ", ".join(allowed) if allowed else "nobody yet (declare legal_approvers)"
    raise NotPermitted(
        f"{person} may not approve template {template!r}: legal approval is given by a person "
        f"whose function is legal or who is listed under legal_approvers. Who may approve: "
        f"{who}."
    )
