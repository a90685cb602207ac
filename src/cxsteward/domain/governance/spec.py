"""The governance setup as one typed document: what `governance apply` stores (C3).

Every object has a ``key`` (a slug) that other objects refer to, so the YAML file, the
registry and the exported file all name things the same way. Cross-references are checked
by :func:`reference_problems`, which reports every dangling key at once.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cxsteward.domain.governance.gate_policy import GatePolicy
from cxsteward.domain.governance.vulnerable import VulnerablePromise
from cxsteward.domain.monitoring.quality_rules import DataQualityPolicy
from cxsteward.domain.thresholds import Severity

KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")


class Function(StrEnum):
    SUPPORT = "support"
    SALES = "sales"
    MARKETING = "marketing"
    SUCCESS = "success"


class Lifecycle(StrEnum):
    PILOT = "pilot"
    SCALING = "scaling"
    PRODUCTION = "production"
    PAUSED = "paused"
    RETIRED = "retired"

    @property
    def live(self) -> bool:
        """Customers meet the deployment in these states."""
        return self in (Lifecycle.PILOT, Lifecycle.SCALING, Lifecycle.PRODUCTION)


# Forward moves of a live deployment; each step is taken on purpose, none skipped.
_FORWARD = {Lifecycle.PILOT: Lifecycle.SCALING, Lifecycle.SCALING: Lifecycle.PRODUCTION}


def allowed_moves(current: Lifecycle, previous_live: Lifecycle | None = None) -> list[Lifecycle]:
    """The statuses a deployment in ``current`` may move to.

    pilot -> scaling -> production; any live state -> paused; paused -> the live state it
    was paused from (any live state when that is unknown) or retired; anything -> retired.
    Retired is final.
    """
    if current == Lifecycle.RETIRED:
        return []
    if current == Lifecycle.PAUSED:
        back = [previous_live] if previous_live is not None else [s for s in Lifecycle if s.live]
        return [*back, Lifecycle.RETIRED]
    moves = [_FORWARD[current]] if current in _FORWARD else []
    return [*moves, Lifecycle.PAUSED, Lifecycle.RETIRED]


class Right(StrEnum):
    PAUSE = "pause"
    MODIFY = "modify"
    ROLL_BACK = "roll_back"
    DISCONTINUE = "discontinue"


class ClauseKind(StrEnum):
    TRANSPARENCY = "transparency"
    BIAS_AUDIT_ACCESS = "bias_audit_access"
    DATA_HANDLING = "data_handling"
    INCIDENT_NOTIFICATION = "incident_notification"


class ClauseStatus(StrEnum):
    IN_CONTRACT = "in_contract"  # signed; evidence names the contract section
    NEGOTIATING = "negotiating"
    MISSING = "missing"
    WAIVED = "waived"  # deliberately accepted without it; the reason goes in evidence


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Keyed(_Strict):
    key: str

    @field_validator("key")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not KEY.match(value):
            raise ValueError(
                "a key is 1-80 lower-case letters, digits, '.', '_' or '-', starting with a "
                "letter or digit"
            )
        return value


class Person(_Keyed):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = None
    title: str = ""
    # The function the person belongs to: cx, technology, legal, data, frontline, executive...
    function: str = ""


class Member(_Strict):
    person: str
    function: str = Field(min_length=1, description="What the member represents on the committee.")


class Meeting(_Strict):
    held_on: date
    attendees: list[str] = Field(default_factory=list)
    decisions: list[str] = Field(default_factory=list)


class Committee(_Strict):
    name: str = Field(min_length=1)
    members: list[Member] = Field(default_factory=list)
    cadence_days: int = Field(gt=0, le=366, description="Longest gap allowed between meetings.")
    authority: list[Right] = Field(default_factory=list)
    # Members who must be present for a committee decision; None: a majority of the members.
    quorum: int | None = Field(default=None, ge=1)
    meetings: list[Meeting] = Field(default_factory=list)


class ModelVersion(_Strict):
    model: str = Field(min_length=1)
    version: str = Field(min_length=1)
    effective_from: date


class Transition(_Strict):
    """One lifecycle change; the history is kept, never rewritten."""

    status: Lifecycle
    on: date
    by: str | None = None
    reason: str = ""


class DecisionRights(_Strict):
    pause: list[str] = Field(default_factory=list)
    modify: list[str] = Field(default_factory=list)
    roll_back: list[str] = Field(default_factory=list)
    discontinue: list[str] = Field(default_factory=list)

    def holders(self, right: Right) -> list[str]:
        """The people who hold ``right``."""
        return list(getattr(self, right.value))

    @property
    def empty(self) -> bool:
        return not (self.pause or self.modify or self.roll_back or self.discontinue)


class Deployment(_Keyed):
    """One customer-facing (or internal) AI deployment; ``key`` matches the data's deployment."""

    name: str = Field(min_length=1)
    function: Function
    channels: list[str] = Field(default_factory=list)
    vendor: str | None = None
    customer_facing: bool = True
    go_live: date | None = None
    status: Lifecycle = Lifecycle.PILOT
    history: list[Transition] = Field(default_factory=list)
    models: list[ModelVersion] = Field(default_factory=list)
    # Channel to the statement customers see there.
    disclosure: dict[str, str] = Field(default_factory=dict)
    decision_rights: DecisionRights = Field(default_factory=DecisionRights)
    # This deployment's own scale-gate criteria, laid over the organization's.
    scale_gate: GatePolicy | None = None
    # Who is vulnerable in its data, and the alternative path promised to them.
    vulnerable: VulnerablePromise | None = None


class Protocol(_Strict):
    severity: Severity
    notify: list[str] = Field(default_factory=list)
    respond_within_hours: float = Field(gt=0)
    decides: str
    # The decider may pause any deployment in an emergency; the committee ratifies it later.
    emergency_pause: bool = False
    tell_customers: bool = False
    description: str = ""


class Accountability(_Strict):
    """Who watches a metric, who raises the alarm, who acts; ``deployment`` None means all."""

    metric: str
    deployment: str | None = None
    monitors: str | None = None
    escalates: str | None = None
    acts: str | None = None


class Clause(_Strict):
    kind: ClauseKind
    status: ClauseStatus
    evidence: str | None = None


# A clause is settled when it is in the contract, or waived deliberately (evidence says why).
SETTLED = (ClauseStatus.IN_CONTRACT, ClauseStatus.WAIVED)


class Vendor(_Keyed):
    name: str = Field(min_length=1)
    clauses: list[Clause] = Field(default_factory=list)

    def unsettled(self) -> list[str]:
        """Each of the four clause kinds not settled, as "kind: status" (or "not recorded")."""
        status = {c.kind: c.status for c in self.clauses}
        return [
            f"{kind.value}: {status[kind].value if kind in status else 'not recorded'}"
            for kind in ClauseKind
            if status.get(kind) not in SETTLED
        ]


class Template(_Keyed):
    """A customer message for one incident type, with ``{placeholders}``."""

    incident_type: str = Field(min_length=1)
    version: int = Field(default=1, ge=1)
    text: str = Field(min_length=1)
    placeholders: list[str] = Field(default_factory=list)
    approved_by: str | None = None
    approved_at: datetime | None = None


class RoadmapItem(_Strict):
    title: str = Field(min_length=1)
    quarter: str = Field(pattern=r"^\d{4}-Q[1-4]$")
    deployment: str | None = None
    status: str = "planned"


class RoadmapReview(_Strict):
    held_on: date
    reviewers: list[str] = Field(default_factory=list)
    notes: str = ""


class Roadmap(_Strict):
    owner: str | None = None
    items: list[RoadmapItem] = Field(default_factory=list)
    reviews: list[RoadmapReview] = Field(default_factory=list)


class Article(_Keyed):
    title: str = Field(min_length=1)
    owner: str | None = None
    last_reviewed: date | None = None


class TrainingRole(StrEnum):
    """Who a training module is for; docs/training.md says which people each role takes in."""

    COMMITTEE = "committee"  # every member of the governance committee
    LEADERSHIP = "leadership"  # people whose function is executive or leadership
    SUPERVISOR = "supervisor"  # people whose function is supervisor
    FRONTLINE = "frontline"  # people whose function is frontline or agent


class TrainingModule(_Keyed):
    """A course people in some roles must complete (EU AI Act Art. 4, AI literacy)."""

    title: str = Field(min_length=1, max_length=200)
    covers: str = Field(default="", max_length=2000, description="What the module teaches.")
    roles: list[TrainingRole] = Field(min_length=1, description="Who must complete it.")
    # Days a completion stays current; None: once is enough.
    renewal_days: int | None = Field(default=None, gt=0, le=3660)


class Governance(_Strict):
    """The whole declared setup of one organization."""

    organization: str = Field(min_length=1)
    key_metrics: list[str] = Field(
        default_factory=list, description="Metrics that need a full accountability chain."
    )
    people: list[Person] = Field(default_factory=list)
    committee: Committee | None = None
    vendors: list[Vendor] = Field(default_factory=list)
    deployments: list[Deployment] = Field(default_factory=list)
    protocols: list[Protocol] = Field(default_factory=list)
    accountability: list[Accountability] = Field(default_factory=list)
    templates: list[Template] = Field(default_factory=list)
    # People who may approve customer messages besides those whose function is legal.
    legal_approvers: list[str] = Field(default_factory=list)
    roadmap: Roadmap = Field(default_factory=Roadmap)
    knowledge_base: list[Article] = Field(default_factory=list)
    # The organization's own data-quality rules for monitoring runs; unset: settings decide.
    data_quality: DataQualityPolicy | None = None
    # What the scale gate asks before a deployment moves to scaling or production.
    scale_gate: GatePolicy | None = None
    # AI-literacy training the organization requires, by role (docs/training.md).
    training: list[TrainingModule] = Field(default_factory=list)

    def person(self, key: str) -> Person | None:
        return next((p for p in self.people if p.key == key), None)

    def deployment(self, key: str) -> Deployment | None:
        return next((d for d in self.deployments if d.key == key), None)

    def protocol(self, severity: Severity) -> Protocol | None:
        return next((p for p in self.protocols if p.severity == severity), None)


def reference_problems(gov: Governance) -> list[tuple[str, str, str]]:
    """Every dangling or duplicated key, as (path, message, value); empty when consistent.

    ``path`` is a dotted location such as ``deployments[1].vendor``, so the YAML reader can
    turn it into a line number.
    """
    found: list[tuple[str, str, str]] = []
    people = {p.key for p in gov.people}

    def person(path: str, key: str | None) -> None:
        if key is not None and key not in people:
            found.append((path, "names a person who is not in people", key))

    for kind, keys in (
        ("people", [p.key for p in gov.people]),
        ("vendors", [v.key for v in gov.vendors]),
        ("deployments", [d.key for d in gov.deployments]),
        ("templates", [t.key for t in gov.templates]),
        ("knowledge_base", [a.key for a in gov.knowledge_base]),
        ("training", [m.key for m in gov.training]),
    ):
        seen: set[str] = set()
        for index, key in enumerate(keys):
            if key in seen:
                found.append((f"{kind}[{index}].key", "is used twice", key))
            seen.add(key)
    severities: set[Severity] = set()
    for index, protocol in enumerate(gov.protocols):
        if protocol.severity in severities:
            found.append((f"protocols[{index}].severity", "has two protocols", protocol.severity))
        severities.add(protocol.severity)
        person(f"protocols[{index}].decides", protocol.decides)
        for who in protocol.notify:
            person(f"protocols[{index}].notify", who)
    if gov.committee is not None:
        for index, member in enumerate(gov.committee.members):
            person(f"committee.members[{index}].person", member.person)
        for index, meeting in enumerate(gov.committee.meetings):
            for who in meeting.attendees:
                person(f"committee.meetings[{index}].attendees", who)
        quorum = gov.committee.quorum
        if quorum is not None and quorum > len(gov.committee.members):
            found.append(
                (
                    "committee.quorum",
                    f"is more than the committee's {len(gov.committee.members)} members",
                    str(quorum),
                )
            )
    for index, who in enumerate(gov.legal_approvers):
        person(f"legal_approvers[{index}]", who)
    vendors = {v.key for v in gov.vendors}
    deployments = {d.key for d in gov.deployments}
    for index, dep in enumerate(gov.deployments):
        if dep.vendor is not None and dep.vendor not in vendors:
            found.append((f"deployments[{index}].vendor", "names an unknown vendor", dep.vendor))
        for right in Right:
            for who in dep.decision_rights.holders(right):
                person(f"deployments[{index}].decision_rights.{right.value}", who)
        for step, transition in enumerate(dep.history):
            person(f"deployments[{index}].history[{step}].by", transition.by)
    for index, row in enumerate(gov.accountability):
        if row.deployment is not None and row.deployment not in deployments:
            found.append(
                (
                    f"accountability[{index}].deployment",
                    "names an unknown deployment",
                    row.deployment,
                )
            )
        for role in ("monitors", "escalates", "acts"):
            person(f"accountability[{index}].{role}", getattr(row, role))
    for index, template in enumerate(gov.templates):
        person(f"templates[{index}].approved_by", template.approved_by)
    person("roadmap.owner", gov.roadmap.owner)
    for index, review in enumerate(gov.roadmap.reviews):
        for who in review.reviewers:
            person(f"roadmap.reviews[{index}].reviewers", who)
    for index, item in enumerate(gov.roadmap.items):
        if item.deployment is not None and item.deployment not in deployments:
            found.append(
                (
                    f"roadmap.items[{index}].deployment",
                    "names an unknown deployment",
                    item.deployment,
                )
            )
    for index, article in enumerate(gov.knowledge_base):
        person(f"knowledge_base[{index}].owner", article.owner)
    for index, module in enumerate(gov.training):
        if len(set(module.roles)) != len(module.roles):
            found.append(
                (f"training[{index}].roles", "names a role twice", ", ".join(module.roles))
            )
    return found
