"""docs/openapi.json is the API's contract exactly as the server publishes it."""

from __future__ import annotations

import json
from pathlib import Path

from cxsteward.config import Settings
from cxsteward.web.app import create_app

DOC = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"


def test_the_committed_contract_is_what_the_server_publishes() -> None:
    served = create_app(Settings(workspace=Path("unused-workspace"))).openapi()
    committed = json.loads(DOC.read_text("utf-8"))
    assert committed == served, "run .venv/bin/python scripts/gen_api_docs.py"


def test_the_contract_documents_every_api_path() -> None:
    committed = json.loads(DOC.read_text("utf-8"))
    assert all(path.startswith("/api/v1/") for path in committed["paths"])
    assert "/api/v1/incidents/{incident_id}" in committed["paths"]
