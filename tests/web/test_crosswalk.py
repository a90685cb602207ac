"""The crosswalk page and API (C13): every staff role reads them, the CLI prints the API's bytes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from api_fixtures import (  # noqa: F401 (fixtures)
    ApiWorld,
    api_client_fixture,
    api_template_fixture,
    api_world_fixture,
)
from typer.testing import CliRunner
from web_helpers import BASE_URL, TestClient

from cxsteward.cli import common
from cxsteward.cli.app import app
from cxsteward.config import Settings
from cxsteward.domain.access import Role
from cxsteward.services.clock import FixedClock
from cxsteward.services.crosswalk.report import crosswalk_report
from cxsteward.services.workspace import Workspace, open_workspace
from cxsteward.web.app import create_app

CLOCK = FixedClock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
STAFF = [role.value for role in Role]


@pytest.fixture(name="fixed_client")
def fixed_client_fixture(
    api_world: ApiWorld, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The app and the CLI on one fixed clock, so both judge the records on the same day."""

    def opened(settings: Settings) -> Workspace:
        return open_workspace(settings, clock=CLOCK)

    monkeypatch.setattr(common, "open_workspace", opened)
    with TestClient(create_app(api_world.settings, clock=CLOCK), base_url=BASE_URL) as client:
        yield client


def _cli(world: ApiWorld, *args: str) -> str:
    result = CliRunner().invoke(app, ["--workspace", str(world.settings.workspace), *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("framework", [None, "eu_ai_act"], ids=["all", "eu-ai-act"])
def test_crosswalk_json_is_the_api_body_byte_for_byte(
    fixed_client: TestClient, api_world: ApiWorld, framework: str | None
) -> None:
    query = f"?framework={framework}" if framework else ""
    sent = fixed_client.get(f"/api/v1/crosswalk{query}", headers=api_world.headers("viewer"))
    assert sent.status_code == 200, sent.text
    option = ["--framework", framework] if framework else []
    printed = _cli(api_world, "crosswalk", *option, "--json")
    assert printed.encode("utf-8") == sent.content
    body = json.loads(sent.content)
    assert body["as_of"] == "2026-12-07"
    expected = [framework] if framework else ["eu_ai_act", "nist_ai_rmf", "iso_42001", "gdpr"]
    assert [f["key"] for f in body["frameworks"]] == expected
    # The same report as the service's on the same day.
    ws = open_workspace(api_world.settings, clock=CLOCK)
    try:
        report = crosswalk_report(ws, framework)
    finally:
        ws.close()
    assert [f["coverage"] for f in body["frameworks"]] == [f.coverage for f in report.frameworks]


@pytest.mark.parametrize("username", STAFF)
def test_every_staff_role_may_read_the_api(
    api_client: TestClient, api_world: ApiWorld, username: str
) -> None:
    response = api_client.get(
        "/api/v1/crosswalk?framework=gdpr", headers=api_world.headers(username)
    )
    assert response.status_code == 200, response.text
    (gdpr,) = response.json()["frameworks"]
    ids = ["Art. 13(1)(c)", "Art. 13(2)(f)", "Art. 21(1)", "Art. 22(1)", "Art. 22(3)"]
    assert [c["id"] for c in gdpr["clauses"]] == ids


def test_the_api_refuses_a_request_without_a_token(api_client: TestClient) -> None:
    assert api_client.get("/api/v1/crosswalk").status_code == 401


def test_an_unknown_framework_is_a_422_naming_the_known_ones(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    response = api_client.get(
        "/api/v1/crosswalk?framework=sox", headers=api_world.headers("analyst")
    )
    assert response.status_code == 422
    for known in ("eu_ai_act", "nist_ai_rmf", "iso_42001", "gdpr"):
        assert known in response.text


def test_the_cli_table_shows_clauses_coverage_and_what_is_missing(api_world: ApiWorld) -> None:
    printed = _cli(api_world, "crosswalk", "--framework", "gdpr")
    assert "Art. 22(3)" in printed and "%" in printed
    # The demo's records are there; what is missing for Art. 22(3) is the review path's
    # timeliness and one unexplained answer, named by their evidence rules.
    assert "Art. 22(3): what is missing" in printed
    assert "Evidence rule TRU-04" in printed and "Evidence rule TRU-03" in printed


def test_the_cli_names_the_known_frameworks_for_an_unknown_one(api_world: ApiWorld) -> None:
    result = CliRunner().invoke(
        app, ["--workspace", str(api_world.settings.workspace), "crosswalk", "--framework", "x"]
    )
    assert result.exit_code == 1
    assert "known frameworks: eu_ai_act, nist_ai_rmf, iso_42001, gdpr" in result.stderr


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_may_open_the_page(
    client_for: Callable[[str], TestClient], role: str
) -> None:
    response = client_for(role).get("/crosswalk")
    assert response.status_code == 200, response.text[:300]
    html = response.text
    assert '<a href="/crosswalk"' in html  # in the header's navigation
    for title in ("EU AI Act", "NIST AI Risk Management Framework", "ISO/IEC 42001", "2016/679"):
        assert title in html
    assert html.count('<section class="framework"') == 4


def test_anonymous_visitors_are_sent_to_sign_in(anon_client: TestClient) -> None:
    response = anon_client.get("/crosswalk", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=/crosswalk"


def test_the_page_shows_each_clause_with_its_bar_badges_and_missing_items(
    client_for: Callable[[str], TestClient], web_ws: Workspace
) -> None:
    html = client_for("frontline").get("/crosswalk?framework=gdpr").text
    report = crosswalk_report(web_ws, "gdpr")
    clause = next(c for c in report.frameworks[0].clauses if c.id == "Art. 22(3)")
    row = re.search(r'<tr data-clause="Art\. 22\(3\)">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = row[1]
    assert f"{clause.coverage:.1f}%" in cells
    # Status in words, not colour alone: one badge per control.
    badges = re.findall(r'class="badge badge--\w+">([a-z-]+)<', cells)
    assert len(badges) == len(clause.controls)
    assert set(badges) <= {"evidenced", "self-reported", "missing"}
    assert "<details>" in cells and f"What is missing ({len(clause.missing)})" in cells
    for item in clause.missing:
        assert item.split(":")[0] in cells
    assert 'aria-current="page">General Data Protection Regulation' in html
