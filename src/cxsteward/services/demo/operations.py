"""The demo's operational half: governance applied, contacts loaded, monitored, escalated,
and one web sign-in per role.

It runs the same services a user would, in the order a user would: declare the governance
setup, load a quarter of contacts, declare thresholds and freeze a human baseline, run the
monitor (whose breaches open incidents) and check the governance chain. Nothing is staged:
the gaps it reports are the ones the example organization really has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.resources import as_file, files

from cxsteward.errors import NotPermitted
from cxsteward.services.accounts.users import add_user
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import DEFAULT_START, synthesize
from cxsteward.services.governance.check import CheckOut, check_governance
from cxsteward.services.governance.setup import (
    apply_governance,
    read_governance_file,
    transition_deployment,
)
from cxsteward.services.monitoring.baselines import freeze_baseline
from cxsteward.services.monitoring.run import MonitorOut, run_monitor
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
# Human contacts before the vendor's model switch of 2025-02-15 (see the governance example).
BASELINE = ("humans-before-v2", DEFAULT_START, date(2025, 2, 14))


@dataclass(frozen=True)
class OperationsOut:
    organization: str
    governance_changes: int
    rows_loaded: int
    thresholds: int
    baseline: str
    monitor: MonitorOut
    check: CheckOut
    users: tuple[tuple[str, str], ...]
    # What a person without the right reads when she tries to pause a deployment.
    refusal: str = ""


def run_operations(ws: Workspace, rows: int = DEMO_ROWS, seed: int = 7) -> OperationsOut:
    """Apply the example governance, load synthetic contacts, monitor them, check the chain."""
    examples = files("cxsteward") / "data" / "examples"
    with as_file(examples / "governance.yaml") as path:
        governance = read_governance_file(path)
    plan = apply_governance(ws, governance)
    refusal = _refused_pause(ws)
    contacts = ws.settings.workspace / "demo-contacts.parquet"
    synthesize(contacts, rows, seed=seed)
    loaded = load_data(ws, contacts)
    with as_file(examples / "thresholds.yaml") as path:
        declared = add_thresholds_file(ws, path)
    name, first, last = BASELINE
    freeze_baseline(ws, name, first, last, description="Human contacts before the v2 model switch.")
    monitor = run_monitor(ws)
    people = {p.key: p.name for p in governance.people}
    for username, role in DEMO_USERS:
        add_user(ws, username, DEMO_PASSWORD, role, display_name=people.get(username, "Admin"))
    return OperationsOut(
        organization=governance.organization,
        governance_changes=len(plan.changes),
        rows_loaded=loaded.rows_accepted,
        thresholds=len(declared.added) + len(declared.unchanged),
        baseline=name,
        monitor=monitor,
        check=check_governance(ws),
        users=DEMO_USERS,
        refusal=refusal,
    )


def _refused_pause(ws: Workspace) -> str:
    """The growth director tries to pause the billing voice agent; she holds no right."""
    try:
        transition_deployment(
            ws, "billing-voice", "paused", "amara-mensah", "Callers complain about the new voice"
        )
    except NotPermitted as exc:
        return exc.message
    raise RuntimeError("the demo's governance must not let amara-mensah pause billing-voice")
