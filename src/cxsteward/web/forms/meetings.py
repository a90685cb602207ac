"""The forms that record history: a committee meeting, a review of the roadmap."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from cxsteward.domain.governance.spec import Meeting, RoadmapReview
from cxsteward.errors import Conflict, Invalid, PersonNotFound
from cxsteward.services.governance.actions import record_meeting, record_roadmap_review
from cxsteward.services.workspace import Workspace
from cxsteward.web.forms.fields import (
    FormErrors,
    FormValues,
    lines,
    many,
    parse_date,
    refused,
    text,
)

T = TypeVar("T")


def add_meeting(ws: Workspace, values: FormValues) -> Meeting:
    """Record a committee meeting from the form (held_on, attendees, decisions per line)."""
    errors = FormErrors()
    held_on = parse_date(values, "held_on", errors, required=True)
    errors.raise_if_any()
    assert held_on is not None
    attendees, decisions = many(values, "attendees"), lines(values, "decisions")
    return _recorded(lambda: record_meeting(ws, held_on, attendees, decisions), "attendees")


def add_roadmap_review(ws: Workspace, values: FormValues) -> RoadmapReview:
    """Record a review of the AI roadmap from the form (held_on, reviewers, notes)."""
    errors = FormErrors()
    held_on = parse_date(values, "held_on", errors, required=True)
    errors.raise_if_any()
    assert held_on is not None
    reviewers, notes = many(values, "reviewers"), text(values, "notes")
    return _recorded(lambda: record_roadmap_review(ws, held_on, reviewers, notes), "reviewers")


def _recorded(action: Callable[[], T], people_field: str) -> T:
    fields = {people_field: people_field, "held_on": "held_on"}
    try:
        return action()
    except PersonNotFound as exc:
        raise refused(exc, fields, on=people_field, title="Unknown person.") from None
    except (Invalid, Conflict) as exc:
        raise refused(exc, fields) from None
