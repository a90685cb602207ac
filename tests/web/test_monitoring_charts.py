"""The deployment page of monitoring: the scorecard heatmap and a trend chart per key metric,
by role, with the figures each chart's table shows checked against the store."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from monitoring_fixtures import (  # noqa: F401 - fixtures
    ROLES,
    ClientFor,
    add_role_users,
    clients,
    monitored_client_fixture,
    monitored_fixture,
    store_files,
)

from cxsteward.config import Settings
from cxsteward.domain.access import Role, allows
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.monitoring.run import MonitorOut
from cxsteward.services.monitoring.scorecard import scorecard
from cxsteward.services.monitoring.trends import DEFAULT_KEY_METRICS
from cxsteward.services.monitoring.trust import trust_checks
from cxsteward.services.workspace import Workspace, init_workspace
from cxsteward.web.deps import Permission

World = tuple[Workspace, MonitorOut]
PAGE = "/monitoring/deployments/support-chat"


@pytest.mark.parametrize("role", [*ROLES, None], ids=[*ROLES, "anonymous"])
def test_the_page_by_role(monitored_client: ClientFor, role: str | None) -> None:
    response = monitored_client(role).get(PAGE, follow_redirects=False)
    if role is None:
        assert response.status_code == 302
        assert response.headers["location"].startswith("/login?next=/monitoring")
    elif allows(Role(role), Permission.MONITORING_VIEW):
        assert response.status_code == 200, response.text[:500]
        assert response.text.count("<svg") == 1 + len(DEFAULT_KEY_METRICS)
    else:
        assert response.status_code == 403
        assert Permission.MONITORING_VIEW.value in response.text


def _figures(page: str) -> dict[str, list[list[str]]]:
    """Each chart's key and the rows of the table that goes with it."""
    found: dict[str, list[list[str]]] = {}
    for figure in re.findall(r'<figure class="chart".*?</figure>', page, re.DOTALL):
        svg = figure[figure.index("<svg") : figure.index("</svg>") + 6]
        root = ET.fromstring(svg)  # each chart is well-formed XML, even inline
        key = root.get("data-chart") or ""
        body = figure.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        found[key] = [
            [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
        ]
    return found


def test_trend_tables_match_the_store(monitored: World, monitored_client: ClientFor) -> None:
    ws, _ = monitored
    page = monitored_client("viewer").get(PAGE).text
    figures = _figures(page)
    assert set(figures) == {
        "scorecard-support-chat",
        *(f"trend-support-chat-{m.replace('_', '-')}" for m in DEFAULT_KEY_METRICS),
    }
    frame = pd.concat([pd.read_parquet(f) for f in store_files(ws)], ignore_index=True)
    part = frame[frame.deployment == "support-chat"].copy()
    day = part.started_at.dt.tz_convert("UTC").dt.date
    part["week"] = [f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in day]
    part["who"] = part.handler.map({"ai": "AI", "human": "Humans"})
    rates = part.groupby(["week", "who"]).escalated.agg(["mean", "count"])
    rows = figures["trend-support-chat-escalation-rate"]
    weekly = [r for r in rows if r[0].startswith("20") and "-W" in r[0]]
    assert len(weekly) == len(rates)
    for week, who, value, _, n in weekly:
        mean, count = rates.loc[(week, who)]
        assert value == f"{mean * 100:.1f}%" and n == str(int(count))
    # The frozen baseline and the absolute ceiling are named in the table too.
    assert any(r[1] == "Baseline pre-launch (human)" for r in rows)
    assert ["every week", "escalation-ceiling (sev3)", "25.0%", "—", "—"] in rows


def test_the_heatmap_shows_every_cell_of_the_scorecard(
    monitored: World, monitored_client: ClientFor
) -> None:
    ws, _ = monitored
    card = scorecard(ws, "support-chat")
    page = monitored_client("analyst").get(PAGE).text
    rows = _figures(page)["scorecard-support-chat"]
    words = {
        "better": "AI better",
        "worse": "AI worse",
        "level": "level",
        "too_few": "too few contacts",
    }
    expected = sorted(
        (c.segment, c.metric.replace("_", " ").capitalize(), words[c.verdict], c.label)
        for c in card.cells
    )
    assert sorted(tuple(r) for r in rows) == expected
    assert f"From run {card.run_id}" in page


def test_the_run_page_links_each_deployment(monitored_client: ClientFor) -> None:
    page = monitored_client("committee").get("/monitoring/runs/1").text
    for name in ("support-chat", "billing-voice"):
        assert f'href="/monitoring/deployments/{name}"' in page


def test_an_unknown_deployment_is_404(monitored_client: ClientFor) -> None:
    response = monitored_client("admin").get("/monitoring/deployments/nowhere")
    assert response.status_code == 404
    assert "No contacts of deployment" in html.unescape(response.text)


def test_before_any_run_the_page_says_how_to_fill_the_scorecard(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("unmonitored")
    synthesize(folder / "contacts.parquet", 3_000, seed=3)
    ws = init_workspace(Settings(workspace=folder / "ws"))
    try:
        load_data(ws, folder / "contacts.parquet")
        add_role_users(ws)
        for client_for in clients(ws.settings, ws):
            page = client_for("viewer").get(PAGE)
            assert page.status_code == 200
            assert "No monitoring run has compared the AI with humans" in page.text
            # The trends need no run: they read the store.
            assert page.text.count("<svg") == len(DEFAULT_KEY_METRICS)
    finally:
        ws.close()


def test_the_page_shows_disclosure_per_channel_and_what_differs(
    monitored: World, monitored_client: ClientFor
) -> None:
    ws, _ = monitored
    page = html.unescape(monitored_client("viewer").get(PAGE).text)
    checks = trust_checks(ws, "support-chat")
    frame = pd.concat([pd.read_parquet(f) for f in store_files(ws)], ignore_index=True)
    ai = frame[(frame.deployment == "support-chat") & (frame.handler == "ai")]
    shares = ai.groupby("channel").ai_disclosed.mean()
    assert {c.channel for c in checks.disclosure} == set(shares.index)
    for c in checks.disclosure:
        assert c.share == pytest.approx(shares[c.channel], rel=1e-12)
        assert f"{c.share * 100:.1f}%" in page
    # Planted: email at 90% against the floor of 95% (the default scale gate).
    assert "below the floor" in page
    # No governance declares a promise here: the page says how to declare one.
    assert not checks.promises and "Promises to customers" in page
    card = scorecard(ws, "support-chat")
    clear = [c for c in card.cells if c.verdict in ("better", "worse")]
    assert clear and all(c.sentence in page for c in clear)
