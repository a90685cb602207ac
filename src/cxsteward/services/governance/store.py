"""Between the registry rows and the governance spec: load what is stored, flatten a spec.

A spec is flattened into *entries*: one dict of column values per object, keyed by kind and
key, so that the stored setup and a file can be compared field by field and written back
with the same code. History lists (meetings, transitions, model versions, roadmap
reviews) flatten to lists, because they are only ever appended to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.gate_policy import GatePolicy
from cxsteward.domain.governance.spec import Governance
from cxsteward.errors import GovernanceNotFound
from cxsteward.registry.tables import Base
from cxsteward.registry.tables_governance import (
    GovAccountabilityRecord,
    GovArticleRecord,
    GovClauseRecord,
    GovCommitteeRecord,
    GovDeploymentRecord,
    GovMeetingRecord,
    GovMemberRecord,
    GovModelVersionRecord,
    GovOrganizationRecord,
    GovPersonRecord,
    GovProtocolRecord,
    GovRoadmapItemRecord,
    GovRoadmapRecord,
    GovRoadmapReviewRecord,
    GovTemplateRecord,
    GovTrainingModuleRecord,
    GovTransitionRecord,
    GovVendorRecord,
)
from cxsteward.services.workspace import Workspace

# One registry row's column values (text, numbers, dates, JSON lists): the boundary between
# the spec and the tables, read and written by column name.
Entry = dict[str, Any]
DATE_FIELDS = ("go_live", "effective_from", "on", "held_on", "last_reviewed")


@dataclass(frozen=True)
class Kind:
    """One kind of governance object and how its entries map onto a table."""

    name: str
    record: type[Any]
    identity: tuple[str, ...]  # entry fields that find the row (empty: the one row)
    # (foreign-key column, parent kind, entry field naming the parent's key) for child rows.
    parent: tuple[str, str, str] | None = None
    history: bool = False


KINDS: tuple[Kind, ...] = (
    Kind("organization", GovOrganizationRecord, ()),
    Kind("person", GovPersonRecord, ("key",)),
    Kind("committee", GovCommitteeRecord, ()),
    Kind("member", GovMemberRecord, ("person",), ("committee_id", "committee", "")),
    Kind("vendor", GovVendorRecord, ("key",)),
    Kind("clause", GovClauseRecord, ("kind",), ("vendor_id", "vendor", "vendor")),
    Kind("deployment", GovDeploymentRecord, ("key",)),
    Kind("protocol", GovProtocolRecord, ("severity",)),
    Kind("accountability", GovAccountabilityRecord, ("metric", "deployment")),
    Kind("template", GovTemplateRecord, ("key",)),
    Kind("roadmap", GovRoadmapRecord, ()),
    Kind("roadmap_item", GovRoadmapItemRecord, ("title",)),
    Kind("article", GovArticleRecord, ("key",)),
    Kind("training_module", GovTrainingModuleRecord, ("key",)),
    Kind("meeting", GovMeetingRecord, (), history=True),
    Kind(
        "model_version",
        GovModelVersionRecord,
        (),
        ("deployment_id", "deployment", "deployment"),
        history=True,
    ),
    Kind(
        "transition",
        GovTransitionRecord,
        (),
        ("deployment_id", "deployment", "deployment"),
        history=True,
    ),
    Kind("roadmap_review", GovRoadmapReviewRecord, (), history=True),
)
KIND = {kind.name: kind for kind in KINDS}


@dataclass
class Flat:
    """A governance setup as entries: ``objects[kind][key]`` and ``history[kind][group]``."""

    objects: dict[str, dict[str, Entry]]
    history: dict[str, dict[str, list[Entry]]]


# A template's declared fields, as the spec and the approval read them from its row.
TEMPLATE_FIELDS = (
    "key",
    "incident_type",
    "version",
    "text",
    "placeholders",
    "approved_by",
    "approved_at",
)


def flatten(gov: Governance) -> Flat:
    """The entries of a spec, in the spec's own order."""
    objects: dict[str, dict[str, Entry]] = {k.name: {} for k in KINDS if not k.history}
    history: dict[str, dict[str, list[Entry]]] = {k.name: {} for k in KINDS if k.history}
    objects["organization"]["organization"] = {
        "name": gov.organization,
        "key_metrics": list(gov.key_metrics),
        "data_quality": (
            None
            if gov.data_quality is None
            else gov.data_quality.model_dump(mode="json", exclude_none=True)
        ),
        "legal_approvers": list(gov.legal_approvers),
        "scale_gate": _gate(gov.scale_gate),
    }
    for person in gov.people:
        objects["person"][person.key] = _entry(person)
    if gov.committee is not None:
        committee = gov.committee
        objects["committee"]["committee"] = _entry(committee, {"members", "meetings"})
        for member in committee.members:
            objects["member"][member.person] = _entry(member)
        history["meeting"][""] = [_entry(m) for m in committee.meetings]
    for vendor in gov.vendors:
        objects["vendor"][vendor.key] = _entry(vendor, {"clauses"})
        for clause in vendor.clauses:
            objects["clause"][f"{vendor.key}/{clause.kind.value}"] = {
                "vendor": vendor.key,
                **_entry(clause),
            }
    for dep in gov.deployments:
        objects["deployment"][dep.key] = {
            **_entry(dep, {"history", "models", "vulnerable"}),
            "scale_gate": _gate(dep.scale_gate),
            "vulnerable": (
                None
                if dep.vulnerable is None
                else dep.vulnerable.model_dump(mode="json", exclude_defaults=True)
            ),
        }
        history["model_version"][dep.key] = [
            {"deployment": dep.key, **_entry(m)} for m in dep.models
        ]
        history["transition"][dep.key] = [{"deployment": dep.key, **_entry(t)} for t in dep.history]
    for protocol in gov.protocols:
        objects["protocol"][protocol.severity.value] = _entry(protocol)
    for row in gov.accountability:
        objects["accountability"][f"{row.metric} @ {row.deployment or 'all'}"] = _entry(row)
    for template in gov.templates:
        objects["template"][template.key] = _entry(template)
    objects["roadmap"]["roadmap"] = {"owner": gov.roadmap.owner}
    for item in gov.roadmap.items:
        objects["roadmap_item"][item.title] = _entry(item)
    history["roadmap_review"][""] = [_entry(r) for r in gov.roadmap.reviews]
    for article in gov.knowledge_base:
        objects["article"][article.key] = _entry(article)
    for module in gov.training:
        objects["training_module"][module.key] = _entry(module)
    return Flat(objects, history)


def _gate(policy: GatePolicy | None) -> Entry | None:
    # Null values are inherited (from the organization, then the defaults): not stored.
    return None if policy is None else policy.model_dump(mode="json", exclude_none=True)


def _entry(model: Any, exclude: set[str] | None = None) -> Entry:
    """Column values of one spec object: JSON types, but dates and times as Python objects."""
    entry: Entry = model.model_dump(mode="json", exclude=exclude)
    for name in DATE_FIELDS:
        if isinstance(entry.get(name), str):
            entry[name] = date.fromisoformat(entry[name])
    if isinstance(entry.get("approved_at"), str):
        entry["approved_at"] = aware(datetime.fromisoformat(entry["approved_at"]))
    return entry


def aware(moment: datetime) -> datetime:
    """A time in UTC; a time written without a zone is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# The tables the declared governance is read from: every gov_ table, so a new one counts
# at once (services/read_models.py versions what it keeps by these tables' changes).
GOVERNANCE_TABLES = tuple(name for name in Base.metadata.tables if name.startswith("gov_"))


def load_stored(session: Session) -> Governance | None:
    """What the registry holds, as a spec; None when no governance was ever applied."""
    org = session.scalar(select(GovOrganizationRecord).order_by(GovOrganizationRecord.id))
    if org is None:
        return None
    data: Entry = {  # the stored rows as the spec's input data, validated just below
        "organization": org.name,
        "key_metrics": org.key_metrics,
        "data_quality": org.data_quality,
        "legal_approvers": org.legal_approvers,
        "scale_gate": org.scale_gate,
    }
    data["people"] = [
        _fields(r, "key", "name", "email", "title", "function")
        for r in _all(session, GovPersonRecord)
    ]
    committee = session.scalar(select(GovCommitteeRecord).order_by(GovCommitteeRecord.id))
    if committee is not None:
        data["committee"] = {
            **_fields(committee, "name", "cadence_days", "authority", "quorum"),
            "members": [_fields(r, "person", "function") for r in _all(session, GovMemberRecord)],
            "meetings": [
                _fields(r, "held_on", "attendees", "decisions")
                for r in _all(session, GovMeetingRecord, GovMeetingRecord.held_on)
            ],
        }
    clauses = _all(session, GovClauseRecord)
    data["vendors"] = [
        {
            **_fields(v, "key", "name"),
            "clauses": [
                _fields(c, "kind", "status", "evidence") for c in clauses if c.vendor_id == v.id
            ],
        }
        for v in _all(session, GovVendorRecord)
    ]
    models = _all(session, GovModelVersionRecord, GovModelVersionRecord.effective_from)
    steps = _all(session, GovTransitionRecord, GovTransitionRecord.on)
    data["deployments"] = [
        {
            **_fields(
                d,
                "key",
                "name",
                "function",
                "channels",
                "vendor",
                "customer_facing",
                "go_live",
                "status",
                "disclosure",
                "decision_rights",
                "scale_gate",
                "vulnerable",
            ),
            "models": [
                _fields(m, "model", "version", "effective_from")
                for m in models
                if m.deployment_id == d.id
            ],
            "history": [
                _fields(t, "status", "on", "by", "reason") for t in steps if t.deployment_id == d.id
            ],
        }
        for d in _all(session, GovDeploymentRecord)
    ]
    data["protocols"] = [
        _fields(
            p,
            "severity",
            "notify",
            "respond_within_hours",
            "decides",
            "emergency_pause",
            "tell_customers",
            "description",
        )
        for p in _all(session, GovProtocolRecord, GovProtocolRecord.severity)
    ]
    data["accountability"] = [
        _fields(a, "metric", "deployment", "monitors", "escalates", "acts")
        for a in _all(session, GovAccountabilityRecord)
    ]
    data["templates"] = [_fields(t, *TEMPLATE_FIELDS) for t in _all(session, GovTemplateRecord)]
    roadmap = session.scalar(select(GovRoadmapRecord).order_by(GovRoadmapRecord.id))
    data["roadmap"] = {
        "owner": roadmap.owner if roadmap is not None else None,
        "items": [
            _fields(i, "title", "quarter", "deployment", "status")
            for i in _all(session, GovRoadmapItemRecord)
        ],
        "reviews": [
            _fields(r, "held_on", "reviewers", "notes")
            for r in _all(session, GovRoadmapReviewRecord, GovRoadmapReviewRecord.held_on)
        ],
    }
    data["knowledge_base"] = [
        _fields(a, "key", "title", "owner", "last_reviewed")
        for a in _all(session, GovArticleRecord)
    ]
    data["training"] = [
        _fields(m, "key", "title", "covers", "roles", "renewal_days")
        for m in _all(session, GovTrainingModuleRecord)
    ]
    return Governance.model_validate(data)


def load_governance(session: Session) -> Governance:
    """The stored governance, inside the caller's transaction.

    Raises:
        GovernanceNotFound: when no governance was applied yet.
    """
    gov = load_stored(session)
    if gov is None:
        raise GovernanceNotFound(
            "No governance in this workspace yet. Declare it in a YAML file (see "
            "examples/governance.yaml) and run `cxsteward governance apply FILE`."
        )
    return gov


def current_governance(ws: Workspace) -> Governance:
    """The stored governance as a spec.

    Raises:
        GovernanceNotFound: when nothing was applied yet.
    """
    with ws.transaction() as session:
        return load_governance(session)


def automatic_transitions(session: Session) -> list[Entry]:
    """Transitions that `governance apply` recorded by itself, as entries."""
    keys = {d.id: d.key for d in _all(session, GovDeploymentRecord)}
    rows = session.scalars(select(GovTransitionRecord).where(GovTransitionRecord.automatic))
    return [
        {"deployment": keys[r.deployment_id], **_fields(r, "status", "on", "by", "reason")}
        for r in rows
    ]


def _all(session: Session, record: type[Any], *order: Any) -> list[Any]:
    # Insertion order (id) after any natural order, so exports are stable.
    return list(session.scalars(select(record).order_by(*order, record.id)))


def _fields(record: Any, *names: str) -> Entry:
    return {name: getattr(record, name) for name in names}
