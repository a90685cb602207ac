"""/api/v1/consent: data-use notices, customer choices, and whether opt-outs were honoured.

Choices carry customer ids (personal data): listing and recording them needs
``consent:manage``; the notices and the check (breaches named by interaction id) need
``consent:view``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from cxsteward.domain.consent import CUSTOMER_ID_MAX
from cxsteward.services.consent import check, choices, notices
from cxsteward.services.consent.models import (
    ChoiceCreate,
    ChoiceOut,
    ChoiceWithdraw,
    ConsentCheckOut,
    NoticeCreate,
    NoticeOut,
)
from cxsteward.web.deps import WS, Permission, UserOut, actor, require_api
from cxsteward.web.routes.api.common import Id, signed_router

router = signed_router("/consent", "consent")
Reader = Annotated[UserOut, require_api(Permission.CONSENT_VIEW)]
Manager = Annotated[UserOut, require_api(Permission.CONSENT_MANAGE)]


@router.get("/notices", summary="List notice versions", response_model=list[NoticeOut])
def list_notices(
    ws: WS, user: Reader, deployment: Annotated[str | None, Query(max_length=80)] = None
) -> list[NoticeOut]:
    """Every notice version, by deployment, channel and effective day, with its status today."""
    return notices.list_notices(ws, deployment)


@router.post(
    "/notices", summary="Record a notice version", response_model=NoticeOut, status_code=201
)
def add_notice(ws: WS, user: Manager, body: NoticeCreate) -> NoticeOut:
    """A new version supersedes the previous one of its deployment and channel from its day."""
    return notices.add_notice(ws, body, actor(user))


@router.get("/choices", summary="List customer choices", response_model=list[ChoiceOut])
def list_choices(
    ws: WS,
    user: Manager,
    customer_id: Annotated[str | None, Query(max_length=CUSTOMER_ID_MAX)] = None,
) -> list[ChoiceOut]:
    """Choices newest first, with customer ids (personal data)."""
    return choices.list_choices(ws, customer_id)


@router.post(
    "/choices", summary="Record a customer choice", response_model=ChoiceOut, status_code=201
)
def add_choice(ws: WS, user: Manager, body: ChoiceCreate) -> ChoiceOut:
    """An opt-out of AI handling or an objection to a data use, with when and where it was made."""
    return choices.add_choice(ws, body, actor(user))


@router.post(
    "/choices/{choice_id}/withdraw", summary="Withdraw a customer choice", response_model=ChoiceOut
)
def withdraw_choice(ws: WS, user: Manager, choice_id: Id, body: ChoiceWithdraw) -> ChoiceOut:
    """The customer takes the choice back; it stops counting from that moment."""
    return choices.withdraw_choice(ws, choice_id, body, actor(user))


@router.get("/check", summary="Were opt-outs honoured?", response_model=ConsentCheckOut)
def check_consent(ws: WS, user: Reader) -> ConsentCheckOut:
    """Notices in force, choice counts, breaches (with their rows) and notice gaps."""
    return check.check_consent(ws)
