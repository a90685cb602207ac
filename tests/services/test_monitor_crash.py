"""A monitoring run stopped at any step, by an exception or by SIGKILL, never leaves a run
record without its artifacts nor an artifacts folder that a record would show half-written;
the next run sweeps what the stopped one left.

The registry is read with the sqlite3 module, the folders with the file system.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from checkpoint_killer import KILLER
from cxsteward.config import Settings
from cxsteward.services import checkpoints
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.monitoring.runs import get_run, list_runs
from cxsteward.services.workspace import Workspace, init_workspace

ROOT = Path(__file__).resolve().parents[2]
STEPS = ("run:swept", "run:written", "run:moved", "run:committed")
ARTIFACTS = {"cells.parquet", "findings.json", "evaluations.json", "comparisons.json"}


class Injected(RuntimeError):
    """The fault the hook raises."""


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "contacts.parquet"
    synthesize(path, 20_000, seed=9, days=60)
    return path


@pytest.fixture
def ws(tmp_path: Path, export: Path) -> Iterator[Workspace]:
    workspace = init_workspace(Settings(workspace=tmp_path / "ws"))
    load_data(workspace, export)
    yield workspace
    workspace.close()


def recorded(folder: Path) -> dict[int, str]:
    con = sqlite3.connect(f"file:{folder / 'registry.sqlite'}?mode=ro", uri=True)
    try:
        return dict(con.execute("SELECT id, artifacts FROM monitor_runs"))
    finally:
        con.close()


def assert_agree(ws: Workspace, swept: bool) -> list[int]:
    """Every run shown has its whole folder; with ``swept``, no other folder is left."""
    folder = ws.settings.workspace
    runs = recorded(folder)
    assert sorted(r.id for r in list_runs(ws)) == sorted(runs)
    for run_id, artifacts in runs.items():
        files = {p.name for p in (folder / artifacts).iterdir()}
        assert ARTIFACTS <= files, (run_id, files)
        assert pq.read_metadata(folder / artifacts / "cells.parquet").num_rows > 0
        detail = get_run(ws, run_id)
        assert detail.missing_artifacts == []
        stored = json.loads((folder / artifacts / "findings.json").read_text("utf-8"))
        assert len(stored) == detail.run.n_findings == len(detail.findings)
    if swept:
        on_disk = sorted(p.name for p in (folder / "runs").iterdir())
        assert on_disk == sorted(Path(a).name for a in runs.values())
    return sorted(runs)


def assert_recovers(ws: Workspace, before: list[int]) -> None:
    out = run_monitor(ws)
    assert out.run_id not in before
    assert assert_agree(ws, swept=True) == sorted([*before, out.run_id])


@pytest.mark.parametrize("step", STEPS)
def test_a_run_failing_at_any_step_leaves_no_half_run(
    ws: Workspace, step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_monitor(ws)

    def fail(at: str) -> None:
        if at == step:
            raise Injected(at)

    monkeypatch.setattr(checkpoints, "hook", fail)
    with pytest.raises(Injected):
        run_monitor(ws)
    monkeypatch.setattr(checkpoints, "hook", None)
    runs = assert_agree(ws, swept=step in ("run:swept", "run:written"))
    assert len(runs) == (2 if step == "run:committed" else 1) and runs[0] == first.run_id
    assert_recovers(ws, runs)


def test_without_a_fault_every_step_is_passed_once(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    monkeypatch.setattr(checkpoints, "hook", seen.append)
    run_monitor(ws)
    assert seen == list(STEPS)
    assert_agree(ws, swept=True)


@pytest.mark.parametrize("step", STEPS)
def test_a_run_killed_at_any_step_leaves_no_half_run(ws: Workspace, step: str) -> None:
    first = run_monitor(ws)
    folder = ws.settings.workspace
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, step, "--workspace", str(folder), "monitor", "run"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    runs = assert_agree(ws, swept=False)
    assert len(runs) == (2 if step == "run:committed" else 1) and runs[0] == first.run_id
    if step == "run:moved":  # renamed, never committed: a folder no record names
        assert (folder / "runs" / f"run-{first.run_id + 1:05d}").is_dir()
    assert_recovers(ws, runs)
