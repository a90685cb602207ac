"""Monitoring pages: access by role, and what they show against the stored run read directly."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qsl, urlencode

import pandas as pd
import pytest
from monitoring_fixtures import (  # noqa: F401 - fixtures
    ROLES,
    ClientFor,
    monitored_client_fixture,
    monitored_fixture,
    store_files,
)

from cxsteward.domain.access import Role, allows
from cxsteward.services.monitoring.run import MonitorOut
from cxsteward.services.workspace import Workspace
from cxsteward.web.deps import Permission

World = tuple[Workspace, MonitorOut]
PAGES = [
    ("/monitoring", Permission.MONITORING_VIEW),
    ("/monitoring/runs/1", Permission.MONITORING_VIEW),
    ("/monitoring/runs/1?metric=complaint_rate&segment=overall", Permission.MONITORING_VIEW),
    ("/monitoring/runs/1/metrics", Permission.MONITORING_VIEW),
    ("/monitoring/runs/1/metrics?metric=escalation_rate&slice=region", Permission.MONITORING_VIEW),
    ("/monitoring/baselines", Permission.MONITORING_VIEW),
    ("/monitoring/baselines/pre-launch", Permission.MONITORING_VIEW),
    ("/monitoring/rows?deployment=support-chat", Permission.MONITORING_ROWS),
]
CASES = [(path, permission, role) for path, permission in PAGES for role in [*ROLES, None]]


@pytest.mark.parametrize(
    ("path", "permission", "role"),
    CASES,
    ids=[f"{path}-{role or 'anonymous'}" for path, _, role in CASES],
)
def test_pages_by_role(
    monitored_client: ClientFor, path: str, permission: Permission, role: str | None
) -> None:
    response = monitored_client(role).get(path, follow_redirects=False)
    if role is None:
        assert response.status_code == 302
        assert response.headers["location"].startswith("/login?next=/monitoring")
    elif allows(Role(role), permission):
        assert response.status_code == 200, response.text[:500]
    else:
        assert response.status_code == 403
        assert permission.value in response.text


def test_the_run_page_shows_every_finding_and_threshold(
    monitored: World, monitored_client: ClientFor
) -> None:
    ws, out = monitored
    page = html.unescape(monitored_client("viewer").get(f"/monitoring/runs/{out.run_id}").text)
    for finding in out.findings:
        assert finding.message in page
    stored = json.loads((out.artifacts / "evaluations.json").read_text("utf-8"))
    for evaluation in stored:
        assert evaluation["threshold"] in page
    # A viewer may see the figures but not the rows behind them.
    assert "/monitoring/rows?" not in page


def test_comparisons_filter_like_the_stored_file(
    monitored: World, monitored_client: ClientFor
) -> None:
    _, out = monitored
    stored = json.loads((out.artifacts / "comparisons.json").read_text("utf-8"))
    expected = [
        c
        for c in stored
        if c["metric"] == "csat_satisfied_rate"
        and c["deployment"] == "support-chat"
        and c["scope"] == {"language": "es"}
    ]
    query = urlencode(
        {"metric": "csat_satisfied_rate", "deployment": "support-chat", "segment": "language=es"}
    )
    client = monitored_client("analyst")
    partial = client.get(
        f"/monitoring/runs/{out.run_id}?{query}",
        headers={"HX-Request": "true", "HX-Target": "comparisons"},
    )
    assert partial.status_code == 200
    assert "<html" not in partial.text and "<form" not in partial.text
    assert f"{len(expected)} comparison" in partial.text
    assert partial.text.count("<svg") == len(expected)
    for c in expected:
        assert f"{c['difference'] * 100:+.1f} pts" in partial.text
    whole = client.get(f"/monitoring/runs/{out.run_id}?{query}")
    assert "<html" in whole.text and 'id="comparisons"' in whole.text


def test_a_comparisons_rows_link_counts_its_n(
    monitored: World, monitored_client: ClientFor
) -> None:
    _, out = monitored
    client = monitored_client("analyst")
    query = urlencode(
        {"metric": "complaint_rate", "kind": "ai_vs_human_gap", "segment": "region=north"}
    )
    page = client.get(f"/monitoring/runs/{out.run_id}?{query}").text
    # Only the comparisons' links: the findings above them have links of their own.
    section = page.split('<div id="comparisons"', 1)[1]
    links = re.findall(r'href="(/monitoring/rows\?[^"]+)"', section)
    assert links
    stored = json.loads((out.artifacts / "comparisons.json").read_text("utf-8"))
    for link in links:
        params = dict(parse_qsl(html.unescape(link).split("?", 1)[1]))
        c = next(
            c
            for c in stored
            if c["kind"] == "ai_vs_human_gap"
            and c["metric"] == "complaint_rate"
            and c["deployment"] == params["deployment"]
            and c["scope"] == {"region": "north"}
        )
        rows = client.get(html.unescape(link))
        assert f"{sum(c['n']):,} contacts" in rows.text


def test_rows_match_pandas_on_the_same_store(monitored: World, monitored_client: ClientFor) -> None:
    ws, _ = monitored
    frame = pd.concat([pd.read_parquet(f) for f in store_files(ws)], ignore_index=True)
    expected = frame[(frame.deployment == "billing-voice") & (frame.region == "north")]
    expected = expected.sort_values(["started_at", "interaction_id"])
    client = monitored_client("committee")
    address = "/monitoring/rows?deployment=billing-voice&segment=region%3Dnorth"
    first = client.get(address).text
    assert f"{len(expected):,} contacts" in first
    ids = re.findall(r'<th scope="row">([^<]+)</th>', first)
    assert ids == list(expected.interaction_id[:50])
    last_page = -(-len(expected) // 50)
    assert f"Page 1 of {last_page}" in first
    second = client.get(f"{address}&page=2").text
    assert re.findall(r'<th scope="row">([^<]+)</th>', second) == list(
        expected.interaction_id[50:100]
    )


@pytest.mark.parametrize(
    ("address", "status", "words"),
    [
        ("/monitoring/runs/999", 404, "No monitoring run 999"),
        ("/monitoring/baselines/nope", 404, "No baseline named"),
        ("/monitoring/rows?handler=robot", 400, "use ai or human"),
        ("/monitoring/rows?segment=shoe_size%3D42", 400, "no column"),
        ("/monitoring/rows?page=999999", 400, "past the last page"),
        ("/monitoring/runs/1?page=0", 400, "page"),
        ("/monitoring/runs/1/metrics?metric=happiness", 404, "No metric"),
    ],
    ids=["run", "baseline", "handler", "segment", "page", "comparison-page", "metric"],
)
def test_bad_addresses_get_clear_answers(
    monitored_client: ClientFor, address: str, status: int, words: str
) -> None:
    response = monitored_client("admin").get(address)
    assert response.status_code == status
    assert words in html.unescape(response.text)


def test_the_metric_table_matches_the_runs_file(
    monitored: World, monitored_client: ClientFor
) -> None:
    _, out = monitored
    stored = json.loads((out.artifacts / "metrics.json").read_text("utf-8"))
    wanted = [
        r
        for r in stored
        if r["metric"] == "escalation_rate"
        and r["slice"] == "overall"
        and r["deployment"] == "support-chat"
    ]
    page = monitored_client("analyst").get(
        f"/monitoring/runs/{out.run_id}/metrics?metric=escalation_rate&deployment=support-chat"
    )
    for r in wanted:
        assert f"{r['value'] * 100:.1f}%" in page.text
        assert f"n {r['n']:,}" in page.text
    assert len(re.findall(r"/monitoring/rows\?", page.text)) == len(wanted)


def test_baselines_list_and_values(monitored: World, monitored_client: ClientFor) -> None:
    client = monitored_client("viewer")
    listed = client.get("/monitoring/baselines").text
    assert "pre-launch" in listed and "intact" in listed
    values = client.get("/monitoring/baselines/pre-launch?metric=complaint_rate").text
    body = values.split("<tbody>")[1]
    assert "complaint_rate" in body and "csat_mean" not in body
