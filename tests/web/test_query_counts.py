"""SQL statements per page do not grow with the records a page lists (no N+1 queries).

Each page is asked once in a world of 2 deployments and once in a world of 20 (each with
one review request, its incident and a frontline flag). Kept read models are cleared
before each count, so the count is that of a page built from scratch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from web_helpers import TestClient

from cxsteward.domain.governance.spec import Governance
from cxsteward.services import overview
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.people.feedback import submit_feedback
from cxsteward.services.read_models import ReadModel
from cxsteward.services.trust.reviews import list_reviews, submit_review_request
from cxsteward.services.workspace import Workspace
from cxsteward.web.routes import adoption, consent, registry_common, trust_views

FEW, MANY = 2, 20
# A page built from scratch (the overview judges every gate) stays under this; a page
# whose read models are kept needs its session, its user, the versions and the rest.
CEILING = 120
KEPT_CEILING = 40
PAGES = {
    "anonymous": ["/ai", "/review", "/review/status"],
    "committee": [
        "/",
        "/registry",
        "/registry/deployments",
        "/monitoring",
        "/incidents",
        "/reviews",
        "/feedback/triage",
        "/consent",
        "/training",
        "/adoption",
        "/pack",
        "/assessment",
    ],
    "viewer": ["/"],
}
KEPT: list[ReadModel[Any]] = [
    overview._READINESS,
    overview._GATES,
    overview._HEADLINE,
    overview._REVIEWS,
    overview._INCIDENTS,
    overview._FEEDBACK,
    overview._GATE_SUMMARY,
    overview._MONITORING,
    trust_views._GOVERNANCE,
    adoption._FIGURES,
    consent._CHECK,
    registry_common._CHECK,
]


def declare_world(ws: Workspace, n: int, before: int = 0) -> None:
    """``n`` customer-facing deployments, each with a review request, its incident and a flag
    (those from ``before`` on are new)."""
    people = [{"key": "omar", "name": "Omar Ops", "email": "omar@kestrel.test"}]
    deployments = [
        {
            "key": f"service-{i:02d}",
            "name": f"Service {i:02d}",
            "function": "support",
            "channels": ["chat"],
            "status": "production",
            "disclosure": {"chat": f"You are talking with AI service {i:02d}."},
        }
        for i in range(n)
    ]
    protocols = [
        {"severity": s, "notify": ["omar"], "respond_within_hours": 24, "decides": "omar"}
        for s in ("sev2", "sev3", "sev4")
    ]
    spec = {
        "organization": "Kestrel",
        "people": people,
        "deployments": deployments,
        "protocols": protocols,
    }
    apply_governance(ws, Governance.model_validate(spec), actor="omar")
    for d in deployments[before:]:
        submit_review_request(
            ws, deployment=d["key"], description="Please check this.", contact="jo@example.com"
        )
        submit_feedback(ws, d["key"], "wrong_answer", "It gave the wrong plan.", by="omar")


@contextmanager
def counting(ws: Workspace) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(ws.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(ws.engine, "before_cursor_execute", count)


def statements_per_page(
    ws: Workspace, client_for: Callable[[str], TestClient], anon: TestClient, n: int
) -> dict[str, int]:
    assert len(list_reviews(ws)) == n  # the world holds what the counts are about
    counts: dict[str, int] = {}
    for role, paths in PAGES.items():
        client = anon if role == "anonymous" else client_for(role)
        client.get("/healthz")  # the app's workspace is open before counting
        app_ws: Workspace = client.app.state.ws  # type: ignore[attr-defined]
        for path in paths:
            for model in KEPT:
                model.clear()
            with counting(app_ws) as statements:
                response = client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            counts[f"{role} {path}"] = len(statements)
            with counting(app_ws) as statements:
                assert client.get(path).status_code == 200
            counts[f"{role} {path} (kept)"] = len(statements)
            audit_reads = [s for s in statements if "audit_log" in s]
            counts[f"{role} {path} (kept, audit reads)"] = len(audit_reads)
    return counts


def test_statements_do_not_grow_with_records(
    web_ws: Workspace, client_for: Any, anon_client: TestClient
) -> None:
    declare_world(web_ws, FEW)
    few = statements_per_page(web_ws, client_for, anon_client, FEW)
    declare_world(web_ws, MANY, before=FEW)
    many = statements_per_page(web_ws, client_for, anon_client, MANY)
    grew = {page: (few[page], many[page]) for page in few if many[page] != few[page]}
    assert grew == {}, f"statements per page ({FEW} vs {MANY} records): {grew}"
    over = {page: count for page, count in many.items() if count > CEILING}
    assert over == {}, f"pages over {CEILING} statements: {over}"
    kept = {p: count for p, count in many.items() if p.endswith("(kept)") and count > KEPT_CEILING}
    assert kept == {}, f"pages with kept figures over {KEPT_CEILING} statements: {kept}"
    # Every kept figure of the overview takes its version from one read of the audit log.
    for role in ("committee", "viewer"):
        assert many[f"{role} / (kept, audit reads)"] == 1, many
    # No page reads the versions more than once, however many kept figures it shows (/ai
    # asked twice, the governance and the services, before web/read_once.py).
    twice = {p: n for p, n in many.items() if p.endswith("(kept, audit reads)") and n > 1}
    assert twice == {}, twice
    assert many["anonymous /ai (kept, audit reads)"] == 1, many
