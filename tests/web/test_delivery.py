"""How pages reach the browser: hashed static files cached for a year, gzip, templates
compiled once, and public pages that see a governance change on the next request."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from jinja2 import FileSystemLoader
from trust_fixtures import SETUP, declare
from web_helpers import TestClient, csrf_of

from cxsteward.config import Settings
from cxsteward.domain.governance.spec import Governance
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.governance.store import GOVERNANCE_TABLES
from cxsteward.services.overview import Section, gather_overview
from cxsteward.services.read_models import registry_version
from cxsteward.services.trust.reviews import list_reviews, submit_review_request
from cxsteward.services.workspace import Workspace, open_workspace
from cxsteward.web.app import STATIC
from cxsteward.web.static_assets import LONG_CACHE, SHORT_CACHE, StaticAssets

STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')
PAGES = {
    "anonymous": ["/ai", "/review", "/review/status", "/login"],
    "committee": ["/", "/registry", "/monitoring", "/incidents", "/reviews", "/assessment"],
}
IDENTITY = {"accept-encoding": "identity"}


@pytest.fixture
def trust_ws(web_ws: Workspace) -> Workspace:
    declare(web_ws)
    return web_ws


def client_of(role: str, client_for: Callable[[str], TestClient], anon: TestClient) -> TestClient:
    return anon if role == "anonymous" else client_for(role)


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_static_address_of_every_page_resolves_with_a_years_cache(
    trust_ws: Workspace, client_for: Any, anon_client: TestClient, role: str
) -> None:
    client = client_of(role, client_for, anon_client)
    seen: set[str] = set()
    for path in PAGES[role]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.headers["cache-control"] == "no-store", path
        seen |= set(STATIC_URL.findall(page.text))
    assert seen, "the pages link no static file"
    for url in sorted(seen):
        name = url.removeprefix("/static/")
        assert "?" not in url, url
        plain = re.sub(r"\.[0-9a-f]{12}(\.[^./]+)$", r"\1", name)
        content = (STATIC / plain).read_bytes()
        digest = hashlib.sha256(content).hexdigest()[:12]
        assert name.endswith(f".{digest}{Path(plain).suffix}"), url
        got = client.get(url, headers=IDENTITY)
        assert got.status_code == 200, url
        assert got.content == content
        assert got.headers["cache-control"] == LONG_CACHE


def test_plain_and_older_names_still_work_with_a_short_cache(anon_client: TestClient) -> None:
    content = (STATIC / "css" / "app.css").read_bytes()
    for url in ("/static/css/app.css", "/static/css/app.0123456789ab.css"):
        got = anon_client.get(url, headers=IDENTITY)
        assert got.status_code == 200 and got.content == content, url
        assert got.headers["cache-control"] == SHORT_CACHE
    assert anon_client.get("/static/css/nothing.0123456789ab.css").status_code == 404


def test_the_hashed_name_follows_the_content(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    file = tmp_path / "css" / "site.min.css"
    file.write_text("body { color: black; }")
    first = StaticAssets(tmp_path).url("css/site.min.css")
    assert first == "/static/css/site.min.{}.css".format(
        hashlib.sha256(b"body { color: black; }").hexdigest()[:12]
    )
    file.write_text("body { color: navy; }")
    second = StaticAssets(tmp_path).url("css/site.min.css")
    assert second != first and second.startswith("/static/css/site.min.")
    with pytest.raises(KeyError, match="No static file 'css/other.css'"):
        StaticAssets(tmp_path).url("css/other.css")


@pytest.mark.parametrize("path", ["/ai", "/review", "/openapi.json"])
def test_gzip_only_when_asked_and_the_same_page(
    trust_ws: Workspace, anon_client: TestClient, path: str
) -> None:
    plain = anon_client.get(path, headers=IDENTITY)
    assert "content-encoding" not in plain.headers
    # httpx would decompress on its own: read the raw bytes to see what was sent.
    with anon_client.stream("GET", path, headers={"accept-encoding": "gzip"}) as packed:
        raw = b"".join(packed.iter_raw())
        headers = packed.headers
    assert headers["content-encoding"] == "gzip"
    assert "accept-encoding" in headers["vary"].lower()
    assert len(raw) < len(plain.content)
    body = gzip.decompress(raw)
    if path == "/review":  # each page has its own CSRF token; the rest is the same
        body = body.replace(csrf_of(httpx.Response(200, content=body)).encode(), b"T")
        expected = plain.content.replace(csrf_of(plain).encode(), b"T")
    else:
        expected = plain.content
    assert body == expected
    # The security headers survive the compression.
    for name in ("content-security-policy", "x-content-type-options", "cache-control"):
        assert headers[name] == plain.headers[name], name


def test_small_responses_are_not_compressed(anon_client: TestClient) -> None:
    got = anon_client.get("/healthz", headers={"accept-encoding": "gzip"})
    assert got.status_code == 200 and "content-encoding" not in got.headers


def test_a_download_is_compressed_whole(trust_ws: Workspace, client_for: Any) -> None:
    client = client_for("viewer")
    plain = client.get("/registry/export", headers=IDENTITY)
    with client.stream("GET", "/registry/export", headers={"accept-encoding": "gzip"}) as packed:
        raw = b"".join(packed.iter_raw())
        headers = packed.headers
    assert headers["content-disposition"] == plain.headers["content-disposition"]
    assert gzip.decompress(raw) == plain.content


def test_templates_are_compiled_once(
    trust_ws: Workspace, anon_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = anon_client.app.state.templates.env  # type: ignore[attr-defined]
    assert env.auto_reload is False
    reads: list[str] = []
    original = FileSystemLoader.get_source

    def counted(self: FileSystemLoader, environment: Any, template: str) -> Any:
        reads.append(template)
        return original(self, environment, template)

    monkeypatch.setattr(FileSystemLoader, "get_source", counted)
    first = anon_client.get("/ai", headers=IDENTITY)
    compiled = env.get_template("public/ai_index.html")
    read_once = list(reads)
    assert "public/ai_index.html" in read_once and "base.html" in read_once
    second = anon_client.get("/ai", headers=IDENTITY)
    assert first.text == second.text
    assert reads == read_once  # nothing read (or compiled) again
    assert env.get_template("public/ai_index.html") is compiled


def test_public_pages_see_a_governance_change_made_by_another_worker(
    settings: Settings, trust_ws: Workspace, anon_client: TestClient
) -> None:
    assert "Help chat assistant" in anon_client.get("/ai").text  # now kept by this process
    # A review request moves the registry on, not the governance: the kept copy stays valid.
    before = registry_version(trust_ws, only=GOVERNANCE_TABLES)
    form = anon_client.get("/review")
    sent = anon_client.post(
        "/review",
        data={
            "csrf_token": csrf_of(form),
            "deployment": "support-chat",
            "description": "The assistant refused my refund.",
            "contact": "jo@example.com",
            "consent": "yes",
        },
    )
    assert sent.status_code == 200
    assert registry_version(trust_ws, only=GOVERNANCE_TABLES) == before
    # Another worker (its own handle on the registry) renames the service and retires one.
    renamed: dict[str, Any] = {**SETUP, "deployments": [dict(d) for d in SETUP["deployments"]]}
    renamed["deployments"][0]["name"] = "Chat helper"
    other = open_workspace(settings)
    try:
        apply_governance(other, Governance.model_validate(renamed), actor="omar")
    finally:
        other.close()
    page = anon_client.get("/ai").text
    assert "Chat helper" in page and "Help chat assistant" not in page
    assert "Chat helper" in anon_client.get("/review").text


def test_the_overview_counts_a_review_request_sent_through_another_worker(
    settings: Settings, trust_ws: Workspace
) -> None:
    first = gather_overview(trust_ws, {Section.REVIEWS}).reviews
    assert first is not None and first.summary.open == 0
    assert gather_overview(trust_ws, {Section.REVIEWS}).reviews is first  # kept
    other = open_workspace(settings)
    try:
        submit_review_request(
            other, deployment="billing-voice", description="Wrong bill.", contact="jo@example.com"
        )
    finally:
        other.close()
    then = gather_overview(trust_ws, {Section.REVIEWS}).reviews
    assert then is not None and then.summary.open == len(list_reviews(trust_ws)) == 1
