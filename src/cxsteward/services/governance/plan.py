"""What applying a governance file would change, field by field, and what it may not change."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any, Literal

from pydantic import Field, computed_field

from cxsteward.domain.governance.rights import legal_approvers
from cxsteward.domain.governance.spec import Governance, Lifecycle, Transition, allowed_moves
from cxsteward.services.contract import Result, jsonable
from cxsteward.services.governance.reading import Found
from cxsteward.services.governance.store import KINDS, Entry, Flat, flatten

Action = Literal["add", "change", "remove"]
AUTO_REASON = "governance apply"


class FieldChange(Result):
    """One field of an object whose value changes."""

    field: str
    # A stored column's value, as the registry keeps it: text, a number, a date, a list.
    old: Any = Field(description="The stored value (null when the field was unset).")
    new: Any = Field(description="The value the file sets.")


class Change(Result):
    """One object added, changed or removed; ``entry`` (internal) holds the new column values."""

    kind: str = Field(description="What kind of object, e.g. deployment, person, transition.")
    key: str = Field(description="Which object of that kind.")
    action: Action
    fields: tuple[FieldChange, ...] = Field(default=(), description="The fields that change.")
    note: str = Field(default="", description="Why the change is there, when it is automatic.")
    entry: Entry = Field(default_factory=dict, exclude=True, repr=False)
    needs: str = Field(
        default="",
        description="The decision right (or committee decision) a deployment move needs.",
    )


class PlanCounts(Result):
    add: int
    change: int
    remove: int


class GovernancePlan(Result):
    """Every change, parents before children; empty when the registry already matches."""

    changes: tuple[Change, ...]

    @computed_field(description="How many adds, changes and removes.")  # type: ignore[prop-decorator]
    @property
    def counts(self) -> PlanCounts:
        found = Counter(c.action for c in self.changes)
        return PlanCounts(add=found["add"], change=found["change"], remove=found["remove"])

    @computed_field(description="True when the registry already matches.")  # type: ignore[prop-decorator]
    @property
    def empty(self) -> bool:
        return not self.changes


def compute_plan(
    stored: Governance | None,
    new: Governance,
    automatic: list[Entry],
    actor_person: str | None,
    today: date,
) -> tuple[GovernancePlan, list[Found]]:
    """The changes from ``stored`` to ``new``, and the problems that forbid applying them."""
    old = (
        flatten(stored)
        if stored is not None
        else Flat(
            {k.name: {} for k in KINDS if not k.history}, {k.name: {} for k in KINDS if k.history}
        )
    )
    now = flatten(new)
    changes: list[Change] = []
    problems: list[Found] = []
    for kind in KINDS:
        if kind.history:
            continue
        before, after = old.objects[kind.name], now.objects[kind.name]
        for key, entry in after.items():
            if key not in before:
                changes.append(Change(kind=kind.name, key=key, action="add", entry=entry))
                continue
            diff = tuple(
                FieldChange(field=name, old=before[key].get(name), new=value)
                for name, value in entry.items()
                if before[key].get(name) != value
            )
            if diff:
                changes.append(
                    Change(kind=kind.name, key=key, action="change", fields=diff, entry=entry)
                )
        changes.extend(
            Change(kind=kind.name, key=key, action="remove", entry=before[key])
            for key in before
            if key not in after
        )
    problems.extend(_history(old, now, automatic, new, changes))
    problems.extend(_lifecycle(stored, new, changes, actor_person, today))
    problems.extend(_templates(stored, new))
    problems.extend(_approvers(stored, new))
    return GovernancePlan(changes=tuple(changes)), problems


def _approvers(stored: Governance | None, new: Governance) -> list[Found]:
    """An approval a file records, new or changed, is given by a legal approver."""
    allowed = legal_approvers(new)
    problems: list[Found] = []
    for index, template in enumerate(new.templates):
        before = (
            next((t for t in stored.templates if t.key == template.key), None) if stored else None
        )
        kept = before is not None and before.approved_by == template.approved_by
        if template.approved_by is None or kept or template.approved_by in allowed:
            continue
        who = ", ".join(allowed) or "nobody yet (declare legal_approvers)"
        problems.append(
            (
                f"templates[{index}].approved_by",
                "is not a legal approver: approval is given by a person whose function is "
                f"legal or who is listed under legal_approvers; who may approve: {who}",
                template.approved_by,
            )
        )
    return problems


def _history(
    old: Flat, now: Flat, automatic: list[Entry], new: Governance, changes: list[Change]
) -> list[Found]:
    """Append-only lists: stored entries must all be in the file; new ones are added."""
    problems: list[Found] = []
    auto = Counter(_canonical(e) for e in automatic)
    deployments = [d.key for d in new.deployments]
    for kind in KINDS:
        if not kind.history:
            continue
        for group in sorted(set(old.history[kind.name]) | set(now.history[kind.name])):
            pool = Counter(_canonical(e) for e in now.history[kind.name].get(group, []))
            for entry in old.history[kind.name].get(group, []):
                text = _canonical(entry)
                if pool[text] > 0:
                    pool[text] -= 1
                elif auto[text] > 0:
                    auto[text] -= 1  # recorded by an earlier apply; a file need not repeat it
                else:
                    problems.append(_dropped(kind.name, group, entry, deployments))
            for entry in now.history[kind.name].get(group, []):
                text = _canonical(entry)
                if pool[text] > 0:
                    pool[text] -= 1
                    changes.append(
                        Change(
                            kind=kind.name,
                            key=_history_key(kind.name, entry),
                            action="add",
                            entry=entry,
                        )
                    )
    return problems


def _dropped(kind: str, group: str, entry: Entry, deployments: list[str]) -> Found:
    what = {
        "meeting": ("committee.meetings", "a committee meeting"),
        "roadmap_review": ("roadmap.reviews", "a roadmap review"),
        "model_version": ("history", "a model version"),
        "transition": ("history", "a lifecycle transition"),
    }[kind]
    path = what[0]
    if kind in ("model_version", "transition"):
        if group in deployments:
            index = deployments.index(group)
            path = f"deployments[{index}].{'models' if kind == 'model_version' else 'history'}"
        else:
            path = "deployments"
    message = (
        f"{what[1]} already recorded is missing from the file; history is never removed or "
        "rewritten (export the current setup with `cxsteward governance export` and edit that)"
    )
    if path == "deployments":
        message = (
            f"deployment {group!r} has recorded history and cannot be removed; keep it "
            "with status: retired instead"
        )
    return (path, message, _history_key(kind, entry))


def _lifecycle(
    stored: Governance | None,
    new: Governance,
    changes: list[Change],
    actor_person: str | None,
    today: date,
) -> list[Found]:
    """Status changes follow the lifecycle; one without a new history entry gets one."""
    problems: list[Found] = []
    if stored is None:
        return problems
    for index, dep in enumerate(new.deployments):
        before = stored.deployment(dep.key)
        if before is None or before.status == dep.status:
            continue
        allowed = allowed_moves(before.status, previous_live(before.history))
        if dep.status not in allowed:
            problems.append(
                (f"deployments[{index}].status", move_refusal(before.status, allowed), dep.status)
            )
            continue
        listed = [t for t in dep.history if t.status == dep.status and t not in before.history]
        if not listed:
            entry = {
                "deployment": dep.key,
                "status": dep.status.value,
                "on": today,
                "by": actor_person,
                "reason": AUTO_REASON,
            }
            changes.append(
                Change(
                    kind="transition",
                    key=_history_key("transition", entry),
                    action="add",
                    note="recorded automatically: the status changed without a history entry",
                    entry=entry,
                )
            )
    return problems


def _templates(stored: Governance | None, new: Governance) -> list[Found]:
    """A changed text needs a new version, and a new version needs its own approval."""
    problems: list[Found] = []
    if stored is None:
        return problems
    for index, template in enumerate(new.templates):
        before = next((t for t in stored.templates if t.key == template.key), None)
        if before is None:
            continue
        path = f"templates[{index}].version"
        content = ("incident_type", "text", "placeholders")
        edited = any(getattr(before, n) != getattr(template, n) for n in content)
        if template.version < before.version:
            problems.append(
                (
                    path,
                    f"a version cannot go down (stored: {before.version})",
                    str(template.version),
                )
            )
        elif template.version == before.version and edited:
            problems.append(
                (
                    path,
                    "the message changed but the version did not; raise it to "
                    f"{before.version + 1} so that legal approves the new wording",
                    str(template.version),
                )
            )
        elif (
            template.version == before.version
            and before.approved_at is not None
            and (template.approved_by, template.approved_at)
            != (before.approved_by, before.approved_at)
        ):
            problems.append(
                (
                    f"templates[{index}].approved_by",
                    f"version {before.version} was approved by {before.approved_by} on "
                    f"{before.approved_at:%Y-%m-%d}; an approval is only replaced by approving a "
                    "new version (export the current setup before editing)",
                    template.approved_by,
                )
            )
        elif (
            template.version > before.version
            and template.approved_at is not None
            and template.approved_at == before.approved_at
            and template.approved_by == before.approved_by
        ):
            problems.append(
                (
                    f"templates[{index}].approved_by",
                    f"version {template.version} keeps the approval of version {before.version}; "
                    "remove approved_by and approved_at, then approve the new version with "
                    f"`cxsteward governance approve-template {template.key} --by PERSON`",
                    template.approved_by,
                )
            )
    return problems


def previous_live(history: list[Transition]) -> Lifecycle | None:
    """The last live status before the most recent pause, from a deployment's history."""
    last: Lifecycle | None = None
    for step in history:
        if step.status.live:
            last = step.status
    return last


def move_refusal(current: Lifecycle, allowed: list[Lifecycle]) -> str:
    """Why a lifecycle move is refused, naming the moves that are allowed."""
    if not allowed:
        return f"the deployment is {current.value}, which is final; it cannot change status"
    options = ", ".join(s.value for s in allowed)
    return f"a {current.value} deployment can only move to: {options}"


def _history_key(kind: str, entry: Entry) -> str:
    if kind == "meeting" or kind == "roadmap_review":
        return str(entry["held_on"])
    if kind == "model_version":
        since = entry["effective_from"]
        return f"{entry['deployment']} {entry['model']} {entry['version']} from {since}"
    return f"{entry['deployment']} {entry['status']} on {entry['on']}"


def _canonical(entry: Entry) -> str:
    return json.dumps(jsonable(entry), sort_keys=True)
