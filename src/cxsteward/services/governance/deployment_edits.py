"""Adding a deployment and changing its basic fields, disclosure and decision rights.

Status, lifecycle history and model versions never change here: they change through the
lifecycle move (:func:`.actions.move_deployment`) and a recorded model version.
"""

from __future__ import annotations

from cxsteward.domain.governance.spec import Deployment, Governance, Transition
from cxsteward.errors import DeploymentNotFound
from cxsteward.services.clock import now
from cxsteward.services.governance.acting import person_of
from cxsteward.services.governance.registry_edits import apply_edit, index_of, replace_at, taken
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.workspace import Workspace

CREATED_REASON = "created in the web app"


def save_deployment(
    ws: Workspace, spec: Deployment, actor: str, key: str | None = None
) -> Deployment:
    """Add ``spec`` (``key`` None, starting at its status) or change the deployment ``key``.

    A new deployment's history starts with its status, decided by the person ``actor``
    stands for; a stored one keeps its key, status, history and model versions.

    Raises:
        Invalid: the key is taken (a problem on ``key``).
        GovernanceInvalid: the registry refused the change (problems inside the deployment).
        DeploymentNotFound: ``key`` names no deployment.
    """
    gov = current_governance(ws)
    if key is None:
        first = Transition(
            status=spec.status,
            on=now(ws).date(),
            by=person_of(gov, actor),
            reason=CREATED_REASON,
        )
        dep = spec.model_copy(update={"history": [first], "models": []})
    else:
        stored = gov.deployment(key)
        if stored is None:
            raise DeploymentNotFound(f"No deployment {key!r} in the registry.")
        kept = {"key": key, "status": stored.status, "history": stored.history}
        dep = spec.model_copy(
            update={
                **kept,
                "models": stored.models,
                "scale_gate": stored.scale_gate,
                # The form does not edit the promise: it stays as the file declared it.
                "vulnerable": stored.vulnerable,
            }
        )

    def change(gov: Governance) -> tuple[Governance, str]:
        index = index_of([d.key for d in gov.deployments], key, DeploymentNotFound, "deployment")
        if key is None and gov.deployment(dep.key) is not None:
            raise taken("a deployment's key", dep.key)
        deployments, at = replace_at(gov.deployments, index, dep)
        return gov.model_copy(update={"deployments": deployments}), f"deployments[{at}]"

    apply_edit(ws, change, actor)
    return dep
