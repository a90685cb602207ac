"""What the customer-trust pages share: the services customers can name, form checks, SLA words.

No ``router`` here: the pages in routes/reviews.py and routes/feedback_triage.py use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from cxsteward.domain.governance.spec import Deployment, Governance, Lifecycle
from cxsteward.domain.trust import FeedbackCategory, FeedbackStatus, ReviewOutcome, ReviewStatus
from cxsteward.errors import CxStewardError, GovernanceNotFound, Invalid
from cxsteward.services.contract import Command
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.governance.store import GOVERNANCE_TABLES
from cxsteward.services.read_models import ReadModel
from cxsteward.services.trust.models import ReviewOut, ReviewRequestCreate
from cxsteward.services.workspace import Workspace
from cxsteward.web.errors import form_status
from cxsteward.web.forms.fields import FormErrors, build

C = TypeVar("C", bound=Command)
# A request due within this many hours is flagged "due soon" in the queue.
DUE_SOON_HOURS = 24
# What a customer agrees to when they tick the consent box; stored with the request.
CONSENT_TEXT = "I agree that staff may read what I wrote and contact me about this review request."
STATUS_WORDS: dict[str, str] = {
    ReviewStatus.RECEIVED.value: "Received: waiting for a person to pick it up",
    ReviewStatus.IN_REVIEW.value: "In review: a person is looking at it",
    ReviewStatus.RESOLVED.value: "Resolved",
    ReviewStatus.WITHDRAWN.value: "Withdrawn",
}
OUTCOME_WORDS: dict[str, str] = {
    ReviewOutcome.UPHELD.value: "The original outcome stands",
    ReviewOutcome.CHANGED.value: "A person changed the outcome",
    ReviewOutcome.EXPLAINED.value: "The outcome stands, and we explain why",
}


# Read on every public page: kept until a governance table changes, so the review
# requests customers send (which move the rest of the registry on) do not rebuild it.
_GOVERNANCE: ReadModel[Governance | None] = ReadModel("governance", only=GOVERNANCE_TABLES)


def governance_or_none(ws: Workspace) -> Governance | None:
    """The declared governance, or None before anything was applied.

    The object is shared by every request until the governance changes: read it, never
    change it.
    """
    return _GOVERNANCE.get(ws, lambda: _load_governance(ws))


def _load_governance(ws: Workspace) -> Governance | None:
    try:
        return current_governance(ws)
    except GovernanceNotFound:
        return None


def customer_services(ws: Workspace) -> list[Deployment]:
    """The deployments customers meet (or met): customer-facing and not retired."""
    gov = governance_or_none(ws)
    if gov is None:
        return []
    return [d for d in gov.deployments if d.customer_facing and d.status != Lifecycle.RETIRED]


@dataclass
class ReviewForm:
    """What the public review form sent, kept as typed so the page can show it again."""

    deployment: str = ""
    reference: str = ""
    description: str = ""
    contact: str = ""
    consent: bool = False


def read_form(command: type[C], fields: Mapping[str, object]) -> tuple[C | None, dict[str, str]]:
    """The typed command a form's fields make, or the message of each field that breaks a rule.

    The commands carry the services' rules and words, so a page checks nothing of its own
    but what only the page knows (which choices it offered). The messages come from the
    forms' one reader (``web.forms.fields.build``), as on every other form.
    """
    errors = FormErrors()
    made = build(command, fields, errors, {name: name for name in command.model_fields})
    return made, errors.fields


def refusal(exc: CxStewardError) -> tuple[str, int]:
    """A refused form as its page shows it again: the message, and the one mapper's status."""
    return (exc.summary if isinstance(exc, Invalid) else exc.message), form_status(exc)


def review_request(
    form: ReviewForm, services: list[Deployment]
) -> tuple[ReviewRequestCreate | None, dict[str, str]]:
    """The request the public form makes, or every problem of it by field name."""
    command, errors = read_form(
        ReviewRequestCreate,
        {
            "deployment": form.deployment,
            "description": form.description,
            "contact": form.contact,
            "reference": form.reference or None,
            "consent": CONSENT_TEXT,
        },
    )
    if form.deployment not in {d.key for d in services}:
        errors["deployment"] = (
            "Choose the service your question is about from the list."
            if not form.deployment
            else "We do not know that service; choose one from the list."
        )
    if not form.consent:
        errors["consent"] = "Tick the box so that we may read your request and reply to you."
    return (None, errors) if errors else (command, {})


@dataclass(frozen=True)
class SlaClock:
    """A request's SLA clock in words: a short badge label, its tone and a sentence."""

    label: str
    tone: str  # ok, warn, bad or muted: the badge's modifier class
    text: str


def duration_words(hours: float) -> str:
    """``49.5`` -> "2 days 1 hour": days and hours, or hours and minutes below a day."""
    minutes = round(abs(hours) * 60)
    days, rest = divmod(minutes, 24 * 60)
    whole_hours, mins = divmod(rest, 60)
    if days:
        parts = [_plural(days, "day"), _plural(whole_hours, "hour") if whole_hours else ""]
    elif whole_hours:
        parts = [_plural(whole_hours, "hour"), _plural(mins, "minute") if mins else ""]
    else:
        parts = [_plural(mins, "minute") if mins else "less than a minute"]
    return " ".join(p for p in parts if p)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def sla_clock(review: ReviewOut) -> SlaClock:
    """Where a request stands against its due time."""
    if review.status == ReviewStatus.WITHDRAWN.value:
        return SlaClock("Withdrawn", "muted", "withdrawn before a decision")
    if review.hours_to_resolution is not None:
        took = f"resolved in {duration_words(review.hours_to_resolution)}"
        if review.resolved_late:
            return SlaClock("Resolved late", "warn", took)
        return SlaClock("Resolved on time", "ok", took)
    left = review.hours_left if review.hours_left is not None else 0.0
    if review.overdue:
        return SlaClock("Overdue", "bad", f"overdue by {duration_words(left)}")
    if left <= DUE_SOON_HOURS:
        return SlaClock("Due soon", "warn", f"due in {duration_words(left)}")
    return SlaClock("On time", "ok", f"due in {duration_words(left)}")


def when(moment: datetime | None) -> str:
    """A time as the pages print it, in UTC."""
    return moment.strftime("%d %b %Y, %H:%M UTC") if moment is not None else ""


FEEDBACK_CATEGORY_LABELS: dict[str, str] = {
    FeedbackCategory.WRONG_ANSWER.value: "Wrong or misleading answer",
    FeedbackCategory.MISSED_ESCALATION.value: "Should have passed the customer to a person",
    FeedbackCategory.TONE.value: "Inappropriate tone",
    FeedbackCategory.BIAS.value: "Bias or unfair treatment",
    FeedbackCategory.DISCLOSURE_MISSING.value: "Did not say it was AI",
    FeedbackCategory.OTHER.value: "Something else",
}
FEEDBACK_STATUS_WORDS: dict[str, str] = {
    FeedbackStatus.NEW.value: "New: waiting for triage",
    FeedbackStatus.TRIAGED.value: "Triaged: someone owns it",
    FeedbackStatus.ACTED_ON.value: "Acted on: something changed",
    FeedbackStatus.DECLINED.value: "Declined, with a reason",
}
FEEDBACK_TONES: dict[str, str] = {
    FeedbackStatus.NEW.value: "warn",
    FeedbackStatus.TRIAGED.value: "muted",
    FeedbackStatus.ACTED_ON.value: "ok",
    FeedbackStatus.DECLINED.value: "muted",
}


def flaggable_deployments(ws: Workspace) -> list[Deployment]:
    """The deployments staff may flag: every declared one that is not retired."""
    gov = governance_or_none(ws)
    return [d for d in gov.deployments if d.status != Lifecycle.RETIRED] if gov else []
