"""``GET /api/v1/me``: whom a bearer token acts as; scripts use it to check their token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel

from cxsteward.web.deps import Permission, UserOut, require_api

router = APIRouter(prefix="/api/v1", tags=["account"])


class MeOut(BaseModel):
    """The user a token acts as, and what their role may do."""

    username: str
    display_name: str
    role: str
    permissions: list[str]


@router.get("/me", response_model=MeOut)
def me(user: Annotated[UserOut, require_api(Permission.OVERVIEW_VIEW)]) -> MeOut:
    """The user this token acts as, and the permissions of their role."""
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        permissions=sorted(p.value for p in Permission if user.can(p)),
    )
