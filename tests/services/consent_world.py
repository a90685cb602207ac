"""A small store of hand-made contacts and a governance with two channels, for consent tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cxsteward.config import Settings
from cxsteward.domain.governance.spec import Governance
from cxsteward.services.clock import FixedClock
from cxsteward.services.data.load import load_data
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.workspace import Workspace, init_workspace, open_workspace

NOW = datetime(2026, 4, 1, 12, tzinfo=UTC)
GOVERNANCE = {
    "organization": "Acme",
    "deployments": [
        {
            "key": "chat-bot",
            "name": "Chat bot",
            "function": "support",
            "channels": ["chat", "email"],
            "status": "production",
        },
        {"key": "voice-bot", "name": "Voice", "function": "support", "channels": ["voice"]},
    ],
}


def moment(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


# (id, started, handler, deployment, channel, customer)
CONTACTS: list[tuple[str, datetime, str, str, str, str | None]] = [
    ("i01", moment(1), "ai", "chat-bot", "chat", "c1"),
    ("i02", moment(3), "ai", "chat-bot", "chat", "c1"),
    ("i03", moment(4), "human", "chat-bot", "chat", "c1"),
    ("i04", moment(6), "ai", "chat-bot", "email", "c1"),
    ("i05", moment(9), "ai", "chat-bot", "chat", "c1"),
    ("i06", moment(5), "ai", "chat-bot", "email", "c2"),
    ("i07", moment(7), "ai", "voice-bot", "voice", "c2"),
    ("i08", moment(8), "ai", "chat-bot", "chat", "c3"),
    ("i09", moment(12), "ai", "chat-bot", "chat", "c3"),
    ("i10", moment(2), "ai", "chat-bot", "chat", None),
    ("i11", moment(10), "ai", "voice-bot", "voice", "c4"),
]


def contacts_file(folder: Path) -> Path:
    rows = CONTACTS
    table = pa.table(
        {
            "interaction_id": [r[0] for r in rows],
            "started_at": pa.array([r[1] for r in rows], pa.timestamp("us", tz="UTC")),
            "handler": [r[2] for r in rows],
            "deployment": [r[3] for r in rows],
            "channel": [r[4] for r in rows],
            "customer_id": [r[5] for r in rows],
        }
    )
    path = folder / "contacts.parquet"
    pq.write_table(table, path)
    return path


def consent_world(folder: Path, load: bool = True) -> Workspace:
    """The governance applied and (``load``) the contacts loaded, on a clock at NOW."""
    settings = Settings(workspace=folder / "ws")
    init_workspace(settings).close()
    ws = open_workspace(settings, clock=FixedClock(NOW))
    apply_governance(ws, Governance.model_validate(GOVERNANCE), actor="tests")
    if load:
        load_data(ws, contacts_file(folder))
    return ws


def day_before(at: datetime) -> date:
    return (at - timedelta(days=1)).date()
