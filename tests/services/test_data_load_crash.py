"""A load stopped at any step, by an exception or by SIGKILL, leaves the store and the
registry in agreement, and the next load neither adopts nor double-counts what it left.

Agreement is checked independently of the code under test: the registry is read with the
sqlite3 module, the store's rows are counted with DuckDB over the files the registry lists
and over every Parquet file in the store folder, and the readers (the metrics engine and
the rows drill-down) must count the same contacts.
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

import duckdb
import numpy as np
import pytest

from checkpoint_killer import KILLER
from cxsteward.config import Settings
from cxsteward.domain import metrics as m
from cxsteward.services import checkpoints
from cxsteward.services.data.load import list_loads, load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.monitoring.metrics import compute_cells
from cxsteward.services.monitoring.rows import RowFilter, rows_page
from cxsteward.services.workspace import Workspace, init_workspace

ROOT = Path(__file__).resolve().parents[2]
# Every boundary of a load, in order (see services/data/load.py).
STEPS = (
    "load:reserved",
    "load:swept",
    "load:written",
    "load:moving",  # after the first file is moved, before the others
    "load:moved",
    "load:finished",
    "load:committed",
)
ROWS = 6_000  # three months, so a load writes several files


class Injected(RuntimeError):
    """The fault the hook raises."""


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("exports")
    first, second = folder / "first.parquet", folder / "second.parquet"
    synthesize(first, ROWS, seed=3, days=90)
    synthesize(second, ROWS, seed=4, days=90)
    return first, second


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = init_workspace(Settings(workspace=tmp_path / "ws"))
    yield workspace
    workspace.close()


def registry(folder: Path) -> tuple[dict[int, tuple[int, list[str]]], set[int]]:
    """Committed loads (id -> rows accepted, files) and every id ever taken, read by sqlite3."""
    con = sqlite3.connect(f"file:{folder / 'registry.sqlite'}?mode=ro", uri=True)
    try:
        found = con.execute("SELECT id, rows_accepted, files_json FROM data_loads")
        loads = {i: (rows, json.loads(files)) for i, rows, files in found}
        taken = {i for (i,) in con.execute("SELECT id FROM data_load_ids")}
    finally:
        con.close()
    return loads, taken


def count(files: list[Path]) -> int:
    if not files:
        return 0
    paths = [str(f) for f in files]
    found = duckdb.sql(f"SELECT count(*) FROM read_parquet({paths}, union_by_name = true)")
    return int(found.fetchall()[0][0])


def store_files(folder: Path) -> list[Path]:
    return sorted((folder / "data" / "interactions").glob("**/*.parquet"))


def assert_agree(ws: Workspace, swept: bool) -> int:
    """The registry, the files it lists, and the readers agree; returns the contacts.

    ``swept``: a load ran since the fault, so nothing unlisted may remain on disk either.
    """
    folder = ws.settings.workspace
    loads, taken = registry(folder)
    listed = [folder / f for _, files in loads.values() for f in files if "interactions" in f]
    expected = sum(rows for rows, _ in loads.values())
    assert count(listed) == expected
    assert [o.load_id for o in list_loads(ws)] == sorted(loads)
    assert set(loads) <= taken
    if expected:
        cells = compute_cells(ws)
        assert int(np.sum(cells.stats[m.N])) == expected
    assert rows_page(ws, RowFilter()).total == expected
    if swept:
        assert store_files(folder) == sorted(listed)
        assert count(store_files(folder)) == expected
        assert not (folder / "data" / ".staging").exists()
        quarantined = sorted((folder / "data" / "quarantine").glob("*.parquet"))
        assert quarantined == sorted(
            folder / f for _, files in loads.values() for f in files if "quarantine" in f
        )
    return expected


def assert_recovers(ws: Workspace, exports: tuple[Path, Path], before: set[int]) -> None:
    """The next loads (the same file again, then another) agree, with ids never used before."""
    first, second = exports
    for path in (first, second):
        out = load_data(ws, path)
        if out.already_loaded:  # the stopped load had committed: it is the file's load
            assert out.load_id in before
            continue
        assert out.load_id not in before and out.load_id > max(before)
        before = before | {out.load_id}
        assert out.rows_accepted == ROWS
        assert_agree(ws, swept=True)
    assert assert_agree(ws, swept=True) == 2 * ROWS


@pytest.mark.parametrize("step", STEPS)
def test_a_load_failing_at_any_step_leaves_store_and_registry_agreeing(
    ws: Workspace, exports: tuple[Path, Path], step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(at: str) -> None:
        if at == step:
            raise Injected(at)

    monkeypatch.setattr(checkpoints, "hook", fail)
    with pytest.raises(Injected):
        load_data(ws, exports[0])
    monkeypatch.setattr(checkpoints, "hook", None)
    contacts = assert_agree(ws, swept=step in ("load:committed",))
    assert contacts == (ROWS if step == "load:committed" else 0)
    _, taken = registry(ws.settings.workspace)
    assert_recovers(ws, exports, taken)


def test_without_a_fault_no_checkpoint_changes_anything(
    ws: Workspace, exports: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    monkeypatch.setattr(checkpoints, "hook", seen.append)
    out = load_data(ws, exports[0])
    assert seen == [*STEPS[:3], *["load:moving"] * len(out.files), *STEPS[4:]]
    assert assert_agree(ws, swept=True) == ROWS


CLI = "import sys; from cxsteward.cli.app import main; sys.argv[0] = 'cxsteward'; main()"


@pytest.mark.parametrize("step", STEPS)
def test_a_load_killed_at_any_step_leaves_store_and_registry_agreeing(
    tmp_path: Path, exports: tuple[Path, Path], step: str
) -> None:
    folder = tmp_path / "ws"
    init_workspace(Settings(workspace=folder)).close()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, step, "--workspace", str(folder), "data", "load"]
        + [str(exports[0])],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    listed = subprocess.run(
        [sys.executable, "-c", CLI, "--workspace", str(folder), "data", "loads", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert listed.returncode == 0, listed.stderr
    ws = init_workspace(Settings(workspace=folder))
    try:
        loads, taken = registry(folder)
        assert [o["load_id"] for o in json.loads(listed.stdout)] == sorted(loads)
        contacts = assert_agree(ws, swept=False)
        assert contacts == (ROWS if step == "load:committed" else 0)
        assert_recovers(ws, exports, taken)
    finally:
        ws.close()


def test_a_load_overtaken_while_waiting_takes_a_new_id(
    ws: Workspace, exports: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = exports
    inner: list[int] = []

    def another_load_commits_first(at: str) -> None:
        if at == "load:reserved" and not inner:
            inner.append(0)
            inner[0] = load_data(ws, second).load_id

    monkeypatch.setattr(checkpoints, "hook", another_load_commits_first)
    outer = load_data(ws, first)
    monkeypatch.setattr(checkpoints, "hook", None)
    # The outer load took id 1, the inner one id 2 and committed; the outer one then took 3.
    assert (inner[0], outer.load_id) == (2, 3)
    loads, taken = registry(ws.settings.workspace)
    assert sorted(loads) == [2, 3] and taken == {1, 2, 3}
    finished = {o.load_id: o.finished_at for o in list_loads(ws)}
    assert finished[2] <= finished[3]  # ids follow the order of commits
    assert assert_agree(ws, swept=True) == 2 * ROWS


def test_ids_are_never_reused_on_any_registry(
    ws_any: Workspace, exports: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(at: str) -> None:
        if at == "load:finished":
            raise Injected(at)

    monkeypatch.setattr(checkpoints, "hook", fail)
    with pytest.raises(Injected):
        load_data(ws_any, exports[0])
    monkeypatch.setattr(checkpoints, "hook", None)
    assert list_loads(ws_any) == []
    again = load_data(ws_any, exports[0])
    assert again.load_id == 2 and again.rows_accepted == ROWS and not again.already_loaded
    assert [o.load_id for o in list_loads(ws_any)] == [2]
    assert int(np.sum(compute_cells(ws_any).stats[m.N])) == ROWS
