"""Governance as code (C3): read, plan, apply and export the declared setup.

``current_governance`` raises :class:`GovernanceNotFound` when nothing was applied yet, so
that callers never mistake an empty registry for a declared but empty organization.
Operational actions (lifecycle moves, approvals, meetings...) live in
``governance_actions`` and are re-exported here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.gate_policy import Standing
from cxsteward.domain.governance.rights import GATED, Grant, Move
from cxsteward.domain.governance.spec import Governance
from cxsteward.errors import GovernanceInvalid, Problem
from cxsteward.services.clock import now
from cxsteward.services.governance.actions import (
    approve_template,
    record_meeting,
    record_model_version,
    record_roadmap_review,
    transition_deployment,
)
from cxsteward.services.governance.gate import GateOut, evaluate_gate, standing, store_evaluation
from cxsteward.services.governance.plan import AUTO_REASON, GovernancePlan, compute_plan
from cxsteward.services.governance.reading import (
    GovernanceSource,
    consistency_problems,
    read_governance_file,
    read_governance_source,
)
from cxsteward.services.governance.rights import Gated, authorize_file, gated_changes, settle
from cxsteward.services.governance.store import (
    DATE_FIELDS,
    KIND,
    KINDS,
    Entry,
    automatic_transitions,
    current_governance,
    load_governance,
    load_stored,
)
from cxsteward.services.workspace import Workspace

__all__ = [
    "GovernancePlan",
    "GovernanceSource",
    "apply_governance",
    "approve_template",
    "current_governance",
    "export_governance",
    "load_governance",
    "plan_governance",
    "read_governance_file",
    "read_governance_source",
    "record_meeting",
    "record_model_version",
    "record_roadmap_review",
    "transition_deployment",
]


def plan_governance(
    ws: Workspace,
    gov: Governance,
    source: GovernanceSource | None = None,
    actor: str | None = None,
    by: str | None = None,
) -> GovernancePlan:
    """What :func:`apply_governance` would add, change and remove, and the right each move
    of a deployment needs; writes nothing. With ``by``, also whether that person may.

    Raises:
        GovernanceInvalid: the file is inconsistent, drops recorded history or breaks the
            lifecycle or approval rules; ``source`` adds line numbers.
    """
    with ws.transaction() as session:
        plan, _ = _plan(
            session, gov, source, actor or ws.settings.resolved_actor, by, None, by is not None
        )
        return plan


def apply_governance(
    ws: Workspace,
    gov: Governance,
    actor: str | None = None,
    source: GovernanceSource | None = None,
    by: str | None = None,
    account: str | None = None,
) -> GovernancePlan:
    """Make the registry match ``gov`` in one transaction (all or nothing); returns what changed.

    ``actor`` names who applies; when it is a person's key, automatic lifecycle entries
    name that person. A change of a stored deployment's status or model is a decision:
    ``by`` names the person who takes it and must hold its right (``account``: the web
    account acting, for the refusal's message), or nothing is applied.
    """
    judged = _gates(ws, gov, by or account)
    with ws.transaction(actor) as session:
        gates = {key: standing(store_evaluation(session, out)) for key, out in judged.items()}
        plan, grants = _plan(session, gov, source, session.info["actor"], by, account, True, gates)
        _execute(session, plan)
        for deployment, grant in grants:
            settle(session, grant, deployment, AUTO_REASON, now(session).date())
        return plan


def _gates(ws: Workspace, gov: Governance, by: str | None) -> dict[str, GateOut]:
    """The scale gate's verdict for each stored deployment the file moves to scaling or
    production, judged on the records before the file changes them."""
    with ws.transaction() as session:
        stored = load_stored(session)
    return {
        g.deployment: evaluate_gate(ws, g.deployment, to=g.value, by=by, record=False)
        for g in gated_changes(stored, gov)
        if g.move in GATED
    }


def export_governance(ws: Workspace) -> str:
    """The stored governance as YAML, in a stable order; applying it back changes nothing."""
    gov = current_governance(ws)
    data = _typed_dates(gov.model_dump(mode="json", exclude_none=True))
    header = (
        f"# Governance of {_one_line(gov.organization)}, exported by cxsteward.\n"
        "# Edit and apply with: cxsteward governance plan FILE; cxsteward governance apply FILE\n"
    )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def _typed_dates(node: Any) -> Any:
    # Dates go back to date objects so that YAML writes them unquoted, as people type them.
    if isinstance(node, list):
        return [_typed_dates(item) for item in node]
    if isinstance(node, dict):
        return {
            k: (
                date.fromisoformat(v)
                if k in DATE_FIELDS and isinstance(v, str)
                else _typed_dates(v)
            )
            for k, v in node.items()
        }
    return node


def _one_line(text: str) -> str:
    # The header is a YAML comment: a line break in the name would end it.
    return "".join(ch if ch.isprintable() else " " for ch in text)[:120]


def _plan(
    session: Session,
    gov: Governance,
    source: GovernanceSource | None,
    actor: str | None,
    by: str | None,
    account: str | None,
    enforce: bool,
    gates: dict[str, Standing] | None = None,
) -> tuple[GovernancePlan, list[tuple[str, Grant]]]:
    found = consistency_problems(gov)
    stored = load_stored(session)
    grants: list[tuple[str, Grant]] = []
    plan = GovernancePlan(changes=())
    if not found:
        person = actor if actor is not None and gov.person(actor) is not None else None
        plan, found = compute_plan(
            stored, gov, automatic_transitions(session), by or person, now(session).date()
        )
        plan = _with_needs(plan, gated_changes(stored, gov))
        if enforce:
            grants, refused = authorize_file(session, stored, gov, by, account, gates)
            found = [*found, *refused]
    if found:
        file = source.file if source is not None else "governance"
        problems = [
            source.problem(path, message, value)
            if source is not None
            else Problem(message, file, column=path, value=None if value is None else str(value))
            for path, message, value in found
        ]
        raise GovernanceInvalid(
            f"{file}: {len(problems)} problem(s) against the stored governance; nothing was "
            "changed",
            problems,
        )
    return plan, grants


def _with_needs(plan: GovernancePlan, gated: list[Gated]) -> GovernancePlan:
    """The plan with each change that moves a deployment saying which right it needs."""
    status = {g.deployment: g.needs for g in gated if g.move not in (Move.MODEL, Move.RIGHTS)}
    model = {g.deployment: g.needs for g in gated if g.move is Move.MODEL}
    rights = {g.deployment: g.needs for g in gated if g.move is Move.RIGHTS}
    changes = []
    for change in plan.changes:
        wanted = ""
        if change.kind == "deployment":
            fields = {f.field for f in change.fields}
            wanted = "; ".join(
                found
                for field, found in (
                    ("status", status.get(change.key, "")),
                    ("decision_rights", rights.get(change.key, "")),
                )
                if field in fields and found
            )
        elif change.kind == "model_version" and change.action == "add":
            wanted = model.get(str(change.entry.get("deployment")), "")
        changes.append(change.model_copy(update={"needs": wanted}) if wanted else change)
    return GovernancePlan(changes=tuple(changes))


def _execute(session: Session, plan: GovernancePlan) -> None:
    at = now(session)
    order = [k.name for k in KINDS]
    removes = [c for c in plan.changes if c.action == "remove"]
    for change in sorted(removes, key=lambda c: -order.index(c.kind)):
        session.delete(_find(session, change.kind, change.entry))
        session.flush()
    for kind in KINDS:
        for change in plan.changes:
            if change.kind != kind.name or change.action == "remove":
                continue
            if change.action == "change":
                record = _find(session, kind.name, change.entry)
                for diff in change.fields:
                    setattr(record, diff.field, diff.new)
                record.updated_at = at
                continue
            values = {k: v for k, v in change.entry.items() if k not in _parent_fields(kind.name)}
            if kind.parent is not None:
                column, parent_kind, ref = kind.parent
                values[column] = _find(session, parent_kind, {"key": change.entry.get(ref)}).id
            if kind.name == "transition":
                values.update(recorded_at=at, automatic=bool(change.note))
            session.add(kind.record(**values, created_at=at, updated_at=at))
        session.flush()


def _parent_fields(kind: str) -> set[str]:
    parent = KIND[kind].parent
    return {parent[2]} if parent is not None and parent[2] else set()


def _find(session: Session, kind_name: str, entry: Entry) -> Any:
    kind = KIND[kind_name]
    record = kind.record
    query = select(record)
    for name in kind.identity:
        column = getattr(record, name)
        value = entry.get(name)
        query = query.where(column.is_(None) if value is None else column == value)
    if kind.parent is not None and kind.parent[2]:
        column, parent_kind, ref = kind.parent
        parent = _find(session, parent_kind, {"key": entry.get(ref)})
        query = query.where(getattr(record, column) == parent.id)
    found = session.scalars(query.order_by(record.id)).first()
    if found is None:  # the plan was computed in this transaction, so this is a bug
        raise RuntimeError(f"governance apply: no stored {kind_name} for {entry!r}")
    return found
