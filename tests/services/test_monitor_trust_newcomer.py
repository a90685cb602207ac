"""The newcomer's path on a real export (the Kaggle support tickets): suggest a mapping, load
with it unedited, run the monitor, and find the one channel under the disclosure floor.

The export has no AI in it, so the test adds what a team running a bot would export beside
its tickets: who handled each ticket, and whether the customer was told it was a bot (less
often by e-mail), and leaves the channel empty on some rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cxsteward.config import Settings
from cxsteward.services.data.load import load_data
from cxsteward.services.data.suggest import suggest_mapping
from cxsteward.services.monitoring.run import MonitorOut, run_monitor
from cxsteward.services.monitoring.trust import trust_checks
from cxsteward.services.workspace import Workspace, init_workspace

SOURCE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "kaggle-support-tickets"
    / "customer_support_tickets.csv"
)


@pytest.fixture(scope="module")
def tickets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SOURCE.exists():
        pytest.fail(f"{SOURCE} is missing: the tests need ../shared/data", pytrace=False)
    frame = pd.read_csv(SOURCE)
    rng = np.random.default_rng(14)
    bot = rng.random(len(frame)) < 0.6
    told = rng.random(len(frame)) < np.where(frame["Ticket Channel"] == "Email", 0.85, 0.99)
    frame["Handled By"] = np.where(bot, "bot", "agent")
    frame["AI Disclosed"] = np.where(bot, np.where(told, "yes", "no"), "")
    # A channel column filled on some rows only (never on e-mail ones, whose share is known).
    blank = (rng.random(len(frame)) < 0.15) & (frame["Ticket Channel"] != "Email")
    frame.loc[blank, "Ticket Channel"] = ""
    path = tmp_path_factory.mktemp("newcomer") / "tickets.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def loaded(tickets: Path) -> Iterator[tuple[Workspace, MonitorOut]]:
    folder = tickets.parent
    mapping = folder / "tickets.yaml"
    mapping.write_text(suggest_mapping(tickets), "utf-8")
    ws = init_workspace(Settings(workspace=folder / "ws"))
    load_data(ws, tickets, mapping)
    yield ws, run_monitor(ws)
    ws.close()


def test_the_email_channel_is_the_one_disclosure_finding(
    tickets: Path, loaded: tuple[Workspace, MonitorOut]
) -> None:
    ws, out = loaded
    rows = pd.read_csv(tickets, keep_default_na=False)
    # The load keeps answered tickets (a start time) only.
    bot = rows[(rows["Handled By"] == "bot") & (rows["First Response Time"] != "")]
    channel = bot["Ticket Channel"].replace("", "(missing)")
    told = bot["AI Disclosed"] == "yes"
    checks = {c.channel: c for c in trust_checks(ws).disclosure}
    assert set(checks) == set(channel)  # four channels and the rows without one
    for name, rows_of in told.groupby(channel):
        got = checks[str(name)]
        assert (got.recorded, got.disclosed) == (len(rows_of), int(rows_of.sum()))
        low, high = proportion_confint(int(rows_of.sum()), len(rows_of), method="wilson")
        assert got.ci == pytest.approx((low, high))
        assert got.below is bool(rows_of.mean() < 0.95)
    found = [f for f in out.findings if f.kind == "disclosure"]
    assert [(f.deployment, f.scope) for f in found] == [("default", {"channel": "Email"})]
    assert found[0].n == {"ai": checks["Email"].recorded}
    assert "the Email channel" in found[0].message
