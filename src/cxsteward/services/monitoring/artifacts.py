"""A monitoring run's artifacts folder, published together with its registry record.

A run writes its files (cell table, findings, comparisons, evaluations, metric table) into
a staging folder inside its transaction, renames the folder into place as
``runs/run-NNNNN`` (one atomic step), and then commits its record. A run killed before the
commit leaves no record, so its folder is never shown (runs are listed and opened only
through their records); the next run, holding the same write lock, sweeps every folder
that no committed record names, and every staging folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cxsteward.registry.tables_monitor import MonitorRunRecord
from cxsteward.services.checkpoints import checkpoint
from cxsteward.services.data.store import sync_file
from cxsteward.services.workspace import Workspace

RUNS = Path("runs")
# "CXRN": distinct from the load's and the audit log's keys, so none waits on the others.
_LOCK_KEY = 0x4358524E


@contextmanager
def staged_artifacts(ws: Workspace, session: Session, run_id: int, folder: Path) -> Iterator[Path]:
    """A staging folder for run ``run_id``'s files, renamed to ``folder`` when the block ends.

    Use it inside the run's transaction, after its record is flushed (which holds the
    registry's write lock); the commit that follows publishes record and folder at once.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    root = ws.settings.workspace
    sweep_runs(ws, session, run_id)
    checkpoint("run:swept")
    staging = root / RUNS / f".staging-{run_id}"
    staging.mkdir(parents=True)
    try:
        yield staging
        for file in staging.iterdir():
            sync_file(file)
        checkpoint("run:written")
        os.replace(staging, root / folder)
        sync_file(root / RUNS)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    checkpoint("run:moved")


def sweep_runs(ws: Workspace, session: Session, run_id: int) -> list[Path]:
    """Delete artifact folders no committed run names (left by runs that died before their
    commit), and staging folders; ``run_id`` is the caller's own, not yet committed, run."""
    runs = ws.settings.workspace / RUNS
    if not runs.is_dir():
        return []
    named = select(MonitorRunRecord.artifacts).where(MonitorRunRecord.id != run_id)
    kept = {ws.settings.workspace / a for a in session.scalars(named) if a}
    swept = []
    for entry in sorted(runs.iterdir()):
        if entry.is_dir() and entry.name.startswith(("run-", ".staging-")) and entry not in kept:
            shutil.rmtree(entry, ignore_errors=True)
            swept.append(entry)
    return swept
