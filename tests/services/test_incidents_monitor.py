"""Incidents from a real monitoring run over synthetic contacts with a planted complaint problem."""

from __future__ import annotations

from pathlib import Path

from test_incidents_helpers import apply

from cxsteward.config import Settings
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.incidents.lifecycle import get_incident, list_incidents
from cxsteward.services.incidents.sync import sync_incidents
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.monitoring.thresholds import add_thresholds_file
from cxsteward.services.workspace import init_workspace

THRESHOLDS = """thresholds:
  - id: billing-complaints
    metric: complaint_rate
    direction: above
    ratio: 1.5
    segment: {inquiry_type: billing}
    severity: sev2
    action: escalate
"""


def test_breaches_of_two_runs_make_one_incident_each(tmp_path: Path) -> None:
    data = tmp_path / "contacts.parquet"
    synthesize(data, 60_000, seed=11)
    ws = init_workspace(Settings(workspace=tmp_path / "ws"))
    try:
        apply(ws)
        load_data(ws, data)
        (tmp_path / "t.yaml").write_text(THRESHOLDS, "utf-8")
        add_thresholds_file(ws, tmp_path / "t.yaml")
        first = run_monitor(ws)
        breaches = [f for f in first.findings if f.kind == "threshold_breach"]
        assert {f.deployment for f in breaches} >= {"support-chat", "billing-voice"}
        # run_monitor syncs incidents in its own transaction; a second sync changes nothing.
        synced = first.incidents
        assert len(synced.opened) == len(breaches)
        repeat = sync_incidents(ws, first.run_id)
        assert repeat.opened == [] and repeat.updated == []
        others = len(first.findings) - len(breaches)
        assert sum(synced.not_incidents.values()) == others
        by_deployment = {i.deployment: i for i in list_incidents(ws)}
        chat = by_deployment["support-chat"]
        assert chat.owner == "eve" and chat.severity == "sev2"
        assert chat.scope == {"inquiry_type": "billing"}
        assert by_deployment["billing-voice"].owner == "carla"
        second = run_monitor(ws)
        again = second.incidents
        assert again.opened == [] and sorted(again.updated) == sorted(synced.opened)
        assert get_incident(ws, chat.id).occurrences == 2
        assert get_incident(ws, chat.id).last_run_id == second.run_id
    finally:
        ws.close()
