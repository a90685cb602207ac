"""The deployment forms: basic fields with disclosure and rights, a status move, a model."""

from __future__ import annotations

from cxsteward.domain.governance.spec import Deployment, Lifecycle, ModelVersion, Right
from cxsteward.errors import (
    Conflict,
    Invalid,
    NotPermitted,
    PersonNotFound,
    TransitionNotAllowed,
)
from cxsteward.services.governance import deployment_edits
from cxsteward.services.governance.acting import person_of
from cxsteward.services.governance.actions import move_deployment, record_model_version
from cxsteward.services.governance.models import TransitionCreate, TransitionOut
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.workspace import Workspace
from cxsteward.web.forms.fields import (
    FormErrors,
    FormValues,
    build,
    checked,
    many,
    optional,
    parse_date,
    refused,
    text,
)

FIELDS = {
    **{n: n for n in ("key", "name", "function", "channels", "vendor", "go_live", "status")},
    "customer_facing": "customer_facing",
    "history": "status",
    "disclosure": "disclosure",
    **{f"decision_rights.{r.value}": f"rights_{r.value}" for r in Right},
}
STATUS_FIELDS = {"status": "status", "reason": "reason", "on": "status"}
MODEL_FIELDS = {"model": "model", "version": "version", "effective_from": "effective_from"}


def deployment_values(dep: Deployment) -> dict[str, str | list[str]]:
    """A stored deployment as the values of the deployment form."""
    values: dict[str, str | list[str]] = {
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

    Raises:
        FormInvalid: a field is empty or invalid, a person or vendor is unknown, the key
            is taken.
        DeploymentNotFound: ``key`` names no deployment.
    """
    errors = FormErrors()
    go_live = parse_date(values, "go_live", errors, required=False)
    channels = many(values, "channels")
    statements = {ch: words for ch, words in disclosure_pairs(values) if ch in channels and words}
    data: dict[str, object] = {
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
    if key is None:
        data["status"] = text(values, "status") or Lifecycle.PILOT.value
    spec = build(Deployment, data, errors, FIELDS)
    errors.raise_if_any()
    assert spec is not None
    try:
        return deployment_edits.save_deployment(ws, spec, actor, key)
    except Invalid as exc:
        raise refused(exc, FIELDS) from None


def change_status(ws: Workspace, key: str, values: FormValues, actor: str) -> TransitionOut:
    """Move a deployment through its lifecycle from the status form (status, reason, by).

    Raises:
        FormInvalid: no reason, an unknown person, or a move the lifecycle refuses (the
            message lists the allowed moves); nothing is written.
        DeploymentNotFound: ``key`` names no deployment.
    """
    errors = FormErrors()
    # The command's own limits (a known status, a reason of 1 to 500 characters) decide.
    data = {"status": text(values, "status"), "reason": text(values, "reason")}
    move = build(TransitionCreate, data, errors, STATUS_FIELDS)
    errors.raise_if_any()
    assert move is not None
    try:
        return move_deployment(ws, key, move, optional(values, "by"), account=actor)
    except (TransitionNotAllowed, Invalid) as exc:
        raise refused(exc, STATUS_FIELDS, on="status", title="Refused move.") from None
    except NotPermitted as exc:
        raise refused(exc, STATUS_FIELDS, on="status", title="Not yours to decide.") from None
    except PersonNotFound as exc:
        raise refused(exc, STATUS_FIELDS, on="by", title="Unknown person.") from None


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
        raise refused(exc, MODEL_FIELDS, on="version", title="Already recorded.") from None
    except NotPermitted as exc:
        raise refused(exc, MODEL_FIELDS, on="model", title="Not yours to decide.") from None
