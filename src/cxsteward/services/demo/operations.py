"""The demo's operational half, lived over eight months on the demo's own clock.

It runs the same services a user would, each on the day it happened in the story (see
``story``): the governance declared on the adoption day, contacts exported and loaded month
by month, a human baseline frozen and thresholds declared before the first go-live, the
monitor run as the data grows (its breaches open incidents), lifecycle moves voted by the
council, customers' review requests and frontline flags handled (or not), and the chain
checked today. Nothing is staged: the gaps it reports are the ones the example organization
really has (docs/demo.md, "The story").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from importlib.resources import as_file, files

from cxsteward.errors import NotPermitted
from cxsteward.services.accounts.users import add_user
from cxsteward.services.demo.consent import plan_consent
from cxsteward.services.demo.monitoring import BASELINE, DataPlan, plan_data
from cxsteward.services.demo.people import plan_people
from cxsteward.services.demo.registry import plan_governance
from cxsteward.services.demo.sentiment import plan_sentiment
from cxsteward.services.demo.story import Story
from cxsteward.services.demo.timeline import ANCHOR
from cxsteward.services.demo.training import plan_training
from cxsteward.services.governance.check import CheckOut, check_governance
from cxsteward.services.governance.setup import read_governance_file, transition_deployment
from cxsteward.services.incidents.lifecycle import list_incidents
from cxsteward.services.monitoring.run import MonitorOut
from cxsteward.services.monitoring.thresholds import add_thresholds_file
from cxsteward.services.workspace import Workspace

DEMO_ROWS = 120_000
# Web sign-ins of the demo, one per role. A user acts as the registry person whose key is
# their username, so these people's decision rights apply in the web app.
DEMO_PASSWORD = "kestrel-demo"
DEMO_USERS: tuple[tuple[str, str], ...] = (
    ("admin", "admin"),
    ("dev-raman", "committee"),
    ("lena-fischer", "committee"),
    ("ines-duarte", "analyst"),
    ("marco-ricci", "frontline"),
    ("amara-mensah", "viewer"),
)
# Days before the first go-live: the company adopts cxsteward three weeks before it, exports
# contacts from the next day, freezes the human baseline and declares its thresholds in the
# last days before customers meet the AI at scale.
ADOPTED, DATA, FROZEN, DECLARED = 21, 20, 2, 1
OPEN = frozenset({"open", "acknowledged", "mitigating"})


@dataclass(frozen=True)
class OperationsOut:
    organization: str
    governance_changes: int
    rows_loaded: int
    thresholds: int
    baseline: str
    monitor: MonitorOut  # today's run
    check: CheckOut
    users: tuple[tuple[str, str], ...]
    # What a person without the right reads when she tries to pause a deployment.
    refusal: str
    adopted: date  # the day the governance was first declared
    first_contact: date
    runs: int
    incidents: int
    open_incidents: int


def run_operations(
    story: Story, ws: Workspace, rows: int = DEMO_ROWS, seed: int = 7
) -> OperationsOut:
    """Live the company's story up to the demo's now, then check the chain."""
    examples = files("cxsteward") / "data" / "examples"
    with as_file(examples / "governance.yaml") as path:
        example = read_governance_file(path)
    first_live = story.today - ANCHOR + min(d.go_live for d in example.deployments if d.go_live)
    adopted = first_live - timedelta(days=ADOPTED)
    gov, changes = plan_governance(story, ws, example, ANCHOR, adopted)
    people = {p.key: p.name for p in gov.people}
    for username, role in DEMO_USERS:
        name = people.get(username, "Admin")
        story.on(adopted, 9.5, partial(add_user, ws, username, DEMO_PASSWORD, role, name))
    sales, support = gov.deployment("sales-assistant"), gov.deployment("support-chat")
    assert sales is not None and sales.go_live is not None and support is not None
    data = DataPlan(
        start=first_live - timedelta(days=DATA),
        frozen=first_live - timedelta(days=FROZEN),
        sales_launch=sales.go_live,
    )
    switch_on = max(m.effective_from for m in support.models)
    plan_data(story, ws, data, rows, seed, switch_on)
    plan_consent(story, ws, data, adopted, seed)
    declared: list[int] = []
    story.on(first_live - timedelta(days=DECLARED), 9, lambda: declared.append(_declare(ws)))
    plan_sentiment(story, ws, first_live - timedelta(days=DECLARED), declared)
    refusal: list[str] = []
    story.on(story.day(8), 16, lambda: refusal.append(_refused_pause(ws)))
    plan_people(story, ws)
    plan_training(story, ws)
    story.run(ws)
    assert data.monitor is not None
    incidents = list_incidents(ws)
    return OperationsOut(
        organization=gov.organization,
        governance_changes=sum(changes),
        rows_loaded=data.rows,
        thresholds=sum(declared),
        baseline=BASELINE,
        monitor=data.monitor,
        check=check_governance(ws),
        users=DEMO_USERS,
        refusal=refusal[0],
        adopted=adopted,
        first_contact=data.start,
        runs=data.runs,
        incidents=len(incidents),
        open_incidents=sum(i.status.value in OPEN for i in incidents),
    )


def _declare(ws: Workspace) -> int:
    examples = files("cxsteward") / "data" / "examples"
    with as_file(examples / "thresholds.yaml") as path:
        declared = add_thresholds_file(ws, path)
    return len(declared.added) + len(declared.unchanged)


def _refused_pause(ws: Workspace) -> str:
    """The growth director tries to pause the billing voice agent; she holds no right."""
    try:
        transition_deployment(
            ws, "billing-voice", "paused", "amara-mensah", "Callers complain about the new voice"
        )
    except NotPermitted as exc:
        return exc.message
    raise RuntimeError("the demo's governance must not let amara-mensah pause billing-voice")
