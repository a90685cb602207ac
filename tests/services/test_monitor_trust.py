"""Customer-trust checks of a monitoring run: disclosure per channel and the vulnerable path,
on synthetic contacts with both planted, each figure recomputed with pandas and statsmodels."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cxsteward.config import Settings
from cxsteward.errors import NotFound
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.governance.reading import read_governance_file
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.monitoring.rows import rows_page
from cxsteward.services.monitoring.run import MonitorOut, run_monitor
from cxsteward.services.monitoring.runs import finding_rows, run_findings
from cxsteward.services.monitoring.scorecard import scorecard
from cxsteward.services.monitoring.trust import trust_checks
from cxsteward.services.workspace import Workspace, init_workspace

EXAMPLE = Path(__file__).parents[2] / "examples" / "governance.yaml"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, pd.DataFrame]]:
    folder = tmp_path_factory.mktemp("trust")
    data = folder / "contacts.parquet"
    synthesize(data, 120_000, seed=21)
    ws = init_workspace(Settings(workspace=folder / "ws"))
    load_data(ws, data)
    apply_governance(ws, read_governance_file(EXAMPLE))
    yield ws, pd.read_parquet(data)
    ws.close()


@pytest.fixture(scope="module")
def run(world: tuple[Workspace, pd.DataFrame]) -> MonitorOut:
    return run_monitor(world[0])


def wilson(successes: int, n: int) -> tuple[float, float]:
    low, high = proportion_confint(successes, n, alpha=0.05, method="wilson")
    return float(low), float(high)


def test_the_email_channel_under_the_floor_is_a_finding(
    world: tuple[Workspace, pd.DataFrame], run: MonitorOut
) -> None:
    _, rows = world
    found = [f for f in run.findings if f.kind == "disclosure"]
    # Planted: email at 90% in support-chat; chat (98.5%) and voice (98.5%, floor 98%) pass.
    assert [(f.deployment, f.scope) for f in found] == [("support-chat", {"channel": "email"})]
    email = rows[(rows.deployment == "support-chat") & (rows.handler == "ai")]
    email = email[email.channel == "email"].ai_disclosed.dropna().astype(bool)
    finding = found[0]
    assert finding.n == {"ai": len(email)}
    assert finding.estimate["ai"] == pytest.approx(email.mean(), rel=1e-12)
    assert finding.estimate["floor"] == 0.95
    assert finding.ci == pytest.approx(wilson(int(email.sum()), len(email)))
    assert finding.status == "confirmed"
    assert "the email channel" in finding.message and "floor of 95%" in finding.message
    checks = trust_checks(world[0], "billing-voice")
    voice = {d.channel: d for d in checks.disclosure}
    assert set(voice) == {"voice"} and voice["voice"].floor == 0.98
    assert voice["voice"].below is False


def test_the_broken_promise_is_found_and_the_kept_one_is_not(
    world: tuple[Workspace, pd.DataFrame], run: MonitorOut
) -> None:
    _, rows = world
    found = {(f.deployment, f.metric): f for f in run.findings if f.kind == "vulnerable"}
    assert set(found) == {
        ("billing-voice", "human_in_time_rate"),
        ("billing-voice", "ai_alone_rate"),
    }
    for deployment in ("support-chat", "billing-voice"):
        mine = rows[
            (rows.deployment == deployment) & (rows.handler == "ai") & (rows.vulnerable == "yes")
        ]
        alone = ~mine.escalated.astype(bool) & ~mine.offered_human.astype(bool)
        in_time = mine.time_to_human_s <= 60
        promise = trust_checks(world[0], deployment).promises[0]
        parts = {p.part: p for p in promise.parts}
        assert promise.contacts == len(mine)
        assert promise.median_time_to_human_s == pytest.approx(mine.time_to_human_s.median())
        assert parts["ai_alone"].share == pytest.approx(alone.mean(), rel=1e-12)
        assert parts["within"].share == pytest.approx(in_time.mean(), rel=1e-12)
        assert parts["within"].ci == pytest.approx(wilson(int(in_time.sum()), len(mine)))
        kept = deployment == "support-chat"
        assert parts["ai_alone"].kept is kept and parts["within"].kept is kept
    alone_finding = found[("billing-voice", "ai_alone_rate")]
    assert alone_finding.scope == {"vulnerable": "yes"}
    assert alone_finding.estimate["ceiling"] == 0.05
    assert alone_finding.status == "confirmed"
    assert "breaks its promise to vulnerable customers (vulnerable=yes)" in alone_finding.message


def test_the_rows_behind_a_trust_finding_number_its_n(
    world: tuple[Workspace, pd.DataFrame], run: MonitorOut
) -> None:
    ws, _ = world
    for f in run_findings(ws, run.run_id):
        if f.kind in ("disclosure", "vulnerable"):
            assert rows_page(ws, finding_rows(f, None)).total == f.n["ai"], f.message


def test_the_run_stores_its_trust_checks(
    world: tuple[Workspace, pd.DataFrame], run: MonitorOut
) -> None:
    stored = json.loads((run.artifacts / "trust.json").read_text("utf-8"))
    assert stored["run_id"] == run.run_id
    assert {p["deployment"] for p in stored["promises"]} == {"support-chat", "billing-voice"}
    with pytest.raises(NotFound, match="No monitoring run measured"):
        trust_checks(world[0], "no-such-deployment")


def test_the_scorecard_says_the_ai_escalates_vulnerable_customers_less(
    world: tuple[Workspace, pd.DataFrame], run: MonitorOut
) -> None:
    ws, rows = world
    card = scorecard(ws, "billing-voice")
    cell = next(
        c for c in card.cells if c.metric == "escalation_rate" and c.segment == "vulnerable=yes"
    )
    mine = rows[(rows.deployment == "billing-voice") & (rows.vulnerable == "yes")]
    rates = mine.groupby("handler").escalated.mean()
    points = abs(rates["ai"] - rates["human"]) * 100
    amount = f"{points:.0f}" if points >= 9.5 else f"{points:.1f}"
    assert cell.sentence == (
        f"For vulnerable customers the AI escalates {amount} points less often than humans "
        f"({rates['ai']:.1%} vs {rates['human']:.1%})."
    )


def test_the_loader_checks_the_human_path_fields(tmp_path: Path) -> None:
    source = tmp_path / "x.csv"
    source.write_text(
        "interaction_id,started_at,handler,offered_human,time_to_human_s\n"
        "1,2026-01-01T10:00:00Z,ai,yes,30\n"
        "2,2026-01-01T11:00:00Z,ai,no,-4\n"  # a negative wait
        "3,2026-01-01T12:00:00Z,ai,maybe,\n",  # not a boolean
        "utf-8",
    )
    ws = init_workspace(Settings(workspace=tmp_path / "ws"))
    try:
        out = load_data(ws, source)
        assert (out.rows_accepted, out.rows_quarantined) == (1, 2)
    finally:
        ws.close()
