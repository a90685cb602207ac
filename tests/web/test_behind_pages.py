"""The overview's headline (where the AI is behind humans, how old the data is) and the
deployment page's model changes and summarised chain gaps, for every role."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from monitoring_fixtures import ROLES, monitored_workspace
from registry_fixtures import apply_example, open_site
from web_helpers import BASE_URL, TestClient

from cxsteward.domain.access import Role, allows
from cxsteward.domain.governance.gap_summary import rule_label
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import get_user
from cxsteward.services.clock import FixedClock
from cxsteward.services.governance.check import check_governance
from cxsteward.services.monitoring.behind import behind_humans
from cxsteward.services.monitoring.model_changes import model_changes
from cxsteward.services.workspace import Workspace
from cxsteward.web.app import create_app
from cxsteward.web.auth import SESSION_COOKIE
from cxsteward.web.deps import Permission

DEPLOYMENT = "support-chat"
# Five days after the synthetic contacts end (2025-03-31): the data is fresh.
SOON_AFTER = datetime(2025, 4, 5, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module", name="ws")
def ws_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws, _ = monitored_workspace(tmp_path_factory.mktemp("behind-pages"))
    apply_example(ws)
    yield ws
    ws.close()


def _client(ws: Workspace, role: str, at: datetime | None = None) -> TestClient:
    clock = FixedClock(at) if at is not None else None
    client = TestClient(create_app(ws.settings, clock=clock), base_url=BASE_URL)
    if role != "anonymous":
        issued = start_session(ws, get_user(ws, role).id, ws.settings.session_hours)
        client.cookies.set(SESSION_COOKIE, issued.token)
    return client


def _section(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"', 1)[1].split("</section>", 1)[0]


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_the_overview_opens_with_the_headline_for_those_who_may_read_it(
    ws: Workspace, role: str
) -> None:
    with _client(ws, role) as client:
        response = client.get("/", follow_redirects=False)
    if role == "anonymous":
        assert response.status_code == 302 and response.headers["location"] == "/login?next=/"
        return
    assert response.status_code == 200
    page = response.text
    shown = 'data-testid="overview-behind"' in page
    assert shown == allows(Role(role), Permission.MONITORING_VIEW)
    if not shown:
        return
    # The headline comes before every other section.
    first = min(page.index(f'data-testid="overview-{s}"') for s in ("incidents", "monitoring"))
    assert page.index('data-testid="overview-behind"') < first
    section = _section(page, "overview-behind")
    expected = behind_humans(ws, limit=3)
    assert len(expected.items) == 3
    for item in expected.items:
        link = f'href="/monitoring/runs/{item.run_id}#finding-{item.finding_id}"'
        assert f"{link}>{html.escape(item.headline)}</a>" in section
    assert f"{expected.total - 3} more places" in _text(section)


def test_each_headline_links_to_its_finding(ws: Workspace) -> None:
    item = behind_humans(ws, limit=1).items[0]
    with _client(ws, "viewer") as client:
        run = client.get(f"/monitoring/runs/{item.run_id}")
    assert run.status_code == 200 and f'id="finding-{item.finding_id}"' in run.text


def test_stale_data_is_a_warning_in_words_and_fresh_data_an_age(ws: Workspace) -> None:
    with _client(ws, "committee") as client:  # the machine's today: long after the data
        stale = _section(client.get("/").text, "overview-behind")
    assert 'class="warning" data-testid="data-stale"' in stale
    assert "Stale data:" in _text(stale) and "older than 14 days" in _text(stale)
    with _client(ws, "committee", SOON_AFTER) as client:
        fresh = _section(client.get("/").text, "overview-behind")
    assert 'data-testid="data-stale"' not in fresh
    assert "The newest contact is from 2025-03-31, 5 days ago." in _text(fresh)


VIEW = {"admin": 200, "committee": 200, "analyst": 200, "frontline": 403, "viewer": 200}


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_the_deployment_page_shows_model_changes_and_summarised_gaps(
    ws: Workspace, role: str
) -> None:
    with _client(ws, role) as client:
        response = client.get(f"/registry/deployments/{DEPLOYMENT}", follow_redirects=False)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.headers["location"].startswith("/login?next=")
        return
    assert response.status_code == VIEW[role]
    if response.status_code != 200:
        return
    page = response.text
    panel = _text(_section(page, "model-changes"))
    changes = model_changes(ws, DEPLOYMENT)
    switch = changes.switches[0]
    assert "lumen-assist v1 → lumen-assist v2, from 2025-02-15" in panel
    assert f"The AI in the {switch.days} days before (2025-01-18 to 2025-02-14)" in panel
    escalation = next(m for m in switch.metrics if m.metric == "escalation_rate")
    assert escalation.significant and escalation.worse and escalation.before and escalation.after
    row = f"Escalations {escalation.before:.1%} {escalation.after:.1%}"
    assert row in panel and "worse" in panel.split(row, 1)[1].split("Resolution")[0][:200]
    for finding in switch.findings:
        assert f'href="/monitoring/runs/{finding.run_id}#finding-{finding.id}"' in page


def test_the_gaps_are_counted_by_rule_and_open_onto_each_gap(ws: Workspace) -> None:
    with _client(ws, "viewer") as client:
        page = client.get(f"/registry/deployments/{DEPLOYMENT}").text
    summary = _section(page, "gap-summary")
    gaps = [g for g in check_governance(ws).gaps if g.object.startswith(f"deployment:{DEPLOYMENT}")]
    counts = Counter(g.rule for g in gaps)
    assert counts and summary.count('<details data-testid="gap-group">') == len(counts)
    words = _text(summary)
    blocking = sum(g.blocking for g in gaps)
    assert f"{len(gaps)} gaps of {len(counts)} kinds, {blocking} blocking" in words
    for rule, count in counts.items():
        assert f"{rule_label(rule)}: {count}" in words
    for gap in gaps:  # every gap is still there, inside its rule's <details>
        assert html.escape(gap.message, quote=True) in summary or gap.message in _text(summary)


def test_without_data_the_panels_say_so(tmp_path: Path) -> None:
    with open_site(tmp_path) as site:
        page = site.clients["admin"].get(f"/registry/deployments/{DEPLOYMENT}").text
        overview = site.clients["admin"].get("/").text
    panel = _text(_section(page, "model-changes"))
    assert "nothing to compare" in panel
    headline = _text(_section(overview, "overview-behind"))
    assert "No monitoring run yet" in headline
    assert "No interaction data yet" in headline and "Stale data:" in headline
