"""The scale gate on real records: each fact it reads against a computation of its own, the
verdict the same from the service, the CLI and the API, and every evaluation kept (issue 13)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pack_world import TODAY, PackWorld, build_pack_world
from typer.testing import CliRunner
from web_helpers import BASE_URL, TestClient

from cxsteward.cli import common
from cxsteward.cli.app import app
from cxsteward.config import Settings
from cxsteward.domain.governance.gate import GateFacts
from cxsteward.domain.governance.gate_policy import DEFAULTS, Criterion, Verdict
from cxsteward.domain.governance.spec import Lifecycle
from cxsteward.registry.tables_incidents import IncidentRecord
from cxsteward.registry.tables_monitor import FindingRecord
from cxsteward.services.accounts.api_tokens import create_token
from cxsteward.services.accounts.users import add_user
from cxsteward.services.governance.gate import evaluate_gate, gate_history
from cxsteward.services.governance.gate_facts import gather, shared_facts
from cxsteward.services.governance.store import current_governance
from cxsteward.services.workspace import Workspace
from cxsteward.web.app import create_app


@pytest.fixture(scope="module")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> PackWorld:
    return build_pack_world(tmp_path_factory.mktemp("gate-world"))


@pytest.fixture
def world(world_template: PackWorld, tmp_path: Path) -> PackWorld:
    target = tmp_path / "ws"
    shutil.copytree(world_template.settings.workspace, target)
    return PackWorld(Settings(workspace=target), world_template.contacts)


@pytest.fixture
def ws(world: PackWorld) -> Iterator[Workspace]:
    opened = world.open()
    yield opened
    opened.close()


def _facts(ws: Workspace, key: str = "billing-voice") -> GateFacts:
    gov = current_governance(ws)
    dep = gov.deployment(key)
    assert dep is not None
    return gather(ws, gov, dep, Lifecycle.PRODUCTION, DEFAULTS, shared_facts(ws, TODAY))


def test_disclosure_and_freshness_match_the_contacts(ws: Workspace, world: PackWorld) -> None:
    facts = _facts(ws)
    frame = world.frame()
    mine = frame[frame["deployment"] == "billing-voice"]
    newest = max(mine["day"])
    assert facts.newest_contact == newest
    since = newest - timedelta(days=29)
    ai = mine[(mine["handler"] == "ai") & (mine["day"] >= since)]
    expected = {
        channel: (
            len(rows),
            int(rows["ai_disclosed"].notna().sum()),
            int(rows["ai_disclosed"].fillna(False).astype(bool).sum()),
        )
        for channel, rows in ai.groupby("channel")
    }
    got = {c.channel: (c.ai_contacts, c.recorded, c.disclosed) for c in facts.disclosure}
    assert got == expected
    gate = evaluate_gate(ws, "billing-voice", record=False)
    [freshness] = [c for c in gate.criteria if c.criterion is Criterion.FRESHNESS]
    assert freshness.status == "met"  # 10 days old, the limit is 14
    assert f"{(TODAY - newest).days} days old" in freshness.evidence


def test_the_ai_gap_is_the_ratio_the_contacts_give(ws: Workspace, world: PackWorld) -> None:
    facts = _facts(ws)
    frame = world.frame()
    with ws.transaction() as session:
        findings = {f.id: f for f in session.query(FindingRecord)}
    billing = [
        g
        for g in facts.gaps
        if g.metric == "complaint_rate" and g.segment == "inquiry_type=billing"
    ]
    assert billing, [(g.metric, g.segment) for g in facts.gaps]
    [gap] = billing
    window = findings[gap.finding].body["windows"]
    first, last = date.fromisoformat(window["from"]), date.fromisoformat(window["to"])
    rows = frame[
        (frame["deployment"] == "billing-voice")
        & (frame["inquiry_type"] == "billing")
        & (frame["day"] >= first)
        & (frame["day"] <= last)
    ]
    ai = rows[rows["handler"] == "ai"]["complaint"].astype(float).mean()
    human = rows[rows["handler"] == "human"]["complaint"].astype(float).mean()
    assert gap.ai == pytest.approx(ai, rel=1e-9)
    assert gap.human == pytest.approx(human, rel=1e-9)
    assert gap.worse_by == pytest.approx(ai / human - 1, rel=1e-9)
    # The planted gap is far past the 10% tolerance: the criterion fails and names it.
    gate = evaluate_gate(ws, "billing-voice", record=False)
    [ai_gap] = [c for c in gate.criteria if c.criterion is Criterion.AI_GAP]
    assert ai_gap.status == "not_met"
    assert any(f"finding {gap.finding}" in d for d in ai_gap.details)


def test_reviews_flags_and_incidents_counted_by_hand(ws: Workspace) -> None:
    facts = _facts(ws)
    # pack_world: three requests due by 10 April, one answered in time.
    assert (facts.reviews_due, facts.reviews_in_time) == (3, 1)
    assert [f.submitted.isoformat() for f in facts.untriaged] == ["2025-04-02", "2025-04-08"]
    with ws.transaction() as session:
        serious = [
            r.id
            for r in session.query(IncidentRecord)
            if r.deployment == "billing-voice"
            and r.severity in ("sev1", "sev2")
            and r.resolved_at is None
            and r.closed_at is None
        ]
    assert sorted(i.id for i in facts.open_incidents if i.severity in ("sev1", "sev2")) == sorted(
        serious
    )
    gate = evaluate_gate(ws, "billing-voice", record=False)
    by = {c.criterion: c for c in gate.criteria}
    assert by[Criterion.REVIEW_SLA].status == "not_met"
    assert "1 of 3 review requests" in by[Criterion.REVIEW_SLA].evidence
    assert by[Criterion.FLAGS].status == "not_met"  # the 2 April flag waited 8 days
    assert by[Criterion.FLAGS].details == ["flag 2 (tone) since 2025-04-02"]


def test_as_of_a_past_day_leaves_out_what_came_after(ws: Workspace) -> None:
    early = evaluate_gate(ws, "billing-voice", as_of=TODAY - timedelta(days=9), record=False)
    by = {c.criterion: c for c in early.criteria}
    # On 1 April no review request was due yet and no flag was old.
    assert by[Criterion.REVIEW_SLA].status == "met"
    assert by[Criterion.FLAGS].status == "met"
    assert early.as_of == TODAY - timedelta(days=9)


def test_every_evaluation_is_kept_and_read_back_the_same(ws: Workspace) -> None:
    first = evaluate_gate(ws, "billing-voice", by="dev-raman")
    second = evaluate_gate(ws, "billing-voice", to="production")
    assert first.id is not None and second.id == first.id + 1
    history = gate_history(ws, "billing-voice")
    assert [h.id for h in history] == [second.id, first.id]
    assert history[0].unmet == sum(c.status != "met" for c in second.criteria)
    assert first.verdict is Verdict.NO_GO and first.reasons


def test_cli_exit_code_and_json_match_the_api(
    world: PackWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock_ws = world.open()
    clock = clock_ws.clock
    try:
        add_user(clock_ws, "viewer", "pw-viewer-0123456789", "viewer")
        token = create_token(clock_ws, "viewer", "tests").token
    finally:
        clock_ws.close()
    monkeypatch.setattr(common, "open_workspace", lambda s: world.open())
    runner = CliRunner()
    base = ["--workspace", str(world.settings.workspace), "gate", "billing-voice"]
    result = runner.invoke(app, [*base, "--json"])
    assert result.exit_code == 2, result.output  # no-go: a pipeline stops here
    printed = json.loads(result.stdout)
    assert printed["verdict"] == "no_go" and printed["id"] == 1
    shown = runner.invoke(app, [*base, "--show", "1", "--json"])
    assert shown.exit_code == 2
    with TestClient(create_app(world.settings, clock=clock), base_url=BASE_URL) as client:
        headers = {"Authorization": f"Bearer {token}"}
        sent = client.get("/api/v1/registry/gate-evaluations/1", headers=headers)
        assert sent.status_code == 200
        assert shown.stdout.encode("utf-8") == sent.content
        made = client.post(
            "/api/v1/registry/deployments/billing-voice/gate", headers=headers, json={}
        )
        assert made.status_code == 201 and made.json()["id"] == 2
        listed = client.get("/api/v1/registry/deployments/billing-voice/gate", headers=headers)
        assert [h["id"] for h in listed.json()] == [2, 1]
        bad = client.post(
            "/api/v1/registry/deployments/billing-voice/gate",
            headers=headers,
            json={"to": "retired"},
        )
        assert bad.status_code == 422
        missing = client.get("/api/v1/registry/gate-evaluations/99", headers=headers)
        assert missing.status_code == 404
    human = runner.invoke(app, [*base, "--no-record"])
    assert human.exit_code == 2 and "NO-GO" in human.stdout and "NOT MET" in human.stdout
