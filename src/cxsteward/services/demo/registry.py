"""The demo's governance over time: the example file declared on the adoption day, then each
later entry of it run on its own day through the service a user would call.

A move that takes the committee (pilot -> scaling, scaling -> production) is voted at a
council meeting held that day, as the governance file asks.
"""

from __future__ import annotations

from datetime import date

from cxsteward.domain.governance.gate_policy import Verdict
from cxsteward.domain.governance.spec import Governance, Lifecycle, Meeting, RoadmapReview
from cxsteward.services.demo.story import Step, Story
from cxsteward.services.demo.timeline import (
    Approval,
    Event,
    Launch,
    Move,
    NewModel,
    Review,
    event_day,
    shift_governance,
    split_governance,
)
from cxsteward.services.governance.actions import (
    approve_template,
    record_meeting,
    record_model_version,
    record_roadmap_review,
    transition_deployment,
)
from cxsteward.services.governance.committee import record_committee_decision
from cxsteward.services.governance.gate import evaluate_gate
from cxsteward.services.governance.setup import apply_governance, current_governance
from cxsteward.services.workspace import Workspace

# Who changes a deployment's model (holds the modify right of the deployments that change).
MODEL_OWNER = "tomasz-wilk"
COMMITTEE_MOVES = {Lifecycle.SCALING: "scale", Lifecycle.PRODUCTION: "production"}


def plan_governance(
    story: Story, ws: Workspace, example: Governance, anchor: date, adopted: date
) -> tuple[Governance, list[int]]:
    """Add the governance steps of the story.

    Returns the example as shifted to the demo, and a list that holds the number of records
    the opening declaration changed once the story has run.
    """
    shifted = shift_governance(example, story.today - anchor)
    opening, events = split_governance(shifted, adopted)
    changes: list[int] = []
    story.on(adopted, 9, lambda: changes.append(len(apply_governance(ws, opening).changes)))
    for event in events:
        if event_day(event) >= story.today:
            continue
        story.on(event_day(event), _hour(event), _step(ws, shifted, event))
    return shifted, changes


def _hour(event: Event) -> float:
    if isinstance(event, Approval):
        return event.at.hour + event.at.minute / 60
    # A launch or a model change in the morning, meetings and reviews after lunch.
    return {Launch: 8, NewModel: 8, Move: 10, Review: 11}.get(type(event), 14)


def _step(ws: Workspace, gov: Governance, event: Event) -> Step:
    def step() -> object:
        if isinstance(event, Launch):
            now = current_governance(ws)
            deployments = [*now.deployments, event.deployment]
            return apply_governance(ws, now.model_copy(update={"deployments": deployments}))
        if isinstance(event, Move):
            return _move(ws, gov, event)
        if isinstance(event, NewModel):
            m = event.model
            return record_model_version(
                ws, event.deployment, m.model, m.version, m.effective_from, MODEL_OWNER
            )
        if isinstance(event, Meeting):
            return record_meeting(ws, event.held_on, event.attendees, event.decisions)
        if isinstance(event, RoadmapReview):
            return record_roadmap_review(ws, event.held_on, event.reviewers, event.notes)
        if isinstance(event, Approval):
            return approve_template(ws, event.template, event.by)
        now = current_governance(ws)
        articles = [
            a.model_copy(update={"last_reviewed": event.on}) if a.key == event.article else a
            for a in now.knowledge_base
        ]
        return apply_governance(ws, now.model_copy(update={"knowledge_base": articles}))

    return step


def _move(ws: Workspace, gov: Governance, event: Move) -> object:
    step = event.step
    move = COMMITTEE_MOVES.get(step.status)
    if move is None or step.by is None:
        return transition_deployment(ws, event.deployment, step.status, step.by, step.reason)
    assert gov.committee is not None
    present = [m.person for m in gov.committee.members][:5]
    record_meeting(
        ws,
        event.on,
        present,
        [f"Move {event.deployment} to {step.status.value}: {step.reason}."],
    )
    # The gate judges the move on the records of that day; where it says no-go (early on,
    # before any monitoring run could judge the pilot), the council goes ahead on the
    # pilot's own report and says so: the override stays on record.
    gate = evaluate_gate(ws, event.deployment, to=step.status, record=False)
    override = gate.verdict is Verdict.NO_GO
    unmet = [
        c.title[:1].lower() + c.title[1:] for c in gate.criteria if c.blocking and c.status != "met"
    ]
    reason = (
        f"{step.reason}. The council goes ahead although the scale gate says no-go "
        f"({'; '.join(unmet)}): it judges on the pilot's own report"
        if override
        else step.reason
    )
    return record_committee_decision(
        ws,
        event.deployment,
        move,
        event.on,
        present,
        len(present),
        0,
        reason,
        step.by,
        override_gate=override,
    )
