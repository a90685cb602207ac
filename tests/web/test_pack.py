"""The committee pack (issue 13): its headline figures against the contacts, the same figures
in the JSON, the HTML, the Markdown and the PDF, issued packs compared, CLI against API, and
the pages for every role."""

from __future__ import annotations

import io
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from pack_world import TODAY, PackWorld, build_pack_world
from pypdf import PdfReader
from typer.testing import CliRunner
from web_helpers import BASE_URL, TestClient, csrf_of

from cxsteward.cli import common
from cxsteward.cli.app import app
from cxsteward.config import Settings
from cxsteward.domain.access import Role
from cxsteward.services.accounts.api_tokens import create_token
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import add_user, get_user
from cxsteward.services.pack.build import build_pack
from cxsteward.services.pack.history import get_pack, issue_pack, list_packs
from cxsteward.services.pack.models import PackOut
from cxsteward.services.pack.render import pack_file, render_html, render_markdown, render_pdf
from cxsteward.web.app import create_app
from cxsteward.web.auth import SESSION_COOKIE

WORDS = {"go": "Go", "go_with_conditions": "Go with conditions", "no_go": "No-go"}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> PackWorld:
    world = build_pack_world(tmp_path_factory.mktemp("pack-world"))
    ws = world.open()
    try:
        for role in Role:
            add_user(ws, role.value, f"pw-{role.value}-0123456789", role.value)
    finally:
        ws.close()
    return world


@pytest.fixture
def world(template: PackWorld, tmp_path: Path) -> PackWorld:
    target = tmp_path / "ws"
    shutil.copytree(template.settings.workspace, target)
    return PackWorld(Settings(workspace=target), template.contacts)


@pytest.fixture(scope="module")
def issued_world(template: PackWorld, tmp_path_factory: pytest.TempPathFactory) -> PackWorld:
    """A copy of the world with pack #1 issued and its PDF made (the page tests share it)."""
    folder = tmp_path_factory.mktemp("pack-issued") / "ws"
    shutil.copytree(template.settings.workspace, folder)
    world = PackWorld(Settings(workspace=folder), template.contacts)
    ws = world.open()
    try:
        pack_file(ws, issue_pack(ws, build_pack(ws), "dev-raman"), "pdf")
    finally:
        ws.close()
    return world


@pytest.fixture(scope="module")
def issued(issued_world: PackWorld) -> PackOut:
    ws = issued_world.open()
    try:
        return get_pack(ws, 1)
    finally:
        ws.close()


def _text(pdf: bytes) -> list[str]:
    return [
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def test_the_behind_figures_are_the_contacts_own(issued: PackOut, template: PackWorld) -> None:
    frame = template.frame()
    assert issued.behind, "the synthetic data plants a billing complaint gap"
    for item in issued.behind:
        scope = frame[frame["deployment"] == item.deployment]
        for column, value in item.segment.items():
            scope = scope[scope[column] == value]
        run_days = (date(2025, 1, 1), date(2025, 3, 31))  # the run covered the whole store
        scope = scope[(scope["day"] >= run_days[0]) & (scope["day"] <= run_days[1])]
        ai = scope[scope["handler"] == "ai"]["complaint"].astype(float)
        human = scope[scope["handler"] == "human"]["complaint"].astype(float)
        if item.metric != "complaint_rate":
            continue
        assert (item.n_ai, item.n_human) == (len(ai), len(human))
        assert item.ai == pytest.approx(ai.mean(), rel=1e-9)
        assert item.ratio == pytest.approx(ai.mean() / human.mean(), rel=1e-9)
        assert f"{ai.mean() / human.mean():.1f}x" in item.headline


def test_the_pdf_carries_the_json_headline_figures(issued: PackOut) -> None:
    pdf = render_pdf(issued)
    assert pdf.startswith(b"%PDF")
    pages = _text(pdf)
    assert len(pages) >= 6
    # A title page, then a table of contents whose entries carry page numbers.
    assert "COMMITTEE PACK" in pages[0] and issued.organization in pages[0]
    toc = re.search(r"The answer\s*\.*\s*(\d+)", pages[0])
    assert toc is not None and int(toc.group(1)) >= 2
    answer = pages[int(toc.group(1)) - 1]
    assert answer.startswith("The answer")
    for gate in issued.gates:
        assert re.search(
            rf"{re.escape(gate.deployment)}.*?{re.escape(WORDS[gate.verdict.value])}", answer
        )
    whole = " ".join(pages)
    for item in issued.behind:
        assert item.headline in whole
    # Every page after the title page is numbered "Page n of N".
    count = len(pages)
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {count}" in text


def test_the_html_is_self_contained_and_charts_have_fallbacks(issued: PackOut) -> None:
    html = render_html(issued)
    assert "<script" not in html and "<link" not in html and "<img" not in html
    outside = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert outside <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    figures = html.count('<figure class="chart"')
    # Readiness has no cycle in this world; each monitored deployment has a scorecard and trends.
    assert figures >= 2
    assert html.count("<title id=") == figures and html.count("<desc id=") == figures
    assert html.count("The figures of this chart as a table") == figures
    for gate in issued.gates:
        assert f'data-verdict="{gate.verdict.value}"' in html


def test_markdown_and_json_carry_the_same_answer(issued: PackOut) -> None:
    markdown = render_markdown(issued)
    for gate in issued.gates:
        assert f"| {gate.deployment} | {gate.move} | {WORDS[gate.verdict.value]} |" in markdown
    for item in issued.behind:
        assert item.headline in markdown
    again = PackOut.model_validate_json(issued.model_dump_json())
    assert again == issued


def test_the_next_pack_says_what_changed(world: PackWorld) -> None:
    ws = world.open()
    try:
        first = issue_pack(ws, build_pack(ws), "dev-raman")
        assert first.changes == [
            "This is the first pack issued: there is nothing earlier to compare with."
        ]
        second = build_pack(ws)
        assert second.previous is not None and second.previous.id == first.id
        assert second.since == TODAY  # the period starts where the previous pack stood
        for gate in second.gates:
            assert f"{gate.deployment}: the gate still says" in " ".join(second.changes)
        assert [p.id for p in list_packs(ws)] == [first.id]
        # The gate evaluations of an issued pack are kept with it.
        assert all(g.id is not None for g in first.gates)
    finally:
        ws.close()


def test_cli_json_preview_is_the_api_preview(
    world: PackWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ws = world.open()
    clock = ws.clock
    try:
        token = create_token(ws, "viewer", "tests").token
    finally:
        ws.close()
    monkeypatch.setattr(common, "open_workspace", lambda s: world.open())
    runner = CliRunner()
    base = ["--workspace", str(world.settings.workspace), "pack"]
    printed = runner.invoke(app, [*base, "--format", "json", "--preview"])
    assert printed.exit_code == 0, printed.output
    with TestClient(create_app(world.settings, clock=clock), base_url=BASE_URL) as client:
        sent = client.get("/api/v1/packs/preview", headers={"Authorization": f"Bearer {token}"})
    assert sent.status_code == 200
    assert printed.stdout.encode("utf-8") == sent.content
    assert json.loads(sent.content)["id"] is None
    out = tmp_path / "pack.md"
    made = runner.invoke(app, [*base, "--format", "md", "--out", str(out), "--by", "dev-raman"])
    assert made.exit_code == 0, made.output
    assert "Pack #1" in made.stdout and out.read_text("utf-8").startswith("# Committee pack")
    listed = runner.invoke(app, [*base, "--list", "--format", "json"])
    assert [p["id"] for p in json.loads(listed.stdout)] == [1]
    bad = runner.invoke(app, [*base, "--format", "docx"])
    assert bad.exit_code == 1 and "--format 'docx'" in bad.stderr


def _client(world: PackWorld, role: str | None) -> TestClient:
    ws = world.open()
    # The app reads the world's clock, so the session it is given has not expired.
    client = TestClient(create_app(world.settings, clock=ws.clock), base_url=BASE_URL)
    ws.close()
    if role is not None:
        ws = world.open()
        try:
            issued = start_session(ws, get_user(ws, role).id, 8)
        finally:
            ws.close()
        client.cookies.set(SESSION_COOKIE, issued.token)
    return client


@pytest.mark.parametrize(
    ("role", "reads", "issues"),
    [
        ("admin", True, True),
        ("committee", True, True),
        ("analyst", True, False),
        ("viewer", True, False),
        ("frontline", False, False),
        (None, False, False),
    ],
)
def test_pages_for_every_role(
    issued_world: PackWorld, role: str | None, reads: bool, issues: bool
) -> None:
    world = issued_world
    ws = world.open()
    try:
        pack = get_pack(ws, 1)
        newest = list_packs(ws)[0].id
    finally:
        ws.close()
    with _client(world, role) as client:
        page = client.get("/pack", follow_redirects=False)
        if role is None:
            assert page.status_code == 302 and page.headers["location"].startswith("/login")
            return
        assert page.status_code == (200 if reads else 403)
        pdf = client.get(f"/pack/{pack.id}/pdf")
        assert pdf.status_code == (200 if reads else 403)
        if reads:
            assert 'data-testid="pack-gates"' in page.text
            assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(
                b"%PDF"
            )
            # Already compressed: gzip leaves the PDF as it is (the client asks for gzip).
            assert "content-encoding" not in pdf.headers
            html = client.get(f"/pack/{pack.id}/html")
            assert html.status_code == 200 and "<script" not in html.text
            assert client.get("/pack/99").status_code == 404
        if not reads:
            return
        token = csrf_of(page)  # the sign-out form carries one on every page
        sent = client.post("/pack", data={"csrf_token": token}, follow_redirects=False)
        assert sent.status_code == (303 if issues else 403)
        if issues:
            assert sent.headers["location"] == f"/pack/{newest + 1}"
            wrong = client.post(
                "/pack", data={"csrf_token": token, "since": "31/03/2025"}, follow_redirects=False
            )
            assert wrong.status_code == 422 and "is not a date" in wrong.text
