"""The overview: who sees which figures, empty states, and figures that match the registry."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable

import pytest
from monitoring_fixtures import (  # noqa: F401 - fixtures
    ROLES,
    ClientFor,
    monitored_client_fixture,
    monitored_fixture,
)
from web_helpers import TestClient

from cxsteward.domain.access import Role, allows
from cxsteward.domain.governance.spec import Governance
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.monitoring.run import MonitorOut
from cxsteward.services.workspace import Workspace
from cxsteward.web.deps import Permission

SECTIONS = {
    "overview-behind": Permission.MONITORING_VIEW,
    "overview-readiness": Permission.ASSESSMENT_VIEW_REPORT,
    "overview-incidents": Permission.INCIDENT_VIEW,
    "overview-monitoring": Permission.MONITORING_VIEW,
    "overview-reviews": Permission.REVIEW_QUEUE,
    "overview-feedback": Permission.FEEDBACK_VIEW,
}


@pytest.mark.parametrize("role", [*ROLES, None], ids=lambda r: r or "anonymous")
def test_overview_by_role(
    client_for: Callable[[str], TestClient], anon_client: TestClient, role: str | None
) -> None:
    client = anon_client if role is None else client_for(role)
    response = client.get("/", follow_redirects=False)
    if role is None:
        assert response.status_code == 302
        assert response.headers["location"] == "/login?next=/"
        return
    assert response.status_code == 200
    for testid, permission in SECTIONS.items():
        shown = f'data-testid="{testid}"' in response.text
        assert shown == allows(Role(role), permission), testid


def test_empty_states_say_what_to_do(client_for: Callable[[str], TestClient]) -> None:
    page = html.unescape(client_for("admin").get("/").text)
    assert "No monitoring run yet: load interaction data and run cxsteward monitor run" in (
        page.replace("<code>", "").replace("</code>", "")
    )
    assert "No assessment yet" in page
    assert "No open incident." in page
    for link in ("/assessment", "/incidents", "/monitoring", "/reviews", "/feedback"):
        assert f'href="{link}"' in page


def test_figures_match_the_run(
    monitored: tuple[Workspace, MonitorOut], monitored_client: ClientFor
) -> None:
    _, out = monitored
    page = monitored_client("committee").get("/").text
    monitoring = page.split('data-testid="overview-monitoring"', 1)[1].split("</section>", 1)[0]
    stored = json.loads((out.artifacts / "evaluations.json").read_text("utf-8"))
    for deployment in sorted({e["deployment"] for e in stored}):
        counts = Counter(e["status"] for e in stored if e["deployment"] == deployment)
        words = (
            f"{counts['confirmed']} confirmed, {counts['suspected']} suspected, "
            f"{counts['ok']} ok, {counts['insufficient']} insufficient"
        )
        assert words in monitoring, deployment
    assert f'href="/monitoring/runs/{out.run_id}"' in monitoring
    incidents = page.split('data-testid="overview-incidents"', 1)[1].split("</section>", 1)[0]
    breaches = [f for f in out.findings if f.kind == "threshold_breach"]
    sev2 = sum(f.severity == "sev2" for f in breaches)
    assert f"sev2: {sev2}" in incidents
    assert f'<p class="figure__value">{len(breaches)}</p>' in incidents


def test_the_gate_verdicts_say_when_they_were_judged(
    web_ws: Workspace, client_for: Callable[[str], TestClient]
) -> None:
    spec = {
        "organization": "Acme",
        "deployments": [
            {"key": k, "name": k, "function": "support", "channels": ["chat"], "status": s}
            for k, s in (("chat-bot", "production"), ("mail-bot", "retired"))
        ],
    }
    apply_governance(web_ws, Governance.model_validate(spec), actor="tests")
    page = client_for("admin").get("/").text
    assert 'data-testid="gate-chat-bot"' in page and 'data-testid="gate-mail-bot"' not in page
    judged = re.search(r"As of (\d\d):(\d\d) UTC", page)
    assert judged is not None
    moment = web_ws.now()
    # Built by this request: the time shown is now's, to the minute (or the one before).
    shown = int(judged[1]) * 60 + int(judged[2])
    assert (moment.hour * 60 + moment.minute - shown) % (24 * 60) in (0, 1)
