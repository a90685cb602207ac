"""Registry pages (C3): the index with the chain check, committee, decision rights, roadmap,
knowledge base, and the governance.yaml download. Deployments, people, the accountability
chain, vendors and templates have their own registry_*.py modules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from cxsteward.domain.governance.spec import Right
from cxsteward.services.governance.setup import export_governance
from cxsteward.web.deps import WS, Permission, UserOut, actor, require
from cxsteward.web.forms.fields import FormInvalid
from cxsteward.web.forms.meetings import add_meeting, add_roadmap_review
from cxsteward.web.forms.registry import start
from cxsteward.web.routes.registry_common import (
    FormState,
    back,
    gaps_by_object,
    governance_check,
    governance_or_none,
    page,
    people_options,
    read_form,
    require_governance,
)

router = APIRouter(include_in_schema=False)
View = Annotated[UserOut, require(Permission.REGISTRY_VIEW)]
Edit = Annotated[UserOut, require(Permission.REGISTRY_EDIT)]


@router.get("/registry")
def registry_index(request: Request, ws: WS, user: View) -> HTMLResponse:
    """The registry at a glance: the chain check's gaps and a link to every part."""
    gov = governance_or_none(ws)
    if gov is None:
        return page(request, "registry/empty.html", {"title": "Registry", "form": FormState()})
    report = governance_check(ws)
    blocking = [g for g in report.gaps if g.blocking]
    return page(
        request,
        "registry/index.html",
        {
            "title": "Registry",
            "gov": gov,
            "blocking": blocking,
            "warnings": [g for g in report.gaps if not g.blocking],
        },
    )


@router.post("/registry/start")
async def registry_start(request: Request, ws: WS, user: Edit) -> Response:
    """Start an empty registry for the organization named in the form."""
    form = await read_form(request)
    try:
        start(ws, form.mapping(), actor(user))
    except FormInvalid as exc:
        context = {"title": "Registry", "form": form.failed(exc)}
        return page(request, "registry/empty.html", context)
    return back("/registry", "started")


@router.get("/registry/export")
def registry_export(ws: WS, user: View) -> Response:
    """The whole registry as governance.yaml, ready to edit and apply back."""
    require_governance(ws)
    return Response(
        export_governance(ws),
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="governance.yaml"'},
    )


def _committee_page(request: Request, ws: WS, form: FormState) -> HTMLResponse:
    gov = require_governance(ws)
    report = governance_check(ws)
    gaps = [g for g in report.gaps if g.rule.startswith("committee.")]
    context = {
        "title": "Governance committee",
        "gov": gov,
        "committee": gov.committee,
        "gaps": gaps,
        "people": people_options(gov),
        "form": form,
    }
    return page(request, "registry/committee.html", context)


@router.get("/registry/committee")
def registry_committee(request: Request, ws: WS, user: View) -> HTMLResponse:
    """Members and what they represent, cadence, authority and meetings held."""
    return _committee_page(request, ws, FormState())


@router.post("/registry/committee/meetings")
async def record_meeting(request: Request, ws: WS, user: Edit) -> Response:
    """Record a committee meeting (date, attendees, decisions)."""
    form = await read_form(request)
    try:
        add_meeting(ws, form.mapping())
    except FormInvalid as exc:
        return _committee_page(request, ws, form.failed(exc))
    return back("/registry/committee", "meeting")


@router.get("/registry/decision-rights")
def registry_decision_rights(request: Request, ws: WS, user: View) -> HTMLResponse:
    """Who may pause, modify, roll back and discontinue each deployment."""
    gov = require_governance(ws)
    grouped = gaps_by_object(governance_check(ws))
    names = {p.key: p.name for p in gov.people}
    context = {"title": "Decision rights", "gov": gov, "rights": list(Right), "names": names}
    return page(request, "registry/decision_rights.html", {**context, "gaps": grouped})


def _roadmap_page(request: Request, ws: WS, form: FormState) -> HTMLResponse:
    gov = require_governance(ws)
    report = governance_check(ws)
    gaps = [g for g in report.gaps if g.rule.startswith("roadmap.")]
    names = {p.key: p.name for p in gov.people}
    context = {
        "title": "AI roadmap",
        "gov": gov,
        "roadmap": gov.roadmap,
        "gaps": gaps,
        "names": names,
        "people": people_options(gov),
        "form": form,
    }
    return page(request, "registry/roadmap.html", context)


@router.get("/registry/roadmap")
def registry_roadmap(request: Request, ws: WS, user: View) -> HTMLResponse:
    """The roadmap's items per quarter and the reviews held."""
    return _roadmap_page(request, ws, FormState())


@router.post("/registry/roadmap/reviews")
async def record_roadmap_review(request: Request, ws: WS, user: Edit) -> Response:
    """Record a review of the roadmap."""
    form = await read_form(request)
    try:
        add_roadmap_review(ws, form.mapping())
    except FormInvalid as exc:
        return _roadmap_page(request, ws, form.failed(exc))
    return back("/registry/roadmap", "review")


@router.get("/registry/knowledge-base")
def registry_knowledge_base(request: Request, ws: WS, user: View) -> HTMLResponse:
    """The knowledge-base articles the AI answers from: owner and last review."""
    gov = require_governance(ws)
    report = governance_check(ws)
    grouped = gaps_by_object(report)
    names = {p.key: p.name for p in gov.people}
    context = {"title": "Knowledge base", "gov": gov, "names": names, "gaps": grouped}
    return page(request, "registry/knowledge_base.html", context)
