"""A workspace for the scale gate and the committee pack, built on a fixed clock.

The example governance, 30,000 synthetic contacts (1 January to 31 March 2025, the planted
billing complaint gap included), the example thresholds, a frozen human baseline and one
monitoring run; then, over April, review requests and frontline flags with known timing,
so that each figure the gate reads can be worked out by hand here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

from cxsteward.config import Settings
from cxsteward.services.clock import FixedClock
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.governance.setup import apply_governance, read_governance_file
from cxsteward.services.monitoring.baselines import freeze_baseline
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.monitoring.thresholds import add_thresholds_file
from cxsteward.services.people.feedback import submit_feedback, triage_feedback
from cxsteward.services.trust.reviews import (
    resolve_review,
    start_review,
    submit_review_request,
)
from cxsteward.services.workspace import Workspace, init_workspace, open_workspace

EXAMPLES = Path(__file__).parents[2] / "examples"
ROWS = 30_000
# The world's today: ten days after the newest contact.
TODAY = date(2025, 4, 10)
START = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class PackWorld:
    settings: Settings
    contacts: Path

    def open(self, at: datetime | None = None) -> Workspace:
        """The workspace on a clock standing at ``at`` (default: noon of TODAY)."""
        moment = at or datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(hours=12)
        return open_workspace(self.settings, clock=FixedClock(moment))

    def frame(self) -> pd.DataFrame:
        """The contacts as loaded, read independently of the product's engine."""
        frame = pd.read_parquet(self.contacts)
        frame["day"] = pd.to_datetime(frame["started_at"], utc=True).dt.date
        return frame


def build_pack_world(folder: Path) -> PackWorld:
    settings = Settings(workspace=folder / "ws")
    clock = FixedClock(START)
    ws = init_workspace(settings, clock=clock)
    try:
        apply_governance(ws, read_governance_file(EXAMPLES / "governance.yaml"))
        contacts = folder / "contacts.parquet"
        synthesize(contacts, ROWS, seed=11)
        load_data(ws, contacts)
        add_thresholds_file(ws, EXAMPLES / "thresholds.yaml")
        freeze_baseline(ws, "humans-q1", date(2025, 1, 1), date(2025, 2, 14))
        run_monitor(ws)
        _trust_records(ws, clock)
    finally:
        ws.close()
    return PackWorld(settings, contacts)


def _trust_records(ws: Workspace, clock: FixedClock) -> None:
    """Three review requests of billing-voice (SLA 72 h) and three frontline flags.

    Review 1 is resolved after 24 h (in time), review 2 after 100 h (late), review 3 is
    still open and was due on 5 April: by 10 April three are due and one was in time.
    Flag 1 is triaged; flag 2 (2 April) waits 8 days by 10 April; flag 3 (8 April) waits 2.
    """
    first = submit_review_request(ws, "billing-voice", "Charged twice.", "a@example.com")
    clock.advance(timedelta(hours=1))
    second = submit_review_request(ws, "billing-voice", "Refund refused.", "b@example.com")
    clock.advance(timedelta(hours=1))
    submit_review_request(ws, "billing-voice", "Wrong tariff.", "c@example.com")
    clock.advance(timedelta(hours=22))  # 2 April 09:00
    start_review(ws, first.id, "dev-raman")
    resolve_review(ws, first.id, "changed", "We refunded the charge.", "dev-raman")
    flag = submit_feedback(
        ws, "billing-voice", "wrong_answer", "Quoted an old tariff.", by="marco-ricci"
    )
    late_flag_at = clock.now()
    submit_feedback(ws, "billing-voice", "tone", "Curt with an upset caller.", by="marco-ricci")
    clock.advance(timedelta(hours=75))  # 5 April 12:00
    start_review(ws, second.id, "dev-raman")
    resolve_review(ws, second.id, "explained", "The refund rule is explained.", "dev-raman")
    triage_feedback(ws, flag.id, "sev3", "dev-raman")
    clock.advance(timedelta(days=3))  # 8 April 12:00
    submit_feedback(ws, "billing-voice", "other", "The bot repeats itself.", by="marco-ricci")
    assert late_flag_at.date() == date(2025, 4, 2)
