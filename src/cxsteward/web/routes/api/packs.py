"""/api/v1/packs: the committee pack, previewed or issued, and the packs issued before."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from cxsteward.services.contract import Day
from cxsteward.services.pack.build import build_pack
from cxsteward.services.pack.history import PackSummaryOut, get_pack, issue_pack, list_packs
from cxsteward.services.pack.models import PackCreate, PackOut
from cxsteward.web.deps import WS, Permission, UserOut, require_api
from cxsteward.web.routes.api.common import signed_router

router = signed_router("/packs", "committee pack")
Reader = Annotated[UserOut, require_api(Permission.PACK_VIEW)]
Issuer = Annotated[UserOut, require_api(Permission.PACK_ISSUE)]
Key = Annotated[str | None, Query(max_length=80, pattern=r"^[a-z0-9][a-z0-9._-]{0,79}$")]


@router.get("/preview", summary="Preview the committee pack", response_model=PackOut)
def preview(
    ws: WS,
    user: Reader,
    period_days: Annotated[int | None, Query(ge=1, le=3660)] = None,
    deployment: Key = None,
    as_of: Annotated[Day | None, Query()] = None,
) -> PackOut:
    """The pack as it would be issued now, without keeping it (``id`` is null); the period
    runs ``period_days`` back from ``as_of`` (default: since the previous pack)."""
    asked = PackCreate(period_days=period_days, deployment=deployment, as_of=as_of)
    return build_pack(ws, since=asked.since(ws.now().date()), deployment=deployment, as_of=as_of)


@router.post("", summary="Issue the committee pack", response_model=PackOut, status_code=201)
def issue(ws: WS, user: Issuer, body: PackCreate) -> PackOut:
    """Build the pack and keep it with its gate evaluations; the next pack compares with it."""
    since = body.since(ws.now().date())
    made = build_pack(ws, since=since, deployment=body.deployment, as_of=body.as_of)
    return issue_pack(ws, made, user.username)


@router.get("", summary="List the issued packs", response_model=list[PackSummaryOut])
def issued(ws: WS, user: Reader) -> list[PackSummaryOut]:
    """Issued packs, newest first, with the gate verdicts and headlines they carried."""
    return list_packs(ws)


@router.get("/{pack_id}", summary="One issued pack", response_model=PackOut)
def one(ws: WS, user: Reader, pack_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> PackOut:
    """An issued pack, exactly as it was issued."""
    return get_pack(ws, pack_id)
