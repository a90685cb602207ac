"""Set-up the customer-trust page tests share: their governance, roles, CSRF tokens."""

from __future__ import annotations

from typing import Any

from web_helpers import TestClient, csrf_of

from cxsteward.domain.governance.spec import Governance
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.workspace import Workspace

SETUP: dict[str, Any] = {
    "organization": "Kestrel Mobile",
    "people": [
        {"key": "omar", "name": "Omar Ops", "email": "omar@kestrel.test"},
        {"key": "eve", "name": "Eve Engineer", "email": "eve@kestrel.test"},
    ],
    "deployments": [
        {
            "key": "support-chat",
            "name": "Help chat assistant",
            "function": "support",
            "channels": ["chat", "email"],
            "status": "production",
            "disclosure": {
                "chat": "You are chatting with our AI assistant. Type 'agent' for a person.",
            },
        },
        {
            "key": "billing-voice",
            "name": "Billing voice line",
            "function": "support",
            "channels": ["voice"],
            "status": "pilot",
            "disclosure": {"voice": "You're speaking with an automated assistant."},
        },
        {
            "key": "agent-assist",
            "name": "Internal agent assist",
            "function": "support",
            "customer_facing": False,
        },
    ],
    "protocols": [
        {"severity": "sev2", "notify": ["omar"], "respond_within_hours": 4, "decides": "omar"},
        {"severity": "sev3", "notify": ["eve"], "respond_within_hours": 24, "decides": "omar"},
        {"severity": "sev4", "notify": ["eve"], "respond_within_hours": 72, "decides": "omar"},
    ],
}


def declare(ws: Workspace) -> None:
    """Store the governance the trust page tests share."""
    apply_governance(ws, Governance.model_validate(SETUP), actor="omar")


ROLES = ["admin", "committee", "analyst", "frontline", "viewer", "anonymous"]


def role_client(role: str, client_for: Any, anon_client: TestClient) -> TestClient:
    """The fixture client of ``role``; "anonymous" is the client without a session."""
    return anon_client if role == "anonymous" else client_for(role)


def token_of(client: TestClient) -> str:
    """A valid CSRF token for ``client`` (session or anonymous), read from a public form."""
    return csrf_of(client.get("/review/status"))


def expected(allowed: set[str], ok: int = 200) -> dict[str, int]:
    """A role -> status row: ``ok`` for ``allowed``, 403 for the others, sign-in for anonymous."""
    return {
        role: ok if role in allowed else (302 if role == "anonymous" else 403) for role in ROLES
    }
