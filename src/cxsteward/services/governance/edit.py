"""Form-level edits of the governance registry (the web app's Registry pages), part one.

One function per form action: people, deployments (basic fields, disclosure, decision
rights), lifecycle moves and model versions. Each one reads the form's values, builds the
changed spec and goes through plan and apply (or the operational action), so the registry's
rules hold exactly as for a governance file. Problems come back as :class:`FormInvalid`,
each message on the field it belongs to; nothing is written then. Protocols, accountability,
vendors, templates, meetings and reviews are in :mod:`governance_edit_more`.
"""

from __future__ import annotations

from typing import Any

from cxsteward.domain.governance.spec import (
    Deployment,
    Governance,
    Lifecycle,
    ModelVersion,
    Person,
    Right,
    Transition,
)
from cxsteward.errors import (
    Conflict,
    DeploymentNotFound,
    Invalid,
    NotPermitted,
    PersonNotFound,
    TransitionNotAllowed,
)
from cxsteward.services.clock import now
from cxsteward.services.governance.actions import TransitionOut
from cxsteward.services.governance.edit_base import (
    FormErrors,
    FormInvalid,
    FormValues,
    apply_edit,
    build,
    checked,
    many,
    optional,
    parse_date,
    replace_at,
    text,
)
from cxsteward.services.governance.setup import (
    current_governance,
    record_model_version,
    transition_deployment,
)
from cxsteward.services.workspace import Workspace

__all__ = [
    "FormInvalid",
    "FormValues",
    "add_model_version",
    "change_status",
    "deployment_values",
    "disclosure_pairs",
    "person_of",
    "person_values",
    "save_deployment",
    "save_person",
]

PERSON_FIELDS = {n: n for n in ("key", "name", "email", "title", "function")}
DEPLOYMENT_FIELDS = {
    **{n: n for n in ("key", "name", "function", "channels", "vendor", "go_live", "status")},
    "customer_facing": "customer_facing",
    "history": "status",
    "disclosure": "disclosure",
    **{f"decision_rights.{r.value}": f"rights_{r.value}" for r in Right},
}
CREATED_REASON = "created in the web app"


def person_of(gov: Governance, actor: str) -> str | None:
    """The person key a web user stands for: their username when it is a person's key."""
    return actor if gov.person(actor) is not None else None


def person_values(person: Person) -> dict[str, str]:
    """A stored person as the values of the person form."""
    return {
        "key": person.key,
        "name": person.name,
        "email": person.email or "",
        "title": person.title,
        "function": person.function,
    }


def save_person(ws: Workspace, values: FormValues, actor: str, key: str | None = None) -> Person:
    """Add a person (``key`` None) or change one; the key of a stored person never changes.

    Raises:
        FormInvalid: a field is empty or invalid, or the key is taken.
        PersonNotFound: ``key`` names nobody.
    """
    errors = FormErrors()
    data = {
        "key": key or text(values, "key"),
        "name": text(values, "name"),
        "email": optional(values, "email"),
        "title": text(values, "title"),
        "function": text(values, "function"),
    }
    person = build(Person, data, errors, PERSON_FIELDS)
    errors.raise_if_any()
    assert person is not None

    def change(gov: Governance) -> tuple[Governance, str]:
        index = _index([p.key for p in gov.people], key, PersonNotFound, "person")
        if key is None and gov.person(person.key) is not None:
            raise FormInvalid(
                "The key is taken.", {"key": f"{person.key!r} is already someone's key."}
            )
        people, at = replace_at(gov.people, index, person)
        return gov.model_copy(update={"people": people}), f"people[{at}]"

    apply_edit(ws, change, actor, PERSON_FIELDS)
    return person


def deployment_values(dep: Deployment) -> dict[str, Any]:
    """A stored deployment as the values of the deployment form."""
    values: dict[str, Any] = {
        "key": dep.key,
        "name": dep.name,
        "function": dep.function.value,
        "channels": ", ".join(dep.channels),
        "vendor": dep.vendor or "",
        "customer_facing": "yes" if dep.customer_facing else "",
        "go_live": dep.go_live.isoformat() if dep.go_live else "",
        "status": dep.status.value,
    }
    for right in Right:
        values[f"rights_{right.value}"] = dep.decision_rights.holders(right)
    for index, channel in enumerate(dep.channels):
        values[f"disclosure_channel_{index}"] = channel
        values[f"disclosure_text_{index}"] = dep.disclosure.get(channel, "")
    return values


def disclosure_pairs(values: FormValues) -> list[tuple[str, str]]:
    """The (channel, statement) pairs of a submitted deployment form, in form order."""
    pairs = []
    index = 0
    while f"disclosure_channel_{index}" in values:
        channel = text(values, f"disclosure_channel_{index}")
        pairs.append((channel, text(values, f"disclosure_text_{index}")))
        index += 1
    return pairs


def save_deployment(
    ws: Workspace, values: FormValues, actor: str, key: str | None = None
) -> Deployment:
    """Add a deployment (``key`` None) or change its basic fields, disclosure and rights.

    Status, lifecycle history and model versions are kept: they change only through
    :func:`change_status` and :func:`add_model_version`.

    Raises:
        FormInvalid: a field is empty or invalid, a person or vendor is unknown, the key
            is taken.
        DeploymentNotFound: ``key`` names no deployment.
    """
    errors = FormErrors()
    go_live = parse_date(values, "go_live", errors, required=False)
    channels = many(values, "channels")
    statements = {ch: words for ch, words in disclosure_pairs(values) if ch in channels and words}
    data: dict[str, Any] = {
        "key": key or text(values, "key"),
        "name": text(values, "name"),
        "function": text(values, "function"),
        "channels": channels,
        "vendor": optional(values, "vendor"),
        "customer_facing": checked(values, "customer_facing"),
        "go_live": go_live,
        "disclosure": statements,
        "decision_rights": {r.value: many(values, f"rights_{r.value}") for r in Right},
    }
    gov = current_governance(ws)
    stored = gov.deployment(key) if key is not None else None
    if key is not None and stored is None:
        raise DeploymentNotFound(f"No deployment {key!r} in the registry.")
    if stored is not None:
        data.update(status=stored.status, history=stored.history, models=stored.models)
    else:
        data["status"] = text(values, "status") or Lifecycle.PILOT.value
        if data["status"] in {s.value for s in Lifecycle}:
            first = Transition(
                status=Lifecycle(data["status"]),
                on=now(ws).date(),
                by=person_of(gov, actor),
                reason=CREATED_REASON,
            )
            data["history"] = [first]
    dep = build(Deployment, data, errors, DEPLOYMENT_FIELDS)
    errors.raise_if_any()
    assert dep is not None

    def change(gov: Governance) -> tuple[Governance, str]:
        index = _index([d.key for d in gov.deployments], key, DeploymentNotFound, "deployment")
        if key is None and gov.deployment(dep.key) is not None:
            raise FormInvalid(
                "The key is taken.", {"key": f"{dep.key!r} is already a deployment's key."}
            )
        deployments, at = replace_at(gov.deployments, index, dep)
        return gov.model_copy(update={"deployments": deployments}), f"deployments[{at}]"

    apply_edit(ws, change, actor, DEPLOYMENT_FIELDS)
    return dep


def change_status(ws: Workspace, key: str, values: FormValues, actor: str) -> TransitionOut:
    """Move a deployment through its lifecycle from the status form (status, reason, by).

    Raises:
        FormInvalid: no reason, an unknown person, or a move the lifecycle refuses (the
            message lists the allowed moves); nothing is written.
        DeploymentNotFound: ``key`` names no deployment.
    """
    errors = FormErrors()
    status, reason, by = text(values, "status"), text(values, "reason"), optional(values, "by")
    if not status:
        errors.add("status", "Choose the new status.")
    if not reason:
        errors.add("reason", "Say why the status changes; the reason stays in the history.")
    errors.raise_if_any()
    try:
        return transition_deployment(ws, key, status, by=by, reason=reason, account=actor)
    except (TransitionNotAllowed, Invalid) as exc:
        raise FormInvalid("The lifecycle refused this move.", {"status": exc.message}) from None
    except NotPermitted as exc:
        raise FormInvalid("You may not make this move.", {"status": exc.message}) from None
    except PersonNotFound as exc:
        raise FormInvalid("Unknown person.", {"by": exc.message}) from None


def add_model_version(ws: Workspace, key: str, values: FormValues, actor: str) -> ModelVersion:
    """Record a model version from the model form, decided by the person ``actor`` stands for.

    Raises:
        FormInvalid: an empty field, a bad date, the same version already recorded, or a
            decider without the modify right (the message names who holds it).
        DeploymentNotFound: ``key`` names no deployment.
    """
    errors = FormErrors()
    model, version = text(values, "model"), text(values, "version")
    since = parse_date(values, "effective_from", errors, required=True)
    if not model:
        errors.add("model", "Name the model, for example lumen-assist.")
    if not version:
        errors.add("version", "Give the version, for example v3.")
    errors.raise_if_any()
    assert since is not None
    by = person_of(current_governance(ws), actor)
    try:
        return record_model_version(ws, key, model, version, since, by, account=actor)
    except Conflict as exc:
        raise FormInvalid("Already recorded.", {"version": exc.message}) from None
    except NotPermitted as exc:
        raise FormInvalid("You may not change the model.", {"model": exc.message}) from None


def _index(keys: list[str], key: str | None, missing: type[Exception], what: str) -> int | None:
    if key is None:
        return None
    if key not in keys:
        raise missing(f"No {what} {key!r} in the registry.")
    return keys.index(key)
