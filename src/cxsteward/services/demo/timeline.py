"""The example governance file moved onto the demo's clock, and split into what was declared
on the day the company adopted cxsteward and what happened after.

``data/examples/governance.yaml`` describes Kestrel Telecom as it stood on ``ANCHOR``. The demo
shifts every date in it by (demo today - ``ANCHOR``), so the story keeps its shape whatever the
day the demo is built, then replays it: the opening declaration holds only what existed on
the adoption day; each later dated entry (a deployment's launch, a lifecycle move, a model
version, a meeting, a roadmap review, a template approval, a knowledge-base review) becomes a
step of the story, run on its own day through the service a user would call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cxsteward.domain.governance.spec import (
    Article,
    Deployment,
    Governance,
    Meeting,
    ModelVersion,
    RoadmapReview,
    Template,
    Transition,
)

# The day the example file describes: its latest entries are a few weeks old on that day.
ANCHOR = date(2025, 4, 1)
_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def shift_governance(gov: Governance, delta: timedelta) -> Governance:
    """``gov`` with every date, time and quarter moved by ``delta`` (also dates in free text)."""
    # A JSON-shaped dump of the validated model (a boundary): every value is text or a number.
    return Governance.model_validate(_shift(gov.model_dump(mode="json"), delta))


def _shift(value: object, delta: timedelta) -> object:
    if isinstance(value, dict):
        return {k: _shift(v, delta) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, delta) for v in value]
    if not isinstance(value, str):
        return value
    quarter = _QUARTER.match(value)
    if quarter:
        middle = date(int(quarter[1]), 3 * int(quarter[2]) - 1, 15) + delta
        return f"{middle.year}-Q{(middle.month - 1) // 3 + 1}"
    if "T" in value and _DAY.match(value):
        try:
            return (datetime.fromisoformat(value) + delta).isoformat()
        except ValueError:
            pass
    return _DAY.sub(lambda m: (date(int(m[1]), int(m[2]), int(m[3])) + delta).isoformat(), value)


@dataclass(frozen=True)
class Launch:
    """A deployment declared on the day its first lifecycle entry says."""

    on: date
    deployment: Deployment


@dataclass(frozen=True)
class Move:
    on: date
    deployment: str
    step: Transition


@dataclass(frozen=True)
class NewModel:
    on: date
    deployment: str
    model: ModelVersion


@dataclass(frozen=True)
class Approval:
    at: datetime
    template: str
    by: str


@dataclass(frozen=True)
class Review:
    on: date
    article: str


Event = Launch | Move | NewModel | Meeting | RoadmapReview | Approval | Review


def event_day(event: Event) -> date:
    """The day an event of the file happened."""
    if isinstance(event, Meeting | RoadmapReview):
        return event.held_on
    if isinstance(event, Approval):
        return event.at.date()
    return event.on


def split_governance(gov: Governance, adopted: date) -> tuple[Governance, list[Event]]:
    """What was declared on ``adopted``, and every later dated entry as an event."""
    events: list[Event] = []
    deployments: list[Deployment] = []
    for dep in gov.deployments:
        first = min((t.on for t in dep.history), default=adopted)
        past = _as_of(dep, adopted)
        if first > adopted:
            events.append(Launch(first, _as_of(dep, first)))
            past = _as_of(dep, first)
        else:
            deployments.append(past)
        events += [Move(t.on, dep.key, t) for t in dep.history if t not in past.history]
        events += [
            NewModel(m.effective_from, dep.key, m) for m in dep.models if m not in past.models
        ]
    assert gov.committee is not None
    committee = gov.committee.model_copy(
        update={"meetings": [m for m in gov.committee.meetings if m.held_on <= adopted]}
    )
    events += [m for m in gov.committee.meetings if m.held_on > adopted]
    assert gov.roadmap is not None
    roadmap = gov.roadmap.model_copy(
        update={"reviews": [r for r in gov.roadmap.reviews if r.held_on <= adopted]}
    )
    events += [r for r in gov.roadmap.reviews if r.held_on > adopted]
    templates: list[Template] = []
    for template in gov.templates:
        at, by = template.approved_at, template.approved_by
        if at is not None and by is not None and at.date() > adopted:
            events.append(Approval(at, template.key, by))
            template = template.model_copy(update={"approved_at": None, "approved_by": None})
        templates.append(template)
    articles: list[Article] = []
    for article in gov.knowledge_base:
        if article.last_reviewed is not None and article.last_reviewed > adopted:
            events.append(Review(article.last_reviewed, article.key))
            article = article.model_copy(update={"last_reviewed": None})
        articles.append(article)
    opening = gov.model_copy(
        update={
            "deployments": deployments,
            "committee": committee,
            "roadmap": roadmap,
            "templates": templates,
            "knowledge_base": articles,
        }
    )
    return opening, sorted(events, key=event_day)


def _as_of(dep: Deployment, day: date) -> Deployment:
    """The deployment as its registry showed it at the end of ``day``."""
    history = [t for t in dep.history if t.on <= day]
    return dep.model_copy(
        update={
            "history": history,
            "status": history[-1].status if history else dep.status,
            "models": [m for m in dep.models if m.effective_from <= day],
        }
    )
