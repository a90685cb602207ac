"""/api/v1/registry: the governance spec, deployments, lifecycle moves, the chain check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from cxsteward.domain.governance.spec import Deployment, Governance
from cxsteward.errors import DeploymentNotFound
from cxsteward.services.governance.actions import move_deployment
from cxsteward.services.governance.check import CheckOut, check_governance
from cxsteward.services.governance.gate import (
    GateCreate,
    GateOut,
    GateSummaryOut,
    evaluate_gate,
    gate_history,
    get_evaluation,
)
from cxsteward.services.governance.models import TransitionCreate, TransitionOut
from cxsteward.services.governance.setup import current_governance
from cxsteward.web.deps import WS, Permission, UserOut, actor, require_api
from cxsteward.web.routes.api.common import person_or_none, signed_router

router = signed_router("/registry", "registry")
Reader = Annotated[UserOut, require_api(Permission.REGISTRY_VIEW)]
Editor = Annotated[UserOut, require_api(Permission.REGISTRY_EDIT)]
Key = Annotated[str, Path(min_length=1, max_length=120, description="The deployment's key.")]


@router.get("/governance", summary="The governance spec", response_model=Governance)
def get_governance(ws: WS, user: Reader) -> Governance:
    """Everything declared: people, committee, vendors, deployments, protocols and more."""
    return current_governance(ws)


@router.get("/deployments", summary="List deployments", response_model=list[Deployment])
def list_deployments(ws: WS, user: Reader) -> list[Deployment]:
    """Every deployment with its status, version history, disclosure and decision rights."""
    return list(current_governance(ws).deployments)


@router.get("/deployments/{key}", summary="One deployment", response_model=Deployment)
def get_deployment(ws: WS, user: Reader, key: Key) -> Deployment:
    """One deployment by its key."""
    governance = current_governance(ws)
    found = governance.deployment(key)
    if found is None:
        known = ", ".join(d.key for d in governance.deployments) or "none"
        raise DeploymentNotFound(f"No deployment {key!r} in the registry (known: {known}).")
    return found


@router.post(
    "/deployments/{key}/transitions",
    summary="Move a deployment through its lifecycle",
    response_model=TransitionOut,
    status_code=201,
)
def transition(ws: WS, user: Editor, key: Key, body: TransitionCreate) -> TransitionOut:
    """Record a lifecycle move (e.g. pilot to scaling); refused moves say which are allowed.

    The decider is the person whose key is the token's username, and must hold the move's
    right (pilot to scaling and scaling to production need a committee decision); otherwise
    403 with a message naming who may decide.
    """
    by = person_or_none(ws, user)
    with ws.transaction(actor(user)) as session:
        return move_deployment(ws, key, body, by, account=user.username, session=session)


@router.post(
    "/deployments/{key}/gate",
    summary="Evaluate the scale gate",
    response_model=GateOut,
    status_code=201,
)
def gate(ws: WS, user: Reader, key: Key, body: GateCreate) -> GateOut:
    """The scale gate's verdict (go, go with conditions, no-go) for the deployment's next
    move, with every criterion, its evidence and where the records are; stored, so that the
    committee pack can show how readiness moved. A no-go is a verdict, not an error: 201."""
    return evaluate_gate(ws, key, to=body.to, as_of=body.as_of, by=user.username)


@router.get(
    "/deployments/{key}/gate",
    summary="The deployment's gate history",
    response_model=list[GateSummaryOut],
)
def gate_evaluations(ws: WS, user: Reader, key: Key) -> list[GateSummaryOut]:
    """The stored evaluations of the deployment's scale gate, newest first."""
    return gate_history(ws, key)


@router.get(
    "/gate-evaluations/{evaluation_id}",
    summary="One stored gate evaluation",
    response_model=GateOut,
)
def gate_evaluation(
    ws: WS, user: Reader, evaluation_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> GateOut:
    """One stored evaluation with its criteria, as judged then."""
    return get_evaluation(ws, evaluation_id)


@router.get("/check", summary="Check the governance chain", response_model=CheckOut)
def check(ws: WS, user: Reader) -> CheckOut:
    """Every gap in the governance chain, with what to do about each."""
    return check_governance(ws)
