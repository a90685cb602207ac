"""The consent page: notices in force, choices recorded, and opt-outs the AI did not honour.

Everyone with ``consent:view`` reads the notices, the counts and the breaches (contacts by
interaction id and source row); the form to record a customer's choice, and the latest
choices with their customer ids (personal data), are for ``consent:manage``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse

from cxsteward.domain.consent import CHOICE_WORDS, ChoiceKind, ChoiceSource
from cxsteward.errors import CxStewardError
from cxsteward.services.consent.check import check_consent
from cxsteward.services.consent.choices import add_choice, list_choices
from cxsteward.services.consent.models import ChoiceCreate, ConsentCheckOut, NoticeCreate
from cxsteward.services.consent.notices import add_notice
from cxsteward.services.read_models import ReadModel
from cxsteward.web.deps import WS, Permission, UserOut, actor, render, require
from cxsteward.web.errors import FORM_REFUSED
from cxsteward.web.routes.trust_views import flaggable_deployments, read_form, refusal, when

router = APIRouter(include_in_schema=False)
Reader = Annotated[UserOut, require(Permission.CONSENT_VIEW)]
Manager = Annotated[UserOut, require(Permission.CONSENT_MANAGE)]
RECENT = 20  # latest choices listed on the page
# The check scans the whole contact store (a few hundred milliseconds): kept until a
# notice, a choice, a load or a governance change moves the registry on.
_CHECK: ReadModel[ConsentCheckOut] = ReadModel("consent check")
FIELDS = ("customer_id", "kind", "chosen_at", "source", "deployment", "channel", "data_use")
NOTICE_FIELDS = (
    "notice_deployment",
    "notice_channel",
    "version",
    "summary",
    "url",
    "effective_from",
)
NOTICE_NAMES = {"deployment": "notice_deployment", "channel": "notice_channel"}
SOURCE_WORDS = {s.value: s.value.replace("_", " ") for s in ChoiceSource}


@router.get("/consent")
def consent_page(request: Request, ws: WS, user: Reader) -> HTMLResponse:
    """Notices in force per deployment and channel, choices, breaches with their rows."""
    return _page(request, ws, user, _blank(), {}, None, 200)


@router.post("/consent/notices")
def record_notice(
    request: Request,
    ws: WS,
    user: Manager,
    notice_deployment: Annotated[str, Form(max_length=200)] = "",
    notice_channel: Annotated[str, Form(max_length=200)] = "",
    version: Annotated[str, Form(max_length=200)] = "",
    summary: Annotated[str, Form(max_length=10_000)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    effective_from: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:
    """Record a notice version (what customers of a channel are told from a day on)."""
    form = {
        "notice_deployment": notice_deployment,
        "notice_channel": notice_channel,
        "version": version,
        "summary": summary,
        "url": url,
        "effective_from": effective_from,
    }
    fields = {
        "deployment": notice_deployment.strip(),
        "channel": notice_channel.strip(),
        "version": version.strip(),
        "summary": summary,
        "url": url.strip() or None,
        "effective_from": effective_from.strip(),
    }
    command, read = read_form(NoticeCreate, fields)
    # The form's own field names (the choice form has its own deployment and channel).
    errors = {NOTICE_NAMES.get(name, name): message for name, message in read.items()}
    if "effective_from" in errors:
        errors["effective_from"] = "Write the first day as YYYY-MM-DD, e.g. 2026-03-01."
    if command is None or errors:
        return _page(request, ws, user, {**_blank(), **form}, errors, None, FORM_REFUSED)
    try:
        made = add_notice(ws, command, actor(user))
    except CxStewardError as exc:
        message, status = refusal(exc)
        return _page(request, ws, user, {**_blank(), **form}, {"notice": message}, None, status)
    done = f"Notice {made.version} of {made.deployment} on {made.channel} recorded ({made.status})."
    return _page(request, ws, user, _blank(), {}, done, 200)


@router.post("/consent/choices")
def record_choice(
    request: Request,
    ws: WS,
    user: Manager,
    customer_id: Annotated[str, Form(max_length=1000)] = "",
    kind: Annotated[str, Form(max_length=60)] = "",
    chosen_at: Annotated[str, Form(max_length=100)] = "",
    source: Annotated[str, Form(max_length=60)] = "",
    deployment: Annotated[str, Form(max_length=200)] = "",
    channel: Annotated[str, Form(max_length=200)] = "",
    data_use: Annotated[str, Form(max_length=1000)] = "",
) -> HTMLResponse:
    """Record a customer's choice received by phone, letter or in person."""
    form = {
        "customer_id": customer_id,
        "kind": kind,
        "chosen_at": chosen_at,
        "source": source,
        "deployment": deployment,
        "channel": channel,
        "data_use": data_use,
    }
    command, errors = read_form(ChoiceCreate, {k: v.strip() or None for k, v in form.items()})
    if "kind" in errors:
        errors["kind"] = "Choose what the customer chose."
    if "source" in errors:
        errors["source"] = "Choose where the choice was made."
    if "chosen_at" in errors:
        errors["chosen_at"] = "Write the time as 2026-03-04T10:15:00+01:00 (with its timezone)."
    if command is None or errors:
        return _page(request, ws, user, {**_blank(), **form}, errors, None, FORM_REFUSED)
    try:
        made = add_choice(ws, command, actor(user))
    except CxStewardError as exc:
        message, status = refusal(exc)
        return _page(request, ws, user, {**_blank(), **form}, {"form": message}, None, status)
    done = f"Choice #{made.id} recorded: {CHOICE_WORDS[made.kind]} at {when(made.chosen_at)}."
    return _page(request, ws, user, _blank(), {}, done, 200)


def _blank() -> dict[str, str]:
    return dict.fromkeys((*FIELDS, *NOTICE_FIELDS), "")


def _page(
    request: Request,
    ws: WS,
    user: UserOut,
    form: dict[str, str],
    errors: dict[str, str],
    done: str | None,
    status: int,
) -> HTMLResponse:
    manager = user.can(Permission.CONSENT_MANAGE)
    context = {
        "title": "Consent",
        "check": _CHECK.get(ws, lambda: check_consent(ws)),
        "manager": manager,
        "recent": list_choices(ws)[:RECENT] if manager else [],
        "form": form,
        "errors": errors,
        # Each form's summary lists its own problems only.
        "notice_errors": {k: v for k, v in errors.items() if k in (*NOTICE_FIELDS, "notice")},
        "choice_errors": {k: v for k, v in errors.items() if k not in (*NOTICE_FIELDS, "notice")},
        "done": done,
        "kinds": {k.value: CHOICE_WORDS[k] for k in ChoiceKind},
        "sources": SOURCE_WORDS,
        "deployments": flaggable_deployments(ws),
        "when": when,
    }
    return render(request, "consent/index.html", context, status_code=status)
