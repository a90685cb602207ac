"""``data attach``: a Parquet source read in place gives what a load of it gives; attaching
writes nothing until every check passed; a run over a source that is gone records nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from attach_helpers import assert_same_cells, findings, identity_mapping

from cxsteward.config import Settings
from cxsteward.errors import Conflict, Invalid
from cxsteward.services import checkpoints
from cxsteward.services.accounts.sessions import SECRET_FILE, web_secret
from cxsteward.services.data import (
    SourceNotFound,
    SourceUnreachable,
    attach_source,
    detach_source,
    list_sources,
    load_data,
)
from cxsteward.services.data.freshness import data_freshness
from cxsteward.services.data.source import NoContacts, open_contacts
from cxsteward.services.data.synth import synthesize
from cxsteward.services.monitoring.rows import RowFilter, rows_page
from cxsteward.services.monitoring.run import SOURCE, MonitorOut, run_monitor
from cxsteward.services.monitoring.runs import get_run, list_runs
from cxsteward.services.monitoring.thresholds import add_thresholds_file
from cxsteward.services.workspace import Workspace, init_workspace

THRESHOLDS = """thresholds:
  - id: complaints
    metric: complaint_rate
    direction: above
    ratio: 1.2
    severity: sev2
    action: escalate
  - id: csat-gap
    metric: csat_satisfied_rate
    direction: below
    points: 2
    severity: sev3
"""
BAD_HANDLERS = 7


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic contacts, a few of them with a handler that is neither ai nor human."""
    folder = tmp_path_factory.mktemp("attach")
    path = folder / "contacts.parquet"
    synthesize(path, 20_000, seed=5, days=45)
    table = pq.read_table(path)
    handlers = table.column("handler").to_pylist()
    for i in range(BAD_HANDLERS):
        handlers[100 + 997 * i] = "robot"
    index = table.schema.get_field_index("handler")
    table = table.set_column(index, "handler", pa.array(handlers, pa.string()))
    # Times as an export writes them: text, in UTC.
    times = [f"{t:%Y-%m-%d %H:%M:%S}" for t in table.column("started_at").to_pylist()]
    index = table.schema.get_field_index("started_at")
    table = table.set_column(index, "started_at", pa.array(times, pa.string()))
    pq.write_table(table, path)
    identity_mapping(path, folder / "mapping.yaml", {"started_at": "%Y-%m-%d %H:%M:%S"})
    return path


@pytest.fixture
def mapping(export: Path) -> Path:
    return export.parent / "mapping.yaml"


def workspace(folder: Path, thresholds: Path | None = None) -> Workspace:
    ws = init_workspace(Settings(workspace=folder))
    web_secret(ws.settings)
    if thresholds is not None:
        add_thresholds_file(ws, thresholds)
    return ws


@dataclass(frozen=True)
class Pair:
    """One workspace that loaded the export and one that attached it, each run once."""

    loaded: Workspace
    attached: Workspace
    by_load: MonitorOut
    in_place: MonitorOut


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, export: Path) -> Iterator[Pair]:
    folder = tmp_path_factory.mktemp("pair")
    rules = folder / "thresholds.yaml"
    rules.write_text(THRESHOLDS, "utf-8")
    loaded = workspace(folder / "loaded", rules)
    attached = workspace(folder / "attached", rules)
    # One key for both: agents are named in findings by a keyed hash of the workspace.
    shutil.copy(loaded.settings.workspace / SECRET_FILE, attached.settings.workspace / SECRET_FILE)
    mapping = export.parent / "mapping.yaml"
    load_data(loaded, export, mapping)
    attach_source(attached, str(export), mapping)
    yield Pair(loaded, attached, run_monitor(loaded), run_monitor(attached))
    loaded.close()
    attached.close()


def kept(export: Path) -> pd.DataFrame:
    frame = pd.read_parquet(export)
    return frame[frame["handler"].isin(["ai", "human"])]


def test_a_run_over_an_attached_file_matches_a_run_over_its_load(pair: Pair, export: Path) -> None:
    a, b = pair.by_load, pair.in_place
    assert assert_same_cells(a.artifacts, b.artifacts) > 1000
    assert findings(a.artifacts) == findings(b.artifacts)
    assert findings(a.artifacts), "the thresholds were meant to find something"
    assert b.source is not None and b.source.rows == len(kept(export))
    assert a.source is not None and a.source.source.kind == "store"


def test_every_reader_reads_the_attached_source(pair: Pair, export: Path) -> None:
    rows = kept(export)
    page = rows_page(pair.attached, RowFilter(handlers=("ai",)))
    assert page.total == int((rows["handler"] == "ai").sum())
    assert page.total == rows_page(pair.loaded, RowFilter(handlers=("ai",))).total
    fresh = data_freshness(pair.attached)
    assert fresh.newest_contact is not None
    assert pd.Timestamp(fresh.newest_contact) == pd.to_datetime(rows["started_at"], utc=True).max()
    with open_contacts(pair.attached) as contacts:
        assert contacts.source.name == export.stem and contacts.row_key == ("interaction_id",)


def test_the_run_records_its_source_and_snapshot(pair: Pair, export: Path) -> None:
    out = pair.in_place
    stored = get_run(pair.attached, out.run_id).run.parameters.source
    assert stored is not None
    frame, rows = pd.read_parquet(export), kept(export)
    assert (stored.source.name, stored.source.kind, stored.source.table) == (
        export.stem,
        "parquet",
        None,
    )
    assert stored.source.location == str(export.resolve())
    assert (stored.rows_read, stored.rows, stored.rejected) == (len(frame), len(rows), BAD_HANDLERS)
    assert pd.Timestamp(stored.newest) == pd.to_datetime(rows["started_at"], utc=True).max()
    handler_groups = [g for g in stored.rejected_groups if g["field"] == "handler"]
    assert sum(int(g["count"]) for g in handler_groups) == BAD_HANDLERS
    samples = [e["value"] for g in handler_groups for e in g["examples"]]
    assert samples and set(samples) == {"robot"}
    artifact = json.loads((out.artifacts / SOURCE).read_text("utf-8"))
    assert artifact == stored.model_dump(mode="json")


def test_sources_lists_and_detach_goes_back_to_the_store(
    tmp_path: Path, export: Path, mapping: Path
) -> None:
    ws = workspace(tmp_path / "ws")
    attach_source(ws, str(export), mapping)
    listed = list_sources(ws)
    assert listed.reading.name == export.stem and listed.store_loads == 0
    with pytest.raises(Conflict, match="detach it first"):
        attach_source(ws, str(export), mapping, name="second")
    with pytest.raises(SourceNotFound, match="attached now: contacts"):
        detach_source(ws, "nothing-here")
    detach_source(ws, export.stem)
    listed = list_sources(ws)
    assert listed.reading.name == "store"
    assert [(s.name, s.active) for s in listed.sources] == [(export.stem, False)]
    with pytest.raises(NoContacts), open_contacts(ws):
        pass
    ws.close()


class Injected(RuntimeError):
    """The fault the hook raises."""


def registered(ws: Workspace) -> tuple[int, int]:
    """Rows of data_sources, and audit entries about them, read with sqlite3 directly."""
    con = sqlite3.connect(f"file:{ws.settings.workspace / 'registry.sqlite'}?mode=ro", uri=True)
    try:
        sources = con.execute("SELECT count(*) FROM data_sources").fetchone()[0]
        audit = con.execute(
            "SELECT count(*) FROM audit_log WHERE table_name = 'data_sources'"
        ).fetchone()[0]
        return int(sources), int(audit)
    finally:
        con.close()


@pytest.mark.parametrize("step", ["attach:recorded", "attach:committed"])
def test_a_fault_between_attach_steps_leaves_nothing_half_registered(
    tmp_path: Path, export: Path, mapping: Path, step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = workspace(tmp_path / "ws")

    def fail(at: str) -> None:
        if at == step:
            raise Injected(at)

    monkeypatch.setattr(checkpoints, "hook", fail)
    with pytest.raises(Injected):
        attach_source(ws, str(export), mapping)
    monkeypatch.setattr(checkpoints, "hook", None)
    committed = step == "attach:committed"
    assert registered(ws) == ((1, 1) if committed else (0, 0))
    assert [s.active for s in list_sources(ws).sources] == ([True] if committed else [])
    ws.close()


def test_without_a_fault_every_attach_step_is_passed_once(
    tmp_path: Path, export: Path, mapping: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = workspace(tmp_path / "ws")
    seen: list[str] = []
    monkeypatch.setattr(checkpoints, "hook", seen.append)
    attach_source(ws, str(export), mapping)
    assert seen == ["attach:checked", "attach:recorded", "attach:committed"]
    ws.close()


def test_a_run_over_a_source_that_is_gone_fails_and_records_nothing(
    tmp_path: Path, export: Path, mapping: Path
) -> None:
    copy = tmp_path / "exports" / "contacts.parquet"
    copy.parent.mkdir()
    shutil.copy(export, copy)
    ws = workspace(tmp_path / "ws")
    attach_source(ws, str(copy.parent), mapping, name="exports")
    copy.unlink()
    with pytest.raises(SourceUnreachable) as raised:
        run_monitor(ws)
    message = str(raised.value)
    assert "exports" in message and str(copy.parent) in message
    assert "cxsteward data detach exports" in message
    assert list_runs(ws) == []
    runs = ws.settings.workspace / "runs"
    assert not runs.exists() or not any(runs.iterdir())
    ws.close()


def test_a_refused_attach_writes_nothing(tmp_path: Path, export: Path, mapping: Path) -> None:
    ws = workspace(tmp_path / "ws")
    secret = "hunter2-not-for-logs"
    cases = [
        (str(tmp_path / "missing.parquet"), None, "no such file or folder"),
        (str(export), "contacts", "--table goes with a backend URL"),
        (f"postgresql://cx:{secret}@127.0.0.1:9/crm", None, "name the table"),
        (f"postgresql://cx:{secret}@127.0.0.1:9/crm", "contacts", "cannot connect"),
    ]
    for location, table, expected in cases:
        with pytest.raises((Invalid, SourceUnreachable)) as raised:
            attach_source(ws, location, mapping, table=table)
        assert expected in str(raised.value)
        assert secret not in str(raised.value)
    assert registered(ws) == (0, 0)
    assert not (ws.settings.workspace / ".secrets").exists() or not any(
        (ws.settings.workspace / ".secrets").iterdir()
    )
    ws.close()
