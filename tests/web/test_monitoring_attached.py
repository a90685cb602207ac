"""The monitoring pages name the source a run read: an attached source, with its rejected rows."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient

from cxsteward.services.data import attach_source
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.workspace import Workspace

MAPPING = """timezone: UTC
fields:
  interaction_id: id
  started_at: {column: opened, format: "%Y-%m-%d %H:%M"}
  handler: {column: who, map: {Bot: ai, Agent: human}}
"""


def test_runs_list_and_run_page_name_the_attached_source(
    web_ws: Workspace, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    frame = pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(6)],
            "opened": [f"2026-03-0{1 + i} 10:00" for i in range(6)],
            "who": ["Bot", "Agent", "Bot", "Agent", "Bot", "Robot"],
        }
    )
    export = tmp_path / "crm.parquet"
    frame.to_parquet(export, index=False)
    mapping = tmp_path / "crm.yaml"
    mapping.write_text(MAPPING, "utf-8")
    attach_source(web_ws, str(export), mapping)
    out = run_monitor(web_ws)
    client = client_for("analyst")
    listing = html.unescape(client.get("/monitoring").text)
    assert "crm" in listing and "5 rows, in place; 1 rejected" in listing
    page = html.unescape(client.get(f"/monitoring/runs/{out.run_id}").text)
    assert "Contacts from crm" in page and "1 rejected: handler (column who)" in page
    assert "c5 'Robot'" in page
