"""The demo's data side: contacts exported and loaded month by month, the human baseline
frozen before the first launch, and the monitor run every second export by an analyst who reads
each run (new breaches acknowledged, a suspicion that more data did not confirm resolved).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from cxsteward.domain.incidents import IncidentSource, IncidentStatus
from cxsteward.services.data.load import load_data
from cxsteward.services.demo.adoption import take_up_adoption
from cxsteward.services.demo.contacts import write_batch, write_contacts
from cxsteward.services.demo.story import Step, Story
from cxsteward.services.incidents.lifecycle import list_incidents, set_incident_status
from cxsteward.services.monitoring.baselines import freeze_baseline
from cxsteward.services.monitoring.run import MonitorOut, run_monitor
from cxsteward.services.workspace import Workspace

LOAD_EVERY = 28  # days between two exports
# The monitor runs every second export over the eight weeks since the previous run (a run
# costs seconds whatever the rows, so the demo stays quick); today's run reads it all.
RUN_DAYS = 2 * LOAD_EVERY
BASELINE = "humans-before-launch"
TRIAGE = "ines-duarte"  # the analyst who reads each monitoring run
CLOSED = frozenset({IncidentStatus.RESOLVED, IncidentStatus.CLOSED})


@dataclass
class DataPlan:
    """The days of the data story, and what its steps leave behind."""

    start: date  # the first day of contacts
    frozen: date  # the human baseline of every deployment, before the first go-live
    sales_launch: date
    rows: int = 0
    runs: int = 0
    monitor: MonitorOut | None = None


def plan_data(
    story: Story, ws: Workspace, plan: DataPlan, rows: int, seed: int, switch_on: date
) -> None:
    """Write the contacts now; add their exports, baselines and monitor runs to the story."""
    contacts = write_contacts(
        ws.settings.workspace, rows, seed, plan.start, story.today, switch_on, plan.sales_launch
    )
    monthly = range(0, (story.today - plan.frozen).days, LOAD_EVERY)
    loads = [plan.frozen + timedelta(days=k) for k in monthly]
    previous = plan.start
    for day in loads:
        story.on(day, 7, _load(ws, plan, contacts, previous, day))
        if day > plan.frozen and (day - plan.frozen).days % RUN_DAYS == 0:
            story.on(day, 7.5, _run(ws, plan, day, day - timedelta(days=RUN_DAYS)))
        previous = day
    story.finally_(_load(ws, plan, contacts, previous, story.today))
    story.finally_(_run(ws, plan, story.today, None))
    description = "Human contacts of every deployment before the first one went live at scale."
    last = plan.frozen - timedelta(days=1)
    story.on(
        plan.frozen,
        10,
        partial(freeze_baseline, ws, BASELINE, plan.start, last, description=description),
    )


def _load(ws: Workspace, plan: DataPlan, contacts: Path, first: date, end: date) -> Step:
    def step() -> None:
        path = ws.settings.workspace / f"demo-export-{end:%Y-%m-%d}.parquet"
        if write_batch(contacts, first, end, path):
            plan.rows += load_data(ws, path).rows_accepted

    return step


def _run(ws: Workspace, plan: DataPlan, day: date, since: date | None) -> Step:
    def step() -> None:
        plan.monitor = run_monitor(ws, date_from=since, today=day)
        plan.runs += 1
        _triage(ws, plan.monitor)
        take_up_adoption(ws, plan.monitor, TRIAGE)

    return step


def _triage(ws: Workspace, run: MonitorOut) -> None:
    """New breaches are acknowledged; a breach the run no longer shows is resolved."""
    breaches = {f.key for f in run.findings if f.kind == "threshold_breach"}
    for incident in list_incidents(ws):
        if incident.source is not IncidentSource.FINDING or incident.status in CLOSED:
            continue
        if incident.status is IncidentStatus.OPEN:
            note = "Seen in the run." if incident.key in breaches else "Looking into it."
            set_incident_status(ws, incident.id, "acknowledged", TRIAGE, note)
        if incident.key not in breaches:
            note = f"Not seen again in run {run.run_id}."
            set_incident_status(ws, incident.id, "resolved", TRIAGE, note)
