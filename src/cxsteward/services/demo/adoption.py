"""The demo's staff adoption: the analyst who reads each monitoring run takes up each
deployment's adoption findings with an incident, as PPL-10 asks (docs/adoption.md). The data
carries the assistant's suggestions (the synthetic ``ai_assisted``), so the adoption page
shows team t5 overriding the assistant far more than the other teams."""

from __future__ import annotations

from cxsteward.domain.incidents import IncidentSource
from cxsteward.services.incidents.lifecycle import list_incidents, open_incident
from cxsteward.services.monitoring.run import MonitorOut
from cxsteward.services.workspace import Workspace

METRICS = ("override_rate", "assist_rate")


def take_up_adoption(ws: Workspace, run: MonitorOut, by: str) -> None:
    """An incident for each deployment with a team-level adoption finding and none yet."""
    taken = {i.deployment for i in list_incidents(ws) if i.metric in METRICS}
    for finding in run.findings:
        if finding.kind != "adoption" or "agent" in finding.scope:
            continue
        if finding.deployment in taken:
            continue
        open_incident(
            ws,
            f"Team {finding.scope['team']}: the AI assistant is overridden far more than elsewhere",
            finding.deployment,
            "sev4",
            by,
            metric=finding.metric,
            description=f"{finding.message} Talk with the team lead: training, or a "
            "suggestion the team has good reasons to distrust?",
            source=IncidentSource.MANUAL.value,
        )
        taken.add(finding.deployment)
