"""The committee pack in the web app: issued packs, one pack's answer, its HTML and PDF.

Reading needs ``pack:view``; issuing (keeping a pack so the next one says what changed)
needs ``pack:issue``. An issued pack never changes, so its HTML and PDF are made once and
served from the workspace's reports folder.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from cxsteward.reports.pack import VERDICT_WORDS
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.pack.history import get_pack, list_packs
from cxsteward.services.pack.render import pack_file
from cxsteward.web.deps import WS, Id, Permission, UserOut, actor, require
from cxsteward.web.forms.fields import FormInvalid
from cxsteward.web.forms.packs import issue_from_form
from cxsteward.web.routes.registry_common import FormState, page, read_form
from cxsteward.web.security import DOCUMENT_CSP

router = APIRouter(include_in_schema=False)
Reader = Annotated[UserOut, require(Permission.PACK_VIEW)]
Issuer = Annotated[UserOut, require(Permission.PACK_ISSUE)]
MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
}


@router.get("/pack")
def packs(request: Request, ws: WS, user: Reader) -> HTMLResponse:
    """The issued packs, newest first, with the newest one's answer on top."""
    return _page(request, ws, None, FormState())


@router.post("/pack")
async def issue(request: Request, ws: WS, user: Issuer) -> Response:
    """Issue a pack now and show it."""
    form = await read_form(request)
    try:
        made = issue_from_form(ws, form.mapping(), actor(user))
    except FormInvalid as exc:
        return _page(request, ws, None, form.failed(exc))
    return RedirectResponse(f"/pack/{made.id}", status_code=303)


@router.get("/pack/{pack_id:int}")
def show(request: Request, ws: WS, user: Reader, pack_id: Id) -> HTMLResponse:
    """One issued pack's answer, with its HTML and PDF."""
    return _page(request, ws, pack_id, FormState())


@router.get("/pack/{pack_id:int}/{fmt}")
def download(ws: WS, user: Reader, pack_id: Id, fmt: Literal["html", "pdf", "md"]) -> FileResponse:
    """The issued pack as a self-contained HTML page, a PDF or Markdown."""
    path = pack_file(ws, get_pack(ws, pack_id), fmt)
    disposition = "inline" if fmt == "html" else "attachment"
    return FileResponse(
        path,
        media_type=MEDIA[fmt],
        filename=path.name,
        content_disposition_type=disposition,
        headers={
            "Cache-Control": "private, max-age=3600",
            "Content-Security-Policy": DOCUMENT_CSP,
        },
    )


def _page(request: Request, ws: WS, pack_id: int | None, form: FormState) -> HTMLResponse:
    issued = list_packs(ws)
    chosen = pack_id if pack_id is not None else (issued[0].id if issued else None)
    live = [d.key for d in current_governance(ws).deployments if d.status.live]
    return page(
        request,
        "pack/index.html",
        {
            "title": "Committee pack",
            "pack": get_pack(ws, chosen) if chosen is not None else None,
            "issued": issued,
            "verdicts": VERDICT_WORDS,
            "form": form,
            "deployments": [(key, key) for key in live],
        },
    )
